-- Kept in step with the SQLite migration of the same name. PostgreSQL
-- checks `x IN (list)` without building anything: its constraints stay.
SELECT 1;
