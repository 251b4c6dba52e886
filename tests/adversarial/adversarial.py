#!/usr/bin/env python3
"""Adversarial soundness suite: generated instances whose truth is computed here, independently of
locus (exact symbolic algebra with sympy), asserting that locus never certifies a false statement.

  adversarial.py FAMILY --locus PATH [--count N] [--seed S]

Families: cases (the reported false verdicts), deep-linear, polynomial, bases, sigmoid, clusters,
paths, numbers, perturbed (every construction file moved by 1e-40 and 1e-80), symmetric (deep
linear minima moved by ε: proved only through a symmetry slice). Prints one line per failure and ends with "N passed, M failed"; exits 1 on any
failure. Every instance is generated from --seed, printed in the report.
"""
import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from fractions import Fraction

import sympy as sp

# ---- problems and the locus command -----------------------------------------------------------


def frac_str(x):
    x = sp.Rational(x)
    return str(x.p) if x.q == 1 else f"{x.p}/{x.q}"


def problem(widths, activation, bias, inputs, targets, point, **extra):
    p = {
        "format": "locus-problem/1",
        "network": {"widths": widths, "activation": activation, "bias": bias,
                    "loss": "squared", "reduction": "sum"},
        "data": {"inputs": [[frac_str(v) for v in row] for row in inputs],
                 "targets": [[frac_str(v) for v in row] for row in targets]},
        "point": [frac_str(v) for v in point],
    }
    p.update(extra)
    return p


class Locus:
    def __init__(self, exe):
        self.exe = exe
        self.dir = tempfile.mkdtemp(prefix="locus-adversarial-")
        self.n = 0

    def run(self, prob, *args, text=None):
        self.n += 1
        path = os.path.join(self.dir, f"p{self.n}.json")
        with open(path, "w") as f:
            f.write(text if text is not None else json.dumps(prob))
        r = subprocess.run([self.exe, args[0], path, *args[1:]], capture_output=True, text=True,
                           timeout=600)
        out = None
        if "--json" in args and r.stdout.strip():
            try:
                out = json.loads(r.stdout)
            except json.JSONDecodeError:
                out = None
        return r.returncode, out, r.stdout + r.stderr


# ---- the truth, computed symbolically ---------------------------------------------------------


def activation_fn(activation):
    if activation == "identity":
        return lambda z: z
    if activation == "sigmoid":
        return lambda z: 1 / (1 + sp.exp(-z))
    coeffs = [sp.Rational(c) for c in activation["polynomial"]]
    return lambda z: sum(c * z**k for k, c in enumerate(coeffs))


def symbolic_loss(widths, activation, bias, inputs, targets):
    sigma = activation_fn(activation)
    syms = []
    layers = []
    for l in range(1, len(widths)):
        W = sp.Matrix(widths[l], widths[l - 1],
                      lambda i, j: sp.Symbol(f"w{l}_{i}_{j}"))
        syms += list(W)  # row-major
        b = sp.Matrix(widths[l], 1, lambda i, j: sp.Symbol(f"b{l}_{i}")) if bias else None
        if bias:
            syms += list(b)
        layers.append((W, b))
    L = 0
    for x, y in zip(inputs, targets):
        h = sp.Matrix([sp.Rational(v) for v in x])
        for l, (W, b) in enumerate(layers):
            z = W * h + (b if bias else sp.zeros(W.rows, 1))
            h = z if l == len(layers) - 1 else z.applyfunc(sigma)
        r = h - sp.Matrix([sp.Rational(v) for v in y])
        L += sp.Rational(1, 2) * (r.T * r)[0, 0]
    return sp.expand(L) if activation != "sigmoid" else L, syms


def inertia(H):
    """Exact inertia of a symmetric rational matrix: Descartes' rule on the characteristic
    polynomial, exact because all its roots are real."""
    lam = sp.Symbol("lam")
    p = sp.Poly(H.charpoly(lam).as_expr(), lam)
    coeffs = p.all_coeffs()[::-1]  # lowest first
    zero = next(i for i, c in enumerate(coeffs) if c != 0)

    def changes(cs):
        s = [c for c in cs if c != 0]
        return sum(1 for a, b in zip(s, s[1:]) if (a > 0) != (b > 0))
    pos = changes(coeffs[::-1])
    neg = changes([c * (-1) ** i for i, c in enumerate(coeffs)][::-1])
    return pos, neg, zero


