-- What a department does with a citizen's comment. A row is created for
-- every response with a comment (in batches, keys drawn at random and
-- inserted in key order), so its key tells nothing of when the comment
-- came; the only date of the comment is the response's own day. `key` is
-- what staff pages show: the response id is never put in a staff URL.
-- `answered_on` is the day a public answer was given (staff actions are in
-- the audit log, with their time).
CREATE TABLE feedback (
    key TEXT PRIMARY KEY NOT NULL,
    response_id TEXT NOT NULL UNIQUE REFERENCES responses (id),
    status TEXT NOT NULL DEFAULT 'new'
        CHECK (status IN ('new', 'in_progress', 'answered', 'no_action')),
    topic TEXT,
    element TEXT,
    public_answer TEXT,
    internal_note TEXT,
    answered_on DATE
) WITHOUT ROWID;
