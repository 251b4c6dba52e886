"""python3 -m locus check FILE.py: runs the claims a Python file defines (locus.claims) by the
runner of ``locus check``, with the same table, closing line "N passed, M failed", reports and exit
status (0: every verdict as expected, 1: not, 2: bad input)."""

import argparse
import sys

from . import claims as _claims


def _check(argv):
    ap = argparse.ArgumentParser(
        prog="python3 -m locus check",
        description="Run the claims a Python file defines (docs/claims.md, 'Write your own "
                    "claim') and print the table of `locus check`.")
    ap.add_argument("file", help="a Python file defining locus.claims.Claim objects (or CLAIMS)")
    ap.add_argument("--claim", action="append", default=[],
                    help="claim id (a trailing * matches a prefix); repeatable")
    ap.add_argument("--quick", action="store_true", help="quick_instances per claim")
    ap.add_argument("--seed", type=int, default=0, help="base seed; instance k uses seed + k")
    ap.add_argument("--list", action="store_true", help="list the claims and exit")
    ap.add_argument("--json", help="write a JSON report to this file")
    ap.add_argument("--junit", help="write a JUnit XML report to this file")
    ap.add_argument("--counterexamples", default="counterexamples",
                    help="folder for the problem files of refuting instances "
                         "(default: counterexamples)")
    ap.add_argument("--progress", action="store_true", help="progress lines on stderr")
    a = ap.parse_args(argv)
    if a.seed < 0:
        print(f"locus check: --seed {a.seed}: expected a nonnegative integer", file=sys.stderr)
        return 2
    try:
        claims = _claims.load_claims(a.file)
    except (OSError, SyntaxError, ValueError, TypeError, ImportError) as e:
        print(f"locus check: {a.file}: {type(e).__name__}: {e}", file=sys.stderr)
        return 2
    if a.list:
        for c in claims:
            print(f"{c.id:<42} {c.expected:<9} {c.source}")
        print(f"{len(claims)} claims")
        return 0
    progress = (lambda line: print(line, file=sys.stderr)) if a.progress or sys.stderr.isatty() \
        else None
    try:
        report, table, junit, ok = _claims.run(claims, select=a.claim, quick=a.quick,
                                               seed=a.seed, counterexamples=a.counterexamples,
                                               progress=progress)
    except ValueError as e:
        print(f"locus check: {e}", file=sys.stderr)
        return 2
    sys.stdout.write(table)
    if a.json:
        import json
        with open(a.json, "w") as f:
            json.dump(report, f, indent=2)
            f.write("\n")
    if a.junit:
        with open(a.junit, "w") as f:
            f.write(junit)
    return 0 if ok else 1


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print("usage: python3 -m locus check FILE.py [--claim ID] [--quick] [--seed S] "
              "[--json F] [--junit F] [--counterexamples DIR] [--list]")
        return 0 if argv else 2
    if argv[0] == "check":
        return _check(argv[1:])
    print(f"python3 -m locus: unknown command {argv[0]!r}; expected: check", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
