"""locus: exact, multiprecision and interval geometry of neural-network loss functions.

A thin layer over the C++ library (the extension ``locus._locus``). Problems are exact: every
number inside is a rational. Results come back as

* numpy float64 arrays (and Python floats) in ``arithmetic="double"``;
* ``fractions.Fraction`` in ``"rational"``;
* ``mpmath.mpf`` in ``"long-double"``, ``"float128"`` and ``"mpfr:BITS"``, each the exact binary
  value the arithmetic computed (at the arithmetic's precision);
* ``locus.Ball`` in ``"ball:BITS"`` (Arb balls, which contain the true value): exact midpoint and
  radius, arithmetic with outward rounding, ``to_mpi()`` for an mpmath interval.

Values cross from C++ as numbers (float64 arrays share the C++ buffer; exact values cross as
integers), never as text.

``spectrum``, ``classify``, ``refine``, ``construct_split`` and ``check`` return the JSON objects of
the corresponding ``locus`` commands (``--json``), as dicts: the same code computes both.
Errors raise ``locus.Error`` (``InvalidArgument``, ``ParseError``, ``UnsupportedScalar``) with the
CLI's message. Long calls release the GIL.

    import locus
    p = locus.load("examples/constructions/g1_small.json")
    H = locus.hessian(p)                          # numpy (P x P)
    Hq = locus.hessian(p, arithmetic="rational")  # object array of Fractions
    print(locus.classify(p)["kind"])
"""

from fractions import Fraction
import json as _json

import numpy as _np

from ._locus import (  # noqa: F401  (re-exported)
    Error,
    Evidence,
    InvalidArgument,
    ParseError,
    Problem,
    UnsupportedScalar,
    __version__,
    load,
    parse,
)
from . import _locus

try:  # optional: multiprecision values as mpmath numbers
    import mpmath as _mpmath
except ImportError:  # pragma: no cover - mpmath is a Debian package we install
    _mpmath = None

__all__ = [
    "Error", "InvalidArgument", "ParseError", "UnsupportedScalar", "Problem", "load", "parse",
    "problem", "loss", "gradient", "hessian", "gauss_newton", "residual_hessian", "jacobian",
    "outputs", "residuals", "evaluate", "spectrum", "classify", "refine", "certify",
    "construct_split", "check", "search", "Ball", "Exact", "Report", "Evidence",
]


# ---- Problem: construction and exact views -------------------------------------------------------

def problem(widths, activation, inputs, targets, *, loss="squared", reduction="sum", bias=True,
            point=None, loss_scale=1, l2=0, l2_scope="all"):
    """A problem from arrays.

    widths: [n_0, ..., n_L]; activation: one name for every hidden layer or a list of one name per
    hidden layer: "sigmoid", "tanh", "softplus", "softplus(β)", "identity", "relu", "gelu",
    "gelu_tanh", "erf" (erf(z/√2)), "silu", "leaky_relu(a)", "elu", "elu(α)" or
    "polynomial[c0, c1, ...]"; bias: one flag or one per weight layer; loss: "squared",
    "cross_entropy" (softmax) or "binary_cross_entropy" (sigmoid, with logits); inputs (N x n_0)
    and targets (N x n_L): numpy float arrays (each entry's exact binary value) or nested lists of
    ints, Fractions, floats or strings ("1/3", "0.1" meaning exactly 1/10); point: P numbers, the
    same way, or None; loss_scale: a positive rational multiplying the loss (e.g. 2/n_L for
    PyTorch's MSELoss(reduction="mean") with reduction="mean"); l2: the exact coefficient c of an
    L2 term c·Σθ² over l2_scope ("all" parameters or the "weights" only), added after the
    reduction and the loss scale. A float loss_scale or l2 enters with its exact binary value, as
    the inputs do (pass "1e-4" or Fraction(1, 10000) for the decimal).
    """
    if point is not None:
        point = _exact_list(point)
    acts = [str(a) for a in activation] if isinstance(activation, (list, tuple)) else [str(activation)]
    flags = [bool(b) for b in bias] if isinstance(bias, (list, tuple)) else [bool(bias)]
    return _locus._from_parts(list(widths), acts, flags, str(loss), str(reduction),
                              str(Fraction(loss_scale)), str(Fraction(l2)), str(l2_scope),
                              _matrix_arg(inputs), _matrix_arg(targets), point)


