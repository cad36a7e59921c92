DROP TABLE storage_marks;
