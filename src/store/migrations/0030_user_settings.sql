-- faxd schema: each user's own language and time zone for the web UI (NULL: the company's).
ALTER TABLE users ADD COLUMN language TEXT;
ALTER TABLE users ADD COLUMN timezone TEXT;
