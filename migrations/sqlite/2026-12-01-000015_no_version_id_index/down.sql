CREATE INDEX responses_version_id ON responses (survey_version, id);
