"""PyHessian-style top-k Hessian eigenvalues in PyTorch float64, for bench/spectrum_bench.cpp.

Power iteration with deflation against the eigenvectors already found, Hessian-vector products by
double back-propagation, PyHessian's defaults (max 100 iterations, relative tolerance 1e-3).

Usage: /usr/bin/python3 bench/torch_power_iteration.py PROBLEM.json THREADS K
Prints "seconds <t>" then the top three eigenvalues and the number of HVPs.
Supports sigmoid/tanh/identity/relu networks with biases, squared loss (sum).
"""
import sys
import time

import torch

from torch_common import HessianVectorProduct, load_problem

path, threads, k = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
torch.set_num_threads(threads)
torch.manual_seed(0)
loss, theta = load_problem(path)
theta.requires_grad_(True)


t0 = time.perf_counter()
hvp = HessianVectorProduct(loss, theta)


eigenvalues, eigenvectors = [], []
for _ in range(k):
    v = torch.randn_like(theta)
    v /= v.norm()
    eig = None
    for _ in range(100):
        for u in eigenvectors:
            v -= (v @ u) * u
        v /= v.norm()
        hv = hvp(v)
        new = float(hv @ v)
        v = hv / hv.norm()
        if eig is not None and abs(new - eig) / (abs(eig) + 1e-6) < 1e-3:
            eig = new
            break
        eig = new
    eigenvalues.append(eig)
    eigenvectors.append(v.detach())
t = time.perf_counter() - t0
print(f"seconds {t:.3f}")
print("λ_max.. = " + ", ".join(f"{e:.6g}" for e in eigenvalues[:3]) + f", ...; {hvp.calls} HVPs")
