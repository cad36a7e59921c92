DROP TABLE late_responses;
