"""PyTorch reference for bench/hessian_bench.cpp: torch.autograd.functional.hessian in float64.

Usage: /usr/bin/python3 bench/torch_hessian.py PROBLEM.json THREADS [HESSIAN.npy]
Prints "seconds <t>" and, given a locus Hessian as .npy, "max_abs_diff <d> max_abs <m>".
Supports the networks the benchmark writes: sigmoid/tanh/identity/relu, biases, squared loss (sum).
"""
import sys
import time

import numpy as np
import torch

from torch_common import load_problem

path, threads = sys.argv[1], int(sys.argv[2])
torch.set_num_threads(threads)
loss, theta0 = load_problem(path)


t0 = time.perf_counter()
h = torch.autograd.functional.hessian(loss, theta0)
t = time.perf_counter() - t0
print(f"seconds {t:.6f}")
if len(sys.argv) > 3:
    ref = np.load(sys.argv[3])
    hn = h.numpy()
    print(f"max_abs_diff {np.max(np.abs(hn - ref)):.3e} max_abs {np.max(np.abs(ref)):.3e}")
