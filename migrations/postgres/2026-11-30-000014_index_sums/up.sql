-- The index sums of a closed stretch of days (a half-month, or a day of
-- one still running) of one questionnaire version, laid out on the current
-- version `current_version`: what `services::indices::sums` keeps in
-- memory, stored so that a restart or another instance loads them instead
-- of reading the rows again. `late` is the count of late responses of the
-- half-month they were built with and `respondents` the rows they add up:
-- they are used only while both still hold. `format` names the code that
-- added them up (`cells` is JSON); sums of another are built again.
CREATE TABLE index_sums (
    current_version TEXT NOT NULL,
    survey_version TEXT NOT NULL,
    first_day DATE NOT NULL,
    last_day DATE NOT NULL,
    late BIGINT NOT NULL,
    respondents BIGINT NOT NULL,
    format TEXT NOT NULL,
    cells TEXT NOT NULL,
    PRIMARY KEY (current_version, survey_version, first_day, last_day)
);
