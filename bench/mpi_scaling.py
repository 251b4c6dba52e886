"""Data parallelism over MPI ranks (docs/scaling.md): `locus spectrum --lanczos 5` on one teacher
problem, as one process and under `mpirun -n 2`, one thread per rank (OMP_NUM_THREADS=1), in one
run. Reports the wall time of the command, the solver's products, the time per Hessian-vector
product, the bytes rank 0 sent and its seconds in the sums, and a projection to 8-64 nodes.

Usage: /usr/bin/python3 bench/mpi_scaling.py BUILD_DIR WORK_DIR
Prints a markdown section. Data seed 0, point seed 1, Lanczos seed 3.
"""
import json
import math
import os
import shutil
import subprocess
import sys
import time

build, work = sys.argv[1:3]
os.makedirs(work, exist_ok=True)
locus = os.path.join(build, "cli", "locus")
mpirun = shutil.which("mpirun")
env = dict(os.environ, OMP_NUM_THREADS="1", OMPI_ALLOW_RUN_AS_ROOT="1",
           OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
N = 8000
problem = os.path.join(work, "teacher_8000.json")
subprocess.run([locus, "data", "teacher", "-o", problem, "-n", str(N), "--teacher-widths", "10,8,1",
                "--hidden", "64,64", "--activation", "tanh", "--reduction", "mean",
                "--seed", "0", "--init-seed", "1"], check=True, capture_output=True, env=env)

print("## Data parallelism over MPI ranks (bench/mpi_scaling.py)")
print()
if mpirun is None:
    print("mpirun not found: skipped.")
    sys.exit(0)
rows = []
for ranks, solver in ((1, "spectra"), (2, "spectra"), (2, "slepc")):
    cmd = ([mpirun, "-n", str(ranks)] if ranks > 1 else []) + [
        locus, "spectrum", problem, "--lanczos", "5", "--json", "--seed", "3", "--solver", solver]
    t0 = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True)
    wall = time.perf_counter() - t0
    j = json.loads(r.stdout)
    comm = j.get("communication", {"bytes_sent_by_rank_0": 0, "seconds_in_sums": 0.0})
    rows.append((ranks, wall, float(j["seconds"]), j["solver"]["products"], comm, j["P"],
                 j["largest"][0], j["smallest"][0], solver))

P = rows[0][5]
print("`locus spectrum FILE --lanczos 5 --solver S` (both ends of the spectrum) on a teacher "
      "problem: [10, 64, 64, 1] tanh, squared loss, mean, N = {}, P = {}; one thread per rank, "
      "this machine's {} cores.".format(N, P, os.cpu_count()))
print()
print("| ranks | solver | command wall (s) | solver (s) | products | s per product | bytes sent by "
      "rank 0 | s in sums (rank 0) | largest | smallest |")
print("|---|---|---|---|---|---|---|---|---|---|")
for ranks, wall, seconds, products, comm, _, top, bottom, name in rows:
    print("| {} | {} | {:.2f} | {:.2f} | {} | {:.4f} | {} | {:.4f} | {} | {} |".format(
        ranks, "Spectra (restarted Lanczos)" if name == "spectra" else "SLEPc (Krylov-Schur)",
        wall, seconds, products, seconds / products, comm["bytes_sent_by_rank_0"],
        comm["seconds_in_sums"], top, bottom))
t1 = rows[0][2] / rows[0][3]
t2 = rows[1][2] / rows[1][3]
c2 = rows[1][4]["seconds_in_sums"] / rows[1][3]
print()
print("Speed-up of the restarted Lanczos on 2 ranks: {:.2f}×; the sums take {:.1%} of the two-rank time "
      "({:.3f} ms per product for {} doubles).".format(
          rows[0][2] / rows[1][2], c2 / t2, 1e3 * c2, P))
