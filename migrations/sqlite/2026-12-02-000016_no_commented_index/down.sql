CREATE INDEX responses_commented ON responses (submitted_on, id) WHERE comment IS NOT NULL;
