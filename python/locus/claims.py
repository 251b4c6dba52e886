"""Claims about critical points written in Python, checked by the runner of ``locus check``.

A claim is an id, a statement, a source, a seeded instance family and a check::

    import locus
    from locus.claims import Claim, decide

    def family(seed):                 # anything the check needs, from the seed alone
        return locus.problem(...)

    def check(p):                     # a Fact, decided from values locus computed
        h = locus.hessian(p, arithmetic="rational")
        return decide(h[0, 0], ">", 0)

    CLAIMS = [Claim(id="mine.positive-corner", statement="...", source="...",
                    family=family, check=check)]

and ``python3 -m locus check FILE.py`` runs every ``Claim`` the file defines (docs/claims.md,
"Write your own claim").

How sure a verdict is comes from the values it was decided on, never from how the check phrases
its answer:

* ``decide(a, op, b)`` compares two values. Values locus computed in ``rational`` arithmetic
  (``locus.Exact``) and balls locus computed (``locus.Ball``), and values derived from them by
  + - * / with ints and Fractions, are rigorous: the comparison is decided exactly or by
  enclosure, or left undecided when the balls overlap. Floats, numpy floats and mpmath numbers
  are floating point: the comparison is made, but it is evidence only. ints, bools, strings and
  plain Fractions are constants of the statement and prove nothing by themselves.
* ``report.value(key)`` (``locus.classify`` and ``locus.spectrum`` return ``locus.Report``)
  is a report's field with the report's evidence: it proves only when the report's verdict is
  certified.
* Facts combine with ``&``, ``|``, ``~``, ``all_of`` and ``any_of`` (a conjunction is as strong
  as its weakest true part; one certified false part refutes it). ``bool(fact)`` is an error,
  so that ``and``/``or`` cannot drop a part.
* A check that returns a bare ``bool`` (or a numpy bool) gives evidence at most; ``None`` or any
  other object leaves the instance undecided.

The verdict of a claim then follows the rules of ``locus check``: ``proved`` when every instance
held with exact or enclosure evidence, ``refuted`` when one instance is certifiably violated (its
problem is written to ``--counterexamples DIR``), ``evidence`` when floating point was involved,
``inconclusive`` when an instance was not decided.
"""

from fractions import Fraction
import math as _math
import numbers as _numbers

import numpy as _np

try:
    import mpmath as _mpmath
except ImportError:  # pragma: no cover - a Debian package locus installs
    _mpmath = None

from . import _locus
from ._locus import Evidence, Problem

__all__ = ["Claim", "Fact", "Value", "decide", "all_of", "any_of", "holds_for_every",
           "run", "load_claims", "search"]

_EXPECTED = ("proved", "refuted", "evidence", "inconclusive")


# Facts and Values carry evidence; only this module makes them (from locus's own results), so a
# check cannot attach the evidence of one computation to a statement of its own.
_INTERNAL = object()


class Value:
    """A value with the evidence of the computation that produced it (``report.value(key)``;
    not constructed by checks). Indexing keeps the evidence:
    ``report.value("inertia")["zero"]``."""

    __slots__ = ("value", "evidence", "label")

    def __init__(self, value, evidence, _token=None, label=""):
        if _token is not _INTERNAL:
            raise TypeError("locus.claims.Value is made by locus (report.value(key)), not by a "
                            "check")
        self.value = value
        self.evidence = evidence
        self.label = label

    def __getitem__(self, key):
        v = self.value[key]
        return Value(tuple(v) if isinstance(v, list) else v, self.evidence, _INTERNAL,
                     f"{self.label}[{key!r}]")

    def __repr__(self):
        return f"locus.claims.Value({self.value!r}, {self.evidence!r})"

    def __bool__(self):
        raise TypeError("a locus.claims.Value has no truth value: compare it with decide()")


def _floating(bits=53):
    return _locus._evidence_float(int(bits))


