"""Certified inertia at the cost of the floating-point answer, measured where users are: the
`locus spectrum` process with balls (a proof) against the same process in double and against the
peer pipeline (the library Hessian handed to numpy's `eigvalsh`, LAPACK on the system's BLAS),
on one problem, in one run (bench/run.sh).

Usage: /usr/bin/python3 bench/certified_peer_bench.py BUILD_DIR OUT_DIR
Problems: the P = 1983 problem of the spectra benchmark ([10, 40, 35, 3] sigmoid, N = 100, written
by `locus_bench_spectrum OUT_DIR --write-certified`) and the P = 5514 problem of the interfaces
benchmark ([10, 64, 64, 10] sigmoid, N = 1000). Prints a markdown section.
"""
import json
import os
import subprocess
import sys
import time

import numpy as np

build, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
cli = os.path.join(build, "cli", "locus")
small = os.path.join(out, "certified_problem.json")
large = os.path.join(out, "interfaces_problem.json")
if not os.path.exists(small):
    subprocess.run([os.path.join(build, "bench", "locus_bench_spectrum"), out,
                    "--write-certified"], check=True)
if not os.path.exists(large):
    subprocess.run([os.path.join(build, "bench", "locus_bench_library_hessian"), "--write",
                    large], check=True)
sys.path.insert(0, os.path.join(build, "python"))
import locus  # noqa: E402


def run_cli(problem, arithmetic):
    t0 = time.perf_counter()
    r = subprocess.run([cli, "spectrum", problem, "-a", arithmetic, "--json"], check=True,
                       capture_output=True, text=True)
    return time.perf_counter() - t0, json.loads(r.stdout)


def median_run(problem, arithmetic, runs):
    """The median time of `runs` processes (this machine's timings vary by ~20% run to run)."""
    results = [run_cli(problem, arithmetic) for _ in range(runs)]
    results.sort(key=lambda r: r[0])
    return results[len(results) // 2]


def inertia(report):
    i = report["inertia"]
    return "({}, {}, {})".format(i["positive"], i["negative"], i["zero"])


print("## Certified inertia against the floating-point answer (bench/certified_peer_bench.py)")
print()
kernels = subprocess.run([cli, "--build-info"], check=True, capture_output=True,
                         text=True).stdout.strip().splitlines()[-1].strip()
print("{} (OPENBLAS_CORETYPE={}).".format(kernels, os.environ.get("OPENBLAS_CORETYPE", "unset")))
print()
print("{} threads. Each row is one `locus spectrum` process (JSON output), or the peer in this "
      "Python process: `locus.hessian` (double) and numpy's `eigvalsh`. `ball:64` first tries "
      "53-bit balls, whose sums run on double GEMMs with rigorous bounds (P <= 3000; taken when "
      "it proves every sign), then 64 bits, and escalates on its own when that does not decide. P = 1983: the median of 5 runs of "
      "each; P = 5514: one run.".format(os.cpu_count()))
print()
print("| problem | double: `locus spectrum -a double` | peer: locus.hessian + numpy eigvalsh | "
      "certified: `locus spectrum -a ball:64` | certified: `-a ball:256` | certified ÷ "
      "faster floating-point answer |")
print("|---|---|---|---|---|---|")
for problem, with_256 in ((small, True), (large, False)):
    runs = 5 if with_256 else 1
    t_double, rep_double = median_run(problem, "double", runs)
    p = locus.load(problem)
    peers = []
    for _ in range(runs):
        t0 = time.perf_counter()
        h = locus.hessian(p)
        t_h = time.perf_counter() - t0
        t0 = time.perf_counter()
        ev = np.linalg.eigvalsh(h)
        t_e = time.perf_counter() - t0
        peers.append((t_h + t_e, t_h, t_e))
    peers.sort()
    peer, t_h, t_e = peers[len(peers) // 2]
    t_cert, rep = median_run(problem, "ball:64", runs)
    cell_256 = "-"
    if with_256:
        t_256, rep_256 = run_cli(problem, "ball:256")
        cell_256 = "{:.1f} s, {} {}".format(t_256, rep_256["verdict"], inertia(rep_256))
    pos = int((ev > 0).sum())
    neg = int((ev < 0).sum())
    fastest = min(t_double, peer)
    print("| P = {} | {:.1f} s, {} (evidence) | {:.1f} s (Hessian {:.1f} s + eigvalsh {:.1f} s), "
          "signs ({}, {}) | {:.1f} s, {} {} at {} bits | {} | {:.1f}× |".format(
              h.shape[0], t_double, inertia(rep_double), peer, t_h, t_e, pos, neg, t_cert,
              rep["verdict"], inertia(rep), rep.get("bits", "?"), cell_256, t_cert / fastest))
print()
