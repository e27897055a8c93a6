-- faxd schema, version 16: email-to-fax (issue #20).

-- Who may send faxes from a virtual fax by mail: a lower-case address ("ana@acme.example") or
-- a whole domain ("@acme.example").
CREATE TABLE virtual_fax_mail_senders (
  virtual_fax_id  TEXT NOT NULL REFERENCES virtual_faxes(id) ON DELETE CASCADE,
  sender          TEXT NOT NULL,
  PRIMARY KEY (virtual_fax_id, sender)
);
CREATE INDEX virtual_fax_mail_senders_sender ON virtual_fax_mail_senders(sender);

-- A cover page with the mail's subject before the mailed documents.
ALTER TABLE virtual_faxes ADD COLUMN mail_cover INTEGER NOT NULL DEFAULT 0;

-- A fax that came by mail: the sender, who gets the result by mail, and the mail's Message-ID
-- (the result mail answers it). Its idempotency key ("mail:" + Message-ID) is unique per
-- virtual fax, since it has no creating user: a relay that sends the same message again gets
-- the first fax.
ALTER TABLE faxes ADD COLUMN mail_from TEXT;
ALTER TABLE faxes ADD COLUMN mail_message_id TEXT;
CREATE UNIQUE INDEX faxes_mail_idempotency ON faxes(virtual_fax_id, idempotency_key)
  WHERE created_by IS NULL AND idempotency_key IS NOT NULL;