class Fact:
    """A decided (or undecided) statement about one instance, with the evidence it rests on.

    ``holds``: True, False, or None (undecided). ``evidence``: a ``locus.Evidence``. ``margin``:
    the distance from the boundary (inf when exact). ``detail``: what was compared.
    ``counterexample``: the problem to write when the fact refutes the claim (default: the
    instance, when it is a ``locus.Problem``)."""

    __slots__ = ("holds", "evidence", "margin", "detail", "counterexample")

    def __init__(self, holds, evidence, margin=_math.inf, detail="", counterexample=None,
                 _token=None):
        if _token is not _INTERNAL:
            raise TypeError("a locus.claims.Fact comes from decide(), report.value() and their "
                            "combinations, not from a constructor")
        if holds not in (True, False, None):
            raise TypeError("Fact.holds is True, False or None")
        self.holds = holds
        self.evidence = evidence
        self.margin = float(margin)
        self.detail = str(detail)
        self.counterexample = counterexample

    @property
    def proves(self):
        """True when the fact is decided and its evidence is exact or an enclosure."""
        return self.holds is not None and self.evidence.proves

    def about(self, detail=None, counterexample=None):
        """The same fact with a detail text and/or the counterexample problem to write."""
        f = _fact(self.holds, self.evidence, self.margin, self.detail, self.counterexample)
        if detail is not None:
            f.detail = str(detail)
        if counterexample is not None:
            if not isinstance(counterexample, Problem):
                raise TypeError("counterexample must be a locus.Problem")
            f.counterexample = counterexample
        return f

    def __invert__(self):
        return _fact(None if self.holds is None else not self.holds, self.evidence, self.margin,
                    f"not ({self.detail})", self.counterexample)

    def __and__(self, other):
        return all_of([self, other])

    def __or__(self, other):
        return any_of([self, other])

    def __bool__(self):
        raise TypeError("a locus.claims.Fact has no truth value (and/or would drop a part's "
                        "evidence): combine facts with &, |, ~, all_of or any_of")

    def __repr__(self):
        state = {True: "holds", False: "violated", None: "undecided"}[self.holds]
        return (f"locus.claims.Fact({state}, {self.evidence.rigour} ({self.evidence.arithmetic}), "
                f"{self.detail!r})")


def _fact(holds, evidence, margin=_math.inf, detail="", counterexample=None):
    return Fact(holds, evidence, margin, detail, counterexample, _INTERNAL)


def _join(facts, sep):
    return sep.join(f.detail for f in facts if f.detail)


def _strongest(facts):
    best = facts[0]
    for f in facts[1:]:
        if f.evidence.proves and not best.evidence.proves:
            best = f
    return best


def _weakest(facts):
    e = facts[0].evidence
    for f in facts[1:]:
        e = e.weakest(f.evidence)
    return e


def all_of(facts):
    """The conjunction. Violated when some part is violated (with the strongest violated part's
    evidence: one certified violation refutes), holds when every part holds (with the weakest
    evidence, the smallest margin), undecided otherwise."""
    facts = [_as_fact(f) for f in facts]
    if not facts:
        raise ValueError("all_of needs at least one fact")
    false = [f for f in facts if f.holds is False]
    if false:
        f = _strongest(false)
        return _fact(False, f.evidence, f.margin, f.detail, f.counterexample)
    if any(f.holds is None for f in facts):
        undecided = [f for f in facts if f.holds is None]
        return _fact(None, _weakest(facts), 0, _join(undecided, "; "))
    return _fact(True, _weakest(facts), min(f.margin for f in facts), _join(facts, " and "))


def any_of(facts):
    """The disjunction: holds when some part holds (the strongest), violated when every part is
    violated (weakest evidence), undecided otherwise."""
    facts = [_as_fact(f) for f in facts]
    if not facts:
        raise ValueError("any_of needs at least one fact")
    true = [f for f in facts if f.holds is True]
    if true:
        f = _strongest(true)
        return _fact(True, f.evidence, f.margin, f.detail)
    if any(f.holds is None for f in facts):
        undecided = [f for f in facts if f.holds is None]
        return _fact(None, _weakest(facts), 0, _join(undecided, "; "))
    f = facts[0]
    return _fact(False, _weakest(facts), 0, "none of: " + _join(facts, "; "), f.counterexample)


def holds_for_every(items, predicate):
    """all_of(predicate(x) for x in items), stopping at the first certified violation."""
    facts = []
    for x in items:
        f = _as_fact(predicate(x))
        facts.append(f)
        if f.holds is False and f.evidence.proves:
            break
    return all_of(facts)


def _as_fact(f):
    if isinstance(f, Fact):
        return f
    if isinstance(f, Value) and isinstance(f.value, (bool, _np.bool_)):
        return _fact(bool(f.value), f.evidence, _math.inf, "a reported flag")
    if isinstance(f, (bool, _np.bool_)):
        return _fact(bool(f), _floating(), 0,
                    "the check returned a bare bool: evidence only (decide() on locus values "
                    "proves)")
    raise TypeError(f"expected a locus.claims.Fact, got {type(f).__name__} {f!r}")


