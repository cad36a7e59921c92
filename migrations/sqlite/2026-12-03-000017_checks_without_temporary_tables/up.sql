-- The same two CHECK constraints on responses, spelled as comparisons
-- joined by OR instead of `IN (…)`: SQLite checks `x IN (list)` of more
-- than two values by building a temporary B-tree of the list, each time a
-- row is inserted, and tears it down after (each with a pager and a page
-- cache of its own): two of them for every stored response, about a tenth
-- of the submission writer's time. The comparisons accept exactly the
-- same values.
--
-- The table's definition is changed in place, as SQLite's documentation
-- allows for changes that leave what is stored untouched ("Making Other
-- Kinds Of Table Schema Changes", https://www.sqlite.org/lang_altertable.html):
-- rebuilding the table instead would copy every response, and
-- `feedback.response_id` refers to it. `writable_schema = RESET` reloads
-- this connection's copy of the schema; creating and dropping a table
-- changes the schema version, which makes every other connection reload
-- its own.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
SET sql = replace(replace(sql,
    'CHECK (channel IN (''web'', ''api'', ''paper'', ''simulated'', ''kiosk''))',
    'CHECK (channel = ''web'' OR channel = ''api'' OR channel = ''paper'' OR channel = ''simulated'' OR channel = ''kiosk'')'),
    'CHECK (design IN (''probability'', ''self_selected'', ''paper_sampled'', ''paper_unsampled'', ''simulated''))',
    'CHECK (design = ''probability'' OR design = ''self_selected'' OR design = ''paper_sampled'' OR design = ''paper_unsampled'' OR design = ''simulated'')')
WHERE type = 'table' AND name = 'responses';
PRAGMA writable_schema = RESET;
CREATE TABLE schema_version_bump (unused INTEGER);
DROP TABLE schema_version_bump;
