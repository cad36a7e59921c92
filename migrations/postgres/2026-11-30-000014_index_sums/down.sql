DROP TABLE index_sums;