# ---- decide: comparisons whose rigour comes from the operands ------------------------------------

_OPS = ("<", "<=", ">", ">=", "==", "!=")


def _operand(x):
    """(kind, payload, evidence) with kind "rigorous" (payload: exact Fraction bounds (lo, hi) or,
    for non-numbers, the value), "constant" or "floating" (payload: a float or the value)."""
    from . import Ball, Exact
    if isinstance(x, Value):
        v = x.value
        if isinstance(v, (bool, int, Fraction)) and not isinstance(v, bool):
            return ("rigorous" if x.evidence.proves else "floating",
                    (Fraction(v), Fraction(v)) if x.evidence.proves else float(v), x.evidence)
        if isinstance(v, float):
            return ("floating", v, x.evidence)
        return ("rigorous" if x.evidence.proves else "floating", v, x.evidence)
    if isinstance(x, Exact):
        f = Fraction(x)
        return ("rigorous", (f, f), _locus._evidence_exact())
    if isinstance(x, Ball):
        if x.computed:
            return ("rigorous", (x.lower, x.upper), _locus._evidence_ball(int(x.prec)))
        return ("floating", float(x.mid), _floating(x.prec))
    if isinstance(x, (bool, int, _np.integer, _np.bool_)):
        return ("constant", Fraction(int(x)), None)
    if isinstance(x, Fraction):
        return ("constant", x, None)
    if isinstance(x, _np.floating):
        return ("floating", float(x), _floating(_np.finfo(type(x)).nmant + 1))
    if isinstance(x, float):
        return ("floating", x, _floating())
    if _mpmath is not None and isinstance(x, _mpmath.mpf):  # floating, at its precision
        return ("floating", float(x), _floating(max(53, int(x.man).bit_length())))
    if isinstance(x, (str, tuple, dict)):
        return ("constant", x, None)
    if isinstance(x, _numbers.Real):
        return ("floating", float(x), _floating())
    raise TypeError(f"decide: cannot compare a {type(x).__name__} ({x!r})")


def _is_bounds(payload):
    return (isinstance(payload, tuple) and len(payload) == 2
            and all(isinstance(v, Fraction) for v in payload))


def _interval(kind, payload):
    if kind == "rigorous":
        return payload if _is_bounds(payload) else None
    if kind == "constant" and isinstance(payload, Fraction):
        return (payload, payload)
    return None


def _compare_intervals(a, op, b):
    (al, au), (bl, bu) = a, b
    if op == "<":
        return True if au < bl else False if al >= bu else None
    if op == "<=":
        return True if au <= bl else False if al > bu else None
    if op == ">":
        return _compare_intervals(b, "<", a)
    if op == ">=":
        return _compare_intervals(b, "<=", a)
    equal = True if (al == au == bl == bu) else False if (au < bl or bu < al) else None
    if op == "==":
        return equal
    return None if equal is None else not equal


def _compare_values(a, op, b):
    if op == "==":
        return a == b
    if op == "!=":
        return a != b
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]


def decide(a, op, b=0, *, detail=None):
    """The Fact "a op b" (op one of < <= > >= == !=), decided as rigorously as the operands allow.

    Exact values locus computed (``locus.Exact``) decide exactly; balls locus computed
    (``locus.Ball``) decide by enclosure (undecided when they overlap); a float, numpy float or
    mpmath number among the operands makes the comparison floating point (evidence only); with
    no value computed by locus at all the fact is evidence only. ``report.value(key)`` operands
    carry their report's evidence."""
    if op not in _OPS:
        raise ValueError(f"decide: operator {op!r}: expected one of {', '.join(_OPS)}")
    ka, pa, ea = _operand(a)
    kb, pb, eb = _operand(b)
    text = detail if detail is not None else f"{_show(a)} {op} {_show(b)}"
    evidences = [e for e in (ea, eb) if e is not None]
    if "floating" in (ka, kb) or "rigorous" not in (ka, kb):
        # floating point somewhere, or nothing locus computed: evidence only
        ev = _floating()
        for e in evidences:
            ev = ev.weakest(e)
        xa = _as_float(ka, pa)
        xb = _as_float(kb, pb)
        holds = bool(_compare_values(xa, op, xb))
        margin = abs(xa - xb) if isinstance(xa, float) and isinstance(xb, float) else 0.0
        return _fact(holds, ev, margin, text)
    ev = evidences[0]
    for e in evidences[1:]:
        ev = ev.weakest(e)
    ia, ib = _interval(ka, pa), _interval(kb, pb)
    if ia is not None and ib is not None:
        holds = _compare_intervals(ia, op, ib)
        if holds is None:
            return _fact(None, ev, 0, f"{text}: the enclosures overlap")
        if op in ("==", "!="):
            margin = _math.inf if ia[0] == ia[1] and ib[0] == ib[1] else \
                float(max(ib[0] - ia[1], ia[0] - ib[1], 0))
        else:
            margin = float(max(ib[0] - ia[1], ia[0] - ib[1], 0))
        return _fact(holds, ev, margin, text)
    # non-numeric reported values (a kind, an inertia): equality only
    if op not in ("==", "!="):
        raise TypeError(f"decide: {op!r} needs numbers, got {_show(a)} and {_show(b)}")
    va = pa if ia is None else ia[0]
    vb = pb if ib is None else ib[0]
    return _fact(bool(_compare_values(_plain(va), op, _plain(vb))), ev, _math.inf, text)


