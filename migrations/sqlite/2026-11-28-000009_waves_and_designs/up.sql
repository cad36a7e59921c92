-- How each response came to be in the sample. Earlier responses came by
-- their channel: web and API answers were self-selected, paper forms are
-- not known to have been sampled, simulated ones are simulated.
ALTER TABLE responses ADD COLUMN design TEXT NOT NULL DEFAULT 'self_selected'
    CHECK (design IN ('probability', 'self_selected', 'paper_sampled', 'paper_unsampled', 'simulated'));
UPDATE responses SET design = 'simulated' WHERE channel = 'simulated';
UPDATE responses SET design = 'paper_unsampled' WHERE channel = 'paper';

-- A survey run for a period (đợt khảo sát). Waves of one survey never
-- overlap, so a response's wave follows from its survey and date.
CREATE TABLE waves (
    id TEXT PRIMARY KEY NOT NULL,
    survey TEXT NOT NULL,
    name TEXT NOT NULL,
    opens_on DATE NOT NULL,
    closes_on DATE NOT NULL,
    -- Expected share of invitations not returned, added to each target.
    allowance DOUBLE NOT NULL,
    -- Set by the draw: the seed it used, so it can be repeated.
    seed BIGINT,
    created_on DATE NOT NULL,
    CHECK (opens_on <= closes_on)
);
CREATE INDEX waves_survey ON waves (survey, opens_on);

-- One service point of a wave: the transactions listed, the sample wanted
-- and the invitations issued. The list itself is not kept, only a digest
-- of its sorted references, so that a repeated draw can be checked.
CREATE TABLE wave_strata (
    wave TEXT NOT NULL REFERENCES waves (id),
    unit TEXT NOT NULL,
    population BIGINT NOT NULL,
    target BIGINT NOT NULL,
    issued BIGINT NOT NULL,
    list_digest TEXT,
    PRIMARY KEY (wave, unit)
) WITHOUT ROWID;

-- Invitations not yet redeemed, by the SHA-256 of their code. A redeemed
-- invitation is deleted in the transaction that stores its response, so
-- nothing records when or in what order codes were used; kept in hash
-- order (no rowid), so nothing records the order of the draw either.
CREATE TABLE invitations (
    code_hash TEXT PRIMARY KEY NOT NULL,
    wave TEXT NOT NULL REFERENCES waves (id),
    unit TEXT NOT NULL
) WITHOUT ROWID;
