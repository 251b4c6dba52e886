"""What a user sees: `locus spectrum -a double` (the whole process) against the peer pipeline, the
library Hessian handed to numpy's `eigvalsh` (LAPACK on the system's BLAS), and `locus spectrum
--lanczos 20` against ARPACK (scipy's eigsh) on PyTorch Hessian-vector products
(bench/torch_arpack.py), on one problem, in one run (bench/run.sh).

Usage: /usr/bin/python3 bench/spectrum_peer_bench.py BUILD_DIR OUT_DIR
Prints a markdown section. The problem is the one of bench/interfaces_bench.py ([10, 64, 64, 10]
sigmoid, N = 1000, P = 5514), written by locus_bench_library_hessian. numpy and locus load the same
LAPACK (Debian's alternatives: OpenBLAS when libopenblas0 is installed, which scripts/install-deps.sh
installs); the BLAS in use is printed.
"""
import json
import os
import subprocess
import sys
import time

import numpy as np

build, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
problem = os.path.join(out, "interfaces_problem.json")
lib_bench = os.path.join(build, "bench", "locus_bench_library_hessian")
cli = os.path.join(build, "cli", "locus")
if not os.path.exists(problem):
    subprocess.run([lib_bench, "--write", problem], check=True)
threads = os.cpu_count()


def lapack_in_use():
    """The shared object numpy's LAPACK resolves to (Debian's alternatives)."""
    try:
        return os.path.realpath("/usr/lib/x86_64-linux-gnu/liblapack.so.3")
    except OSError:
        return "unknown"


# 1. locus spectrum -a double, the whole process, JSON output with every eigenvalue
t0 = time.perf_counter()
r = subprocess.run([cli, "spectrum", problem, "-a", "double", "--json"], check=True,
                   capture_output=True, text=True)
t_cli = time.perf_counter() - t0
report = json.loads(r.stdout)
locus_values = np.array([float(v) for v in report["eigenvalues"]])

# 2. the peer in this process: the library Hessian (locus.hessian) and numpy's eigvalsh
sys.path.insert(0, os.path.join(build, "python"))
import locus  # noqa: E402

p = locus.load(problem)
t0 = time.perf_counter()
h = locus.hessian(p)
t_hessian = time.perf_counter() - t0
t0 = time.perf_counter()
numpy_values = np.linalg.eigvalsh(h)
t_eig = time.perf_counter() - t0
t_peer = t_hessian + t_eig
scale = np.abs(numpy_values).max()
diff = np.abs(np.sort(locus_values) - numpy_values).max()
P = h.shape[0]

print("## Double spectra: `locus spectrum` beside numpy (bench/spectrum_peer_bench.py)")
print()
print(f"[10, 64, 64, 10] sigmoid, N = 1000, P = {P}, {threads} threads, LAPACK: "
      f"`{lapack_in_use()}`. All {P} eigenvalues.")
print()
print("| what runs | seconds | × peer |")
print("|---|---|---|")
print(f"| `locus spectrum FILE -a double --json` (whole process: load, Hessian, LAPACK dsyevd, "
      f"inertia, JSON) | {t_cli:.2f} | {t_cli / t_peer:.2f} |")
print(f"| peer: `locus.hessian(p)` + `numpy.linalg.eigvalsh` (the two calls) | {t_peer:.2f} | 1.00 |")
print(f"| of which `numpy.linalg.eigvalsh` | {t_eig:.2f} | — |")
print()
print(f"Largest difference between the two spectra: {diff:.3g} (largest |λ| {scale:.6g}, "
      f"relative {diff / scale:.2g}). Target of the speed issue: ≤ 1.2× the peer "
      f"({t_cli / t_peer:.2f}×). Before LAPACK, Eigen's single-threaded solver made the same "
      "command take 32.3 s.")

# 3. the 20 largest eigenvalues, matrix-free: locus (Spectra, restarted) against ARPACK on torch
tol = 1e-10
t0 = time.perf_counter()
r = subprocess.run([cli, "spectrum", problem, "--lanczos", "20", "--tolerance", str(tol), "--json"],
                   check=True, capture_output=True, text=True)
