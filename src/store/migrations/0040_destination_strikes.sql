-- The fallback ladder steps a destination down only on repeated failures of its own and climbs
-- back with time (jobs/fallback_ladder.hpp): line failures counted in the current mode since the
-- last success or step, the last one's time, and when the mode was last stepped down.
ALTER TABLE destination_modes ADD COLUMN strikes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE destination_modes ADD COLUMN last_strike_at TEXT;
ALTER TABLE destination_modes ADD COLUMN stepped_at TEXT;
