"""A claims file, as a researcher writes one (docs/claims.md, "Write your own claim").

    python3 -m locus check examples/claims/my_claims.py
    python3 -m locus check examples/claims/my_claims.py --claim linear.origin-is-saddle --quick

Four claims about two-layer networks without biases, y = W2 σ(W1 x), squared loss:

* ``linear.origin-is-saddle`` (true, proved exactly): for the identity activation and data with
  XᵀY ≠ 0 the origin is a critical point and a saddle.
* ``tanh.origin-is-saddle`` (true, proved in Arb balls): the same for tanh, where the Hessian at
  the origin has the same off-diagonal block Σ y x.
* ``linear.critical-points-are-minima`` (false, kept with expected="refuted"): "every critical
  point of a deep linear network is a minimum". The origin refutes it; the counterexample file
  is written to --counterexamples and ``locus classify FILE --arithmetic rational`` re-checks it.
* ``tanh.hessian-positive-at-fit`` (a floating-point check, expected="evidence"): the smallest
  eigenvalue of the double Hessian at a fitted point is positive. However it is phrased, a
  statement decided on floats is evidence, never a proof.
"""

from fractions import Fraction

import numpy as np

import locus
from locus.claims import Claim, decide


def data(seed, n0=2, n2=1, samples=4):
    """Small integer data from the seed, with XᵀY ≠ 0."""
    rng = np.random.default_rng(seed)
    while True:
        x = rng.integers(-3, 4, size=(samples, n0))
        y = rng.integers(-3, 4, size=(samples, n2))
        if np.any(x.T @ y != 0):
            return x.tolist(), y.tolist()


def two_layer(seed, activation, hidden=2):
    x, y = data(seed)
    p = locus.problem([2, hidden, 1], activation, x, y, bias=False)
    return p.with_point([0] * ((2 + 1) * hidden))  # the origin


def origin_is_saddle(p, arithmetic):
    report = locus.classify(p, arithmetic=arithmetic)
    return (decide(report.value("critical"), "==", True)
            & decide(report.value("kind"), "==", "saddle"))


def critical_is_minimum(p):
    report = locus.classify(p, arithmetic="rational")
    is_minimum = (decide(report.value("kind"), "==", "strict-minimum")
                  | decide(report.value("kind"), "==", "degenerate-minimum"))
    return ~decide(report.value("critical"), "==", True) | is_minimum


def fitted(seed):
    """A tanh net fitted by gradient descent in double (a nearby minimum, not a proved one)."""
    x, y = data(seed, samples=3)
    rng = np.random.default_rng(1000 + seed)
    theta = rng.normal(size=6)
    p = locus.problem([2, 2, 1], "tanh", x, y, bias=False)
    for _ in range(300):
        g = locus.gradient(p, theta)
        theta = theta - 0.02 * g
    return p.with_point(theta)


def hessian_positive(p):
    smallest = np.linalg.eigvalsh(locus.hessian(p))[0]
    return decide(smallest, ">", 0)  # a numpy float: evidence only


CLAIMS = [
    Claim(id="linear.origin-is-saddle",
          statement="Two-layer linear network, no biases, XᵀY ≠ 0: the origin is a critical point "
                    "and a saddle.",
          source="Baldi & Hornik 1989 (deep linear landscape); here for [2, 2, 1]",
          family=lambda seed: two_layer(seed, "identity"),
          check=lambda p: origin_is_saddle(p, "rational"),
          instances=6, quick_instances=2),
    Claim(id="tanh.origin-is-saddle",
          statement="Two-layer tanh network, no biases, XᵀY ≠ 0: the origin is a critical point "
                    "and a saddle.",
          source="tanh(0) = 0 and tanh'(0) = 1: the Hessian at 0 is the linear network's",
          family=lambda seed: two_layer(seed, "tanh"),
          check=lambda p: origin_is_saddle(p, "ball:128"),
          instances=6, quick_instances=2),
    Claim(id="linear.critical-points-are-minima",
          statement="(False, kept as an expected refutation) Every critical point of a two-layer "
                    "linear network is a local minimum.",
          source="folklore; refuted by the origin (Baldi & Hornik 1989)",
          family=lambda seed: two_layer(seed, "identity"),
          check=critical_is_minimum,
          expected="refuted", instances=3, quick_instances=1),
    Claim(id="tanh.hessian-positive-at-fit",
          statement="At the end of 300 gradient steps the tanh network's Hessian is positive "
                    "definite (checked in double: evidence only).",
          source="an observation, not a theorem",
          family=fitted,
          check=hessian_positive,
          expected="evidence", instances=3, quick_instances=1),
]
