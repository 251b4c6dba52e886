"""What a user sees: the double Hessian through `locus eval` and `locus.hessian`, against the
library's own time and PyTorch, on one problem, in one run (bench/run.sh).

Usage: /usr/bin/python3 bench/interfaces_bench.py BUILD_DIR OUT_DIR
Prints a markdown section. Every process is measured from the outside: wall time with
time.perf_counter around the subprocess, peak resident memory from getrusage of the finished child.
"""
import os
import resource
import subprocess
import sys
import time

build, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
here = os.path.dirname(os.path.abspath(__file__))
problem = os.path.join(out, "interfaces_problem.json")
lib_bench = os.path.join(build, "bench", "locus_bench_library_hessian")
cli = os.path.join(build, "lib", "cli", "locus")
if not os.path.exists(cli):
    cli = os.path.join(build, "cli", "locus")
subprocess.run([lib_bench, "--write", problem], check=True)
threads = os.cpu_count()


def measure(cmd, env=None):
    """(seconds, peak RSS MiB, stdout) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    r = subprocess.run(cmd, check=True, capture_output=True, text=True,
                       env=dict(os.environ, **(env or {})))
    t = time.perf_counter() - t0
    # ru_maxrss of RUSAGE_CHILDREN is the largest child so far: run the small ones first.
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return t, max(after, before) / 1024.0, r.stdout


def field(text, key):
    for line in text.splitlines():
        if line.startswith(key + " "):
            return float(line.split()[1])
    raise RuntimeError(f"no '{key}' in {text!r}")


rows = []
_, _, lib_out = measure([lib_bench, problem, "3"])
t_lib, rss_lib = field(lib_out, "seconds"), field(lib_out, "rss_mib")
P = 5514
matrix_mib = P * P * 8 / 2 ** 20

npy_dir = os.path.join(out, "interfaces_npy")
t_text, rss_text, _ = measure([cli, "eval", problem, "-q", "hessian"])
t_npy, rss_npy, _ = measure([cli, "eval", problem, "-q", "hessian", "--npy", npy_dir])
py = ("import time, locus\np = locus.load(%r)\nts = []\nfor i in range(3):\n"
      "    t0 = time.perf_counter(); h = locus.hessian(p); ts.append(time.perf_counter() - t0)"
      "; del h\nprint('seconds', ts[0]); print('best', min(ts))" % problem)
pyenv = {"PYTHONPATH": os.path.join(build, "python")}
_, rss_py, py_out = measure([sys.executable, "-c", py], pyenv)
t_py, t_py_best = field(py_out, "seconds"), field(py_out, "best")
py1 = ("import time, locus; p = locus.load(%r); h = locus.hessian(p)" % problem)
t_py_proc, _, _ = measure([sys.executable, "-c", py1], pyenv)
t_torch_proc, rss_torch, torch_out = measure(
    [sys.executable, os.path.join(here, "torch_hessian.py"), problem, str(threads),
     os.path.join(npy_dir, "hessian.npy")])
t_torch = field(torch_out, "seconds")
diff = torch_out.split("max_abs_diff")[1].split()[0]

print("## What users see: the double Hessian through the CLI and Python (bench/interfaces_bench.py)")
print()
print(f"[10, 64, 64, 10] sigmoid, N = 1000, P = {P} (the P×P matrix is {matrix_mib:.0f} MiB), "
      f"{threads} threads. Wall time of the whole process (or of the Python call), peak resident "
      "memory of the process.")
print()
print("| what the user runs | seconds | × library | peak RSS (MiB) |")
print("|---|---|---|---|")
print(f"| library `LossFunction<double>::hessian` (best of 3) | {t_lib:.3f} | 1.00 | {rss_lib:.0f} |")
print(f"| `locus eval FILE -q hessian --npy DIR` (whole process) | {t_npy:.3f} | {t_npy / t_lib:.2f} | "
      f"{rss_npy:.0f} |")
print(f"| `locus eval FILE -q hessian` (text summary, whole process) | {t_text:.3f} | "
      f"{t_text / t_lib:.2f} | {rss_text:.0f} |")
print(f"| Python `locus.hessian(p)`, first call in the process | {t_py:.3f} | {t_py / t_lib:.2f} | "
      f"{rss_py:.0f} |")
print(f"| Python `locus.hessian(p)`, best of 3 calls (as the library row) | {t_py_best:.3f} | "
      f"{t_py_best / t_lib:.2f} | — |")
print(f"| Python process: import, load, `locus.hessian(p)` | {t_py_proc:.3f} | "
      f"{t_py_proc / t_lib:.2f} | — |")
print(f"| PyTorch `torch.autograd.functional.hessian`, float64 (the call) | {t_torch:.3f} | "
      f"{t_torch / t_lib:.2f} | {rss_torch:.0f} |")
print()
print(f"Targets: `locus eval --npy` within 1.5× the library ({t_npy / t_lib:.2f}×) and within "
      f"3× the matrix in memory ({rss_npy:.0f} MiB against {3 * matrix_mib:.0f} MiB); "
      f"`locus.hessian` within 1.2× the library ({t_py_best / t_lib:.2f}× call for call; the first "
      f"call of a process, {t_py / t_lib:.2f}×, also pays for faulting in the freshly allocated "
      f"temporaries, which the library's best-of-3 row does not). PyTorch's Hessian differs "
      f"from the .npy locus wrote by at most {diff} (max abs). Speed-up a user sees over PyTorch: "
      f"{t_torch / t_npy:.1f}× from the CLI process, {t_torch / t_py:.1f}× from Python.")
