-- Index computations read (unit, likert) of one version over a date range;
-- a covering index lets PostgreSQL answer with an index-only scan.
DROP INDEX responses_version_date;
CREATE INDEX responses_cell ON responses (survey_version, submitted_on) INCLUDE (unit, likert);