def _plain(v):
    if isinstance(v, list):
        return tuple(v)
    return v


def _as_float(kind, payload):
    if kind == "rigorous" and _is_bounds(payload):
        return float((payload[0] + payload[1]) / 2)
    if isinstance(payload, Fraction):
        return float(payload)
    return payload


def _show(x):
    if isinstance(x, Value):
        return f"{x.label} {x.value!r}" if x.label else repr(x.value)
    s = str(x)
    return s if len(s) <= 40 else s[:37] + "..."


# ---- claims and the runner -------------------------------------------------------------------------

class Claim:
    """A claim written in Python.

    id: a short unique name ("mine.saddle-count"); statement: the sentence checked; source: the
    paper and section; family(seed) -> instance: anything the check needs, a deterministic
    function of the seed (a ``locus.Problem`` instance is written as the counterexample when the
    claim is refuted on it); check(instance) -> Fact; expected: the verdict that makes the claim
    pass ("proved", or "refuted" for a false statement kept on purpose); instances /
    quick_instances: how many seeds (instance k uses seed + k)."""

    def __init__(self, id, statement, source, family, check, *, expected="proved", instances=10,
                 quick_instances=2, margin=None, polish=None):
        if not isinstance(id, str) or not id:
            raise ValueError("Claim(id=...): a non-empty string")
        if expected not in _EXPECTED:
            raise ValueError(f"Claim {id}: expected={expected!r}: one of {', '.join(_EXPECTED)}")
        if not callable(family) or not callable(check):
            raise TypeError(f"Claim {id}: family and check must be callables")
        if int(instances) < 1 or int(quick_instances) < 1:
            raise ValueError(f"Claim {id}: instances and quick_instances must be >= 1")
        if margin is not None and not callable(margin):
            raise TypeError(f"Claim {id}: margin must be a callable Problem -> float")
        if polish is not None and polish != "critical-point" and not callable(polish):
            raise TypeError(f"Claim {id}: polish is None, \"critical-point\" or a callable "
                            "Problem -> Problem (or None when it fails)")
        self.id = id
        self.statement = str(statement)
        self.source = str(source)
        self.family = family
        self.check = check
        self.expected = expected
        self.instances = int(instances)
        self.quick_instances = int(quick_instances)
        self.margin = margin
        self.polish = polish

    def run_instance(self, seed):
        """One instance: the Fact for family(seed)."""
        instance = self.family(int(seed))
        fact = _as_fact(self.check(instance))
        if fact.counterexample is None and isinstance(instance, Problem):
            fact = fact.about(counterexample=instance)
        return fact

    def _runner(self):
        def run_one(seed, quick):
            try:
                instance = self.family(int(seed))
                result = self.check(instance)
            except Exception as e:  # the instance is undecided, with the message
                return (False, False, _floating(), 0.0, f"{type(e).__name__}: {e}", None)
            if result is None:
                return (False, False, _floating(), 0.0, "the check returned None", None)
            try:
                fact = _as_fact(result)
            except TypeError as e:
                return (False, False, _floating(), 0.0, str(e), None)
            if fact.holds is None:
                return (False, False, fact.evidence, 0.0, fact.detail or "undecided", None)
            ce = fact.counterexample
            if ce is None and isinstance(instance, Problem):
                ce = instance
            detail = fact.detail if fact.holds else f"violated: {fact.detail}"
            return (True, bool(fact.holds), fact.evidence, fact.margin, detail,
                    ce if not fact.holds else None)
        return run_one

    def _search_spec(self):
        """The claim as a search space (locus.search): the family's problems, the margin (by
        default the check's own answer: −1 when violated, +1 otherwise; floating point steers
        only) and the check as the certified test."""
        def certify(problem):
            fact = _as_fact(self.check(problem))
            if fact.holds is None:
                return (False, False, fact.evidence, 0.0, fact.detail or "undecided", None)
            ce = fact.counterexample if fact.counterexample is not None else problem
            detail = fact.detail if fact.holds else f"violated: {fact.detail}"
            return (True, bool(fact.holds), fact.evidence, fact.margin, detail,
                    None if fact.holds else ce)

        def default_margin(problem):
            fact = _as_fact(self.check(problem))
            return -1.0 if fact.holds is False else 1.0

        return {"id": self.id, "statement": self.statement,
                "family": f"the family of {self.id} (seeded)",
                "sample": lambda seed: self.family(int(seed)),
                "margin": self.margin or default_margin, "certify": certify,
                "polish": self.polish}

    def __repr__(self):
        return f"locus.claims.Claim({self.id!r})"


