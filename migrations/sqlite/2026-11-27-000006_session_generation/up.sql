-- Every session carries the generation of its account when it began; logout,
-- a password change, disabling and enabling move the generation on, which
-- ends every copy of every earlier session cookie, on every instance.
ALTER TABLE users ADD COLUMN session_generation BIGINT NOT NULL DEFAULT 0;
