"""Prints `median_s mean_cpu_s` for each command of a hyperfine JSON export, one line each."""
import json
import sys

with open(sys.argv[1]) as f:
    for r in json.load(f)["results"]:
        print(f"{r['median']:.4f} {r['user'] + r['system']:.4f}")
