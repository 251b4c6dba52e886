"""Certificates and the independent checker (docs/certificates.md).

1. locus writes certificates of every kind it produces; locus-verify must print VERIFIED for each.
2. Each certificate is altered in each of its parts (the list below); locus-verify must REJECT
   every alteration, with exit status 1. The list is printed; one accepted alteration fails the
   test.

Usage: python3 tamper_test.py LOCUS LOCUS_VERIFY EXAMPLES_DIR WORK_DIR
"""
import copy
import json
import os
import re
import subprocess
import sys
from fractions import Fraction

locus, verifier, examples, work = sys.argv[1:5]
os.makedirs(work, exist_ok=True)


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True)


def make(kind, name, args):
    path = os.path.join(work, "{}_{}.json".format(kind, name))
    r = run([locus] + args + ["--certificate", path])
    if not os.path.exists(path):
        sys.exit("no certificate from {}: {}{}".format(args, r.stdout, r.stderr))
    return path


def problem(name):
    return os.path.join(examples, name + ".json")


def escape(name):
    """The escape path (R3) out of the split of an example's point, as a problem file."""
    out = os.path.join(work, "escape_{}.json".format(name))
    r = run([locus, "construct", "escape-path", problem(name), "-o", out])
    if not os.path.exists(out):
        sys.exit("no escape path for {}: {}{}".format(name, r.stdout, r.stderr))
    return out


# the constructions' problem files (G7: G1's minimum split nine times; G1's split saddle)
constructions = os.path.join(work, "constructions")
run([locus, "construct", "counterexamples", "-o", constructions])

certs = {
    "ldlt_g3b": make("ldlt", "g3b_star", ["spectrum", problem("g3b_star"), "-a", "rational"]),
    "ldlt_poly": make("ldlt", "poly", ["spectrum", problem("polynomial_exact"), "-a", "rational"]),
    "krawczyk_g1": make("krawczyk", "g1_small",
                        ["refine", problem("g1_small"), "--digits", "40", "-o",
                         os.path.join(work, "g1_refined.json")]),
    "cluster_g3b": make("cluster", "g3b_star", ["spectrum", problem("g3b_star"), "-a", "ball:128"]),
    "cluster_g1": make("cluster", "g1_small", ["spectrum", problem("g1_small"), "-a", "ball:128"]),
    "classify_saddle_q": make("classify", "g3b_star_q",
                              ["classify", problem("g3b_star"), "-a", "rational"]),
    "classify_saddle_ball": make("classify", "g3a_star_ball",
                                 ["classify", problem("g3a_star"), "-a", "ball:256"]),
    "classify_minimum_box": make("classify", "g1_refined",
                                 ["classify", os.path.join(work, "g1_refined.json")]),
    "classify_not_critical": make("classify", "g1_small", ["classify", problem("g1_small")]),
    "certify_minimum_box": make("certify", "g1_small", ["certify", problem("g1_small"), "-q"]),
    "classify_g7_split_minimum": make("classify", "g7", [
        "classify", os.path.join(constructions, "g7_yu_chen_counterexample.json")]),
    "classify_g1_split_saddle": make("classify", "g1_split_saddle", [
        "classify", os.path.join(constructions, "g1_split_saddle.json")]),
    "path_balls": make("path", "g1_small", ["path", escape("g1_small")]),
    "path_exact": make("path", "poly", ["path", escape("polynomial_exact")]),
}

failures = []
# The claims suite: every certificate `locus check --certificates DIR` writes must verify.
claims_dir = os.path.join(work, "claims")
if os.path.isdir(claims_dir):
    for f in os.listdir(claims_dir):
        os.remove(os.path.join(claims_dir, f))
# (the claims that build certificates; the others write none, docs/certificates.md)
with_certificates = ["fukumizu-amari.split-is-critical", "theorem-s.split-inertia",
                     "theorem-s.endpoint-nullity", "petzka-sminchisescu.minimum-nullity",
                     "petzka-sminchisescu.b-nonzero-saddle", "fukumizu-amari.indefinite-f-saddle",
                     "fukumizu-amari.lambda-interval", "lemma-k.tangent-in-kernel",
                     "relu.homogeneity-kernel", "wide.wb1-nullity-bound", "cooper.global-min-nullity",
                     "cooper.star-critical", "cooper.star-inertia", "cooper.c-locus-hessian-zero",
                     "petzka-sminchisescu.escape-path", "simsek.swap-path", "theorem-s.congruence",
                     "fukumizu-amari.inactive-unit", "zhang.embedding-inertia",
                     "cooper.c-locus-not-minimum", "simsek.symmetry-subspaces",
                     "li-ding-sun.no-strict-suboptimal", "nguyen-hein.global-optimality",
                     "g1.sigmoid-split-table", "petzka-sminchisescu.wide-non-attracting"]
