-- faxd schema, version 1. Ids are time-ordered 26-character strings (see common/id.hpp);
-- timestamps are RFC 3339 UTC text with milliseconds, so text order is time order.

CREATE TABLE brands (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL
);

CREATE TABLE companies (
  id          TEXT PRIMARY KEY,
  brand_id    TEXT NOT NULL REFERENCES brands(id),
  name        TEXT NOT NULL,
  timezone    TEXT NOT NULL DEFAULT 'UTC',
  language    TEXT NOT NULL DEFAULT 'en',
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL,
  UNIQUE (brand_id, name)
);

CREATE TABLE users (
  id             TEXT PRIMARY KEY,
  username       TEXT NOT NULL UNIQUE,
  password_hash  TEXT NOT NULL,              -- libsodium argon2id string
  role           TEXT NOT NULL CHECK (role IN ('platform_admin','brand_admin','company_admin','user')),
  brand_id       TEXT REFERENCES brands(id),
  company_id     TEXT REFERENCES companies(id),
  created_at     TEXT NOT NULL,
  updated_at     TEXT NOT NULL
);
CREATE INDEX users_brand ON users(brand_id);
CREATE INDEX users_company ON users(company_id);

-- Login sessions and API tokens; only a SHA-256 of the token is stored.
CREATE TABLE auth_tokens (
  id            TEXT PRIMARY KEY,
  user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  kind          TEXT NOT NULL CHECK (kind IN ('session','api')),
  name          TEXT NOT NULL DEFAULT '',
  token_hash    TEXT NOT NULL UNIQUE,
  expires_at    TEXT,
  last_used_at  TEXT,
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL
);
CREATE INDEX auth_tokens_user ON auth_tokens(user_id, kind);

-- Failed logins per key ("user:NAME" or "addr:IP") for throttling.
CREATE TABLE login_failures (
  key           TEXT PRIMARY KEY,
  failures      INTEGER NOT NULL,
  window_start  TEXT NOT NULL
);

CREATE TABLE carriers (
  id          TEXT PRIMARY KEY,
  brand_id    TEXT NOT NULL REFERENCES brands(id),
  name        TEXT NOT NULL,
  host        TEXT NOT NULL,
  port        INTEGER NOT NULL DEFAULT 5060,
  transport   TEXT NOT NULL DEFAULT 'udp' CHECK (transport IN ('udp','tcp')),
  username    TEXT NOT NULL DEFAULT '',
  password    TEXT NOT NULL DEFAULT '',   -- needed in clear for SIP digest; never returned by the API
  t38         INTEGER NOT NULL DEFAULT 1,
  max_calls   INTEGER NOT NULL DEFAULT 0, -- 0 = unlimited
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL,
  UNIQUE (brand_id, name)
);

CREATE TABLE routes (
  id          TEXT PRIMARY KEY,
  brand_id    TEXT NOT NULL REFERENCES brands(id),
  type        TEXT NOT NULL CHECK (type IN ('fax','call')),
  prefix      TEXT NOT NULL DEFAULT '',
  carrier_id  TEXT NOT NULL REFERENCES carriers(id),
  priority    INTEGER NOT NULL DEFAULT 1,
  weight      INTEGER NOT NULL DEFAULT 1 CHECK (weight >= 1),
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL
);
CREATE INDEX routes_brand ON routes(brand_id, type);
CREATE INDEX routes_carrier ON routes(carrier_id);

CREATE TABLE virtual_faxes (
  id               TEXT PRIMARY KEY,
  company_id       TEXT NOT NULL REFERENCES companies(id),
  name             TEXT NOT NULL,
  email            TEXT NOT NULL DEFAULT '',
  send_by_email    INTEGER NOT NULL DEFAULT 0,
  notify_sender    INTEGER NOT NULL DEFAULT 0,  -- mail the sender when an outbound fax ends
  outgoing_ddi_id  TEXT
-- faxd:sqlite-only begin
                   REFERENCES ddis(id)  -- PostgreSQL: added below, once ddis exists
-- faxd:sqlite-only end
                   ,
  station_id       TEXT NOT NULL DEFAULT '',
  header           TEXT NOT NULL DEFAULT '',
  created_at       TEXT NOT NULL,
  updated_at       TEXT NOT NULL,
  UNIQUE (company_id, name)
);

-- A DDI belongs to a brand; the brand admin gives it to one of its companies, whose admin
-- routes it to a virtual fax.
CREATE TABLE ddis (
  id              TEXT PRIMARY KEY,
  brand_id        TEXT NOT NULL REFERENCES brands(id),
  company_id      TEXT REFERENCES companies(id),
  number          TEXT NOT NULL UNIQUE,        -- E.164 with '+'
  virtual_fax_id  TEXT REFERENCES virtual_faxes(id) ON DELETE SET NULL,
  created_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL
);
CREATE INDEX ddis_company ON ddis(company_id);
-- faxd:postgresql-only begin
ALTER TABLE virtual_faxes ADD FOREIGN KEY (outgoing_ddi_id) REFERENCES ddis(id);
-- faxd:postgresql-only end
CREATE INDEX ddis_vfax ON ddis(virtual_fax_id);

CREATE TABLE user_virtual_faxes (
  user_id         TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  virtual_fax_id  TEXT NOT NULL REFERENCES virtual_faxes(id) ON DELETE CASCADE,
  PRIMARY KEY (user_id, virtual_fax_id)
);
CREATE INDEX user_virtual_faxes_vfax ON user_virtual_faxes(virtual_fax_id);

