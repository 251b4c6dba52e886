#!/usr/bin/env python3
"""Train a small sigmoid network with PyTorch, import it into locus, refine the point and classify
it; print what a float tool sees beside what locus certifies.

Run from the build tree (the README's test command builds the module):

    PYTHONPATH=build/python /usr/bin/python3 examples/python/pytorch_certify.py [--seed S]

Two runs on the same data (16 noisy samples of a 2-unit sigmoid teacher, MSELoss):
  A. a random initialisation: L-BFGS reaches ‖∇L‖ ~ 1e-9 at a minimum whose smallest Hessian
     eigenvalue lies below float32's resolution (ε·‖H‖), so a float32 Hessian (what PyHessian or
     BackPACK compute) cannot tell its sign; locus proves a critical point exists within 1e-60 and
     certifies a strict minimum.
  B. a symmetric initialisation (both hidden units equal): gradient flow keeps the symmetry and
     L-BFGS "converges" to the split point of a 1-unit critical point (Fukumizu-Amari); locus
     certifies one negative eigenvalue and a cluster of one eigenvalue within 1e-75 of 0, where
     the float eigenvalue is a ±1e-17 that says nothing. The refined point is only ε-stationary
     and degenerate (no existence proof applies), so locus reports the saddle as evidence.
"""

import argparse
import sys

import numpy as np
import torch
import torch.nn as nn

import locus
import locus.pytorch


def data(seed):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(16, 2, generator=g, dtype=torch.float64)
    w = torch.tensor([[2.0, -1.0], [-1.5, 0.5]], dtype=torch.float64)
    b = torch.tensor([0.5, -0.25], dtype=torch.float64)
    v = torch.tensor([[1.0], [-2.0]], dtype=torch.float64)
    y = torch.sigmoid(x @ w.T + b) @ v + 0.25 + 0.05 * torch.randn(16, 1, generator=g,
                                                                   dtype=torch.float64)
    return x, y


def train(model, x, y, loss_fn):
    """L-BFGS in float64 to a small gradient (the float point a researcher would analyse)."""
    opt = torch.optim.LBFGS(model.parameters(), lr=1, max_iter=5000, tolerance_grad=1e-12,
                            tolerance_change=0, history_size=50, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        return loss

    for _ in range(3):
        opt.step(closure)
    loss = loss_fn(model(x), y)
    grad = torch.autograd.grad(loss, list(model.parameters()))
    return loss.item(), torch.cat([g.reshape(-1) for g in grad]).norm().item()


def report(title, model, x, y, loss_fn):
    loss, gnorm = train(model, x, y, loss_fn)
    print(f"\n== {title}")
    print(f"PyTorch (float64 L-BFGS): loss {loss:.6e}, ‖∇L‖ = {gnorm:.2e}")
    h32, _ = locus.pytorch.torch_hessian(model, x, y, loss_fn, dtype=torch.float32)
    ev = np.linalg.eigvalsh(h32)
    noise = np.finfo(np.float32).eps * np.abs(ev).max()
    undecided = int(np.sum(np.abs(ev) <= noise))
    sign = "saddle" if ev.min() < -noise else ("minimum" if undecided == 0 else "undecided")
    print(f"float32 Hessian (what PyHessian/BackPACK see): eigenvalues {np.array2string(ev, precision=3)}")
    print(f"  resolution ε32·‖H‖ = {noise:.1e}: {undecided} eigenvalue(s) of undetermined sign "
          f"-> a float tool says: {sign}")

    p = locus.pytorch.from_sequential(model, x, y, loss_fn)
    refined, rep = locus.refine(p, digits=60)
    if refined is None:
        print(f"locus refine: {rep['status']}: {rep['reason']}")
        return None
    print(f"locus refine: {rep['status']} in {rep['arithmetic']}: ‖∇L‖ <= "
          f"{rep['gradient_norm_bound']} (Arb balls at the exact refined point), moved "
          f"{np.abs(refined.point - p.point).max():.1e} from PyTorch's weights")
    c = locus.classify(refined)
    spec = locus.spectrum(refined, arithmetic="ball:256")
    inertia = c["inertia"]
    if inertia is None:  # an ε-cluster, not proved zeros
        cl = c["cluster"] or {"positive": "?", "negative": "?", "size": "?", "epsilon": "?"}
        print(f"locus classify: {c['kind']} ({'certified' if c['certified'] else 'evidence'}, "
              f"{c['arithmetic']}, {c['stationarity']}), (n+, n-) = ({cl['positive']}, "
              f"{cl['negative']}) and {cl['size']} eigenvalue(s) in |λ| <= {cl['epsilon']}")
        return c
    print(f"locus classify: {c['kind']} ({'certified' if c['certified'] else 'evidence'}, "
          f"{c['arithmetic']}), inertia (n+, n-, n0) = ({inertia['positive']}, "
          f"{inertia['negative']}, {inertia['zero']})")
    existence = c["certificate"].get("existence")
    if existence and existence.get("proved"):
        print(f"  a true critical point exists within max-norm {existence['radius']} "
              f"({existence['method']})")
    print(f"  smallest eigenvalues (Arb balls): {', '.join(spec['eigenvalues'][:3])}")
    # the cluster's bounds, when the certificate has them (the zero count is then a cluster's)
    if "epsilon" in spec and "delta" in spec and inertia["zero"]:
        print(f"  certified null-space dimension {inertia['zero']}: |λ| <= {spec['epsilon']} for "
              f"the cluster, every other |λ| >= {spec['delta']}")
    return c


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=2, help="seed of the data and the initialisation")
    args = ap.parse_args()
    print(f"locus {locus.__version__}, PyTorch {torch.__version__}, seed {args.seed}")
    torch.manual_seed(args.seed)
    x, y = data(args.seed)
    loss_fn = nn.MSELoss()

    model = nn.Sequential(nn.Linear(2, 2), nn.Sigmoid(), nn.Linear(2, 1)).double()
    a = report("A: random initialisation", model, x, y, loss_fn)

    model = nn.Sequential(nn.Linear(2, 2), nn.Sigmoid(), nn.Linear(2, 1)).double()
    with torch.no_grad():  # both hidden units start equal
        model[0].weight[1] = model[0].weight[0]
        model[0].bias[1] = model[0].bias[0]
        model[2].weight[0, 1] = model[2].weight[0, 0]
    b = report("B: symmetric initialisation", model, x, y, loss_fn)
    return 0 if a and b else 1


if __name__ == "__main__":
    sys.exit(main())