r = run([locus, "check", "--quick", "--certificates", claims_dir, "--counterexamples",
         os.path.join(work, "counterexamples")] + [a for c in with_certificates for a in ("--claim", c)])
missing = re.findall(r"([\w.-]+) \((\d+)", r.stdout.split("without a (complete) certificate")[-1]
                     if "without a (complete) certificate" in r.stdout else "")
if r.returncode != 0 or any(int(n) > 0 for _, n in missing):
    failures.append("locus check --quick failed, or a claim of the list wrote no certificate: " + r.stdout[-2000:] + r.stderr[-2000:])
written = len(os.listdir(claims_dir)) if os.path.isdir(claims_dir) else 0
r = run([verifier, claims_dir])
print(r.stdout.splitlines()[-1] if r.stdout else r.stderr)
if written == 0 or r.returncode != 0 or "0 rejected" not in r.stdout:
    failures.append("the claims' certificates ({} files) did not all verify: {}".format(
        written, r.stdout[-3000:]))

r = run([verifier] + list(certs.values()))
print(r.stdout)
if r.returncode != 0 or r.stdout.count("VERIFIED") != len(certs):
    failures.append("a genuine certificate was not verified")


def bump(text):
    """A different exact number: the last digit of the numerator changed."""
    q = Fraction(text)
    return str(q + Fraction(1, q.denominator)) if q != 0 else "1/7"


def fact(c, kind):
    return next(f for f in c["facts"] if f["kind"] == kind)


def alter_ldlt(c):
    out = []
    f = fact(c, "inertia-ldlt")
    # the first nonzero entry of D: a 1×1 pivot, or the off-diagonal entry of a 2×2 block
    d1, e1 = next((i, j) for i, b in enumerate(f["D"]) for j in range(len(b))
                  if Fraction(b[j]) != 0)
    out.append(("a digit of a pivot of D", lambda x: fact(x, "inertia-ldlt")["D"][d1].__setitem__(
        e1, bump(f["D"][d1][e1]))))
    out.append(("the sign of a pivot of D", lambda x: fact(x, "inertia-ldlt")["D"][d1].__setitem__(
        e1, str(-Fraction(f["D"][d1][e1])))))
    out.append(("a 2×2 block of D split into two 1×1 blocks" if len(f["D"][d1]) == 3 else
                "a pivot of D set to 0", lambda x: fact(x, "inertia-ldlt")["D"].__setitem__(
                    d1, ["0"]) if len(f["D"][d1]) == 1 else fact(x, "inertia-ldlt")["D"].__setitem__(
                    slice(d1, d1 + 1), [[f["D"][d1][0]], [f["D"][d1][2]]])))
    out.append(("a block of D removed", lambda x: fact(x, "inertia-ldlt")["D"].pop()))
    if f["L"]:
        out.append(("a digit of an entry of L", lambda x: fact(x, "inertia-ldlt")["L"][0].__setitem__(
            2, bump(f["L"][0][2]))))
        out.append(("an entry of L moved to another column",
                    lambda x: fact(x, "inertia-ldlt")["L"][-1].__setitem__(
                        1, (f["L"][-1][1] + 1) % f["L"][-1][0] if f["L"][-1][0] > 1 else 0)
                    if f["L"][-1][0] > 1 else fact(x, "inertia-ldlt")["L"][-1].__setitem__(
                        2, bump(f["L"][-1][2]))))
    out.append(("an entry of L above the diagonal", lambda x: fact(x, "inertia-ldlt")["L"].append(
        [0, 1, "1"])))
    out.append(("two entries of the permutation swapped", lambda x: swap(
        fact(x, "inertia-ldlt")["permutation"])))
    out.append(("a repeated entry in the permutation", lambda x: fact(
        x, "inertia-ldlt")["permutation"].__setitem__(0, f["permutation"][1])))
    for k, name in enumerate(("positive", "negative", "zero")):
        out.append(("the count n{} + 1".format("+-0"[k]), lambda x, k=k: fact(
            x, "inertia-ldlt")["inertia"].__setitem__(k, f["inertia"][k] + 1)))
    if f["inertia"][0] != f["inertia"][1]:
        out.append(("n+ and n- exchanged", lambda x: fact(x, "inertia-ldlt").__setitem__(
            "inertia", [f["inertia"][1], f["inertia"][0], f["inertia"][2]])))
    return out


def swap(perm):
    i = next(k for k in range(1, len(perm)) if perm[k] != perm[0])
    perm[0], perm[i] = perm[i], perm[0]