def lowest_term(poly_t):
    """(order, coefficient) of the lowest nonzero power of t, or None if identically 0."""
    t = sp.Symbol("t")
    p = sp.Poly(sp.expand(poly_t), t)
    terms = sorted(p.terms(), key=lambda m: m[0][0])
    for (k,), c in terms:
        if c != 0 and k > 0:
            return k, c
    return None


class Truth:
    """What is true at a point of a polynomial loss, decided here independently of locus."""

    def __init__(self, L, syms, point, rng):
        self.L, self.syms = L, syms
        self.sub = dict(zip(syms, [sp.Rational(v) for v in point]))
        self.grad = [sp.diff(L, s).subs(self.sub) for s in syms]
        self.critical = all(g == 0 for g in self.grad)
        self.H = sp.hessian(L, syms).subs(self.sub)
        self.inertia = inertia(self.H)
        self.value = L.subs(self.sub)
        self.rng = rng
        self._descent = None

    def along(self, u):
        t = sp.Symbol("t")
        shifted = {s: self.sub[s] + t * ui for s, ui in zip(self.syms, u)}
        return sp.expand(self.L.subs(shifted, simultaneous=True) - self.L.subs(self.sub))

    def descent_found(self):
        """A direction of strict decrease near the point (lowest term of odd order, or of even
        order with a negative coefficient), searched over kernel vectors and their combinations."""
        if self._descent is None:
            self._descent = False
            kernel = self.H.nullspace()
            cands = list(kernel)
            cands += [a + b for i, a in enumerate(kernel) for b in kernel[i + 1:]]
            if kernel:
                cands.append(sum(kernel, sp.zeros(len(self.syms), 1)))
                for _ in range(12):
                    cands.append(sum((self.rng.randint(-3, 3) * k for k in kernel),
                                     sp.zeros(len(self.syms), 1)))
            for u in cands:
                if all(v == 0 for v in u):
                    continue
                lt = lowest_term(self.along(list(u)))
                if lt and (lt[0] % 2 == 1 or lt[1] < 0):
                    self._descent = True
                    break
        return self._descent

    def family_is_critical(self, basis):
        """∇L(θ + K s) == 0 identically in s (symbolic)."""
        ss = sp.symbols(f"s0:{len(basis)}")
        shifted = {sym: self.sub[sym] + sum(s * b[i] for s, b in zip(ss, basis))
                   for i, sym in enumerate(self.syms)}
        return all(sp.expand(sp.diff(self.L, sym).subs(shifted, simultaneous=True)) == 0
                   for sym in self.syms)


def judge(out, truth, basis=None):
    """'' if nothing false is certified in locus's classify JSON, else the reason."""
    if out is None:
        return ""
    inert = out.get("inertia")
    pos, neg, zero = truth.inertia
    exact_point = out.get("stationarity") == "exact"
    if inert is not None and truth.critical:
        got = (inert["positive"], inert["negative"], inert["zero"])
        if got != (pos, neg, zero) and (exact_point or out.get("arithmetic") == "rational"):
            return f"inertia {got} reported, exact {(pos, neg, zero)}"
    if not out.get("certified"):
        return ""
    kind = out["kind"]
    if kind == "not-critical":
        return "" if not truth.critical else "certified not-critical at a critical point"
    if kind == "undecided":
        return ""
    if out.get("stationarity") not in ("exact", "proved-nearby"):
        return f"certified {kind} with stationarity {out.get('stationarity')}"
    if not truth.critical and out.get("stationarity") == "exact":
        return f"certified exact critical point, but ∇L = {truth.grad}"
    if not truth.critical:
        return ""  # a statement about a proved nearby point: checked by the Krawczyk tests
    if kind == "strict-minimum":
        return "" if (neg, zero) == (0, 0) else f"strict-minimum certified, inertia {truth.inertia}"
    if kind == "maximum":
        return "" if (pos, zero) == (0, 0) else f"maximum certified, inertia {truth.inertia}"
    if kind == "saddle":
        if neg > 0 and pos > 0:
            return ""
        if truth.descent_found():
            return ""
        return f"saddle certified, inertia {truth.inertia} and no descent direction found"
    if kind == "degenerate-minimum":
        if neg > 0:
            return f"degenerate-minimum certified, inertia {truth.inertia}"
        if truth.value == 0:
            return ""  # a zero of the squared loss (a sum of squares): a global minimum
        if truth.descent_found():
            return "degenerate-minimum certified, but a descent direction exists"
        if basis is not None and not truth.family_is_critical(basis):
            return "degenerate-minimum certified from a basis that spans no critical manifold"
        return ""
    return f"unknown kind {kind}"


