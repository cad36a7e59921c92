-- Kept in step with the PostgreSQL migration of the same name. SQLite keeps
-- responses in id order already (WITHOUT ROWID), so nothing writes here yet.
CREATE TABLE storage_marks (
    name TEXT PRIMARY KEY NOT NULL,
    through DATE NOT NULL
);