def _matrix_arg(m):
    if isinstance(m, _np.ndarray):
        if m.dtype.kind == "f" and m.dtype.itemsize <= 8:  # exact in float64
            return _np.ascontiguousarray(m, dtype=_np.float64)
        return [[_entry(x) for x in row] for row in m.tolist()]  # longdouble stays longdouble
    return [[_entry(x) for x in row] for row in m]


def _entry(x):
    """One exact number for the extension: bools, ints and floats (Python or numpy, any width)
    pass as they are and are read exactly; Fractions as p/q; anything else as its text."""
    if isinstance(x, (bool, int, float, _np.floating, _np.integer, _np.bool_)):
        return x.item() if isinstance(x, (_np.integer, _np.bool_)) else x
    if isinstance(x, Fraction):
        return f"{x.numerator}/{x.denominator}"
    return str(x)


def _exact_list(v):
    if isinstance(v, _np.ndarray) and v.dtype.kind == "f" and v.dtype.itemsize <= 8:
        return [float(x) for x in v.ravel()]
    return [_entry(x) for x in (v.ravel().tolist() if isinstance(v, _np.ndarray) else v)]


def _problem_point(self):
    """θ as float64 (nearest to the exact point), or None."""
    t = self._point_text()
    return None if t is None else _np.array([float(Fraction(x)) for x in t])


def _problem_point_exact(self):
    t = self._point_text()
    return None if t is None else [Fraction(x) for x in t]


def _with_point(self, theta):
    """A copy with θ replaced (floats: their exact binary values; or Fractions / strings)."""
    return self._with_point(_exact_list(theta))


Problem.inputs = property(Problem._inputs, doc="The inputs as float64 (nearest); inputs_exact has "
                                                "the Fractions.")
Problem.targets = property(Problem._targets)
Problem.inputs_exact = property(lambda self: [[Fraction(x) for x in r] for r in self._inputs_text()])
Problem.targets_exact = property(
    lambda self: [[Fraction(x) for x in r] for r in self._targets_text()])
Problem.point = property(_problem_point)
Problem.point_exact = property(_problem_point_exact)
Problem.certificate = property(lambda self: self._certificate())
Problem.provenance = property(lambda self: self._provenance())
Problem.with_point = _with_point


# ---- values in each arithmetic -------------------------------------------------------------------

def _is_constant(x):
    """Numbers written into a statement: ints and Fractions (exact, but not computed by locus)."""
    return isinstance(x, (bool, int, Fraction)) and not isinstance(x, Exact)


def _derived_rigorous(a, b):
    """A result of a op b is rigorous when neither is floating point (a float, an mpmath number, a
    ball locus did not compute) and at least one was computed rigorously by locus."""
    def rigorous(x):
        return isinstance(x, Exact) or (isinstance(x, Ball) and x.computed)
    ok = all(rigorous(x) or _is_constant(x) for x in (a, b))
    return ok and (rigorous(a) or rigorous(b))


def _exact_op(name):
    base = getattr(Fraction, name)

    def op(self, other=None):
        r = base(self) if other is None and name in ("__neg__", "__pos__", "__abs__") \
            else base(self, other)
        if isinstance(r, Fraction) and (other is None or _derived_rigorous(self, other)):
            return Exact(r)
        return r
    op.__name__ = name
    return op


