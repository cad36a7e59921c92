DROP TABLE invitations;
DROP TABLE wave_strata;
DROP TABLE waves;
ALTER TABLE responses DROP COLUMN design;
