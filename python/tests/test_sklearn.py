"""scikit-learn interop: a fitted MLPRegressor / MLPClassifier imports as the problem whose loss is
the estimator's training objective — locus's loss equals ``loss_`` and its gradient equals the
gradient scikit-learn's L-BFGS solver uses, with and without ``alpha``; exactly over Q where the
activations allow it."""

import unittest
import warnings
from fractions import Fraction

import numpy as np

import locus
import locus.sklearn

try:
    from sklearn.datasets import load_diabetes, load_digits
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier, MLPRegressor
except ImportError:  # pragma: no cover
    MLPRegressor = None


@unittest.skipIf(MLPRegressor is None, "scikit-learn is not installed")
class FromEstimator(unittest.TestCase):
    def fit(self, est, x, y):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return est.fit(x, y)

    def check(self, est, x, y, name, exact=False, objective="loss"):
        p = locus.sklearn.from_estimator(est, x, y, objective=objective)
        loss_sk, grad_sk = locus.sklearn.lbfgs_gradient(est, x, y)
        self.assertEqual(loss_sk, est.loss_)  # the helper reproduces the solver's own value
        perm = locus.sklearn.parameter_indices(p, est)
        loss = locus.loss(p)
        grad = locus.gradient(p)[perm]
        ref = float(locus.loss(p, arithmetic="mpfr:256"))
        rel_loss = abs(loss - loss_sk) / abs(loss_sk)
        rel_grad = np.abs(grad - grad_sk).max() / max(np.abs(grad_sk).max(), 1e-300)
        print(f"  {name} ({objective}): P = {p.num_parameters}, loss_ relative difference "
              f"{rel_loss:.1e} (locus double against MPFR-256 "
              f"{abs(loss - ref) / abs(ref):.1e}), L-BFGS gradient {rel_grad:.1e}")
        with self.subTest(case=name):
            self.assertLessEqual(abs(loss - ref), 1e-14 * abs(ref))
            if p.loss == "binary_cross_entropy":
                # scikit-learn takes log(1 - p) of a rounded logistic p, which loses digits where
                # p is near 1; locus's log(1 + e^f) - y·f does not. Its value is still within
                # 1e-11 of the truth, and never closer than locus's.
                self.assertLessEqual(abs(loss_sk - ref), 1e-11 * abs(ref))
                self.assertLessEqual(abs(loss - ref), abs(loss_sk - ref))
            elif objective == "loss":
                self.assertLessEqual(rel_loss, 1e-14)
            self.assertLessEqual(rel_grad, 1e-12)
            self.assertEqual(p.num_parameters, len(locus.sklearn.packed_parameters(est)))
        if exact:
            # Over Q the loss is exact; scikit-learn's float64 value is within its rounding.
            exact_loss = Fraction(locus.loss(p, arithmetic="rational"))
            self.assertLessEqual(abs(float(exact_loss) - loss_sk), 1e-14 * abs(loss_sk))
        return p

    def test_regressor_matches_loss_and_lbfgs_gradient(self):
        x, y = load_diabetes(return_X_y=True)
        x, y = x[:120], y[:120] / 100
        for act, alpha in (("tanh", 1e-4), ("logistic", 0.0), ("relu", 1e-2),
                           ("identity", 0.3)):
            est = self.fit(MLPRegressor(hidden_layer_sizes=(5,), activation=act, alpha=alpha,
                                        solver="lbfgs", max_iter=60, random_state=0), x, y)
            p = self.check(est, x, y, f"MLPRegressor {act} alpha={alpha}",
                           exact=act in ("relu", "identity"))
            self.assertEqual(Fraction(p.l2), Fraction(alpha) / (2 * len(x)))
            self.assertEqual(p.l2_scope, "weights")
        # two outputs, two hidden layers
        y2 = np.stack([y, np.sin(y)], axis=1)
        est = self.fit(MLPRegressor(hidden_layer_sizes=(4, 3), activation="tanh", alpha=1e-3,
                                    solver="lbfgs", max_iter=40, random_state=1), x, y2)
        # With 2 outputs scikit-learn's gradient is not the gradient of its loss_: objective
        # "loss" matches loss_, objective "lbfgs" matches the gradient (and not loss_).
        p = locus.sklearn.from_estimator(est, x, y2)
        _, grad_sk = locus.sklearn.lbfgs_gradient(est, x, y2)
        grad = locus.gradient(p)[locus.sklearn.parameter_indices(p, est)]
        self.assertGreater(np.abs(grad - grad_sk).max(), 1e-3 * np.abs(grad_sk).max())
        self.assertLessEqual(abs(locus.loss(p) - est.loss_), 1e-14 * est.loss_)
        q = self.check(est, x, y2, "MLPRegressor tanh (4, 3), 2 outputs", objective="lbfgs")
        self.assertEqual(q.loss_scale, "1")

    def test_classifier_matches_loss_and_lbfgs_gradient(self):
        x, y = load_digits(return_X_y=True)
        x, y = x[:150] / 16, y[:150]
        multi = self.fit(MLPClassifier(hidden_layer_sizes=(6,), activation="tanh", alpha=1e-4,
                                       solver="lbfgs", max_iter=50, random_state=0), x, y)
        p = self.check(multi, x, y, "MLPClassifier 10 classes (softmax)")
        self.assertEqual(p.loss, "cross_entropy")
        binary = self.fit(MLPClassifier(hidden_layer_sizes=(5,), activation="relu", alpha=1e-3,
                                        solver="lbfgs", max_iter=50, random_state=0),
                          x, y % 2)
        p = self.check(binary, x, y % 2, "MLPClassifier binary (logistic)")
        self.assertEqual(p.loss, "binary_cross_entropy")
        labels = np.stack([y % 2, (y > 4).astype(int)], axis=1)
        multilabel = self.fit(MLPClassifier(hidden_layer_sizes=(5,), activation="logistic",
                                            alpha=0.0, solver="lbfgs", max_iter=50,
                                            random_state=0), x, labels)
        p = self.check(multilabel, x, labels, "MLPClassifier multilabel (2 logistic outputs)")
        self.assertEqual(p.widths[-1], 2)

    def test_refusals(self):
        with self.assertRaises(ValueError) as e:
            locus.sklearn.from_estimator(MLPRegressor(), np.zeros((3, 2)), np.zeros(3))
        self.assertIn("not fitted", str(e.exception))
        x, y = load_diabetes(return_X_y=True)
        est = self.fit(MLPRegressor(hidden_layer_sizes=(3,), solver="lbfgs", max_iter=5,
                                    random_state=0), x[:20], y[:20])
        with self.assertRaises(ValueError) as e:
            locus.sklearn.from_estimator(est, x[:20, :4], y[:20])
        self.assertIn("expected (N, 10)", str(e.exception))
        with self.assertRaises(ValueError):
            locus.sklearn.from_estimator(object(), x, y)


if __name__ == "__main__":
    unittest.main()