class Exact(Fraction):
    """An exact rational that locus computed (``arithmetic="rational"``): a ``fractions.Fraction``
    that remembers it came from an exact computation. + − × ÷ with ints, Fractions and other
    Exact values keep it Exact; anything with a float becomes a float. ``locus.claims.decide``
    treats Exact values as exact evidence and plain Fractions as constants of the statement."""

    __slots__ = ()

    def __new__(cls, numerator=0, denominator=None):
        return super().__new__(cls, numerator, denominator)

    def __repr__(self):
        return f"Exact({self.numerator}, {self.denominator})"


for _name in ("__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__", "__truediv__",
              "__rtruediv__", "__neg__", "__pos__", "__abs__"):
    setattr(Exact, _name, _exact_op(_name))


def _exact_pow(self, other):
    r = Fraction.__pow__(self, other)
    return Exact(r) if isinstance(r, Fraction) and isinstance(other, int) else r


Exact.__pow__ = _exact_pow


class Ball:
    """A rigorous real ball from Arb: the exact real value lies in [mid - rad, mid + rad].

    ``mid`` and ``rad`` are exact (binary) ``mpmath.mpf`` numbers, as Arb holds them. A ball is a
    real number type: ``+ - * /`` with balls, ints, Fractions or floats give balls that contain
    every possible result (computed with ``mpmath.iv``, outward rounding); ``to_mpi()`` is the
    interval as an ``mpmath.iv.mpf``; ``x in ball`` tests membership exactly (Fractions, ints,
    floats); ``lower``/``upper`` are the exact end points as Fractions.
    """

    __slots__ = ("mid", "rad", "prec", "computed")

    def __init__(self, mid, rad=0, prec=None):
        self.mid = mid if isinstance(mid, _mpmath.mpf) else _mpmath.mpf(mid)
        self.rad = rad if isinstance(rad, _mpmath.mpf) else _mpmath.mpf(rad)
        if self.rad < 0:
            raise ValueError(f"Ball radius {self.rad} is negative")
        self.prec = prec or max(53, _bit_size(self.mid), _bit_size(self.rad))
        # True when locus computed the ball in ball arithmetic (or it was derived from such balls
        # and exact values only): only such balls decide a claim (locus.claims.decide).
        self.computed = False

    @classmethod
    def _computed(cls, mid, rad, prec):
        b = cls(mid, rad, prec)
        b.computed = True
        return b

    # exact views
    @property
    def lower(self):
        return _fraction_of(self.mid) - _fraction_of(self.rad)

    @property
    def upper(self):
        return _fraction_of(self.mid) + _fraction_of(self.rad)

    def __contains__(self, x):
        x = _fraction_of(x) if isinstance(x, _mpmath.mpf) else Fraction(x)
        return self.lower <= x <= self.upper

    def contains_zero(self):
        return 0 in self

    def to_mpi(self):
        """The ball as an mpmath interval, end points rounded outward."""
        with _ivprec(self.prec + 10):
            return _mpmath.iv.mpf(self.mid) + _mpmath.iv.mpf([-self.rad, self.rad])

    @classmethod
    def _from_mpi(cls, v, prec):
        with _mpmath.workprec(prec + 10):
            a, b = _mpmath.mpf(v.a), _mpmath.mpf(v.b)
        mid = (_fraction_of(a) + _fraction_of(b)) / 2
        with _mpmath.workprec(prec + 10):
            m = _mpmath.mpf(mid.numerator) / mid.denominator
            # the radius covers both end points from the rounded midpoint, rounded up
            r = max(_fraction_of(b) - _fraction_of(m), _fraction_of(m) - _fraction_of(a))
            rad = _mpmath.mpf(_mpmath.libmp.from_rational(r.numerator, r.denominator, prec, "u"))
        return cls(m, rad, prec)

    def _binary(self, other, op):
        computed = _derived_rigorous(self, other)
        if not isinstance(other, Ball):
            other = Ball._exact(other, self.prec)
        prec = max(self.prec, other.prec)
        with _ivprec(prec + 10):
            out = Ball._from_mpi(op(self.to_mpi(), other.to_mpi()), prec)
        out.computed = computed
        return out

    @staticmethod
    def _exact(x, prec):
        if isinstance(x, float):
            return Ball(_mpmath.mpf(x), 0, prec)
        f = Fraction(x)
        if f.denominator & (f.denominator - 1) == 0:  # dyadic: exact
            with _mpmath.workprec(max(prec, f.numerator.bit_length() + 1)):
                return Ball(_mpmath.mpf(f.numerator) / f.denominator, 0, prec)
        with _mpmath.workprec(prec + 10):
            m = _mpmath.mpf(f.numerator) / f.denominator
            r = abs(f - _fraction_of(m))
            rad = _mpmath.mpf(_mpmath.libmp.from_rational(r.numerator, r.denominator, prec, "u"))
        return Ball(m, rad, prec)

    def __add__(self, o):
        return self._binary(o, lambda a, b: a + b)

    def __radd__(self, o):
        return self._binary(o, lambda a, b: b + a)

    def __sub__(self, o):
        return self._binary(o, lambda a, b: a - b)

    def __rsub__(self, o):
        return self._binary(o, lambda a, b: b - a)

    def __mul__(self, o):
        return self._binary(o, lambda a, b: a * b)

    def __rmul__(self, o):
        return self._binary(o, lambda a, b: b * a)

    def __truediv__(self, o):
        return self._binary(o, lambda a, b: a / b)

    def __rtruediv__(self, o):
        return self._binary(o, lambda a, b: b / a)

    def __neg__(self):
        out = Ball(-self.mid, self.rad, self.prec)
        out.computed = self.computed
        return out

    def __abs__(self):
        out = Ball._from_mpi(abs(self.to_mpi()), self.prec)
        out.computed = self.computed
        return out

    def __float__(self):
        return float(self.mid)

    def __repr__(self):
        return f"locus.Ball({self})"

    def __str__(self):
        with _mpmath.workprec(self.prec):
            return f"[{_mpmath.nstr(self.mid, 20)} +/- {_mpmath.nstr(self.rad, 3)}]"


