-- A fifth channel: the tablet at a counter (kiosk mode).
ALTER TABLE responses DROP CONSTRAINT responses_channel_check;
ALTER TABLE responses ADD CONSTRAINT responses_channel_check
    CHECK (channel IN ('web', 'api', 'paper', 'simulated', 'kiosk'));
