"""From a trained network to a certified verdict (bench/run.sh): a PyTorch [64, 4, 10] tanh
network on the first 200 of scikit-learn's 8×8 digits, cross-entropy, trained with a few hundred
Adam steps with weight decay, then `locus.pytorch.certify` — the gradient flow (CVODE), Newton in
MPFR, the Krawczyk proof and classify — timed as the Python call a user makes.

Usage: /usr/bin/python3 bench/certify_bench.py BUILD_DIR
Prints a markdown section. Seeds: torch.manual_seed(S) for S in SEEDS.
"""
import os
import sys
import time

build = sys.argv[1]
sys.path.insert(0, os.path.join(build, "python"))

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402

import locus.pytorch  # noqa: E402

SEEDS = (0, 1, 2)
WD = 1e-3
x, y = load_digits(return_X_y=True)
x = torch.tensor(x[:200] / 16)
y = torch.tensor(y[:200])
rows = []
for seed in SEEDS:
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(64, 4), nn.Tanh(), nn.Linear(4, 10)).double()
    opt = torch.optim.Adam(model.parameters(), lr=0.01, weight_decay=WD)
    t0 = time.perf_counter()
    for _ in range(300):
        opt.zero_grad()
        nn.CrossEntropyLoss()(model(x), y).backward()
        opt.step()
    t_train = time.perf_counter() - t0
    t0 = time.perf_counter()
    _, rep = locus.pytorch.certify(model, x, y, nn.CrossEntropyLoss(), weight_decay=WD,
                                   max_seconds=60)
    t_cert = time.perf_counter() - t0
    flow = rep["flow"]
    rows.append((seed, flow["start"]["gradient_norm"], flow["status"], flow["end"]["steps"],
                 flow["end"]["seconds"], t_cert, rep["verdict"], t_train))

print("## From a trained network to a certified verdict (bench/certify_bench.py)")
print()
print(f"{os.cpu_count()} threads. PyTorch [64, 4, 10] tanh (P = 310), the first 200 digits, "
      f"CrossEntropyLoss, 300 Adam steps (lr 0.01, weight_decay {WD}), then "
      f"`locus.pytorch.certify(model, X, y, loss, weight_decay={WD})` (the whole Python call).")
print()
print("| seed | ‖∇L‖ after Adam | flow | flow steps | flow s | certify s | verdict | Adam s |")
print("|---:|---:|---|---:|---:|---:|---|---:|")
for seed, g0, status, steps, t_flow, t_cert, verdict, t_train in rows:
    print(f"| {seed} | {g0:.2e} | {status} | {steps} | {t_flow:.1f} | {t_cert:.1f} | {verdict} | "
          f"{t_train:.1f} |")
print()
print(f"Target of the trained-network issue: a certified verdict (existence box and kind) in ≤ 60 s "
      f"on 2 cores: {'met' if all(r[5] <= 60 and 'certified' in r[6] for r in rows) else 'not met'} "
      f"(largest {max(r[5] for r in rows):.1f} s).")
