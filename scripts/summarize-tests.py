#!/usr/bin/env python3
"""Counts the results of a test.sh run and prints its closing line."""
import json
import os
import sys

results = sys.argv[1]
passed = failed = skipped = 0
failures = []
for name in ("plain", "asan"):
    if os.path.exists(os.path.join(results, name + ".failed")):
        failed += 1
        failures.append(name + ": build")
        continue
    path = os.path.join(results, name + ".json")
    if not os.path.exists(path):
        continue
    with open(path) as f:
        for line in f:
            if not line.strip():
                continue
            t = json.loads(line)
            result = t.get("result")
            if result in ("OK", "EXPECTEDFAIL"):
                passed += 1
            elif result == "SKIP":
                skipped += 1
            else:
                failed += 1
                failures.append("%s: %s (%s)" % (name, t.get("name"), result))
if os.path.exists(os.path.join(results, "fuzz.failed")):
    failed += 1
    failures.append("fuzz: build")
fuzz = os.path.join(results, "fuzz.txt")
if os.path.exists(fuzz):
    with open(fuzz) as f:
        for line in f:
            verdict, name = line.split()
            if verdict == "pass":
                passed += 1
            else:
                failed += 1
                failures.append("fuzz: " + name)
for failure in failures:
    print("FAILED " + failure)
print("%d passed, %d failed, %d skipped" % (passed, failed, skipped))
sys.exit(1 if failed else 0)
