DROP INDEX responses_cell;
CREATE INDEX responses_version_date ON responses (survey_version, submitted_on);
