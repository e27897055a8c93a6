-- faxd schema, version 6: documents in the database, for a cluster. On PostgreSQL every node
-- reads and writes fax documents here (uploaded and converted TIFFs, received pages, derived
-- PDFs), so the nodes share nothing but the database; each keeps a local copy as a cache. An
-- embedded SQLite install keeps its documents in the spool directory and leaves this empty.
CREATE TABLE documents (
  path        TEXT PRIMARY KEY,   -- the spool-relative name, as faxes.document holds it
  data        BLOB NOT NULL,
  size        BIGINT NOT NULL,
  updated_at  TEXT NOT NULL
);
