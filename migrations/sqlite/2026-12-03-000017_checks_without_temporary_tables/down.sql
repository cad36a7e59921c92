PRAGMA writable_schema = ON;
UPDATE sqlite_schema
SET sql = replace(replace(sql,
    'CHECK (channel = ''web'' OR channel = ''api'' OR channel = ''paper'' OR channel = ''simulated'' OR channel = ''kiosk'')',
    'CHECK (channel IN (''web'', ''api'', ''paper'', ''simulated'', ''kiosk''))'),
    'CHECK (design = ''probability'' OR design = ''self_selected'' OR design = ''paper_sampled'' OR design = ''paper_unsampled'' OR design = ''simulated'')',
    'CHECK (design IN (''probability'', ''self_selected'', ''paper_sampled'', ''paper_unsampled'', ''simulated''))')
WHERE type = 'table' AND name = 'responses';
PRAGMA writable_schema = RESET;
CREATE TABLE schema_version_bump (unused INTEGER);
DROP TABLE schema_version_bump;
