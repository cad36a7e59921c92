DROP INDEX responses_version_id;
