-- Kept in step with the SQLite migration of the same name, which stores
-- responses in id order instead of arrival order. A PostgreSQL heap keeps
-- rows where they were written (ctid), which this migration does not change.
SELECT 1;
