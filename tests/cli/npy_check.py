"""Loads the .npy files `locus eval --npy DIR` wrote and compares them with its JSON output.

Usage: /usr/bin/python3 npy_check.py LOCUS PROBLEM DIR
"""
import json
import subprocess
import sys

import numpy as np

locus, problem, out = sys.argv[1:4]
quantities = "loss,gradient,hessian,gauss-newton,residual-hessian"
text = subprocess.run([locus, "eval", problem, "-q", quantities, "--json", "--npy", out],
                      check=True, capture_output=True, text=True).stdout
data = json.loads(text)
for key in ["loss", "gradient", "hessian", "gauss_newton", "residual_hessian"]:
    arr = np.load(f"{out}/{key}.npy")
    assert arr.dtype == np.float64, (key, arr.dtype)
    ref = np.array(data[key], dtype=float)
    assert arr.shape == ref.shape, (key, arr.shape, ref.shape)
    assert np.array_equal(arr, ref), key
h = np.load(f"{out}/hessian.npy")
assert np.array_equal(h, h.T)
assert np.allclose(h, np.load(f"{out}/gauss_newton.npy") + np.load(f"{out}/residual_hessian.npy"))
print("npy ok:", {k: np.load(f"{out}/{k}.npy").shape for k in ["loss", "gradient", "hessian"]})
