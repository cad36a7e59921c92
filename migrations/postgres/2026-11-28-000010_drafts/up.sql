-- A questionnaire being filled in, section by section, under its response
-- id alone: no cookie, no session, no time of day. `values` holds the form
-- fields as sent (JSON, name → list of values). A draft is deleted when its
-- response is sent, and expires some days after it was last saved.
CREATE TABLE drafts (
    id TEXT PRIMARY KEY NOT NULL,
    survey_version TEXT NOT NULL REFERENCES survey_versions (hash),
    form_values TEXT NOT NULL,
    saved_on DATE NOT NULL
);
CREATE INDEX drafts_saved_on ON drafts (saved_on);
