CREATE TABLE responses_with_rowid (
    id TEXT PRIMARY KEY NOT NULL,
    survey_version TEXT NOT NULL REFERENCES survey_versions (hash),
    unit TEXT NOT NULL,
    submitted_on DATE NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('web', 'api', 'paper', 'simulated')),
    answers TEXT NOT NULL,
    likert TEXT NOT NULL,
    comment TEXT
);
INSERT INTO responses_with_rowid SELECT * FROM responses ORDER BY id;
DROP TABLE responses;
ALTER TABLE responses_with_rowid RENAME TO responses;
CREATE INDEX responses_cell ON responses (survey_version, submitted_on, unit, likert);
CREATE INDEX responses_version_id ON responses (survey_version, id);
