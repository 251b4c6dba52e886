#!/usr/bin/env python3
"""scikit-learn's MLPClassifier (tanh, 4 hidden units, softmax output, cross-entropy, alpha 1e-3)
on the standardised iris data set, trained by L-BFGS; then locus.certify from the fitted weights.

    PYTHONPATH=build/python /usr/bin/python3 examples/trained/sklearn_iris_classifier.py [--quick]
"""
import warnings

from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from common import arguments, certify_and_report

import locus.sklearn

args = arguments(__doc__)
X, y = load_iris(return_X_y=True)
if args.quick:
    X, y = X[::3], y[::3]
X = StandardScaler().fit_transform(X)
est = MLPClassifier(hidden_layer_sizes=(4,), activation="tanh", solver="lbfgs", alpha=1e-3,
                    tol=1e-12, max_iter=5000, random_state=args.seed)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    est.fit(X, y)
problem = locus.sklearn.from_estimator(est, X, y)
certify_and_report(problem, args,
                   f"MLPClassifier L-BFGS, {est.n_iter_} iterations, N = {len(y)}")