-- Every sent or received document. The queue is this table: an outbound fax is claimed by a
-- node (claimed_by, claim_until) while a call runs, so several faxd can share one store.
CREATE TABLE faxes (
  id                 TEXT PRIMARY KEY,
  direction          TEXT NOT NULL CHECK (direction IN ('outbound','inbound')),
  brand_id           TEXT NOT NULL REFERENCES brands(id),
  company_id         TEXT NOT NULL REFERENCES companies(id),
  virtual_fax_id     TEXT REFERENCES virtual_faxes(id) ON DELETE SET NULL,
  created_by         TEXT,                       -- user id of the sender
  from_number        TEXT NOT NULL DEFAULT '',
  to_number          TEXT NOT NULL DEFAULT '',
  status             TEXT NOT NULL CHECK (status IN
                       ('queued','sending','delivered','failed','canceled','receiving','received')),
  pages              INTEGER NOT NULL DEFAULT 0,
  pages_total        INTEGER NOT NULL DEFAULT 0,
  quality            TEXT NOT NULL DEFAULT 'fine' CHECK (quality IN ('standard','fine')),
  header             TEXT NOT NULL DEFAULT '',
  attempts           INTEGER NOT NULL DEFAULT 0,   -- calls that connected or tried to
  dials              INTEGER NOT NULL DEFAULT 0,
  bit_rate           INTEGER,
  ecm                INTEGER,
  transport          TEXT CHECK (transport IN ('t38','g711')),
  remote_station_id  TEXT,
  failure_code       TEXT,
  failure_message    TEXT,
  idempotency_key    TEXT,
  document           TEXT,                         -- spool path of the TIFF-F, relative to data_dir
  claimed_by         TEXT,
  claim_until        TEXT,
  created_at         TEXT NOT NULL,
  updated_at         TEXT NOT NULL,
  started_at         TEXT,
  completed_at       TEXT,
  next_attempt_at    TEXT
);
CREATE INDEX faxes_company ON faxes(company_id, id);
CREATE INDEX faxes_brand ON faxes(brand_id, id);
CREATE INDEX faxes_vfax ON faxes(virtual_fax_id, id);
CREATE INDEX faxes_queue ON faxes(next_attempt_at) WHERE status = 'queued';
CREATE INDEX faxes_active ON faxes(status) WHERE status IN ('sending','receiving');
CREATE UNIQUE INDEX faxes_idempotency ON faxes(created_by, idempotency_key)
  WHERE idempotency_key IS NOT NULL;

CREATE TABLE fax_attempts (
  id               TEXT PRIMARY KEY,
  fax_id           TEXT NOT NULL REFERENCES faxes(id) ON DELETE CASCADE,
  carrier_id       TEXT,
  carrier_name     TEXT NOT NULL DEFAULT '',
  transport        TEXT,
  ecm              INTEGER,
  bit_rate         INTEGER,
  pages            INTEGER NOT NULL DEFAULT 0,
  sip_status       INTEGER,
  result           TEXT NOT NULL DEFAULT 'running',  -- running | delivered | failed | canceled
  failure_code     TEXT,
  failure_message  TEXT,
  started_at       TEXT NOT NULL,
  ended_at         TEXT,
  created_at       TEXT NOT NULL,
  updated_at       TEXT NOT NULL
);
CREATE INDEX fax_attempts_fax ON fax_attempts(fax_id, id);

-- Fax events, for SSE and webhooks; pruned after delivery.
CREATE TABLE events (
  seq             INTEGER PRIMARY KEY AUTOINCREMENT,
  id              TEXT NOT NULL UNIQUE,
  type            TEXT NOT NULL,
  fax_id          TEXT NOT NULL,
  brand_id        TEXT NOT NULL,
  company_id      TEXT NOT NULL,
  virtual_fax_id  TEXT,
  payload         TEXT NOT NULL,
  created_at      TEXT NOT NULL
);

-- Mail waiting for the SMTP server; a row is sent once, then marked sent.
CREATE TABLE mail_outbox (
  id               TEXT PRIMARY KEY,
  fax_id           TEXT REFERENCES faxes(id) ON DELETE SET NULL,
  kind             TEXT NOT NULL,               -- fax_received | fax_delivered | fax_failed
  to_address       TEXT NOT NULL,
  status           TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','sent','failed')),
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  TEXT NOT NULL,
  last_error       TEXT,
  created_at       TEXT NOT NULL,
  updated_at       TEXT NOT NULL,
  sent_at          TEXT
);
CREATE INDEX mail_outbox_due ON mail_outbox(next_attempt_at) WHERE status = 'pending';

CREATE TABLE webhooks (
  id          TEXT PRIMARY KEY,
  user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,  -- owner; its scope filters events
  url         TEXT NOT NULL,
  secret      TEXT NOT NULL,
  events      TEXT NOT NULL DEFAULT '[]',   -- JSON array of event types; empty = all
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL
);

CREATE TABLE webhook_deliveries (
  id               TEXT PRIMARY KEY,
  webhook_id       TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
  event_id         TEXT NOT NULL,
  status           TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','delivered','failed')),
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  TEXT NOT NULL,
  last_status      INTEGER,
  last_error       TEXT,
  created_at       TEXT NOT NULL,
  updated_at       TEXT NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_attempt_at) WHERE status = 'pending';