class _ivprec:
    """mpmath.iv at a given precision for the duration of a with-block."""

    def __init__(self, prec):
        self.prec = prec

    def __enter__(self):
        self.saved = _mpmath.iv.prec
        _mpmath.iv.prec = self.prec

    def __exit__(self, *exc):
        _mpmath.iv.prec = self.saved


def _bit_size(x):
    man = x.man if hasattr(x, "man") else 0
    return int(man).bit_length()


def _fraction_of(x):
    """The exact value of an mpmath.mpf (finite) as a Fraction."""
    sign, man, exp, _ = x._mpf_
    if not man and exp:
        raise ValueError(f"{x} is not finite")
    v = Fraction(man) * (Fraction(2) ** exp)
    return -v if sign else v


def _to_mpf(man, exp, bits):
    with _mpmath.workprec(max(bits, int(man).bit_length() + 1, 53)):
        return _mpmath.mpf((man, exp))


def _values(item, name):
    """Numbers from the extension: a float64 array (or float) for double; Fractions, mpmath.mpf or
    locus.Ball objects otherwise (exact values, no text)."""
    if not isinstance(item, tuple):
        return item
    rigour, shape, rows, bits, entries = item  # the entries' form follows the rigour
    if rigour == "exact":
        vals = [Exact(n, d) for n, d in entries]
    elif rigour == "floating-point":
        vals = [_mpmath.mpf(e) if isinstance(e, float) else _to_mpf(e[0], e[1], bits)
                for e in entries]
    else:
        vals = [Ball._computed(_to_mpf(a, b, bits), _to_mpf(c, d, bits), bits)
                for a, b, c, d in entries]
    if shape == ():
        return vals[0]
    out = _np.empty(len(vals), dtype=object)
    out[:] = vals
    if len(shape) == 1:
        return out
    return out.reshape((shape[1], shape[0])).T  # column-major entries


_KEYS = {"loss": "loss", "gradient": "gradient", "hessian": "hessian",
         "gauss-newton": "gauss_newton", "residual-hessian": "residual_hessian",
         "jacobian": "jacobian", "outputs": "outputs", "residuals": "residuals"}


