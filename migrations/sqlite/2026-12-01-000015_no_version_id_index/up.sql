-- The microdata export no longer pages through one version's responses in
-- id order (it reads them in one snapshot, in storage order on SQLite and
-- through one sorted SELECT on PostgreSQL), and no other query leads with
-- (survey_version, id): the index only cost every stored response a random
-- insertion into one more B-tree.
DROP INDEX responses_version_id;
