"""The wider model class where users are: `locus eval -q hessian` (the CLI process) on one
architecture with the original single activation (sigmoid, squared loss) and with the new
per-layer activations, binary cross-entropy and an L2 term, beside PyTorch's Hessian of the same
models in float64, in one run (bench/run.sh).

Usage: /usr/bin/python3 bench/model_class_bench.py BUILD_DIR OUT_DIR
Prints a markdown section. Seeds are fixed (torch.manual_seed(16)).
"""
import os
import subprocess
import sys
import time

build, out = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.join(build, "python"))
os.makedirs(out, exist_ok=True)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402

import locus.pytorch  # noqa: E402

cli = os.path.join(build, "cli", "locus")
torch.manual_seed(16)
torch.set_num_threads(os.cpu_count())
widths, n = [10, 40, 40, 10], 500
x = torch.randn(n, widths[0], dtype=torch.float64)
y_reg = torch.randn(n, widths[-1], dtype=torch.float64)
y_bin = torch.randint(0, 2, (n, widths[-1])).double()


def model(acts):
    layers = [nn.Linear(widths[0], widths[1])]
    for a, (i, o) in zip(acts, zip(widths[1:-1], widths[2:])):
        layers += [a, nn.Linear(i, o)]
    return nn.Sequential(*layers).double()


cases = [
    ("sigmoid, squared (locus-problem/1 network)", model([nn.Sigmoid(), nn.Sigmoid()]), y_reg,
     nn.MSELoss(reduction="sum"), 0.0),
    ("[gelu, silu], BCE with logits, weight decay 1e-4", model([nn.GELU(), nn.SiLU()]), y_bin,
     nn.BCEWithLogitsLoss(reduction="sum"), 1e-4),
    ("[leaky_relu(1/100), gelu_tanh], squared, weight decay 1e-2",
     model([nn.LeakyReLU(), nn.GELU(approximate="tanh")]), y_reg, nn.MSELoss(reduction="sum"),
     1e-2),
]


def best_of(k, cmd):
    ts = []
    for _ in range(k):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        ts.append(time.perf_counter() - t0)
    return min(ts)


rows = []
for name, m, y, loss_fn, wd in cases:
    p = locus.pytorch.from_sequential(m, x, y, loss_fn, weight_decay=wd)
    f = os.path.join(out, f"model_class_{len(rows)}.json")
    p.save(f)
    npy = os.path.join(out, f"model_class_{len(rows)}_npy")
    t_cli = best_of(3, [cli, "eval", f, "-q", "hessian", "--npy", npy])
    h_locus = np.load(os.path.join(npy, "hessian.npy"))
    t0 = time.perf_counter()
    h_torch, _ = locus.pytorch.torch_hessian(m, x, y, loss_fn, weight_decay=wd)
    t_torch = time.perf_counter() - t0
    perm = locus.pytorch.parameter_indices(p, m)
    diff = np.abs(h_locus[np.ix_(perm, perm)] - h_torch).max() / np.abs(h_torch).max()
    rows.append((name, p.num_parameters, t_cli, t_torch, diff))

print("## The wider model class (bench/model_class_bench.py)")
print()
print(f"{os.cpu_count()} threads. Architecture {widths}, N = {n}, float64 weights from "
      f"torch.manual_seed(16), imported with `locus.pytorch.from_sequential`. `locus eval -q hessian "
      f"--npy` is the whole CLI process (best of 3); PyTorch is "
      f"`torch.autograd.functional.hessian` of the same loss (plus (λ/2)·Σθ²) in float64.")
print()
print("| network | P | `locus eval` Hessian | PyTorch Hessian | speed-up | max relative difference |")
print("|---|---:|---:|---:|---:|---:|")
for name, P, t_cli, t_torch, diff in rows:
    print(f"| {name} | {P} | {t_cli:.2f} s | {t_torch:.2f} s | {t_torch / t_cli:.1f}× | "
          f"{diff:.1e} |")
print()
base = rows[0][2]
print(f"The new activations, BCE and the L2 term cost {rows[1][2] / base:.2f}× and "
      f"{rows[2][2] / base:.2f}× the single-activation Hessian of the same shape (the per-sample "
      f"σ..σ‴ evaluations are O(N·Σn_l) against the O(N·P²) products).")
