#!/usr/bin/env python3
"""A PyTorch [64, 4, 10] tanh network on the first 200 of scikit-learn's 8×8 digits,
CrossEntropyLoss, a few hundred Adam steps with weight decay 1e-3 (‖∇L‖ ~ 1e-3); then
locus.pytorch.certify(model, X, y, loss, weight_decay): from the trained weights to the critical
point the training was heading for, its existence box and its kind.

    PYTHONPATH=build/python /usr/bin/python3 examples/trained/pytorch_digits.py [--quick]
"""
import torch
import torch.nn as nn
from sklearn.datasets import load_digits

from common import arguments, certify_and_report

import locus.pytorch

args = arguments(__doc__)
n, steps, wd = (100, 150, 1e-3) if args.quick else (200, 300, 1e-3)
x, y = load_digits(return_X_y=True)
x, y = torch.tensor(x[:n] / 16), torch.tensor(y[:n])
torch.manual_seed(args.seed)
model = nn.Sequential(nn.Linear(64, 4), nn.Tanh(), nn.Linear(4, 10)).double()
opt = torch.optim.Adam(model.parameters(), lr=0.01, weight_decay=wd)
for _ in range(steps):
    opt.zero_grad()
    nn.CrossEntropyLoss()(model(x), y).backward()
    opt.step()
problem = locus.pytorch.from_sequential(model, x, y, nn.CrossEntropyLoss(), weight_decay=wd)
certify_and_report(problem, args, f"Adam, {steps} steps, weight decay {wd}, N = {n}")
