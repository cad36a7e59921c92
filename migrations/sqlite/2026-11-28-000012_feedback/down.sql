DROP INDEX responses_commented;
DROP TABLE feedback;
