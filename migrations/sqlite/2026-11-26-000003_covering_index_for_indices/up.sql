-- Index computations read (unit, likert) of one version over a date range;
-- a covering index answers that from the index alone, without the rows.
DROP INDEX responses_version_date;
CREATE INDEX responses_cell ON responses (survey_version, submitted_on, unit, likert);
