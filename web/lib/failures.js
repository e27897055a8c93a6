// Plain-language words for the stable codes of api.md: failure codes (Fax.failure.code), fax
// statuses, call results and connections, in the user's language (web/i18n/<code>.js).
import { t, has } from './i18n.js';

export function failureSentence(failure) {
  if (!failure) return '';
  return has(`failure.${failure.code}`) ? t(`failure.${failure.code}`) : t('failure.other');
}

export function statusText(status) {
  return has(`status.${status}`) ? t(`status.${status}`) : status;
}

export function qualityText(quality) {
  return has(`quality.${quality}`) ? t(`quality.${quality}`) : (quality || '');
}

export function transportText(transport) {
  if (transport === 't38') return t('transport.t38');
  if (transport === 'g711') return t('transport.g711');
  return '';
}

// The result of one call (GET /faxes/{id}/attempts).
export function resultText(result) {
  if (!result) return '';
  return has(`result.${result}`) ? t(`result.${result}`) : result;
}

export const activeStatuses = new Set(['queued', 'sending', 'receiving']);
