#!/usr/bin/env python3
"""Counts the findings of a prodlint SARIF report by level and fails according to `fail-on`.

usage: gate.py SARIF_FILE error|warning|none

Writes the outputs errors/warnings/notes to $GITHUB_OUTPUT and a summary table to
$GITHUB_STEP_SUMMARY when those are set. Exit status: 0 pass, 1 findings at or above fail-on,
2 bad input (unknown fail-on value, missing or malformed SARIF).
"""
import json
import os
import sys

THRESHOLDS = {"error": {"error"}, "warning": {"error", "warning"}, "none": set()}


def count(sarif):
    counts = {"error": 0, "warning": 0, "note": 0}
    for run in sarif.get("runs", []):
        defaults = {}
        for rule in run.get("tool", {}).get("driver", {}).get("rules", []) or []:
            level = (rule.get("defaultConfiguration") or {}).get("level")
            if level:
                defaults[rule.get("id")] = level
        for result in run.get("results", []) or []:
            if any(s.get("status", "accepted") == "accepted" for s in result.get("suppressions", []) or []):
                continue
            # SARIF: a result without a level takes its rule's default level, else "warning".
            level = result.get("level") or defaults.get(result.get("ruleId")) or "warning"
            if level in counts:
                counts[level] += 1
    return counts


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    path, fail_on = argv[1], argv[2].strip().lower()
    if fail_on not in THRESHOLDS:
        print(f"::error title=prodlint::fail-on must be error, warning or none, not '{argv[2]}'")
        return 2
    try:
        with open(path, encoding="utf-8") as f:
            sarif = json.load(f)
    except (OSError, ValueError) as e:
        print(f"::error title=prodlint::cannot read the SARIF report {path!r}: {e}")
        return 2
    counts = count(sarif)
    if os.environ.get("GITHUB_OUTPUT"):
        with open(os.environ["GITHUB_OUTPUT"], "a", encoding="utf-8") as f:
            f.write(f"errors={counts['error']}\nwarnings={counts['warning']}\nnotes={counts['note']}\n")
    if os.environ.get("GITHUB_STEP_SUMMARY"):
        with open(os.environ["GITHUB_STEP_SUMMARY"], "a", encoding="utf-8") as f:
            f.write("### prodlint\n\n| errors | warnings | notes |\n|---:|---:|---:|\n")
            f.write(f"| {counts['error']} | {counts['warning']} | {counts['note']} |\n")
    print(f"prodlint: {counts['error']} error(s), {counts['warning']} warning(s), {counts['note']} note(s); fail-on: {fail_on}")
    failing = sum(n for level, n in counts.items() if level in THRESHOLDS[fail_on])
    if failing:
        print(f"::error title=prodlint::{failing} finding(s) at or above '{fail_on}'")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
