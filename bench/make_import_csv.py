#!/usr/bin/env python3
"""Writes a CSV of keyed-in paper questionnaires for the health survey.

usage: make_import_csv.py ROWS OUT.csv
Deterministic (fixed seed); about 10% of the rows carry an explicit id.
"""
import csv
import random
import sys
import uuid

UNITS = ["bv-dktt-an-giang", "bv-dk-kien-giang", "bv-dkkv-chau-doc",
         "bv-san-nhi-an-giang", "tyt-phu-quoc", "tyt-thoai-son"]
LIKERT = ([f"A{i}" for i in range(1, 6)] + [f"B{i}" for i in range(1, 11)]
          + [f"C{i}" for i in range(1, 9)] + [f"D{i}" for i in range(1, 5)]
          + [f"E{i}" for i in range(1, 5)])
G2 = ["never", "reluctant", "switch", "maybe", "certainly"]


def main() -> None:
    rows, out = int(sys.argv[1]), sys.argv[2]
    rng = random.Random(42)
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "unit", "submitted_on"] + LIKERT
                   + ["G1", "G2", "INSURED", "comment"])
        for _ in range(rows):
            rid = str(uuid.UUID(int=rng.getrandbits(128), version=4)) if rng.random() < 0.1 else ""
            month, day = rng.randint(1, 9), rng.randint(1, 28)
            scores = [rng.choice(["1", "2", "3", "4", "4", "5", "5", "NA", ""]) for _ in LIKERT]
            comment = "Nhân viên nhiệt tình" if rng.random() < 0.05 else ""
            w.writerow([rid, rng.choice(UNITS), f"2026-{month:02d}-{day:02d}"] + scores
                       + [rng.randint(0, 100), rng.choice(G2), rng.choice(["1", "0"]), comment])


if __name__ == "__main__":
    main()
