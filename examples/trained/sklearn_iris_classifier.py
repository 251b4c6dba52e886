#!/usr/bin/env python3
"""scikit-learn's MLPClassifier (tanh, 4 hidden units, softmax output, cross-entropy, alpha 1e-3)
on the standardised iris data set, trained by L-BFGS; then locus.certify from the fitted weights.

    PYTHONPATH=build/python /usr/bin/python3 examples/trained/sklearn_iris_classifier.py [--quick]
"""
from sklearn.datasets import load_iris
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from common import arguments, fit_and_certify

args = arguments(__doc__)
X, y = load_iris(return_X_y=True)
if args.quick:
    X, y = X[::3], y[::3]
X = StandardScaler().fit_transform(X)
est = MLPClassifier(hidden_layer_sizes=(4,), activation="tanh", solver="lbfgs", alpha=1e-3,
                    tol=1e-12, max_iter=5000, random_state=args.seed)
fit_and_certify(est, X, y, args,
                lambda e: f"MLPClassifier L-BFGS, {e.n_iter_} iterations, N = {len(y)}")
