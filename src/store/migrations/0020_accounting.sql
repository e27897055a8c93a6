-- faxd schema, version 20: accounting, retention and audit (issue #19).

-- Retention: days a company's fax documents are kept after the fax is final (NULL keeps them for
-- ever; 0 removes them as soon as the fax is final and its mail went out). The purge keeps the
-- fax row and stamps when its document went.
ALTER TABLE companies ADD COLUMN retention_days INTEGER;
ALTER TABLE faxes ADD COLUMN document_purged_at TEXT;
-- The purge's walk: only faxes that still hold a document, by company and completion time.
CREATE INDEX faxes_retention ON faxes(company_id, completed_at) WHERE document IS NOT NULL;
-- Whether another fax (a broadcast shares one) still refers to a document before its file goes.
CREATE INDEX faxes_document ON faxes(document) WHERE document IS NOT NULL;

-- Call detail records, one per call attempt in either direction, for billing. Denormalized and
-- without a foreign key to faxes on purpose: a record outlives the deletion of its fax and the
-- purge of its document. Outbound rows share the id of their fax_attempts row.
CREATE TABLE calls (
  id              TEXT PRIMARY KEY,
  fax_id          TEXT NOT NULL,
  direction       TEXT NOT NULL CHECK (direction IN ('outbound','inbound')),
  brand_id        TEXT NOT NULL,
  company_id      TEXT NOT NULL,
  virtual_fax_id  TEXT,
  from_number     TEXT NOT NULL DEFAULT '',
  to_number       TEXT NOT NULL DEFAULT '',
  carrier_id      TEXT,
  started_at      TEXT NOT NULL,        -- INVITE sent (outbound) or received (inbound)
  answered_at     TEXT,                 -- 200 OK received (outbound) or sent (inbound)
  ended_at        TEXT,
  duration_s      INTEGER,              -- ended_at - started_at, whole seconds rounded up
  billable_s      INTEGER,              -- ended_at - answered_at, rounded up; 0 when unanswered
  transport       TEXT,
  bit_rate        INTEGER,
  pages           INTEGER NOT NULL DEFAULT 0,
  result          TEXT NOT NULL DEFAULT 'running',  -- running | delivered | received | failed | canceled
  failure_code    TEXT,
  created_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL
);
CREATE INDEX calls_brand ON calls(brand_id, id);
CREATE INDEX calls_company ON calls(company_id, id);
CREATE INDEX calls_fax ON calls(fax_id);

-- The calls made before this version, from the attempts (durations were not recorded then).
INSERT INTO calls (id, fax_id, direction, brand_id, company_id, virtual_fax_id, from_number,
                   to_number, carrier_id, started_at, ended_at, transport, bit_rate, pages, result,
                   failure_code, created_at, updated_at)
  SELECT a.id, a.fax_id, f.direction, f.brand_id, f.company_id, f.virtual_fax_id, f.from_number,
         f.to_number, a.carrier_id, a.started_at, a.ended_at, a.transport, a.bit_rate, a.pages,
         a.result, a.failure_code, a.created_at, a.updated_at
  FROM fax_attempts a JOIN faxes f ON f.id = a.fax_id;

-- Every change made through the API or the UI. brand_id / company_id say whose scope the event
-- is in (the changed object's, else the actor's); changes is JSON with secrets already masked.
CREATE TABLE audit_events (
  id              TEXT PRIMARY KEY,
  at              TEXT NOT NULL,
  user_id         TEXT,
  username        TEXT NOT NULL DEFAULT '',
  action          TEXT NOT NULL,
  resource        TEXT NOT NULL,
  resource_id     TEXT,
  changes         TEXT,
  remote_address  TEXT NOT NULL DEFAULT '',
  brand_id        TEXT,
  company_id      TEXT
);
CREATE INDEX audit_events_brand ON audit_events(brand_id, id);
CREATE INDEX audit_events_company ON audit_events(company_id, id);

-- Scheduled call CSVs mailed to an address (IvozProvider's call CSV schedulers).
CREATE TABLE call_csv_schedules (
  id           TEXT PRIMARY KEY,
  brand_id     TEXT NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  company_id   TEXT REFERENCES companies(id) ON DELETE CASCADE,
  name         TEXT NOT NULL,
  frequency    TEXT NOT NULL CHECK (frequency IN ('daily','weekly','monthly')),
  email        TEXT NOT NULL,
  next_run_at  TEXT NOT NULL,
  last_run_at  TEXT,
  created_at   TEXT NOT NULL,
  updated_at   TEXT NOT NULL
);
CREATE INDEX call_csv_schedules_brand ON call_csv_schedules(brand_id, id);
CREATE INDEX call_csv_schedules_due ON call_csv_schedules(next_run_at);

-- One row per CSV mailed: the period it covers, found by the outbox mail that carries it.
CREATE TABLE call_csv_reports (
  id           TEXT PRIMARY KEY,
  schedule_id  TEXT NOT NULL REFERENCES call_csv_schedules(id) ON DELETE CASCADE,
  mail_id      TEXT NOT NULL UNIQUE,
  since        TEXT NOT NULL,
  until        TEXT NOT NULL,
  created_at   TEXT NOT NULL
);