# ---- families -----------------------------------------------------------------------------------


def small_rational(rng):
    return sp.Rational(rng.choice([-2, -1, 1, 2, 3]), rng.choice([1, 1, 2, 3]))


def classify_all(lc, prob, truth, arithmetics, basis=None):
    fails = []
    for a in arithmetics:
        code, out, text = lc.run(prob, "classify", "-a", a, "--json")
        if code not in (0, 2) or (code == 0 and out is None):
            fails.append(f"{a}: exit {code}: {text[-300:]}")
            continue
        why = judge(out, truth, basis)
        if why:
            fails.append(f"{a}: {why}")
    return fails


def family_cases(lc, rng, count):
    """The two reported false certificates and the named smaller findings."""
    results = []
    # 1. deep linear [1,1,1,1] origin with a full tangent basis: a saddle (D³L = −6).
    basis = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
    prob = problem([1, 1, 1, 1], "identity", False, [[1]], [[1]], [0, 0, 0],
                   tangent_basis=[[str(v) for v in b] for b in basis])
    for a in ("rational", "ball:256", "mpfr:256", "ball:128"):
        code, out, text = lc.run(prob, "classify", "-a", a, "--json")
        ok = code == 0 and out["kind"] != "degenerate-minimum"
        ok = ok and (out["kind"] == "saddle") == out["certified"] if a == "rational" else ok
        results.append(("defect 1 " + a, ok, text[-300:]))
    # 2. sigmoid [1,1,1], no critical point at all.
    prob = problem([1, 1, 1], "sigmoid", False, [[1], [-1]], [[1], [0]],
                   ["30", "1.0000000000000935762296883929895383956248940473163178076211679486528898773806455"])
    for a in ("ball:256", "mpfr:256", "ball:512", "double"):
        code, out, text = lc.run(prob, "classify", "-a", a, "--json")
        ok = code == 0 and (not out["certified"] or out["kind"] == "not-critical")
        results.append(("defect 2 " + a, ok, text[-300:]))
    # 4. a non-increasing segment whose derivative has a double root.
    prob = problem([1, 1, 1, 1], "identity", False, [[1]], [[1]], [0, 0, 0],
                   path={"vertices": [["-1/3"] * 3, ["2/3"] * 3]})
    code, out, text = lc.run(prob, "path", "--json")
    ok = out is not None and out["segments"][0]["verdict"] == "non-increasing"
    results.append(("defect 4 path", ok, text[-300:]))
    # 5. a bare 1e400 is exact.
    text = json.dumps(problem([1, 1], "identity", False, [[1]], [[0]], [0])).replace(
        '[["0"]]', "[[1e400]]")
    code, out, t = lc.run(None, "eval", "-a", "rational", "--quantities", "loss", "--json",
                          text=text)
    ok = code == 0 and out["loss"] == str(sp.Rational(10) ** 800 / 2)
    results.append(("defect 5 1e400", ok, t[-300:]))
    return results


def random_point_near_critical(rng, P):
    return [0 if rng.random() < 0.55 else small_rational(rng) for _ in range(P)]


def family_deep_linear(lc, rng, count):
    shapes = [[1, 1, 1], [1, 1, 1, 1], [1, 2, 1], [2, 1, 1], [1, 1, 2], [1, 1, 1, 1, 1]]
    results = []
    for n in range(count):
        widths = rng.choice(shapes)
        N = rng.choice([1, 2])
        inputs = [[rng.choice([-1, 1, 2]) for _ in range(widths[0])] for _ in range(N)]
        targets = [[rng.choice([-1, 1, 2]) for _ in range(widths[-1])] for _ in range(N)]
        L, syms = symbolic_loss(widths, "identity", False, inputs, targets)
        point = random_point_near_critical(rng, len(syms))
        truth = Truth(L, syms, point, rng)
        prob = problem(widths, "identity", False, inputs, targets, point)
        fails = classify_all(lc, prob, truth, ["rational", "ball:128"])
        results.append((f"deep-linear #{n} {widths} θ={point}", not fails, "; ".join(fails)))
    return results