t_lanczos = time.perf_counter() - t0
lz = json.loads(r.stdout)
largest_end = lz["solver"]["ends"][0]
lz_top = np.array([float(v) for v in lz["largest"]])
lz_rel = max(float(res) / abs(float(v)) for v, res in zip(lz["largest"], lz["largest_residuals"]))
# the same with SLEPc's Krylov-Schur (`--solver slepc`), when this build has SLEPc
slepc = None
t0 = time.perf_counter()
r = subprocess.run([cli, "spectrum", problem, "--lanczos", "20", "--tolerance", str(tol), "--solver",
                    "slepc", "--json"], capture_output=True, text=True)
if r.returncode == 0:
    slepc = json.loads(r.stdout)
    slepc["seconds"] = time.perf_counter() - t0
here = os.path.dirname(os.path.abspath(__file__))
r = subprocess.run([sys.executable, os.path.join(here, "torch_arpack.py"), problem, str(threads),
                    "20", str(tol)], check=True, capture_output=True, text=True)
lines = r.stdout.split()
t_arpack = float(lines[lines.index("seconds") + 1])
arpack_hvps = int(lines[lines.index("hvps") + 1])
arpack_top = np.array([float(v) for v in lines[lines.index("values") + 1:]])
dense_top = numpy_values[::-1][:20]
print()
print(f"The 20 largest eigenvalues from Hessian-vector products at the same P = {P}, relative "
      f"tolerance {tol:g} on both sides; the restarted solvers keep about 41 vectors (their "
      "defaults):")
print()
print("| solver | Hessian-vector products (largest end) | seconds | largest deviation from "
      "LAPACK's top 20 (relative) |")
print("|---|---|---|---|")
print(f"| `locus spectrum --lanczos 20` (unrestarted Lanczos while the basis fits, then Spectra; "
      f"the whole process, both ends) | {largest_end['products']} ({largest_end['unrestarted']} "
      f"unrestarted, {largest_end['restarts']} Spectra restarts), and "
      f"{largest_end['residual_checks']} to recompute the residuals | {t_lanczos:.2f} | "
      f"{np.abs(lz_top - dense_top).max() / scale:.1e} |")
t0 = time.perf_counter()
r = subprocess.run([cli, "spectrum", problem, "--lanczos", "20", "--tolerance", str(tol), "--subspace",
                    "41", "--json"], check=True, capture_output=True, text=True)
t_spectra = time.perf_counter() - t0
sp = json.loads(r.stdout)
sp_end = sp["solver"]["ends"][0]
sp_top = np.array([float(v) for v in sp["largest"]])
print(f"| `locus spectrum --lanczos 20 --subspace 41` (Spectra alone, restarted, 41 vectors; the "
      f"whole process, both ends) | {sp_end['products']} ({sp_end['restarts']} restarts) | "
      f"{t_spectra:.2f} | {np.abs(sp_top - dense_top).max() / scale:.1e} |")
if slepc is not None:
    s_end = slepc["solver"]["ends"][0]
    s_top = np.array([float(v) for v in slepc["largest"]])
    print(f"| `locus spectrum --lanczos 20 --solver slepc` (SLEPc Krylov-Schur, subspace "
          f"{slepc['solver']['subspace']}; the whole process, both ends) | {s_end['products']} "
          f"({s_end['restarts']} restarts) | {slepc['seconds']:.2f} | "
          f"{np.abs(s_top - dense_top).max() / scale:.1e} |")
print(f"| ARPACK (scipy `eigsh`, which='LA') on PyTorch float64 HVPs | {arpack_hvps} | "
      f"{t_arpack:.2f} | {np.abs(arpack_top - dense_top).max() / scale:.1e} |")
print()
print(f"Largest recomputed relative residual of locus's 20 Ritz values: {lz_rel:.1e}. Target of "
      f"the speed issue: fewer products than ARPACK-on-torch ({largest_end['products']} against "
      f"{arpack_hvps}, {'met' if largest_end['products'] < arpack_hvps else 'not met'}). The "
      "restarted solvers on about 41 vectors (Spectra, SLEPc, ARPACK) run the same kind of method "
      "and differ by the start vector and restart details; the unrestarted first phase keeps "
      "every Krylov direction (the basis of the top end here is "
      f"{largest_end['unrestarted']} vectors of {P} doubles) and so needs fewer products.")
