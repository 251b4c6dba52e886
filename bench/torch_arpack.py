"""ARPACK (scipy.sparse.linalg.eigsh) on PyTorch Hessian-vector products, float64: the peer of
`locus spectrum --lanczos K` (implicitly restarted Lanczos in Spectra) for bench/run.sh.

Usage: /usr/bin/python3 bench/torch_arpack.py PROBLEM.json THREADS K TOLERANCE
Prints "seconds <t>", "hvps <n>" and the K largest eigenvalues (descending), one per line after
"values". ARPACK's `tol` is the relative accuracy of the Ritz values, the same criterion as
Spectra's (residual <= tol·|θ|); `ncv` is Spectra's default here, max(2K + 1, 20), so both run the
same Krylov subspace size. The start vector is ARPACK's own (random).
"""
import sys
import time

import numpy as np
import torch
from scipy.sparse.linalg import LinearOperator, eigsh

from torch_common import load_problem

path, threads, k, tol = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
torch.set_num_threads(threads)
loss, theta = load_problem(path)
theta.requires_grad_(True)
n = theta.numel()

t0 = time.perf_counter()
grad = torch.autograd.grad(loss(theta), theta, create_graph=True)[0]
hvps = 0


def matvec(v):
    global hvps
    hvps += 1
    t = torch.from_numpy(np.ascontiguousarray(v, dtype=np.float64).reshape(-1))
    return torch.autograd.grad(grad, theta, grad_outputs=t, retain_graph=True)[0].numpy().copy()


op = LinearOperator((n, n), matvec=matvec, dtype=np.float64)
values = eigsh(op, k=k, which="LA", tol=tol, ncv=max(2 * k + 1, 20), return_eigenvectors=False)
seconds = time.perf_counter() - t0
print(f"seconds {seconds}")
print(f"hvps {hvps}")
print("values")
for v in sorted(values, reverse=True):
    print(repr(float(v)))