def alter_problem(c):
    p = c["problem"]
    nonzero = next(i for i, v in enumerate(p["point"]) if Fraction(v) != 0)
    return [
        ("a digit of a point coordinate", lambda x: x["problem"]["point"].__setitem__(
            nonzero, bump(p["point"][nonzero]))),
        ("a point coordinate set to 0", lambda x: x["problem"]["point"].__setitem__(nonzero, "0")),
        ("an input datum", lambda x: x["problem"]["inputs"][0].__setitem__(
            0, bump(p["inputs"][0][0]))),
        ("a target datum (+1)", lambda x: x["problem"]["targets"][0].__setitem__(
            0, str(Fraction(p["targets"][0][0]) + 1))),
        ("a sample removed", lambda x: (x["problem"]["inputs"].pop(), x["problem"]["targets"].pop())),
        ("the loss scale (x10)", lambda x: x["problem"].__setitem__(
            "loss_scale", str(10 * Fraction(p["loss_scale"])))),
        ("an L2 term added", lambda x: x["problem"].__setitem__("l2", "1/10")),
        ("the format tag", lambda x: x.__setitem__("format", "locus-certificate/0")),
        ("a width", lambda x: x["problem"]["widths"].__setitem__(0, p["widths"][0] + 1)),
    ]


def alter_krawczyk(c, kind="krawczyk"):
    f = fact(c, kind)
    r0 = Fraction(f["radius"][0])
    return [
        ("a box radius divided by 1000", lambda x: fact(x, kind)["radius"].__setitem__(
            0, str(r0 / 1000))),
        ("every box radius divided by 1000", lambda x: fact(x, kind).__setitem__(
            "radius", [str(Fraction(v) / 1000) for v in f["radius"]])),
        ("a centre coordinate moved by 10 radii", lambda x: fact(x, kind)["center"].__setitem__(
            0, str(Fraction(f["center"][0]) + 10 * r0))),
        ("a preconditioner entry doubled", lambda x: fact(x, kind)["preconditioner"][0].__setitem__(
            0, str(2 * Fraction(f["preconditioner"][0][0])))),
        ("a preconditioner row set to 0", lambda x: fact(x, kind)["preconditioner"].__setitem__(
            0, ["0"] * len(f["preconditioner"][0]))),
        ("the precision lowered to 16 bits", lambda x: fact(x, kind).__setitem__("bits", 16)),
        ("a radius set to 0", lambda x: fact(x, kind)["radius"].__setitem__(0, "0")),
    ]


def alter_cluster(c):
    f = fact(c, "inertia-cluster")
    out = []
    n = len(f["basis"])
    out.append(("a basis vector entry set to 10", lambda x: fact(x, "inertia-cluster")["basis"][0].__setitem__(
        0, "10")))
    out.append(("a basis vector replaced by a copy of another", lambda x: fact(
        x, "inertia-cluster")["basis"].__setitem__(0, copy.deepcopy(f["basis"][n - 1]))))
    for k in range(3):
        out.append(("the count n{} + 1".format("+-0"[k]), lambda x, k=k: fact(
            x, "inertia-cluster")["inertia"].__setitem__(k, f["inertia"][k] + 1)))
    if Fraction(f["delta"]) > 0:
        out.append(("delta multiplied by 1000", lambda x: fact(x, "inertia-cluster").__setitem__(
            "delta", str(Fraction(f["delta"]) * 1000))))
    if f["cluster"] > 0 and Fraction(f["epsilon"]) == 0:
        out.append(("epsilon set to -1/1000", lambda x: fact(x, "inertia-cluster").__setitem__(
            "epsilon", "-1/1000")))
    elif f["cluster"] > 0:
        out.append(("epsilon divided by 10^6", lambda x: fact(x, "inertia-cluster").__setitem__(
            "epsilon", str(Fraction(f["epsilon"]) / 10**6))))
        out.append(("the cluster declared one column smaller", lambda x: (
            fact(x, "inertia-cluster").__setitem__("cluster", f["cluster"] - 1),
            fact(x, "inertia-cluster")["levels"].append(1))))
    else:
        out.append(("epsilon and delta exchanged", lambda x: (
            fact(x, "inertia-cluster").__setitem__("epsilon", f["delta"]),
            fact(x, "inertia-cluster").__setitem__("delta", f["epsilon"]))))
    out.append(("a negative group size that keeps the sum", lambda x: fact(
        x, "inertia-cluster").__setitem__("levels", f["levels"][:-1] + [f["levels"][-1] + 2, -2])))
    out.append(("the last resolved column declared part of the cluster", lambda x: (
        fact(x, "inertia-cluster")["levels"].__setitem__(-1, f["levels"][-1] - 1),
        fact(x, "inertia-cluster").__setitem__("cluster", f["cluster"] + 1))))
    if f["cluster"] > 0 and Fraction(f["epsilon"]) > 0:
        out.append(("the precision lowered to 16 bits (too coarse for the claimed epsilon)",
                    lambda x: fact(x, "inertia-cluster").__setitem__("bits", 16)))
    out.append(("the precision lowered to 8 bits", lambda x: fact(x, "inertia-cluster").__setitem__(
        "bits", 8)))
    return out


