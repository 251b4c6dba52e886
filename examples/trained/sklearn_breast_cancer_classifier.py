#!/usr/bin/env python3
"""scikit-learn's MLPClassifier with two classes (a logistic output, binary cross-entropy) and 3
tanh hidden units, no weight decay, on the standardised breast-cancer data set, trained by L-BFGS;
then locus.certify. Without weight decay a network that separates its training data has no
critical point to head for: the weights grow without bound while the loss falls towards 0.

    PYTHONPATH=build/python /usr/bin/python3 examples/trained/sklearn_breast_cancer_classifier.py
    ... --quick    (the first 120 samples)
"""
from sklearn.datasets import load_breast_cancer
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from common import arguments, fit_and_certify

args = arguments(__doc__)
X, y = load_breast_cancer(return_X_y=True)
if args.quick:
    X, y = X[:120], y[:120]
X = StandardScaler().fit_transform(X)
est = MLPClassifier(hidden_layer_sizes=(3,), activation="tanh", solver="lbfgs", alpha=0.0,
                    tol=1e-12, max_iter=300, random_state=args.seed)
fit_and_certify(est, X, y, args,
                lambda e: f"MLPClassifier L-BFGS, {e.n_iter_} iterations, N = {len(y)}")