def load_claims(path):
    """The Claim objects a Python file defines (its CLAIMS list when present, otherwise every
    module-level Claim, in definition order)."""
    import importlib.util
    import os
    import sys
    name = "locus_user_claims_" + os.path.splitext(os.path.basename(path))[0].replace("-", "_")
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise FileNotFoundError(f"{path}: not a Python file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    claims = getattr(module, "CLAIMS", None)
    if claims is None:
        claims = [v for v in vars(module).values() if isinstance(v, Claim)]
    claims = list(claims)
    for c in claims:
        if not isinstance(c, Claim):
            raise TypeError(f"{path}: CLAIMS holds a {type(c).__name__}, not a locus.claims.Claim")
    ids = [c.id for c in claims]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        raise ValueError(f"{path}: claim ids used twice: {', '.join(sorted(dup))}")
    return claims


def _matches(cid, pattern):
    return cid.startswith(pattern[:-1]) if pattern.endswith("*") else cid == pattern


def run(claims, *, select=None, quick=False, seed=0, counterexamples="counterexamples",
        progress=None):
    """Runs claims by the runner of ``locus check``. Returns (report dict as ``--json`` writes it,
    the table text, the JUnit XML, every verdict as expected)."""
    import json
    claims = list(claims)
    if select:
        chosen = [c for c in claims if any(_matches(c.id, p) for p in select)]
        if not chosen:
            raise ValueError(f"no claim matches --claim {', '.join(select)}; the file defines "
                             f"{', '.join(c.id for c in claims) or 'none'}")
        claims = chosen
    if not claims:
        raise ValueError("no claims to run")
    specs = [{"id": c.id, "statement": c.statement, "source": c.source, "expected": c.expected,
              "instances": c.instances, "quick_instances": c.quick_instances,
              "run": c._runner()} for c in claims]
    report, table, junit, ok = _locus._run_claims(specs, int(seed), bool(quick),
                                                  str(counterexamples or ""), progress)
    return json.loads(report), table, junit, ok


def search(claim, budget=60, *, seed=0, restarts=40, optimiser_runs=3, evaluations=200,
           target_margin=1e-3, shrink=True, shrink_seconds=60, max_denominator=256,
           progress=None):
    """A counterexample search (docs/search.md): ``claim`` is a registered claim's id (``locus
    search --list``) or a ``Claim`` whose family returns problems. ``budget``: seconds for the
    restarts and the optimiser (shrinking has ``shrink_seconds`` more). Returns (counterexample
    ``locus.Problem`` or None, the report of ``locus search --json``: "found", "budget", "log",
    "violation", "seconds_to_find", "shrink_steps", ...). Only the claim's check certifies: a
    Claim whose check decides on floats finds no counterexample, however low its margin."""
    import json
    spec = claim if isinstance(claim, str) else claim._search_spec()
    if not isinstance(claim, (str, Claim)):
        raise TypeError("locus.search(claim): a claim id or a locus.claims.Claim")
    text, ce = _locus._search(spec, int(seed), int(restarts), float(budget), int(optimiser_runs),
                              int(evaluations), float(target_margin), bool(shrink),
                              float(shrink_seconds), int(max_denominator), progress)
    return ce, json.loads(text)
