// Errors in the user's language, saying what to do: the API's error code (and, for a field, the
// field's own hint) picks the sentence; the API's English message is never shown as it is.
import { ApiError } from './api.js';
import { t, has } from './i18n.js';

// Known "delete X first" answers of the API (store/*_repo.cpp) -> catalogue keys.
const conflicts = [
  [/brand still has companies/, 'conflict.brand_companies'],
  [/brand still has carriers/, 'conflict.brand_carriers'],
  [/brand still has DDIs/, 'conflict.brand_ddis'],
  [/brand still has users/, 'conflict.brand_users'],
  [/company still has virtual faxes/, 'conflict.company_vfaxes'],
  [/company still has users/, 'conflict.company_users'],
  [/company still has DDIs/, 'conflict.company_ddis'],
  [/company still has faxes/, 'conflict.company_faxes'],
  [/carrier is used by routes/, 'conflict.carrier_routes'],
  [/default outgoing DDI/, 'conflict.ddi_company_default'],
  [/outgoing DDI/, 'conflict.ddi_outgoing'],
  [/company still has its own routes/, 'conflict.company_routes'],
  [/username is taken/, 'conflict.username_taken'],
  [/already exists|is taken|duplicate|UNIQUE/i, 'conflict.exists'],
];

export function errorText(e) {
  if (!(e instanceof ApiError)) return e && e.key ? t(e.key, e.vars) : t('error.unreachable');
  const c = e.code || '';
  if (e.status === 401) return c === 'invalid_credentials' ? t('login.wrong') : t('error.session_ended');
  if (e.status === 429) return t('error.throttled');
  if (e.status === 403 && c === 'tenant_disabled') return t('error.tenant_disabled');
  if (e.status === 403) return c === 'csrf' ? t('error.session_ended') : t('error.forbidden');
  if (e.status === 404) return t('error.not_found');
  if (e.status === 409) {
    const hit = conflicts.find(([re]) => re.test(e.message || ''));
    return hit ? t(hit[1]) : t('error.conflict');
  }
  if (e.status === 413) return t('error.too_large');
  if (e.status === 507) return t('error.storage_full');
  if (c === 'document_invalid') {
    const named = /^(.+?\.[A-Za-z0-9]{2,5}): /.exec(e.message || '');
    return named ? t('error.document_invalid_file', { file: named[1] }) : t('error.document_invalid');
  }
  if (e.status === 422 || e.status === 400) return t('error.invalid');
  if (e.status >= 500) return t('error.server');
  return t('error.generic');
}

// Why the password policy (common/password_policy.cpp) refused a new password, in plain words:
// the API's reason ("password: must not contain the username") -> catalogue key.
const passwordReasons = [
  [/at least \d+ characters/, 'problem.password'],
  [/username/, 'problem.password_username'],
  [/too common/, 'problem.password_common'],
  [/dictionary/, 'problem.password_dictionary'],
  [/too easy to guess/, 'problem.password_guessable'],
];

// The message under a field: the field's own problem sentence ("Enter a name."), else "Check
// <label>" with its hint (the rule), else the code's sentence.
export function fieldErrorText(e, spec) {
  if (!(e instanceof ApiError)) return e && e.key ? t(e.key, e.vars) : (e && e.message) || t('error.unreachable');
  if (e.status === 409) return errorText(e);
  if (e.code === 'document_invalid' || e.status === 413 || e.status === 507) return errorText(e);
  if (e.status === 422 || e.status === 400) {
    const reason = spec && spec.type === 'password' && passwordReasons.find(([re]) => re.test(e.message || ''));
    if (reason) return t(reason[1]);
    if (spec && spec.problem) return spec.problem;
    if (spec && spec.label) return spec.hint ? t('error.check_field_hint', { field: spec.label, hint: spec.hint }) : t('error.check_field', { field: spec.label });
  }
  return errorText(e);
}

export { has };