def family_polynomial(lc, rng, count):
    acts = [["0", "1", "1"], ["0", "0", "1"], ["0", "1", "0", "1"], ["1", "0", "-1"]]
    shapes = [[1, 2, 1], [2, 2, 1], [1, 1, 1], [1, 2, 2]]
    results = []
    for n in range(count):
        widths = rng.choice(shapes)
        act = {"polynomial": rng.choice(acts)}
        bias = rng.random() < 0.4
        N = rng.choice([1, 2])
        inputs = [[rng.choice([-1, 1, 2]) for _ in range(widths[0])] for _ in range(N)]
        targets = [[rng.choice([-1, 0, 1]) for _ in range(widths[-1])] for _ in range(N)]
        L, syms = symbolic_loss(widths, act, bias, inputs, targets)
        point = random_point_near_critical(rng, len(syms))
        truth = Truth(L, syms, point, rng)
        prob = problem(widths, act, bias, inputs, targets, point)
        fails = classify_all(lc, prob, truth, ["rational", "ball:128"])
        results.append((f"polynomial #{n} {widths} {act} θ={point}", not fails, "; ".join(fails)))
    return results


def family_bases(lc, rng, count):
    """Tangent bases that are wrong, partial or right, at critical points with a singular
    Hessian; locus must never certify a minimum the truth contradicts."""
    results = []
    n = 0
    while n < count:
        widths = rng.choice([[1, 1, 1, 1], [1, 2, 1], [1, 1, 1], [2, 2, 1], [1, 2, 1, 1]])
        act = rng.choice(["identity", {"polynomial": ["0", "1", "1"]},
                          {"polynomial": ["0", "0", "1"]}])
        N = rng.choice([1, 2])
        inputs = [[rng.choice([-1, 1, 2]) for _ in range(widths[0])] for _ in range(N)]
        targets = [[rng.choice([-1, 1]) for _ in range(widths[-1])] for _ in range(N)]
        L, syms = symbolic_loss(widths, act, False, inputs, targets)
        P = len(syms)
        point = random_point_near_critical(rng, P)
        truth = Truth(L, syms, point, rng)
        if not truth.critical or truth.inertia[2] == 0 or truth.inertia[1] > 0:
            continue
        kernel = [list(v) for v in truth.H.nullspace()]
        k = len(kernel)
        choice = rng.choice(["kernel", "identity-subset", "random", "partial"])
        if choice == "kernel":
            basis = kernel
        elif choice == "partial":
            basis = kernel[: max(1, k - 1)]
        elif choice == "identity-subset":
            basis = [[1 if i == j else 0 for i in range(P)] for j in rng.sample(range(P), min(k, P))]
        else:
            basis = [[rng.randint(-2, 2) for _ in range(P)] for _ in range(k)]
        prob = problem(widths, act, False, inputs, targets, point,
                       tangent_basis=[[frac_str(v) for v in b] for b in basis])
        fails = classify_all(lc, prob, truth, ["rational", "ball:128"], basis)
        results.append((f"bases #{n} {widths} {act} {choice} θ={point}", not fails,
                        "; ".join(fails)))
        n += 1
    return results


def family_sigmoid(lc, rng, count):
    """Saturated sigmoid points of a loss that has no critical point: minimising over v leaves
    g(w) = c²/2 · σ(−aw)² / (σ(aw)² + σ(−aw)²), strictly decreasing, so no kind but not-critical
    may be certified."""
    results = []
    for n in range(count):
        a = rng.choice([1, 2, sp.Rational(1, 2)])
        c = rng.choice([1, 2, sp.Rational(1, 3)])
        w = rng.choice([8, 12, 20, 30, 45, 60])
        digits = rng.choice([30, 60, 100])
        s1 = 1 / (1 + sp.exp(-a * w))
        s2 = 1 / (1 + sp.exp(a * w))
        v = sp.N(c * s1 / (s1**2 + s2**2), digits + 5)
        vs = sp.Rational(sp.nsimplify(sp.Float(v, digits + 5), rational=True))
        prob = problem([1, 1, 1], "sigmoid", False, [[a], [-a]], [[c], [0]], [w, vs])
        fails = []
        for ar in rng.sample(["ball:128", "ball:256", "mpfr:256", "ball:512", "double"], 2):
            code, out, text = lc.run(prob, "classify", "-a", ar, "--json")
            if code != 0 or out is None:
                fails.append(f"{ar}: exit {code}: {text[-200:]}")
            elif out["certified"] and out["kind"] != "not-critical":
                fails.append(f"{ar}: certified {out['kind']} ({out.get('stationarity')})")
        results.append((f"sigmoid #{n} a={a} c={c} w={w} digits={digits}", not fails,
                        "; ".join(fails)))
    return results


