"""Shared by the PyTorch reference scripts: a locus problem file as float64 tensors and its loss.

Supports sigmoid/tanh/identity/relu networks with or without biases, squared loss (sum).
"""
import json
from fractions import Fraction

import torch


def load_problem(path):
    """Returns (loss, theta0): loss(theta) is ½Σ(f − y)² of the file's network and data."""
    p = json.load(open(path))
    net = p["network"]
    widths, bias = net["widths"], net.get("bias", True)
    assert net.get("loss", "squared") == "squared" and net.get("reduction", "sum") == "sum"
    act = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "identity": lambda z: z,
           "relu": torch.relu}[net["activation"]]
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

    return loss, theta0


class HessianVectorProduct:
    """v -> ∇²L(θ) v by double back-propagation through the gradient's graph (built once), with
    a count of the products in `calls`. theta must require gradients."""

    def __init__(self, loss, theta):
        self.theta = theta
        self.grad = torch.autograd.grad(loss(theta), theta, create_graph=True)[0]
        self.calls = 0

    def __call__(self, v):
        self.calls += 1
        return torch.autograd.grad(self.grad, self.theta, grad_outputs=v, retain_graph=True)[0]
