DROP TABLE responses;
DROP TABLE survey_versions;
