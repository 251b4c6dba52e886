"""Planted faults in user claims: every check below is built on floating-point results (or tries
to borrow the evidence of another computation), however it phrases its answer. None may come out
"proved" (python/tests/test_claims.py runs this file with `python3 -m locus check`)."""

from fractions import Fraction

import numpy as np

import locus
from locus.claims import Claim, Fact, Value, decide


def family(seed):
    """A [1, 1, 1] linear net (x = 1, y = 2) at θ = (1, 1), where the Hessian is 2·I: positive
    definite, so every float check below says "holds"."""
    p = locus.problem([1, 1, 1], "identity", [[1]], [[2]], bias=False)
    return p.with_point([1, 1])


def smallest(p):
    return np.linalg.eigvalsh(locus.hessian(p))[0]


def bare_bool(p):
    return bool(smallest(p) > 0)


def numpy_bool(p):
    return smallest(p) > 0


def decide_float(p):
    return decide(smallest(p), ">", 0)


def decide_bool_constant(p):
    return decide(smallest(p) > 0, "==", True)


def laundered_fraction(p):
    return decide(Fraction(float(smallest(p))), ">", 0)


def rational_then_float(p):
    h = locus.hessian(p.with_point([1, 1]), arithmetic="rational")
    return decide(np.linalg.eigvalsh(h.astype(float))[0], ">", 0)


def string_answer(p):
    return "proved"


def dict_answer(p):
    return {"verdict": "proved", "holds": True}


def forged_fact(p):
    exact = locus.classify(p.with_point([1, 1]), arithmetic="rational")
    return Fact(True, exact.evidence)


def forged_value(p):
    exact = locus.classify(p.with_point([1, 1]), arithmetic="rational")
    return decide(Value(smallest(p), exact.evidence), ">", 0)


def forged_report(p):
    exact = locus.classify(p.with_point([1, 1]), arithmetic="rational")
    fake = locus.Report({"kind": "strict-minimum"}, exact.evidence)
    return decide(fake.value("kind"), "==", "strict-minimum")


def uncertified_report(p):
    # classify in double: the report's evidence is floating point
    return decide(locus.classify(p, arithmetic="double").value("kind"), "==", "strict-minimum")


def and_keyword(p):
    # `and` would drop the first part's evidence: bool(Fact) is an error
    exact = decide(locus.loss(p.with_point([1, 1]), arithmetic="rational"), ">=", 0)
    return exact and decide_float(p)


def mixed_conjunction(p):
    exact = decide(locus.loss(p.with_point([1, 1]), arithmetic="rational"), ">=", 0)
    return exact & decide_float(p)


def ball_plus_float(p):
    b = locus.loss(p.with_point([1, 1]), arithmetic="ball:128")
    return decide(b + smallest(p), ">", 0)


def user_ball(p):
    return decide(locus.Ball(smallest(p)), ">", 0)


CHECKS = [bare_bool, numpy_bool, decide_float, decide_bool_constant, laundered_fraction,
          rational_then_float, string_answer, dict_answer, forged_fact, forged_value,
          forged_report, uncertified_report, and_keyword, mixed_conjunction, ball_plus_float,
          user_ball]

CLAIMS = [Claim(id=f"planted.{c.__name__}", statement="the Hessian is positive definite",
                source="a planted fault", family=family, check=c, instances=1, quick_instances=1)
          for c in CHECKS]
