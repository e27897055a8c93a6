-- faxd schema, version 50 (issue #17): numbers the way users and carriers write them, and
-- tenants that can be switched off.

-- A switched-off brand or company cannot send, its inbound calls are refused (SIP 403); its
-- data is kept. Booleans are INTEGER 0/1.
ALTER TABLE brands ADD COLUMN enabled INTEGER NOT NULL DEFAULT 1;
ALTER TABLE companies ADD COLUMN enabled INTEGER NOT NULL DEFAULT 1;

-- The country national numbers typed by the company's users belong to (ISO 3166 alpha-2;
-- '' = none: only +E.164 accepted), and the caller id of virtual faxes without their own.
ALTER TABLE companies ADD COLUMN country TEXT NOT NULL DEFAULT '';
ALTER TABLE companies ADD COLUMN default_outgoing_ddi_id TEXT REFERENCES ddis(id);

-- How a carrier wants numbers in the Request-URI and From, a tech prefix before the dialled
-- number, and the country its national numbers (inbound) belong to.
ALTER TABLE carriers ADD COLUMN number_format TEXT NOT NULL DEFAULT 'e164'
  CHECK (number_format IN ('e164','e164_digits','national'));
ALTER TABLE carriers ADD COLUMN dial_prefix TEXT NOT NULL DEFAULT '';
ALTER TABLE carriers ADD COLUMN country TEXT NOT NULL DEFAULT '';

-- A company's own routes (NULL: brand-wide), tried before the brand's.
ALTER TABLE routes ADD COLUMN company_id TEXT REFERENCES companies(id);
CREATE INDEX routes_company ON routes(company_id);

-- Prefixes are written as E.164 starts ("+34"); older ones without '+' matched as if they had it.
UPDATE routes SET prefix = '+' || prefix WHERE prefix <> '' AND prefix NOT LIKE '+%';
