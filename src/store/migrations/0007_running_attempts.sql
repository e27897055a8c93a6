-- faxd schema, version 7: a carrier's running calls, counted across every node sharing the
-- store when a call starts (FaxRepo::reserve_attempt), without walking every attempt ever made.
CREATE INDEX fax_attempts_running ON fax_attempts(carrier_id) WHERE result = 'running';
