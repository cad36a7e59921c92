-- Responses stored after their half-month was over (paper forms keyed in
-- later, imports, simulations), counted by questionnaire version and
-- half-month (its first day, the 1st or the 15th). The in-memory sums of a
-- closed half-month are valid while this count is the one they were built
-- with: responses are never updated or deleted, and any added to a closed
-- half-month are counted here in the same transaction.
CREATE TABLE late_responses (
    survey_version TEXT NOT NULL,
    part_start DATE NOT NULL,
    inserted BIGINT NOT NULL,
    PRIMARY KEY (survey_version, part_start)
);
