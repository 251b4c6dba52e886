"""ARPACK (scipy.sparse.linalg.eigsh) on PyTorch Hessian-vector products, float64: the peer of
`locus spectrum --lanczos K` (implicitly restarted Lanczos in Spectra) for bench/run.sh.

Usage: /usr/bin/python3 bench/torch_arpack.py PROBLEM.json THREADS K TOLERANCE [NCV]
Prints "seconds <t>", "hvps <n>" and the K largest eigenvalues (descending), one per line after
"values". ARPACK's `tol` is the relative accuracy of the Ritz values, the same criterion as
Spectra's (residual <= tol·|θ|); `ncv` defaults to Spectra's default, max(2K + 1, 20), so that
both run the same Krylov subspace size unless NCV says otherwise. The start vector is ARPACK's own (random).
"""
import sys
import time

import numpy as np
import torch
from scipy.sparse.linalg import LinearOperator, eigsh

from torch_common import HessianVectorProduct, load_problem

path, threads, k, tol = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
ncv = int(sys.argv[5]) if len(sys.argv) > 5 else max(2 * k + 1, 20)
torch.set_num_threads(threads)
loss, theta = load_problem(path)
theta.requires_grad_(True)
n = theta.numel()

t0 = time.perf_counter()
hvp = HessianVectorProduct(loss, theta)


def matvec(v):
    return hvp(torch.from_numpy(np.ascontiguousarray(v, dtype=np.float64).reshape(-1))).numpy().copy()


op = LinearOperator((n, n), matvec=matvec, dtype=np.float64)
values = eigsh(op, k=k, which="LA", tol=tol, ncv=ncv, return_eigenvectors=False)
seconds = time.perf_counter() - t0
print(f"seconds {seconds}")
print(f"hvps {hvp.calls}")
print("values")
for v in sorted(values, reverse=True):
    print(repr(float(v)))
