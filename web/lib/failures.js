// Plain-language sentences for the stable failure codes of api.md (Fax.failure.code).
const sentences = {
  busy: 'The line was busy.',
  no_answer: 'Nobody answered the call.',
  rejected: 'The call was refused by the other side or the carrier.',
  no_route: 'There is no route for this number: ask your brand admin to add one.',
  carrier_unreachable: 'The carrier could not be reached.',
  not_a_fax: 'The call was answered, but not by a fax machine.',
  negotiation_failed: 'The two fax machines could not agree on how to transfer the pages.',
  transfer_failed: 'The connection broke while the pages were being sent.',
  canceled: 'The fax was canceled.',
  document_invalid: 'The document could not be turned into fax pages.',
  internal: 'Something went wrong inside faxd. Try again or tell your administrator.',
};

export function failureSentence(failure) {
  if (!failure) return '';
  return sentences[failure.code] || 'The fax failed.';
}

export const statusText = {
  queued: 'Queued',
  sending: 'Sending',
  delivered: 'Delivered',
  failed: 'Failed',
  canceled: 'Canceled',
  receiving: 'Receiving',
  received: 'Received',
};

export const activeStatuses = new Set(['queued', 'sending', 'receiving']);