def alter_path(c):
    f = fact(c, "path")
    v = f["vertices"]
    last = len(v) - 1
    moved = [k for k in range(len(v[last])) if Fraction(v[last][k]) != Fraction(v[last - 1][k])]

    def uphill(x):  # the last segment walked the other way: the loss increases along it
        w = fact(x, "path")["vertices"]
        for k in moved:
            w[last][k] = str(2 * Fraction(v[last - 1][k]) - Fraction(v[last][k]))

    def set_vertex(i, k, value):
        return lambda x: fact(x, "path")["vertices"][i].__setitem__(k, value)

    out = [
        ("the first vertex moved off the point", set_vertex(0, 0, bump(v[0][0]))),
        ("a live unit's weight moved in a function-preserving segment",
         set_vertex(1, 0, str(Fraction(v[1][0]) + 3))),
        ("the last segment reversed (uphill), its pieces kept", uphill),
        ("a segment removed", lambda x: fact(x, "path")["segments"].pop()),
        ("a vertex removed", lambda x: fact(x, "path")["vertices"].pop(1)),
        ("the last segment declared function-preserving",
         lambda x: fact(x, "path")["segments"][-1].__setitem__("method", "function-preserving")),
    ]
    seg = f["segments"][-1]
    pieces = seg["pieces"]
    out.append(("the last piece removed (the pieces stop before 1)",
                lambda x: fact(x, "path")["segments"][-1]["pieces"].pop()))
    out.append(("a piece's ends exchanged", lambda x: fact(x, "path")["segments"][-1][
        "pieces"].__setitem__(0, [pieces[0][1], pieces[0][0]])))
    if len(pieces) > 2:
        out.append(("a middle piece removed (a gap)",
                    lambda x: fact(x, "path")["segments"][-1]["pieces"].pop(1)))
    if seg["method"] == "ball-derivative":
        out.append(("a sigmoid segment declared exact-polynomial",
                    lambda x: fact(x, "path")["segments"][-1].__setitem__("method", "exact-polynomial")))
        out.append(("the segment's precision lowered to 8 bits",
                    lambda x: fact(x, "path")["segments"][-1].__setitem__("bits", 8)))
        out.append(("the decrease's precision lowered to 8 bits",
                    lambda x: fact(x, "path")["decrease"].__setitem__("bits", 8)))
    if "end_loss" in f:
        out.append(("a digit of the end loss", lambda x: fact(x, "path").__setitem__(
            "end_loss", bump(f["end_loss"]))))
    out.append(("the end moved back to the start (no decrease)", lambda x: (
        fact(x, "path")["vertices"].__setitem__(last, copy.deepcopy(v[0])),
        fact(x, "path").pop("end_loss", None))))
    return out


# Changes that leave a valid proof of the same statement must be accepted (the checker is not a
# digest comparison): more precision than the certificate needs.
for key, kind, bits in (("cluster_g3b", "inertia-cluster", 256), ("cluster_g1", "inertia-cluster", 256),
                        ("krawczyk_g1", "krawczyk", 512), ("path_balls", "path", 512)):
    x = json.load(open(certs[key]))
    if kind == "path":
        fact(x, kind)["segments"][-1]["bits"] = bits
        fact(x, kind)["decrease"]["bits"] = bits
    else:
        fact(x, kind)["bits"] = bits
    more = os.path.join(work, "more_precision.json")
    with open(more, "w") as out:
        json.dump(x, out)
    r = run([verifier, more])
    print("{}: precision raised to {} bits: {}".format(key, bits, r.stdout.split(" ")[0]))
    if r.returncode != 0:
        failures.append("{}: a valid proof at {} bits was rejected: {}".format(key, bits, r.stdout))

def alter_conclusion(c):
    out = []
    other = {"saddle": "strict-minimum", "strict-minimum": "saddle", "strict-maximum": "saddle",
             "not-critical": "saddle", "minimum": "strict-minimum"}[c["conclusion"]]
    out.append(("the conclusion changed to " + other, lambda x: x.__setitem__("conclusion", other)))
    if c["conclusion"] != "not-critical":
        out.append(("the conclusion changed to not-critical",
                    lambda x: x.__setitem__("conclusion", "not-critical")))
        first = c["facts"][0]["kind"]
        out.append(("the {} fact removed".format(first), lambda x: x["facts"].pop(0)))
        out.append(("the inertia fact removed", lambda x: x["facts"].pop()))
        if c["conclusion"] == "minimum":
            out.append(("the conclusion changed to saddle", lambda x: x.__setitem__("conclusion", "saddle")))
    else:
        out.append(("the precision of the not-critical fact lowered to 8 bits",
                    lambda x: x["facts"][0].__setitem__("bits", 8)))
    return out


