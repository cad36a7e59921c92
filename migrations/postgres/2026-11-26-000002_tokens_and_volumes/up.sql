-- Machine access to the index API. Only a hash of each token is kept.
CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('home-affairs', 'department')),
    department TEXT,
    token_hash TEXT NOT NULL UNIQUE,
    created_on DATE NOT NULL,
    revoked_on DATE,
    CHECK ((role = 'department') = (department IS NOT NULL))
);

-- Transactions (dossiers, visits) a service point handled in a period, as
-- supplied by Home Affairs: the population totals for volume weighting.
CREATE TABLE unit_volumes (
    unit TEXT NOT NULL,
    period TEXT NOT NULL,
    transactions BIGINT NOT NULL CHECK (transactions >= 0),
    PRIMARY KEY (unit, period)
);
