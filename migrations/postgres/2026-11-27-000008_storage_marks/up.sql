-- How far a maintenance step has got, by name. `responses_in_id_order`:
-- every response stored for a day up to `through` has been rewritten in id
-- order, so its place in the heap (ctid) no longer follows arrival.
CREATE TABLE storage_marks (
    name TEXT PRIMARY KEY NOT NULL,
    through DATE NOT NULL
);
