"""The SQLite anchor of bench/submit.sh: the same row as hailong stores
(copied from its database, with fresh ids), inserted into the same schema
with the same settings (WAL, synchronous=FULL), one transaction and commit
per row, for SECONDS seconds; prints rows per second.

    python3 submit_anchor.py DB_PATH SECONDS
"""
import sqlite3
import sys
import time
import uuid

path, seconds = sys.argv[1], float(sys.argv[2])
conn = sqlite3.connect(path, isolation_level=None)
conn.execute("PRAGMA journal_mode=WAL")
conn.execute("PRAGMA synchronous=FULL")
conn.execute("PRAGMA busy_timeout=5000")
template = conn.execute(
    "SELECT survey_version, unit, submitted_on, channel, answers, likert, comment, design"
    " FROM responses LIMIT 1"
).fetchone()
if template is None:
    sys.exit("no stored response to copy: run hailong first")
rows = 0
started = time.perf_counter()
while time.perf_counter() - started < seconds:
    conn.execute("BEGIN IMMEDIATE")
    conn.execute(
        "INSERT INTO responses (id, survey_version, unit, submitted_on, channel, answers, likert, comment, design)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (str(uuid.uuid4()), *template),
    )
    conn.execute("COMMIT")
    rows += 1
print(f"{rows / (time.perf_counter() - started):.0f}")