def family_clusters(lc, rng, count):
    """Linear regression [2,1] with nearly collinear inputs: the Hessian XᵀX is positive definite
    with an eigenvalue ~δ² (1e-45 ... 1e-150). Exact inertia (2,0,0), exact critical point."""
    results = []
    for n in range(count):
        k = rng.randint(23, 75)
        delta = sp.Rational(1, 10**k) * rng.choice([1, 3, 7])
        X = sp.Matrix([[1, 1], [1, 1 + delta], [rng.choice([1, 2]), 2]])
        X[2, 1] = X[2, 0] * (1 + rng.choice([1, 2]) * delta)
        y = sp.Matrix([rng.choice([-1, 1, 2]) for _ in range(3)])
        wstar = (X.T * X).LUsolve(X.T * y)
        inputs = [[X[i, 0], X[i, 1]] for i in range(3)]
        targets = [[y[i]] for i in range(3)]
        L, syms = symbolic_loss([2, 1], "identity", False, inputs, targets)
        truth = Truth(L, syms, list(wstar), rng)
        assert truth.critical and truth.inertia == (2, 0, 0)
        prob = problem([2, 1], "identity", False, inputs, targets, list(wstar))
        fails = classify_all(lc, prob, truth, ["ball:128", "rational"])
        code, out, text = lc.run(prob, "spectrum", "-a", "ball:128", "--json")
        if out is not None:
            z = out["inertia"]["zero"]
            if z is not None and (out["inertia"]["positive"], out["inertia"]["negative"], z) != (2, 0, 0):
                fails.append(f"spectrum inertia {out['inertia']} reported, exact (2, 0, 0)")
        results.append((f"clusters #{n} δ=1e-{k}", not fails, "; ".join(fails)))
    return results


def family_paths(lc, rng, count):
    """Segments of deep linear losses: φ'(t) is a polynomial, decided here with sympy's exact real
    roots; locus must agree (exactly: the loss is a polynomial)."""
    results = []
    t = sp.Symbol("t")
    for n in range(count):
        widths = rng.choice([[1, 1, 1, 1], [1, 1, 1], [1, 2, 1]])
        N = 1
        inputs = [[1]]
        targets = [[rng.choice([1, 2])]]
        L, syms = symbolic_loss(widths, "identity", False, inputs, targets)
        # weight decay on a third of the instances: function-preserving segments (a split line, a
        # dead unit's incoming weight) then change the loss through the penalty
        l2 = sp.Rational(rng.choice([1, 3]), 10) if rng.random() < 1 / 3 else sp.Rational(0)
        L = L + l2 * sum(v**2 for v in syms)
        P = len(syms)
        mode = rng.choice(["diagonal", "random", "split", "dead"]) if widths == [1, 2, 1] else \
            rng.choice(["diagonal", "random"])
        if mode == "diagonal":  # along the diagonal, where double roots appear
            a, b = small_rational(rng) / 3, small_rational(rng) / 3
            p0, p1 = [a] * P, [b] * P
        elif mode == "split":  # [1,2,1]: θ = (w_0, w_1, v_0, v_1), equal w, v moves along v_0 + v_1
            w, v0, v1, sh = (small_rational(rng) for _ in range(4))
            p0, p1 = [w, w, v0, v1], [w, w, v0 + sh, v1 - sh]
        elif mode == "dead":  # unit 1's outgoing weight is 0, its incoming weight moves
            w0, w1, w2, v0 = (small_rational(rng) for _ in range(4))
            p0, p1 = [w0, w1, v0, 0], [w0, w2, v0, 0]
        else:
            p0 = [small_rational(rng) for _ in range(P)]
            p1 = [small_rational(rng) for _ in range(P)]
        phi = sp.expand(L.subs({s: x0 + t * (x1 - x0) for s, x0, x1 in zip(syms, p0, p1)},
                               simultaneous=True))
        d = sp.Poly(sp.diff(phi, t), t)
        if d.is_zero:
            truth = "constant"
        else:
            roots = sorted(set(r for r in sp.real_roots(d) if 0 <= r <= 1))
            pts = [sp.Rational(0)] + roots + [sp.Rational(1)]
            mids = [(pts[i] + pts[i + 1]) / 2 for i in range(len(pts) - 1)]
            pos = any(d.eval(sp.nsimplify(m)) > 0 for m in mids if m not in roots)
            truth = "increasing" if pos else "non-increasing"
        prob = problem(widths, "identity", False, inputs, targets, p0,
                       path={"vertices": [[frac_str(v) for v in p0], [frac_str(v) for v in p1]]})
        if l2 != 0:
            prob["network"]["l2"] = str(l2)
        code, out, text = lc.run(prob, "path", "--json")
        got = out["segments"][0]["verdict"] if out else f"exit {code}"
        ok = got == truth
        results.append((f"paths #{n} {widths} {mode} l2={l2} {p0} -> {p1}", ok,
                        f"locus {got}, truth {truth}"))
    return results


