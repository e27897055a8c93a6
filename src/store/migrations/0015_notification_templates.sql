-- faxd schema, version 15: each brand's own mail (issue #18).

-- The language a brand's mails fall back to when a company's language has no template.
ALTER TABLE brands ADD COLUMN language TEXT NOT NULL DEFAULT 'en';

-- Fax mail templates of a brand (company_id NULL) or of one of its companies, per kind and
-- language. Variables are checked when a template is saved (mail/fax_mail_template.hpp).
CREATE TABLE notification_templates (
  id            TEXT PRIMARY KEY,
  brand_id      TEXT NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  company_id    TEXT REFERENCES companies(id) ON DELETE CASCADE,
  kind          TEXT NOT NULL CHECK (kind IN ('fax_received','fax_delivered','fax_failed')),
  language      TEXT NOT NULL,
  from_name     TEXT NOT NULL DEFAULT '',
  from_address  TEXT NOT NULL DEFAULT '',   -- '' = the [smtp] from address
  subject       TEXT NOT NULL,
  body_text     TEXT NOT NULL,
  body_html     TEXT,                       -- NULL = a text-only mail
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL
);
CREATE UNIQUE INDEX notification_templates_brand_key
  ON notification_templates(brand_id, kind, language) WHERE company_id IS NULL;
CREATE UNIQUE INDEX notification_templates_company_key
  ON notification_templates(company_id, kind, language) WHERE company_id IS NOT NULL;
CREATE INDEX notification_templates_brand ON notification_templates(brand_id, id);
