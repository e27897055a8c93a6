-- faxd schema: how each brand looks in the web UI (its product name, logo and colours on the
-- login page and the header), chosen by the host name the browser asked for.
CREATE TABLE brand_looks (
  brand_id      TEXT PRIMARY KEY REFERENCES brands(id) ON DELETE CASCADE,
  product_name  TEXT NOT NULL DEFAULT '',
  logo          TEXT NOT NULL DEFAULT '',   -- a data: URL (PNG, JPEG or SVG), or ''
  accent_color  TEXT NOT NULL DEFAULT '',   -- #rrggbb, or '' for faxd's
  header_color  TEXT NOT NULL DEFAULT '',
  hosts         TEXT NOT NULL DEFAULT '',   -- host names, comma-separated, lower case
  updated_at    TEXT NOT NULL
);
