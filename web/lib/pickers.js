// Pick-lists for settings that are codes underneath: time zones (every IANA zone the browser
// knows), languages and countries, each named in the user's language. Each returns a field
// spec for field() (dom.js): [value, label] options, the current value kept even when unknown.
import { t, languages, languageName, countryName, language } from './i18n.js';

// Languages offered for a company or a user: the UI's own catalogues first, then languages
// faxd's mail templates are commonly written in.
const COMMON_LANGUAGES = ['en', 'es', 'ca', 'eu', 'gl', 'pt', 'pt-BR', 'fr', 'de', 'it', 'nl'];

// ISO 3166-1 alpha-2 codes (names come from Intl.DisplayNames).
const COUNTRIES = ('AD AE AF AG AI AL AM AO AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BW BY BZ '
  + 'CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB '
  + 'GD GE GF GG GH GI GL GM GN GP GQ GR GT GU GW GY HK HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM '
  + 'KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ '
  + 'NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH '
  + 'SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI '
  + 'VN VU WF WS YE YT ZA ZM ZW').split(' ');

const sortByLabel = (opts) => opts.sort((a, b) => a[1].localeCompare(b[1], language()));

function keep(options, value) {
  if (value && !options.some(([v]) => v === value)) options.push([value, value]);
  return options;
}

export function timeZones() {
  let zones = [];
  try { zones = Intl.supportedValuesOf('timeZone'); } catch { zones = []; }
  if (!zones.includes('UTC')) zones = ['UTC', ...zones];
  return zones;
}

// none: the label of an empty choice (e.g. "As the company"), or undefined for none.
export function timeZoneOptions(value, none) {
  const opts = timeZones().map((z) => [z, z.replace(/_/g, ' ')]);
  return [...(none !== undefined ? [['', none]] : []), ...keep(opts, value)];
}

export function languageOptions(value, none, { uiOnly = false } = {}) {
  const codes = uiOnly ? [...languages] : [...new Set([...languages, ...COMMON_LANGUAGES])];
  const opts = sortByLabel(codes.map((c) => [c, `${languageName(c, language())} (${languageName(c)})`]));
  return [...(none !== undefined ? [['', none]] : []), ...keep(opts, value)];
}

export function countryOptions(value, none) {
  const opts = sortByLabel(COUNTRIES.map((c) => [c, `${countryName(c)} (${c})`]));
  return [...(none !== undefined ? [['', none]] : []), ...keep(opts, value)];
}

export function timeZoneField(spec) {
  return { type: 'select', label: t('field.timezone'), hint: t('hint.timezone_pick'), ...spec,
    options: timeZoneOptions(spec.value, spec.none) };
}

export function languageField(spec) {
  return { type: 'select', label: t('field.language'), ...spec, options: languageOptions(spec.value, spec.none, spec) };
}

export function countryField(spec) {
  return { type: 'select', label: t('field.country'), ...spec, options: countryOptions(spec.value, spec.none) };
}
