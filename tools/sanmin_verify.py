#!/usr/bin/env python3
"""Re-run a 三民 draw from the files the portal publishes, and nothing else (docs/sanmin.md).

    python3 sanmin_verify.py pool.txt quotas.json drawn.txt --seed SEED --pool-hash HASH --commitment HASH

Standard library only, so an auditor can read it in a minute and run it anywhere. It checks that the
pool is the one whose hash was published before the draw, that the seed is the one committed to before
the draw, and that the algorithm (sanmin-draw-v1: in each stratum "district|sector", the quota members
whose SHA-256(seed + "|" + id) is smallest) selects exactly the published ids.
"""
import argparse
import hashlib
import json
import sys


def select(lines, quotas, seed):
    strata = {}
    for line in lines:
        external_id, district, sector = line.split("|", 2)
        strata.setdefault(f"{district}|{sector}", []).append(external_id)
    chosen = []
    for stratum, quota in sorted(quotas.items()):
        members = sorted(strata.get(stratum, []), key=lambda i: hashlib.sha256(f"{seed}|{i}".encode()).hexdigest())
        chosen += members[:quota]
    return sorted(chosen)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pool"), parser.add_argument("quotas"), parser.add_argument("drawn")
    parser.add_argument("--seed", required=True)
    parser.add_argument("--pool-hash", required=True)
    parser.add_argument("--commitment", required=True)
    args = parser.parse_args(argv)
    pool_text = open(args.pool, encoding="utf-8").read()
    lines = [line for line in pool_text.split("\n") if line]
    quotas = json.load(open(args.quotas, encoding="utf-8"))
    drawn = sorted(line for line in open(args.drawn, encoding="utf-8").read().split("\n") if line)
    checks = {
        "the pool is the one published before the draw": hashlib.sha256(pool_text.encode()).hexdigest() == args.pool_hash,
        "the seed is the one committed to before the draw": hashlib.sha256(args.seed.encode()).hexdigest() == args.commitment,
        "the algorithm selects exactly the published ids": select(lines, quotas, args.seed) == drawn,
    }
    for label, ok in checks.items():
        print(("OK   " if ok else "FAIL ") + label)
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