def evaluate(problem, quantities=("loss", "gradient", "hessian"), *, arithmetic="double",
             theta=None):
    """Several quantities at once: a dict keyed like ``locus eval --json`` (gauss_newton, ...),
    plus "arithmetic" (its name) and "rigour" ("exact", "enclosure" or "floating-point", from the
    arithmetic that computed the values). ``theta`` replaces the problem's point."""
    theta = None if theta is None else _exact_list(theta)
    r = _locus._evaluate(problem, arithmetic, ",".join(quantities), theta)
    name = r["arithmetic"]
    out = {"arithmetic": name, "rigour": r["rigour"]}
    for q in quantities:
        key = _KEYS.get(q, q)
        out[key] = _values(r[key], name)
    return out


def _one(quantity):
    def f(problem, theta=None, *, arithmetic="double"):
        return evaluate(problem, (quantity,), arithmetic=arithmetic, theta=theta)[_KEYS[quantity]]
    f.__name__ = _KEYS[quantity]
    f.__doc__ = (f"The {quantity} at θ (default: the problem's point), in the given arithmetic "
                 "(double: numpy float64; rational: Fractions; long-double, float128, MPFR: mpmath.mpf; "
                 "balls: locus.Ball).")
    return f


loss = _one("loss")
gradient = _one("gradient")
hessian = _one("hessian")
gauss_newton = _one("gauss-newton")
residual_hessian = _one("residual-hessian")
jacobian = _one("jacobian")
outputs = _one("outputs")
residuals = _one("residuals")


# ---- the commands ----------------------------------------------------------------------------------

def _claims_token():
    from .claims import _INTERNAL
    return _INTERNAL


class Report(dict):
    """The JSON object of a command, as a dict, with ``evidence`` (a ``locus.Evidence``): how sure
    its verdict is, from the scalar type that decided it (``evidence.proves`` only for a certified
    verdict). ``report.value(key)`` is ``report[key]`` carrying that evidence, for
    ``locus.claims.decide``."""

    def __init__(self, data, evidence, _token=None):
        from .claims import _INTERNAL
        if _token is not _INTERNAL or not isinstance(evidence, Evidence):
            raise TypeError("a locus.Report is returned by locus.classify and locus.spectrum")
        super().__init__(data)
        self.evidence = evidence

    def value(self, key):
        from .claims import Value, _INTERNAL
        v = self[key]
        return Value(tuple(v) if isinstance(v, list) else v, self.evidence, _INTERNAL, key)


def _null_vectors_json(null_vectors):
    """Columns of exact numbers (str, int, Fraction), or a report with them under "kernel"."""
    if null_vectors is None:
        return ""
    if isinstance(null_vectors, dict):
        null_vectors = null_vectors["kernel"]
    return _json.dumps([[e if isinstance(e, (str, int)) else str(e) for e in col]
                        for col in null_vectors])


def spectrum(problem, *, arithmetic="double", matrix="hessian", max_bits=4096, kernel=False,
             vectors=False, lanczos=0, steps=0, probes=0, seed=0, tolerance=1e-10,
             max_restarts=1000, null_vectors=None):
    """``locus spectrum --json``: eigenvalues, inertia and how they are certified.

    lanczos=K (> 0): matrix-free Lanczos in double from Hessian-vector products, the K largest and
    smallest Ritz values with residuals (numerical, never certified), for nets too large for a
    dense Hessian: restarted Lanczos (Spectra) until every Ritz value's relative residual is below
    ``tolerance`` (at most ``max_restarts`` restarts), or ``steps`` fixed Lanczos steps when steps
    > 0; probes=M adds an SLQ spectral density (nodes, weights); seed seeds both.
    null_vectors (arithmetic="rational"): exact null vectors known in advance, as columns of exact
    numbers or a report of ``kernel=True``; checked exactly (a wrong one raises
    locus.InvalidArgument), they prove the rank (``locus spectrum --null-vectors``)."""
    text, evidence = _locus._spectrum(problem, arithmetic, matrix, int(max_bits), bool(kernel),
                                      bool(vectors), int(lanczos), int(steps), int(probes),
                                      int(seed), float(tolerance), int(max_restarts),
                                      _null_vectors_json(null_vectors))
    return Report(_json.loads(text), evidence, _claims_token())