def family_numbers(lc, rng, count):
    """Bare JSON numbers of any exponent are exact (1e400, 1e-400, big integers)."""
    results = []
    for n in range(count):
        mant = rng.choice(["1", "-2.5", "3.25", "0.1", "7"])
        exp = rng.choice([0, 17, 308, 309, 400, -324, -400, 999])
        tok = f"{mant}e{exp}"
        big = str(rng.randint(10**19, 10**40))
        text = json.dumps(problem([1, 1], "identity", False, [[1]], [[0]], [0])).replace(
            '[["0"]]', f"[[{tok}]]").replace('[["1"]]', f"[[{big}]]")
        code, out, t = lc.run(None, "eval", "-a", "rational", "--quantities", "loss", "--json",
                              text=text)
        y = sp.Rational(mant) * sp.Rational(10) ** exp
        want = str(y**2 / 2)
        ok = code == 0 and out is not None and out["loss"] == want
        results.append((f"numbers #{n} {tok}", ok, t[-200:]))
    return results


def perturb_first_target(prob, eps):
    """A copy of the problem with its first target moved by exactly eps (a Fraction)."""
    q = json.loads(json.dumps(prob))
    y = Fraction(str(q["data"]["targets"][0][0]))
    y += eps
    q["data"]["targets"][0][0] = f"{y.numerator}/{y.denominator}"
    return q


def family_perturbed(lc, rng, count):
    """Every construction and counterexample file with its first target moved by exactly 1e-40 or
    1e-80: the point is then (at best) ε-stationary, so no kind may be certified unless a true
    critical point is proved next to it (stationarity proved-nearby, with its radius), or the
    gradient is still exactly zero (exact, checked over Q when the network is exact)."""
    results = []
    folder = tempfile.mkdtemp(prefix="locus-perturbed-")
    seeds = list(range(max(1, count)))
    for seed in seeds:
        out = os.path.join(folder, f"seed{seed}")
        r = subprocess.run([lc.exe, "construct", "counterexamples", "--out", out, "--seed",
                            str(seed)], capture_output=True, text=True, timeout=600)
        if r.returncode != 0:
            results.append((f"perturbed: counterexamples seed {seed}", False, r.stderr[-300:]))
            continue
        for name in sorted(os.listdir(out)):
            if not name.endswith(".json") or "path" in name:
                continue
            with open(os.path.join(out, name)) as f:
                base = json.load(f)
            if "point" not in base:
                continue
            for eps in (Fraction(1, 10**40), Fraction(1, 10**80)):
                prob = perturb_first_target(base, eps)
                for a in ("ball:256", "rational"):
                    code, res, text = lc.run(prob, "classify", "-a", a, "--json")
                    tag = f"perturbed {name} seed {seed} eps {float(eps):.0e} {a}"
                    if code == 2 and "rational" in a:
                        continue  # not exact over Q: refused, as it should be
                    if code != 0 or res is None:
                        results.append((tag, False, f"exit {code}: {text[-300:]}"))
                        continue
                    st = res.get("stationarity")
                    why = ""
                    if res.get("certified") and res["kind"] != "not-critical":
                        if st not in ("exact", "proved-nearby"):
                            why = f"certified {res['kind']} at stationarity {st}"
                        elif st == "proved-nearby" and "critical_point_radius" not in res:
                            why = "proved-nearby without a radius"
                    if st == "exact" and a == "rational":
                        gcode, gout, gtext = lc.run(prob, "eval", "-a", "rational", "-q",
                                                    "gradient", "--json")
                        if gcode == 0 and gout and any(v != "0" for v in gout["gradient"]):
                            why = "stationarity exact but the exact gradient is not 0"
                    results.append((tag, not why, why or text[-200:]))
    return results


