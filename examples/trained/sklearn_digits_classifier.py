#!/usr/bin/env python3
"""scikit-learn's MLPClassifier (tanh, 3 hidden units, softmax, alpha 1e-2) on the first 200 of
the 8×8 digits (P = 235), trained by Adam for a few hundred epochs; then locus.certify.

    PYTHONPATH=build/python /usr/bin/python3 examples/trained/sklearn_digits_classifier.py
    ... --quick    (the first 100 digits)
"""
import warnings

from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from common import arguments, certify_and_report

import locus.sklearn

args = arguments(__doc__)
n = 100 if args.quick else 200
X, y = load_digits(return_X_y=True)
X, y = X[:n] / 16, y[:n]
est = MLPClassifier(hidden_layer_sizes=(3,), activation="tanh", solver="adam", alpha=1e-2,
                    learning_rate_init=0.01, max_iter=300, random_state=args.seed)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    est.fit(X, y)
problem = locus.sklearn.from_estimator(est, X, y)
certify_and_report(problem, args, f"MLPClassifier Adam, {est.n_iter_} epochs, N = {n}")
