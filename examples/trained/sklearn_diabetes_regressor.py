#!/usr/bin/env python3
"""scikit-learn's MLPRegressor (tanh, 6 hidden units) on the first 150 samples of the diabetes data
set that ships with scikit-learn, trained by L-BFGS with tol 1e-14; then locus.certify from the
fitted weights: the gradient flow to the critical point the training was heading for (or to
infinity, naming the saturating units), Newton in MPFR, the existence proof and the kind.

    PYTHONPATH=build/python /usr/bin/python3 examples/trained/sklearn_diabetes_regressor.py
    ... --quick    (60 samples)

The objective is sklearn's own: ½·mean squared error + alpha/(2N)·Σ‖W‖² (locus.sklearn).
"""
import warnings

from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPRegressor

from common import arguments, certify_and_report

import locus.sklearn

args = arguments(__doc__)
n = 60 if args.quick else 150
X, y = load_diabetes(return_X_y=True)
X, y = X[:n], y[:n]
est = MLPRegressor(hidden_layer_sizes=(6,), activation="tanh", solver="lbfgs", tol=1e-14,
                   max_iter=20000, random_state=args.seed)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    est.fit(X, y)
problem = locus.sklearn.from_estimator(est, X, y)
certify_and_report(problem, args, f"MLPRegressor L-BFGS, {est.n_iter_} iterations, N = {n}")