print()
# Projection: compute ∝ N/R, the sum (reduce + broadcast) ∝ log2 R messages of 8P bytes.
alpha, bandwidth = 5e-6, 10e9  # per message latency and bandwidth of a 100 Gb/s cluster network
print("Projection (model: per product t(R) = t_compute(1)/R + 2·log2(R)·(α + 8P/B), with "
      "t_compute(1) = {:.4f} s measured above, α = 5 µs, B = 10 GB/s; the same problem, and one "
      "with 100× the samples):".format(t1))
print()
print("| nodes R | t per product, N = {} (ms) | speed-up | t per product, N = {} (ms) | speed-up |".format(
    N, 100 * N))
print("|---|---|---|---|---|")
for R in (1, 2, 8, 16, 32, 64):
    comm = 2 * math.log2(R) * (alpha + 8 * P / bandwidth) if R > 1 else 0.0
    small = t1 / R + comm
    large = 100 * t1 / R + comm
    print("| {} | {:.3f} | {:.1f}× | {:.1f} | {:.1f}× |".format(
        R, 1e3 * small, t1 / small, 1e3 * large, 100 * t1 / large))

# Sharded sweeps: the same commands as one process and on two ranks, the outputs compared.
print()
print("Sharded sweeps (one thread per rank; the outputs of one process and of two ranks are "
      "compared, seconds and folders aside):")
print()
print("| command | 1 rank (s) | 2 ranks (s) | speed-up | same output |")
print("|---|---|---|---|---|")
sweeps = [
    ("locus check --threads 1", ["check", "--threads", "1"], "check"),
    ("locus reproduce sagun --quick", ["reproduce", "sagun", "--quick"], "sagun"),
    ("locus reproduce littwin-wolf --quick --seeds 2",
     ["reproduce", "littwin-wolf", "--quick", "--seeds", "2"], "lw"),
    ("locus search yu-chen.no-suboptimal-minima --seed 128 --restarts 2 --optimiser-runs 2 "
     "--evaluations 400", ["search", "yu-chen.no-suboptimal-minima", "--seed", "128", "--restarts",
                          "2", "--optimiser-runs", "2", "--evaluations", "400", "--max-seconds",
                          "400"], "search"),
    ("locus search yu-chen.no-suboptimal-minima --seed 1 --restarts 16 --optimiser-runs 2 "
     "--evaluations 100", ["search", "yu-chen.no-suboptimal-minima", "--seed", "1", "--restarts",
                          "16", "--optimiser-runs", "2", "--evaluations", "100", "--max-seconds",
                          "400"], "search"),
]


def comparable(kind, out, stdout):
    """The parts of a sweep's output that must agree (seconds and folder names removed)."""
    import re
    text = stdout.replace(out, "OUT")
    text = re.sub(r"[0-9]+\.[0-9]+ ?s\b", "", text)
    lines = [line for line in text.splitlines() if not line.startswith(("ranks", "seconds"))]
    if kind == "check":
        lines = [line.rsplit("|", 2)[0] for line in lines if line.startswith("|")]
    if kind == "search":
        lines = [re.sub(r"after .*? \(", "(", line) for line in lines]
    files = {}
    if os.path.isdir(out):
        for name in sorted(os.listdir(out)):
            if name.endswith((".csv", ".dat")):
                files[name] = open(os.path.join(out, name)).read()
    return lines, files


for label, args, kind in sweeps:
    times, outputs = [], []
    for ranks in (1, 2):
        out = os.path.join(work, "sweep-{}-{}".format(kind, ranks))
        shutil.rmtree(out, ignore_errors=True)
        extra = ["--counterexamples", out] if kind == "check" else ["--out", out]
        cmd = ([mpirun, "-n", str(ranks)] if ranks > 1 else []) + [locus] + args + extra
        t0 = time.perf_counter()
        r = subprocess.run(cmd, capture_output=True, text=True, env=env)
        times.append(time.perf_counter() - t0)
        outputs.append(comparable(kind, out, r.stdout))
    print("| `{}` | {:.1f} | {:.1f} | {:.2f}× | {} |".format(
        label, times[0], times[1], times[0] / times[1], "yes" if outputs[0] == outputs[1] else "**no**"))
