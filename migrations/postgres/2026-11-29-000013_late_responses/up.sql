-- Responses stored after their half-month was over (paper forms keyed in
-- later, imports, simulations), by questionnaire version and half-month
-- (its first day, the 1st or the 15th), one row per transaction that
-- stored some: rows are only ever added, so concurrent transactions never
-- wait on each other here. The in-memory sums of a closed half-month are
-- valid while the sum of `inserted` is the one they were built with:
-- responses are never updated or deleted, and any added to a closed
-- half-month are counted here in the same transaction as their insert.
CREATE TABLE late_responses (
    survey_version TEXT NOT NULL,
    part_start DATE NOT NULL,
    inserted BIGINT NOT NULL
);
CREATE INDEX late_responses_part ON late_responses (survey_version, part_start);
