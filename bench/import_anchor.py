#!/usr/bin/env python3
"""The paper import's SQLite anchor: Python parses the CSV, builds each row's
answers object and compact Likert string, and inserts every row with
executemany into the same schema (WAL, synchronous=FULL) in one transaction.
No validation beyond what building the row needs.

usage: import_anchor.py DATABASE.db PAPER.csv   (prints the seconds taken)
"""
import csv
import json
import sqlite3
import sys
import time
import uuid


def main() -> None:
    db, path = sys.argv[1], sys.argv[2]
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("PRAGMA journal_mode = WAL")
    con.execute("PRAGMA synchronous = FULL")
    start = time.perf_counter()
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        questions = header[3:-1]
        likert = [i for i, k in enumerate(questions) if k[0] in "ABCDE" and k[1:].isdigit()]
        rows = []
        for record in reader:
            values = record[3:-1]
            answers = {}
            for key, value in zip(questions, values):
                if value:
                    answers[key] = value.lower() if value == "NA" else (int(value) if value.isdigit() else value)
            code = "".join({"": "0", "NA": "N"}.get(values[i], values[i]) for i in likert)
            rows.append((record[0] or str(uuid.uuid4()), "anchor", record[1], record[2], "paper",
                         json.dumps(answers, ensure_ascii=False), code, record[-1] or None,
                         "paper_unsampled"))
    con.execute("BEGIN IMMEDIATE")
    con.executemany(
        "INSERT INTO responses (id, survey_version, unit, submitted_on, channel, answers, likert,"
        " comment, design) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    con.execute("COMMIT")
    print(round(time.perf_counter() - start, 2))


if __name__ == "__main__":
    main()
