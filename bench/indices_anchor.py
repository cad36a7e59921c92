"""The anchor of bench/indices.sh: DuckDB's point estimates of every rated
item (valid answers and satisfied answers, so each item's index) for two
calendar years, from a columnar (Parquet) file of the same responses.

    indices_anchor.py DATABASE SURVEY_SLUG YEAR COMPARE_YEAR RUNS WORKDIR

Reads the responses of the survey's versions from hailong's database (day,
service point, compact Likert string) — DATABASE is an SQLite file, or a
postgres:// URL read through psql's \copy — writes them once to Parquet
with one small integer column per item (0 skipped, 1-5, 6 not applicable),
then times the query RUNS times after one warm-up and prints
`RESULT duckdb_median_s=... respondents=...`. Items are counted satisfied
at 4 or 5 (the 1-5 scale of the health survey).
"""

import csv
import os
import sqlite3
import statistics
import subprocess
import sys
import time

import duckdb

db, slug, year, compare, runs, work = sys.argv[1:7]
runs = int(runs)



def postgres_rows(url):
    """The rows through psql (no driver needed), streamed as CSV."""
    if "'" in slug:
        sys.exit("a survey slug never holds a quote")
    query = (
        "SELECT submitted_on, unit, likert FROM responses WHERE survey_version IN "
        f"(SELECT hash FROM survey_versions WHERE slug = '{slug}')"
    )
    psql = subprocess.Popen(
        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", url, "-c",
         f"\\copy ({query}) TO STDOUT WITH CSV"],
        stdout=subprocess.PIPE,
        text=True,
    )
    yield from csv.reader(psql.stdout)
    if psql.wait() != 0:
        sys.exit("psql could not read the responses")


if db.startswith("postgres"):
    rows = postgres_rows(db)
else:
    con = sqlite3.connect(db)
    versions = [
        h
        for (h,) in con.execute(
            "SELECT hash FROM survey_versions WHERE slug = ?", (slug,)
        )
    ]
    if not versions:
        sys.exit(f"no version of {slug} in {db}")
    marks = ",".join("?" * len(versions))
    rows = con.execute(
        f"SELECT submitted_on, unit, likert FROM responses WHERE survey_version IN ({marks})",
        versions,
    )
first = None
csv_path = os.path.join(work, "anchor.csv")
items = 0
with open(csv_path, "w", newline="") as out:
    writer = csv.writer(out)
    for day, unit, likert in rows:
        if first is None:
            items = len(likert)
            writer.writerow(["day", "unit"] + [f"i{k}" for k in range(items)])
            first = day
        codes = [
            ord(c) - 48 if "1" <= c <= "5" else (6 if c == "N" else 0)
            for c in likert[:items].ljust(items, "-")
        ]
        writer.writerow([day, unit] + codes)
if first is None:
    sys.exit("no responses to compare with")

parquet = os.path.join(work, "anchor.parquet")
duck = duckdb.connect()
columns = {"day": "DATE", "unit": "VARCHAR"}
columns.update({f"i{k}": "TINYINT" for k in range(items)})
duck.execute(
    f"COPY (SELECT * FROM read_csv('{csv_path}', header = true, columns = {columns!r}))"
    f" TO '{parquet}' (FORMAT parquet)"
)
os.remove(csv_path)

sums = ", ".join(
    f"count(*) FILTER (WHERE i{k} BETWEEN 1 AND 5) AS valid{k}, "
    f"count(*) FILTER (WHERE i{k} BETWEEN 4 AND 5) AS satisfied{k}"
    for k in range(items)
)
query = (
    f"SELECT year(day) AS y, count(*) AS respondents, {sums} "
    f"FROM read_parquet('{parquet}') "
    f"WHERE day BETWEEN DATE '{compare}-01-01' AND DATE '{year}-12-31' "
    f"GROUP BY y ORDER BY y"
)


def estimates():
    result = duck.execute(query).fetchall()
    # Each item's index in each year: satisfied / valid.
    return {
        row[0]: (
            row[1],
            [row[3 + 2 * k] / row[2 + 2 * k] if row[2 + 2 * k] else None for k in range(items)],
        )
        for row in result
    }


estimates()
times = []
for _ in range(runs):
    started = time.perf_counter()
    result = estimates()
    times.append(time.perf_counter() - started)
respondents = result.get(int(year), (0, []))[0]
print(
    f"RESULT duckdb_median_s={statistics.median(times):.6f} respondents={respondents} "
    f"runs={' '.join(f'{t:.6f}' for t in times)}"
)
