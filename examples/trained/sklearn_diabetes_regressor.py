#!/usr/bin/env python3
"""scikit-learn's MLPRegressor (tanh, 6 hidden units) on the first 150 samples of the diabetes data
set that ships with scikit-learn, trained by L-BFGS with tol 1e-14; then locus.certify from the
fitted weights: the gradient flow to the critical point the training was heading for (or to
infinity, naming the saturating units), Newton in MPFR, the existence proof and the kind.

    PYTHONPATH=build/python /usr/bin/python3 examples/trained/sklearn_diabetes_regressor.py
    ... --quick    (60 samples)

The objective is sklearn's own: ½·mean squared error + alpha/(2N)·Σ‖W‖² (locus.sklearn).
"""
from sklearn.datasets import load_diabetes
from sklearn.neural_network import MLPRegressor

from common import arguments, fit_and_certify

args = arguments(__doc__)
n = 60 if args.quick else 150
X, y = load_diabetes(return_X_y=True)
X, y = X[:n], y[:n]
est = MLPRegressor(hidden_layer_sizes=(6,), activation="tanh", solver="lbfgs", tol=1e-14,
                   max_iter=20000, random_state=args.seed)
fit_and_certify(est, X, y, args,
                lambda e: f"MLPRegressor L-BFGS, {e.n_iter_} iterations, N = {n}")
