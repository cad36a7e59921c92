-- No query on SQLite reads this index: the hourly filing of comments walks
-- the primary key (`feedback::commented`), and the comments of a period
-- are found through `responses_cell` (the planner's choice, without
-- statistics). It only cost every response with a comment a random
-- insertion into one more B-tree: a quarter of the pages a submission
-- wrote to the WAL.
DROP INDEX responses_commented;