def family_symmetric(lc, rng, count):
    """Deep linear networks (no bias) on a manifold of minima W_L···W_1 = c, with the targets then
    moved by ε ∈ {1e-30, 1e-60}: the point is only ε-stationary, and the truth is a manifold of
    degenerate minima next to it (the least-squares product moves by O(ε), and c* ≠ 0). A
    certified kind must be degenerate-minimum, proved nearby with a radius; and the symmetry-slice
    proof must find it (it is the case it was built for)."""
    shapes = [[1, 1, 1], [1, 2, 1], [1, 1, 1, 1], [1, 3, 1]]
    results = []
    for n in range(count):
        widths = rng.choice(shapes)
        N = rng.choice([2, 3])
        xs = [rng.choice([1, 2, 3, -1, -2]) for _ in range(N)]
        c = Fraction(rng.choice([1, 2, -1, 3])) / rng.choice([1, 2])
        # A point with product c: random first layers, the last layer's first entry solving for c.
        point = []
        prod = None  # the product of the hidden layers so far (a column vector)
        for l in range(1, len(widths) - 1):
            W = [[Fraction(rng.choice([1, 2, -1, 3])) / rng.choice([1, 2]) for _ in range(widths[l - 1])]
                 for _ in range(widths[l])]
            point += [v for row in W for v in row]
            prod = [row[0] for row in W] if prod is None else \
                [sum(W[i][j] * prod[j] for j in range(len(prod))) for i in range(len(W))]
        last = [Fraction(rng.choice([1, 2, -1])) for _ in range(widths[-2])]
        rest = sum(last[j] * prod[j] for j in range(1, len(prod)))
        last[0] = (c - rest) / prod[0]
        point += last
        eps = Fraction(1, 10**rng.choice([30, 60]))
        ys = [c * x for x in xs]
        ys[0] += eps
        prob = problem(widths, "identity", False, [[x] for x in xs], [[y] for y in ys], point)
        code, res, text = lc.run(prob, "classify", "-a", "ball:256", "--json")
        tag = f"symmetric #{n} {widths} c={c} eps={float(eps):.0e}"
        if code != 0 or res is None:
            results.append((tag, False, f"exit {code}: {text[-300:]}"))
            continue
        why = ""
        if res.get("certified"):
            if res["kind"] != "degenerate-minimum":
                why = f"certified {res['kind']}; the truth is a degenerate minimum"
            elif res.get("stationarity") != "proved-nearby" or "critical_point_radius" not in res:
                why = f"certified at stationarity {res.get('stationarity')} without a radius"
        else:
            why = f"not certified: {res.get('criticality', '')[:200]} {res.get('reason', '')[:200]}"
        results.append((tag, not why, why))
    return results


FAMILIES = {"cases": family_cases, "deep-linear": family_deep_linear,
            "polynomial": family_polynomial, "bases": family_bases, "sigmoid": family_sigmoid,
            "clusters": family_clusters, "paths": family_paths, "numbers": family_numbers,
            "perturbed": family_perturbed, "symmetric": family_symmetric}


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("family", choices=sorted(FAMILIES))
    ap.add_argument("--locus", required=True)
    ap.add_argument("--count", type=int, default=40)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    count = args.count * int(os.environ.get("LOCUS_TEST_MULTIPLIER", "1"))
    rng = random.Random(args.seed)
    print(f"adversarial {args.family}: seed {args.seed}, {count} instances")
    results = FAMILIES[args.family](Locus(args.locus), rng, count)
    failed = [r for r in results if not r[1]]
    for name, _, why in failed:
        print(f"FAIL {name}: {why}")
    print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
