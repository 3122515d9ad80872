#!/usr/bin/python3
"""Compares two `meterscan read` runs over the same labelled photos, photo by photo.

    meterscan read DIR/photos > before.jsonl      # one binary
    meterscan read DIR/photos > after.jsonl       # the other
    scripts/compare-readings.py before.jsonl after.jsonl DIR/manifest.csv [--split dev]

Lists every photo whose status, integer reading or full reading moved, with its label and
whether each side's integer reading is right, then both runs' totals over the readable photos
(exact integer, exact full reading, accepted, accepted with a wrong integer). The manifest is
the sample generator's (samples/manifest.csv format); photos it calls unreadable count only in
the list. A reading change that no total shows (a right reading moving from review to accepted)
still appears in the list. Standard library only.
"""
import argparse
import csv
import json
import os
import signal
import sys


def load_results(path):
    """file name -> (status, integer, fraction) from one result line per photo."""
    results = {}
    with open(path) as lines:
        for number, line in enumerate(lines, 1):
            line = line.strip()
            if not line.startswith("{"):
                continue  # progress or log lines mixed into the output
            try:
                result = json.loads(line)
            except json.JSONDecodeError as error:
                sys.exit(f"{path}:{number}: not a JSON result line ({error})")
            reading = result.get("reading") or {}
            name = os.path.basename(result.get("file") or "")
            results[name] = (result.get("status"), reading.get("integer"), reading.get("fraction"))
    return results


def load_labels(path, split):
    """file name -> (integer, fraction), or None for a photo the generator made unreadable."""
    labels = {}
    with open(path, newline="") as rows:
        for row in csv.DictReader(rows):
            if split and row.get("split") != split:
                continue
            unreadable = row["reading"] in ("", "UNREADABLE") or row.get("reason")
            labels[os.path.basename(row["file"])] = None if unreadable else (row["integer"], row["fraction"] or None)
    return labels


def totals(results, labels):
    counts = dict(readable=0, integer=0, full=0, accepted=0, wrong_accepted=0)
    for name, label in labels.items():
        if label is None:
            continue
        counts["readable"] += 1
        status, integer, fraction = results.get(name, (None, None, None))
        counts["integer"] += integer == label[0]
        counts["full"] += integer == label[0] and fraction == label[1]
        counts["accepted"] += status == "accepted"
        counts["wrong_accepted"] += status == "accepted" and integer != label[0]
    return counts


def describe(entry, label):
    status, integer, fraction = entry
    if status is None:
        return "(missing)"
    text = f"{status} {integer if integer is not None else '-'}" + (f".{fraction}" if fraction else "")
    if label is not None and integer is not None:
        text += "  right" if integer == label[0] else "  WRONG"
    return text


def main():
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `| head` ends the listing, not with a traceback
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("manifest")
    parser.add_argument("--split", help="only the photos of this split (dev, test)")
    args = parser.parse_args()
    before, after = load_results(args.before), load_results(args.after)
    labels = load_labels(args.manifest, args.split)
    missing = (None, None, None)
    moved = 0
    for name in sorted(labels):
        a, b = before.get(name, missing), after.get(name, missing)
        if a == b:
            continue
        moved += 1
        label = labels[name]
        shown = "unreadable" if label is None else label[0] + (f".{label[1]}" if label[1] else "")
        print(f"{name}  label {shown}:  {describe(a, label)}  ->  {describe(b, label)}")
    print(f"{moved} photo(s) moved")
    for side, results in (("before", before), ("after", after)):
        c = totals(results, labels)
        print(f"{side:6s}  of {c['readable']} readable: {c['integer']} exact integer, {c['full']} exact full, "
              f"{c['accepted']} accepted, {c['wrong_accepted']} accepted with a wrong integer")


if __name__ == "__main__":
    main()
