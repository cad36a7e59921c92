-- A rowid table numbers rows in arrival order, so `rowid` (and any scan
-- without ORDER BY) would tell in what order responses came and, with a
-- timestamped log, roughly when. Without rowid, rows are kept in the order
-- of their ids, which web clients choose at random.
CREATE TABLE responses_by_id (
    id TEXT PRIMARY KEY NOT NULL,
    survey_version TEXT NOT NULL REFERENCES survey_versions (hash),
    unit TEXT NOT NULL,
    submitted_on DATE NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('web', 'api', 'paper', 'simulated')),
    answers TEXT NOT NULL,
    likert TEXT NOT NULL,
    comment TEXT
) WITHOUT ROWID;
INSERT INTO responses_by_id
    SELECT id, survey_version, unit, submitted_on, channel, answers, likert, comment
    FROM responses ORDER BY id;
DROP TABLE responses;
ALTER TABLE responses_by_id RENAME TO responses;
CREATE INDEX responses_cell ON responses (survey_version, submitted_on, unit, likert);
CREATE INDEX responses_version_id ON responses (survey_version, id);
