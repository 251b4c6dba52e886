#!/usr/bin/env python3
"""scikit-learn's MLPClassifier (tanh, 3 hidden units, softmax, alpha 1e-2) on the first 200 of
the 8×8 digits (P = 235), trained by Adam for a few hundred epochs; then locus.certify.

    PYTHONPATH=build/python /usr/bin/python3 examples/trained/sklearn_digits_classifier.py
    ... --quick    (the first 100 digits)
"""
from sklearn.datasets import load_digits
from sklearn.neural_network import MLPClassifier

from common import arguments, fit_and_certify

args = arguments(__doc__)
n = 100 if args.quick else 200
X, y = load_digits(return_X_y=True)
X, y = X[:n] / 16, y[:n]
est = MLPClassifier(hidden_layer_sizes=(3,), activation="tanh", solver="adam", alpha=1e-2,
                    learning_rate_init=0.01, max_iter=300, random_state=args.seed)
fit_and_certify(est, X, y, args,
                lambda e: f"MLPClassifier Adam, {e.n_iter_} epochs, N = {n}")