def digest(problem):
    """The certificate's checksum: FNV-1a (64 bits) of the compact JSON text, as nlohmann writes
    it (keys sorted, no spaces, UTF-8 as is)."""
    text = json.dumps(problem, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    h = 14695981039346656037
    for b in text.encode("utf-8"):
        h ^= b
        h = (h * 1099511628211) % (1 << 64)
    return "fnv1a64:{:016x}".format(h)


# the checksum is recomputed the same way here as in locus and locus-verify
for key, path in certs.items():
    c = json.load(open(path))
    if c.get("problem_digest") != digest(c["problem"]):
        failures.append("{}: the checksum differs from this test's ({})".format(key, digest(c["problem"])))

def theta_index(widths, biases, l, j, k):
    """Index of W_l[j, k] in θ (k = n_{l-1}: the bias b_l[j]), as in docs/interfaces.md."""
    offset = sum(widths[m] * (widths[m - 1] + (1 if biases[m - 1] else 0)) for m in range(1, l))
    if k < widths[l - 1]:
        return offset + j * widths[l - 1] + k
    return offset + widths[l] * widths[l - 1] + j


def as_image(c):
    """A krawczyk-split certificate rewritten with the general krawczyk-image fact: the split's
    map written out here (the rule of docs/certificates.md), the conclusion dropped (an image box
    supports none). The checker must verify it."""
    x = copy.deepcopy(c)
    f = next(g for g in x["facts"] if g["kind"] == "krawczyk-split")
    big, small = x["problem"], f["problem"]
    wb, ws, bias = big["widths"], small["widths"], big["biases"]
    L = len(wb) - 1
    src = [list(range(wb[0]))] + f["source"] + [list(range(wb[L]))]
    mu = [["1"] * wb[0]] + f["fraction"] + [["1"] * wb[L]]
    P = theta_index(wb, bias, L, wb[L] - 1, wb[L - 1] + (1 if bias[L - 1] else 0) - 1) + 1
    Ps = len(small["point"])
    rows = [["0"] * Ps for _ in range(P)]
    for l in range(1, L + 1):
        for q in range(wb[l]):
            for col in range(wb[l - 1] + (1 if bias[l - 1] else 0)):
                is_bias = col == wb[l - 1]
                t = ws[l - 1] if is_bias else src[l - 1][col]
                rows[theta_index(wb, bias, l, q, col)][theta_index(ws, bias, l, src[l][q], t)] = (
                    "1" if is_bias else mu[l - 1][col])
    f["kind"] = "krawczyk-image"
    f["map"] = rows
    del f["source"], f["fraction"]
    x.pop("conclusion", None)
    return x


def alter_claims_facts():
    """The fact kinds only the claims write (loss, kernel, hessian-zero, an explicit matrix),
    altered in each part; the first certificate of the quick suite with each kind."""
    out = []
    files = sorted(os.listdir(claims_dir)) if os.path.isdir(claims_dir) else []
    seen = set()
    for name in files:
        path = os.path.join(claims_dir, name)
        c = json.load(open(path))
        for k, f in enumerate(c["facts"]):
            kind = f["kind"] + ("-matrix" if isinstance(f.get("matrix"), list) else "") + (
                "-split" if "split_vertices" in f else "")
            if kind == "krawczyk-split" and c.get("conclusion") != "minimum":
                continue
            if kind in seen or kind not in ("loss", "kernel", "hessian-zero", "inertia-ldlt-matrix",
                                            "congruence", "third-order", "krawczyk-image",
                                            "critical-manifold", "krawczyk-split", "path-split"):
                continue
            seen.add(kind)
            changes = []
            if kind == "loss":
                changes.append(("a digit of the loss value", lambda x, k=k, f=f: x["facts"][k].__setitem__(
                    "value", bump(f["value"]))))
            if kind == "kernel":
                v = f["vectors"][0]
                i = max(range(len(v)), key=lambda t: abs(Fraction(v[t])))
                changes.append(("the largest entry of a kernel vector", lambda x, k=k, i=i, v=v:
                             x["facts"][k]["vectors"][0].__setitem__(i, bump(v[i]))))
                changes.append(("a kernel vector set to 0", lambda x, k=k, v=v:
                             x["facts"][k]["vectors"].__setitem__(0, ["0"] * len(v))))
            if kind == "hessian-zero":
                changes.append(("the precision lowered to 8 bits", lambda x, k=k:
                             x["facts"][k].__setitem__("bits", 8)))
            if kind == "inertia-ldlt-matrix":
                m = f["matrix"]
                changes.append(("an entry of the explicit matrix", lambda x, k=k, m=m:
                             x["facts"][k]["matrix"][0].__setitem__(0, bump(m[0][0]))))
                changes.append(("the explicit matrix made asymmetric", lambda x, k=k, m=m:
                             x["facts"][k]["matrix"][len(m) - 1].__setitem__(
                                 0, bump(m[len(m) - 1][0]))))
                changes.append(("the explicit matrix's count n+ + 1", lambda x, k=k, f=f:
                             x["facts"][k]["inertia"].__setitem__(0, f["inertia"][0] + 1)))
            if kind == "congruence":
                t = f["transform"]
                j = next(j for j in range(len(t[0])) if Fraction(t[0][j]) != 0)
                changes.append(("an entry of the transform T", lambda x, k=k, j=j, t=t:
                             x["facts"][k]["transform"][0].__setitem__(j, bump(t[0][j]))))
                changes.append(("a column of T copied onto another (det T = 0)", lambda x, k=k, t=t: [
                    row.__setitem__(1, row[0]) for row in x["facts"][k]["transform"]]))
                block = f["blocks"][1]["matrix"]
                changes.append(("an entry of the explicit block", lambda x, k=k, b=block:
                             x["facts"][k]["blocks"][1]["matrix"][0].__setitem__(0, bump(b[0][0]))))
                small = f["blocks"][0]["problem"]
                changes.append(("a coordinate of the embedded problem's point", lambda x, k=k, p=small:
                             x["facts"][k]["blocks"][0]["problem"]["point"].__setitem__(
                                 0, bump(p["point"][0]))))
                changes.append(("the blocks exchanged", lambda x, k=k, f=f:
                             x["facts"][k].__setitem__("blocks", [f["blocks"][1], f["blocks"][0]])))
            if kind == "third-order":
                u = f["direction"]
                changes.append(("the direction set to 0", lambda x, k=k, u=u:
                             x["facts"][k].__setitem__("direction", ["0"] * len(u))))
                changes.append(("the precision lowered to 8 bits", lambda x, k=k:
                             x["facts"][k].__setitem__("bits", 8)))
                changes.append(("the third-order fact removed", lambda x, k=k: x["facts"].pop(k)))
                changes.append(("the conclusion changed to saddle", lambda x:
                             x.__setitem__("conclusion", "saddle")))
            if kind == "krawczyk-image":
                mp = f["map"]
                i, j = next((i, j) for i in range(len(mp)) for j in range(len(mp[i]))
                            if Fraction(mp[i][j]) != 0)
                changes.append(("an entry of the linear map", lambda x, k=k, i=i, j=j, mp=mp:
                             x["facts"][k]["map"][i].__setitem__(j, bump(mp[i][j]))))
                changes.append(("a coordinate of the embedded problem's point",
                             lambda x, k=k, p=f["problem"]: x["facts"][k]["problem"]["point"].__setitem__(
                                 0, bump(p["point"][0]))))
                changes.append(("an embedded preconditioner row set to 0", lambda x, k=k, f=f:
                             x["facts"][k]["preconditioner"].__setitem__(
                                 0, ["0"] * len(f["preconditioner"][0]))))
                changes.append(("a conclusion drawn from the image box", lambda x:
                             x.__setitem__("conclusion", "saddle")))
            if kind == "critical-manifold":
                d = f["directions"][0]
                i = max(range(len(d)), key=lambda t: abs(Fraction(d[t])))
                z = next(t for t in range(len(d)) if Fraction(d[t]) == 0)
                changes.append(("a direction's largest entry bumped", lambda x, k=k, i=i, d=d:
                             x["facts"][k]["directions"][0].__setitem__(i, bump(d[i]))))
                changes.append(("a zero entry of a direction set to 1", lambda x, k=k, z=z:
                             x["facts"][k]["directions"][0].__setitem__(z, "1")))
                changes.append(("a direction set to 0", lambda x, k=k, d=d:
                             x["facts"][k]["directions"].__setitem__(0, ["0"] * len(d))))
                changes.append(("a direction repeated (dependent columns)", lambda x, k=k, d=d:
                             x["facts"][k]["directions"].append(list(d))))
                changes.append(("the conclusion changed to strict-minimum", lambda x:
                             x.__setitem__("conclusion", "strict-minimum")))
                changes.append(("the critical-manifold fact removed", lambda x, k=k:
                             x["facts"].pop(k)))
            if kind == "krawczyk-split":
                mu = f["fraction"][0]
                changes.append(("a fraction bumped (the copies' fractions no longer sum to 1)",
                                lambda x, k=k, mu=mu: x["facts"][k]["fraction"][0].__setitem__(
                                    0, bump(mu[0]))))
                changes.append(("two fractions exchanged (the map no longer gives the point)",
                                lambda x, k=k, mu=mu: x["facts"][k]["fraction"].__setitem__(
                                    0, [mu[1], mu[0]] + mu[2:])))
                changes.append(("a source out of range", lambda x, k=k, f=f:
                                x["facts"][k]["source"][0].__setitem__(0, len(f["source"][0]) + 5)))
                changes.append(("a coordinate of the embedded problem's point",
                                lambda x, k=k, p=f["problem"]: x["facts"][k]["problem"]["point"].__setitem__(
                                    0, bump(p["point"][0]))))
                changes.append(("a target of the embedded problem (other data)",
                                lambda x, k=k, p=f["problem"]: x["facts"][k]["problem"]["targets"][0].__setitem__(
                                    0, bump(p["targets"][0][0]))))
                changes.append(("an L2 term in the embedded problem", lambda x, k=k:
                                x["facts"][k]["problem"].__setitem__("l2", "1/10")))
                changes.append(("the embedded radius shrunk to 10^-400", lambda x, k=k, f=f:
                                x["facts"][k].__setitem__("radius", ["1/1" + "0" * 400] * len(f["radius"]))))
                changes.append(("the cluster fact removed (minimum without an inertia)", lambda x:
                                x.__setitem__("facts", [g for g in x["facts"] if g["kind"] != "inertia-cluster"])))
                changes.append(("the conclusion changed to strict-minimum", lambda x:
                                x.__setitem__("conclusion", "strict-minimum")))
            if kind == "path-split":
                sv = f["split_vertices"]
                v = f["vertices"]
                moved = next(i for i in range(len(v[0])) if v[0][i] != v[1][i])
                changes.append(("the first split vertex's fractions changed", lambda x, k=k, sv=sv:
                                x["facts"][k]["split_vertices"][0]["fraction"][0].__setitem__(
                                    0, bump(sv[0]["fraction"][0][0]))))
                fixed = next(j for j in range(len(sv)) if sv[j]["fixed"])
                changes.append(("a fixed entry's value bumped", lambda x, k=k, j=fixed, sv=sv:
                                x["facts"][k]["split_vertices"][j]["fixed"][0].__setitem__(
                                    1, bump(sv[j]["fixed"][0][1]))))
                changes.append(("a fixed entry dropped", lambda x, k=k, j=fixed:
                                x["facts"][k]["split_vertices"][j]["fixed"].pop(0)))
                changes.append(("an entry that moves along the split line fixed at its value (the "
                                "segment is then constant only at the centre)",
                                lambda x, k=k, i=moved, v=v: x["facts"][k]["split_vertices"][1]["fixed"].append(
                                    [i, v[1][i]])))
                changes.append(("a split vertex removed", lambda x, k=k:
                                x["facts"][k]["split_vertices"].pop()))
                changes.append(("the krawczyk-split fact removed", lambda x:
                                x.__setitem__("facts", [g for g in x["facts"] if g["kind"] != "krawczyk-split"])))
            for what, change in changes:
                out.append((name, c, what, change))
        if "krawczyk-image" not in seen and any(f["kind"] == "krawczyk-split" for f in c["facts"]):
            # the claims write krawczyk-image only for maps that are no split: its alterations
            # run on a split certificate rewritten with the map
            image = as_image(c)
            image_path = os.path.join(work, "image_" + name)
            with open(image_path, "w") as handle:
                json.dump(image, handle)
            r = run([verifier, image_path])
            if r.returncode != 0:
                failures.append("the krawczyk-image rewrite of {} did not verify: {}".format(
                    name, r.stdout[-1000:]))
            seen.add("krawczyk-image")
            k = next(k for k, f in enumerate(image["facts"]) if f["kind"] == "krawczyk-image")
            f = image["facts"][k]
            mp = f["map"]
            i, j = next((i, j) for i in range(len(mp)) for j in range(len(mp[i]))
                        if Fraction(mp[i][j]) != 0)
            for what, change in [
                    ("an entry of the linear map", lambda x, k=k, i=i, j=j, mp=mp:
                     x["facts"][k]["map"][i].__setitem__(j, bump(mp[i][j]))),
                    ("a coordinate of the embedded problem's point",
                     lambda x, k=k, p=f["problem"]: x["facts"][k]["problem"]["point"].__setitem__(
                         0, bump(p["point"][0]))),
                    ("an embedded preconditioner row set to 0", lambda x, k=k, f=f:
                     x["facts"][k]["preconditioner"].__setitem__(0, ["0"] * len(f["preconditioner"][0]))),
                    ("a conclusion drawn from the image box", lambda x:
                     x.__setitem__("conclusion", "saddle")),
                    ("the minimum concluded from the image box", lambda x:
                     x.__setitem__("conclusion", "minimum"))]:
                out.append(("image_" + name, image, what, change))
    kinds = {"loss", "kernel", "hessian-zero", "inertia-ldlt-matrix", "congruence", "third-order",
             "krawczyk-image", "critical-manifold", "krawczyk-split", "path-split"}
    if seen != kinds:
        failures.append("the quick suite wrote no certificate with " + ", ".join(sorted(kinds - seen)))
    return out


def must_reject(key, what, x):
    """Runs the checker on the altered certificate x; records the outcome."""
    altered = os.path.join(work, "altered.json")
    with open(altered, "w") as out:
        json.dump(x, out)
    r = run([verifier, altered])
    rejected = r.returncode == 1 and "REJECTED" in r.stdout
    reason = r.stdout.split(": ", 1)[-1].splitlines()[0] if r.stdout else r.stderr.strip()
    alterations.append((key, what, rejected, reason))
    if not rejected:
        failures.append("{}: '{}' was accepted".format(key, what))


math_caught = []
alterations = []
for name, c, what, change in alter_claims_facts():
    x = copy.deepcopy(c)
    change(x)
    must_reject(name, what, x)
for key, path in certs.items():
    c = json.load(open(path))
    kinds = {f["kind"] for f in c["facts"]}
    changes = alter_problem(c)
    if "inertia-ldlt" in kinds:
        changes += alter_ldlt(c)
    if "krawczyk" in kinds:
        changes += alter_krawczyk(c)
    if "krawczyk-split" in kinds:
        changes += alter_krawczyk(c, "krawczyk-split")
    if "inertia-cluster" in kinds:
        changes += alter_cluster(c)
    if "conclusion" in c:
        changes += alter_conclusion(c)
    if "path" in kinds:
        changes += alter_path(c)
    for what, change in alter_problem(c):
        # The forger who also recomputes the checksum: is the altered problem caught by the
        # mathematics alone? (Reported, not required: the altered statement may be true.)
        x = copy.deepcopy(c)
        change(x)
        x["problem_digest"] = digest(x["problem"])
        altered = os.path.join(work, "altered_digest.json")
        with open(altered, "w") as out:
            json.dump(x, out)
        r = run([verifier, altered])
        math_caught.append(r.returncode == 1)
    for what, change in changes:
        x = copy.deepcopy(c)
        change(x)
        if x == c:
            failures.append("{}: the alteration '{}' changed nothing".format(key, what))
            continue
        must_reject(key, what, x)

# Random mutations (seeded): any leaf of a certificate replaced by a value of another kind or an
# extreme one. The checker must answer VERIFIED or REJECTED with status 0 or 1 every time: never a
# crash, a signal or an uncaught exception (the same files run under the sanitizers in CI's ASan
# job). Accepting is allowed here (a mutation can leave a true statement); soundness is the list
# above.
import random
SEED = 20261203
rng = random.Random(SEED)
WILD = ["1e999999999", "-1e999999999", "nan", "inf", "1/0", "0/0", "", " ", "1/3/4", "--1",
        "99999999999999999999999999999999/7", 10**30, -1, 0, 1.5, None, True, [], {}, [[]],
        ["1"], {"kind": "critical"}, "x" * 1000]


def leaves(x, path=()):
    if isinstance(x, dict):
        for k, v in x.items():
            yield from leaves(v, path + (k,))
    elif isinstance(x, list):
        for i, v in enumerate(x):
            yield from leaves(v, path + (i,))
    yield path


def set_at(x, path, value):
    for p in path[:-1]:
        x = x[p]
    x[path[-1]] = value


crashes = []
fuzzed = 0
for key, path in certs.items():
    c = json.load(open(path))
    candidates = [p for p in leaves(c) if p]
    for _ in range(25):
        x = copy.deepcopy(c)
        set_at(x, rng.choice(candidates), copy.deepcopy(rng.choice(WILD)))
        fuzz = os.path.join(work, "fuzz.json")
        with open(fuzz, "w") as out:
            json.dump(x, out)
        r = run([verifier, fuzz])
        fuzzed += 1
        ok = r.returncode in (0, 1) and (r.stdout.startswith("VERIFIED") or r.stdout.startswith("REJECTED"))
        if not ok:
            crashes.append("{}: status {}: {}{}".format(key, r.returncode, r.stdout[-300:], r.stderr[-300:]))
print("random mutations (seed {}): {} runs, {} without a clean VERIFIED/REJECTED".format(
    SEED, fuzzed, len(crashes)))
failures += crashes

print("| certificate | alteration | rejected | checker's reason |")
print("|---|---|---|---|")
for key, what, rejected, reason in alterations:
    print("| {} | {} | {} | {} |".format(key, what, "yes" if rejected else "NO", reason[:140]))
print()
print("{} alterations, {} rejected".format(len(alterations), sum(a[2] for a in alterations)))
print("problem alterations with the checksum recomputed: {} of {} caught by the mathematics "
      "alone (the others leave a true statement about the altered problem)".format(
          sum(math_caught), len(math_caught)))
if failures:
    print("\n".join(failures))
    sys.exit(1)
