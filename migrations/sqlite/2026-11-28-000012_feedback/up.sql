-- What a department does with a citizen's comment. A row is created for
-- every response with a comment, once the response's day is over (in
-- batches, keys drawn at random and inserted in key order), so neither its
-- key nor its place tells when the comment came; the only date of the
-- comment is the response's own day. `key` is what staff pages show: the
-- response id is never put in a staff URL. `filed_on` is the day the item
-- was made (a paper form keyed in weeks later is answered from then);
-- `closed_on` the day it was answered or closed (staff actions are in the
-- audit log, with their time).
CREATE TABLE feedback (
    key TEXT PRIMARY KEY NOT NULL,
    response_id TEXT NOT NULL UNIQUE REFERENCES responses (id),
    filed_on DATE NOT NULL,
    status TEXT NOT NULL DEFAULT 'new'
        CHECK (status IN ('new', 'in_progress', 'answered', 'no_action')),
    topic TEXT,
    element TEXT,
    public_answer TEXT,
    internal_note TEXT,
    closed_on DATE
) WITHOUT ROWID;
-- Comments not filed yet are found without reading every response.
CREATE INDEX responses_commented ON responses (submitted_on, id) WHERE comment IS NOT NULL;
