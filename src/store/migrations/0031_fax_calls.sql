-- faxd schema: each fax counts the calls made for it (the rows of fax_attempts), so the fax
-- object's `attempts` agrees with GET /faxes/{id}/attempts; the `attempts` column keeps counting
-- the calls that reached a fax machine (the API's `tries`).
ALTER TABLE faxes ADD COLUMN calls INTEGER NOT NULL DEFAULT 0;
UPDATE faxes SET calls = (SELECT count(*) FROM fax_attempts a WHERE a.fax_id = faxes.id);
