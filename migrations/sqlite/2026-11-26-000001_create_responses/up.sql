-- Every distinct content of a questionnaire, kept forever so that a stored
-- response always means what it meant when it was given.
CREATE TABLE survey_versions (
    hash TEXT PRIMARY KEY NOT NULL,
    slug TEXT NOT NULL,
    department TEXT NOT NULL,
    definition TEXT NOT NULL,
    first_loaded_on DATE NOT NULL
);
CREATE INDEX survey_versions_slug ON survey_versions (slug);

-- One anonymous response. Deliberately no IP address, user agent, cookie,
-- session or time of day: the date is the finest time stored.
CREATE TABLE responses (
    id TEXT PRIMARY KEY NOT NULL,
    survey_version TEXT NOT NULL REFERENCES survey_versions (hash),
    unit TEXT NOT NULL,
    submitted_on DATE NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('web', 'api', 'paper', 'simulated')),
    answers TEXT NOT NULL,
    likert TEXT NOT NULL,
    comment TEXT
);
CREATE INDEX responses_version_date ON responses (survey_version, submitted_on);
