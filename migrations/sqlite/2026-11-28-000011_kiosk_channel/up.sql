-- A fifth channel: the tablet at a counter (kiosk mode). SQLite cannot
-- change a CHECK constraint in place: the table is rebuilt, still without
-- rowid, so rows stay in id order.
CREATE TABLE responses_with_kiosk (
    id TEXT PRIMARY KEY NOT NULL,
    survey_version TEXT NOT NULL REFERENCES survey_versions (hash),
    unit TEXT NOT NULL,
    submitted_on DATE NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('web', 'api', 'paper', 'simulated', 'kiosk')),
    answers TEXT NOT NULL,
    likert TEXT NOT NULL,
    comment TEXT,
    design TEXT NOT NULL DEFAULT 'self_selected'
        CHECK (design IN ('probability', 'self_selected', 'paper_sampled', 'paper_unsampled', 'simulated'))
) WITHOUT ROWID;
INSERT INTO responses_with_kiosk
    SELECT id, survey_version, unit, submitted_on, channel, answers, likert, comment, design
    FROM responses ORDER BY id;
DROP TABLE responses;
ALTER TABLE responses_with_kiosk RENAME TO responses;
CREATE INDEX responses_cell ON responses (survey_version, submitted_on, unit, likert);
CREATE INDEX responses_version_id ON responses (survey_version, id);
