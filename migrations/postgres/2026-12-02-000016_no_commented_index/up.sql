-- Kept in step with the SQLite migration of the same name. PostgreSQL
-- keeps the index: its planner reads the comments of a period through it
-- (`responses::comments`), newest first.
SELECT 1;