def classify(problem, *, arithmetic="ball:256", max_bits=4096, gradient_tolerance=None):
    """``locus classify --json``: critical? minimum / saddle / degenerate, with the certificate.
    A ``locus.Report`` (a dict) whose ``evidence`` proves only a certified classification."""
    tol = None if gradient_tolerance is None else _entry(gradient_tolerance)
    text, evidence = _locus._classify(problem, arithmetic, int(max_bits), tol)
    return Report(_json.loads(text), evidence, _claims_token())


def refine(problem, *, digits=100, arithmetic=None, ceres=True, least_squares=False,
           max_iterations=60, ceres_iterations=200, source="python"):
    """``locus refine``: returns (refined problem or None, the --json report). The refined problem
    carries ``certificate`` (the Arb bound of the gradient, the Krawczyk existence proof). When
    Newton stops short, the report's ``"stopped_point"`` holds the problem at the best point reached
    (no certificate; NOT a critical point) and ``"stop"`` says why: ``"precision-floor"`` or
    ``"no-critical-point-within-reach"``."""
    report, refined, stopped = _locus._refine(problem, int(digits), arithmetic or "", bool(ceres),
                                              bool(least_squares), int(max_iterations),
                                              int(ceres_iterations), str(source))
    report = _json.loads(report)
    if stopped is not None:
        report["stopped_point"] = stopped
    return refined, report


def certify(problem, *, target_gradient=1e-6, max_time=1e15, max_steps=1000000, max_seconds=20,
            digits=60, arithmetic=None, classify_arithmetic="ball:256", plot=None,
            source="python"):
    """``locus certify``: the gradient flow from the problem's point (SUNDIALS CVODE) in legs,
    Ceres and MPFR Newton where each leg ends, the Krawczyk existence proof and classify. Returns
    (refined problem or None, the ``--json`` report: "verdict", "critical_point_proved", "flow",
    "stages", "refine", "classify", "divergence", "distance", "loss_change"). When no critical
    point is reached, the report's ``"stopped_point"`` is the problem at the flow's end (no
    certificate). ``plot="PREFIX"`` draws the figure of ``locus certify --plot`` (the report's
    ``"figure"`` lists the files)."""
    report, point, stopped = _locus._certify(problem, float(target_gradient), float(max_time),
                                             int(max_steps), float(max_seconds), int(digits),
                                             arithmetic or "", str(classify_arithmetic),
                                             str(plot or ""), str(source))
    report = _json.loads(report)
    if stopped is not None:
        report["stopped_point"] = stopped
    return point, report


def construct_split(problem, layer, unit, lam, *, arithmetic=None, source="python"):
    """``locus construct split``: the big problem at θ_λ with the Theorem S ``certificate``."""
    return _locus._construct_split(problem, int(layer), int(unit), _entry(lam), arithmetic or "",
                                   str(source))


def search(claim, budget=60, **options):
    """``locus search``: a counterexample search in a claim's family (locus.claims.search; the
    options are its keywords). Returns (counterexample problem or None, report)."""
    from .claims import search as _search
    return _search(claim, budget, **options)


def check(claims=None, *, source=None, quick=False, seed=0, threads=0, float_only=False,
          mutate="none", counterexamples="counterexamples"):
    """``locus check``: runs the registered claims; the dict ``--json FILE`` writes."""
    if isinstance(claims, str):
        claims = [claims]
    return _json.loads(_locus._check(list(claims or []), source or "", bool(quick), int(seed),
                                     int(threads), bool(float_only), str(mutate),
                                     str(counterexamples)))
