"""PyTorch reference for bench/hessian_bench.cpp: torch.autograd.functional.hessian in float64.

Usage: /usr/bin/python3 bench/torch_hessian.py PROBLEM.json THREADS [HESSIAN.npy]
Prints "seconds <t>" and, given a locus Hessian as .npy, "max_abs_diff <d> max_abs <m>".
Supports the networks the benchmark writes: sigmoid/tanh/identity/relu, biases, squared loss (sum).
"""
import json
import sys
import time
from fractions import Fraction

import numpy as np
import torch

path, threads = sys.argv[1], int(sys.argv[2])
torch.set_num_threads(threads)
p = json.load(open(path))
net = p["network"]
widths, bias = net["widths"], net.get("bias", True)
assert net.get("loss", "squared") == "squared" and net.get("reduction", "sum") == "sum"
act = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "identity": lambda z: z, "relu": torch.relu}[
    net["activation"]]
num = lambda s: float(Fraction(s))
x = torch.tensor([[num(v) for v in row] for row in p["data"]["inputs"]], dtype=torch.float64)
y = torch.tensor([[num(v) for v in row] for row in p["data"]["targets"]], dtype=torch.float64)
theta0 = torch.tensor([num(v) for v in p["point"]], dtype=torch.float64)


def loss(theta):
    a, o = x, 0
    L = len(widths) - 1
    for l in range(1, L + 1):
        n_out, n_in = widths[l], widths[l - 1]
        w = theta[o:o + n_out * n_in].reshape(n_out, n_in)
        o += n_out * n_in
        z = a @ w.T
        if bias:
            z = z + theta[o:o + n_out]
            o += n_out
        a = act(z) if l < L else z
    return 0.5 * ((a - y) ** 2).sum()


t0 = time.perf_counter()
h = torch.autograd.functional.hessian(loss, theta0)
t = time.perf_counter() - t0
print(f"seconds {t:.6f}")
if len(sys.argv) > 3:
    ref = np.load(sys.argv[3])
    hn = h.numpy()
    print(f"max_abs_diff {np.max(np.abs(hn - ref)):.3e} max_abs {np.max(np.abs(ref)):.3e}")
