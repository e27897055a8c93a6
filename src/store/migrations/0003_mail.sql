-- faxd schema, version 3: mail outbox and webhook fan-out.

-- Per-webhook fan-out cursor: the highest events.seq already considered for this webhook. A new
-- webhook starts at the newest event, so it receives what happens after it was created.
ALTER TABLE webhooks ADD COLUMN last_seq INTEGER NOT NULL DEFAULT 0;
CREATE INDEX webhooks_user ON webhooks(user_id, id);

-- The exact request body, built once at fan-out: retries send the same bytes (the signature
-- covers them) and a delivery does not depend on the event row surviving pruning.
ALTER TABLE webhook_deliveries ADD COLUMN event_type TEXT NOT NULL DEFAULT '';
ALTER TABLE webhook_deliveries ADD COLUMN body TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX webhook_deliveries_once ON webhook_deliveries(webhook_id, event_id);

CREATE INDEX mail_outbox_fax ON mail_outbox(fax_id, kind);
