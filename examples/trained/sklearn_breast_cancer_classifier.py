#!/usr/bin/env python3
"""scikit-learn's MLPClassifier with two classes (a logistic output, binary cross-entropy) and 3
tanh hidden units, no weight decay, on the standardised breast-cancer data set, trained by L-BFGS;
then locus.certify. Without weight decay a network that separates its training data has no
critical point to head for: the weights grow without bound while the loss falls towards 0.

    PYTHONPATH=build/python /usr/bin/python3 examples/trained/sklearn_breast_cancer_classifier.py
    ... --quick    (the first 120 samples)
"""
import warnings

from sklearn.datasets import load_breast_cancer
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from common import arguments, certify_and_report

import locus.sklearn

args = arguments(__doc__)
X, y = load_breast_cancer(return_X_y=True)
if args.quick:
    X, y = X[:120], y[:120]
X = StandardScaler().fit_transform(X)
est = MLPClassifier(hidden_layer_sizes=(3,), activation="tanh", solver="lbfgs", alpha=0.0,
                    tol=1e-12, max_iter=300, random_state=args.seed)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    est.fit(X, y)
problem = locus.sklearn.from_estimator(est, X, y)
certify_and_report(problem, args,
                   f"MLPClassifier L-BFGS, {est.n_iter_} iterations, N = {len(y)}")
