"""locus: exact, multiprecision and interval geometry of neural-network loss functions.

A thin layer over the C++ library (the extension ``locus._locus``). Problems are exact: every
number inside is a rational. Results come back as

* numpy float64 arrays (and Python floats) in ``arithmetic="double"``;
* ``fractions.Fraction`` in ``"rational"``;
* ``mpmath.mpf`` in ``"long-double"``, ``"float128"`` and ``"mpfr:BITS"`` when mpmath is
  importable (at the arithmetic's precision), exact decimal strings otherwise;
* strings ``"[m +/- r]"`` in ``"ball:BITS"`` (Arb balls, which contain the true value).

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
    "outputs", "residuals", "evaluate", "spectrum", "classify", "refine", "construct_split",
    "check",
]


# ---- Problem: construction and exact views -------------------------------------------------------

def problem(widths, activation, inputs, targets, *, loss="squared", reduction="sum", bias=True,
            point=None, loss_scale=1):
    """A problem from arrays.

    widths: [n_0, ..., n_L]; activation: "sigmoid", "tanh", "softplus", "identity", "relu" or
    "polynomial[c0, c1, ...]"; inputs (N x n_0) and targets (N x n_L): numpy float arrays (each
    entry's exact binary value) or nested lists of ints, Fractions, floats or strings ("1/3",
    "0.1" meaning exactly 1/10); point: P numbers, the same way, or None; loss_scale: a positive
    rational multiplying the loss (e.g. 2/n_L for PyTorch's MSELoss(reduction="mean") with
    reduction="mean").
    """
    if point is not None:
        point = _exact_list(point)
    return _locus._from_parts(list(widths), str(activation), bool(bias), str(loss), str(reduction),
                              str(Fraction(loss_scale)), _matrix_arg(inputs), _matrix_arg(targets),
                              point)


def _matrix_arg(m):
    if isinstance(m, _np.ndarray):
        if m.dtype.kind == "f":
            return _np.ascontiguousarray(m, dtype=_np.float64)
        return [[_entry(x) for x in row] for row in m.tolist()]
    return [[_entry(x) for x in row] for row in m]


def _entry(x):
    if isinstance(x, float):
        return x
    if isinstance(x, Fraction):
        return f"{x.numerator}/{x.denominator}"
    return str(x)


def _exact_list(v):
    if isinstance(v, _np.ndarray) and v.dtype.kind == "f":
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

def _bits_of(name):
    if name == "long-double":
        return 64
    if name == "float128":
        return 113
    if name.startswith("mpfr:"):
        return int(name.split(":", 1)[1])
    return None


def _converter(name):
    if name == "rational":
        return Fraction
    bits = _bits_of(name)
    if bits is not None and _mpmath is not None:
        def to_mpf(s):
            with _mpmath.workprec(bits):
                return _mpmath.mpf(s)
        return to_mpf
    return str


def _values(item, name):
    shape = tuple(item["shape"])
    if name == "double":
        v = item["values"]
        return float(v) if shape == () else _np.asarray(v)
    conv = _converter(name)
    vals = [conv(s) for s in item["text"]]
    if shape == ():
        return vals[0]
    out = _np.empty(len(vals), dtype=object)
    out[:] = vals
    return out.reshape(shape)


_KEYS = {"loss": "loss", "gradient": "gradient", "hessian": "hessian",
         "gauss-newton": "gauss_newton", "residual-hessian": "residual_hessian",
         "jacobian": "jacobian", "outputs": "outputs", "residuals": "residuals"}


def evaluate(problem, quantities=("loss", "gradient", "hessian"), *, arithmetic="double",
             theta=None):
    """Several quantities at once: a dict keyed like ``locus eval --json`` (gauss_newton, ...),
    plus "arithmetic". ``theta`` replaces the problem's point."""
    theta = None if theta is None else _exact_list(theta)
    r = _locus._evaluate(problem, arithmetic, ",".join(quantities), theta)
    name = r["arithmetic"]
    out = {"arithmetic": name}
    for q in quantities:
        key = _KEYS.get(q, q)
        out[key] = _values(r[key], name)
    return out


def _one(quantity):
    def f(problem, theta=None, *, arithmetic="double"):
        return evaluate(problem, (quantity,), arithmetic=arithmetic, theta=theta)[_KEYS[quantity]]
    f.__name__ = _KEYS[quantity]
    f.__doc__ = (f"The {quantity} at θ (default: the problem's point), in the given arithmetic "
                 "(double: numpy float64; rational: Fractions; MPFR: mpmath; balls: strings).")
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

def spectrum(problem, *, arithmetic="double", matrix="hessian", max_bits=4096, kernel=False,
             vectors=False, lanczos=0, steps=0, probes=0, seed=0):
    """``locus spectrum --json``: eigenvalues, inertia and how they are certified.

    lanczos=K (> 0): matrix-free Lanczos in double from Hessian-vector products, the K largest and
    smallest Ritz values with residuals (numerical, never certified), for nets too large for a
    dense Hessian; probes=M adds an SLQ spectral density (nodes, weights); seed seeds both."""
    return _json.loads(_locus._spectrum(problem, arithmetic, matrix, int(max_bits), bool(kernel),
                                        bool(vectors), int(lanczos), int(steps), int(probes),
                                        int(seed)))


def classify(problem, *, arithmetic="ball:256", max_bits=4096, gradient_tolerance=None):
    """``locus classify --json``: critical? minimum / saddle / degenerate, with the certificate."""
    tol = "" if gradient_tolerance is None else _entry(gradient_tolerance)
    return _json.loads(_locus._classify(problem, arithmetic, int(max_bits), tol))


def refine(problem, *, digits=100, arithmetic=None, ceres=True, least_squares=False,
           max_iterations=60, source="python"):
    """``locus refine``: returns (refined problem or None, the --json report). The refined problem
    carries ``certificate`` (the Arb bound of the gradient, the Krawczyk existence proof)."""
    report, refined = _locus._refine(problem, int(digits), arithmetic or "", bool(ceres),
                                     bool(least_squares), int(max_iterations), str(source))
    return refined, _json.loads(report)


def construct_split(problem, layer, unit, lam, *, arithmetic=None, source="python"):
    """``locus construct split``: the big problem at θ_λ with the Theorem S ``certificate``."""
    return _locus._construct_split(problem, int(layer), int(unit), _entry(lam), arithmetic or "",
                                   str(source))


def check(claims=None, *, source=None, quick=False, seed=0, threads=0, float_only=False,
          mutate="none", counterexamples="counterexamples"):
    """``locus check``: runs the registered claims; the dict ``--json FILE`` writes."""
    if isinstance(claims, str):
        claims = [claims]
    return _json.loads(_locus._check(list(claims or []), source or "", bool(quick), int(seed),
                                     int(threads), bool(float_only), str(mutate),
                                     str(counterexamples)))
