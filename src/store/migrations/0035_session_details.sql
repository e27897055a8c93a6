-- Where a login session came from, so its owner can tell their sessions apart and end the ones
-- they do not recognise (GET /api/v1/me/sessions). NULL for API tokens and older sessions.
ALTER TABLE auth_tokens ADD COLUMN address TEXT;
ALTER TABLE auth_tokens ADD COLUMN user_agent TEXT;
