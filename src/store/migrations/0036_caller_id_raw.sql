-- The caller id of an inbound fax as the carrier sent it (SIP From user part), kept apart from
-- from_number, which holds only its normalised form (+ and digits): a hostile From cannot put
-- markup or control characters where the UI and mails show the caller.
ALTER TABLE faxes ADD COLUMN from_raw TEXT;
