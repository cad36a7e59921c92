-- The microdata export reads one questionnaire version's responses in id
-- order, page after page; this index serves each page without sorting.
CREATE INDEX responses_version_id ON responses (survey_version, id);
