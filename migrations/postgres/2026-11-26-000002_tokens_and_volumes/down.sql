DROP TABLE unit_volumes;
DROP TABLE api_tokens;
