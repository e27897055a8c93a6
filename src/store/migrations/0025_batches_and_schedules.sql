-- Broadcasts and scheduled sends (issue #20).
-- batch_id: the faxes made by one POST /faxes with several `to` parts share it (and, without a
-- cover page, one document: the spool file is removed with the last fax that uses it, found by
-- 0020's faxes_document index). send_at: when the sender asked it to go; the queue's
-- next_attempt_at starts there and retries' kill time counts from it.
ALTER TABLE faxes ADD COLUMN batch_id TEXT;
ALTER TABLE faxes ADD COLUMN send_at TEXT;
CREATE INDEX faxes_batch ON faxes(batch_id, id) WHERE batch_id IS NOT NULL;

-- A company's cover page: what goes around each fax's own fields (addressee, subject, note).
CREATE TABLE cover_templates (
  company_id       TEXT PRIMARY KEY REFERENCES companies(id) ON DELETE CASCADE,
  title            TEXT NOT NULL DEFAULT '',   -- big heading; '' = "FAX"
  company_name     TEXT NOT NULL DEFAULT '',   -- '' = the company's name
  company_details  TEXT NOT NULL DEFAULT '',   -- address, phone: free lines
  footer           TEXT NOT NULL DEFAULT '',   -- a confidentiality notice, say
  logo_png         TEXT,                       -- base64 of a PNG; NULL = no logo
  created_at       TEXT NOT NULL,
  updated_at       TEXT NOT NULL
);
