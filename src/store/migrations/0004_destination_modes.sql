-- The fallback ladder's memory: the fax mode that last worked (or is to be tried next) for a
-- destination number, so a machine that fails over T.38 is called in G.711 from then on.
CREATE TABLE destination_modes (
  number      TEXT PRIMARY KEY,   -- E.164
  mode        TEXT NOT NULL CHECK (mode IN ('t38_ecm','g711_ecm','g711_no_ecm')),
  updated_at  TEXT NOT NULL
);
