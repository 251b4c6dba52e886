"""`locus reproduce safran-shamir` and frozen parameters (docs/reproductions.md, docs/math/frozen.md).

1. `locus reproduce safran-shamir --quick` (k = n = 6, 300 seeded runs) must prove at least one
   spurious local minimum; the report, the CSV (one line per run) and the minimum's problem file
   must agree with each other.
2. The minimum's file is checked by code that shares nothing with locus: numpy evaluates the
   ReLU arc-cosine closed form of F(W) = ½·E[(Σ relu(w_i·x) − Σ relu(e_j·x))²] at the file's point
   (inside the certified loss interval, well above 0), its central-difference gradient (near 0)
   and Hessian (positive definite); a Monte-Carlo estimate over 10^6 Gaussian samples agrees with
   the loss within 4 standard errors.
3. `locus classify -a ball:128 FILE` decides the point again: a certified strict minimum with
   inertia (36, 0, 0) over the 36 free parameters (the 6 frozen output weights left out).
4. Frozen parameters through the CLI and the Python module: `locus eval` reports P = 36, the
   Python module's Hessian is 36 × 36 and equals the CLI's; the point may be given with the
   free entries only; a point whose frozen entry differs from its value, and a frozen index out
   of range, exit 2 naming the field.
5. Bad options exit 2 with a message.

Usage: python3 safran_shamir_test.py LOCUS PYTHONPATH WORK_DIR
"""
import glob
import json
import os
import subprocess
import sys

import numpy as np

locus, pythonpath, work = sys.argv[1:4]
os.makedirs(work, exist_ok=True)
failures = []
checks = 0


def check(ok, what):
    global checks
    checks += 1
    if not ok:
        failures.append(what)


def run(args, expect=0):
    r = subprocess.run([locus] + args, capture_output=True, text=True)
    check(r.returncode == expect, "{}: exit {} (expected {}): {}".format(
        " ".join(args), r.returncode, expect, (r.stderr + r.stdout)[-600:]))
    return r


# 1. the reproduction
out = os.path.join(work, "ss")
r = run(["reproduce", "safran-shamir", "--quick", "--out", out])
md = open(os.path.join(out, "safran-shamir.md")).read()
check("**proved**" in md, "the report proves no spurious minimum")
rows = [line.split(",") for line in open(os.path.join(out, "safran-shamir.csv")).read().splitlines()[1:]]
check(len(rows) == 300, "the CSV has {} runs, expected 300".format(len(rows)))
outcomes = [row[4] for row in rows]
spurious = [row for row in rows if row[4] == "spurious"]
check(len(spurious) >= 1, "no run ended in a spurious minimum")
check(outcomes.count("global") + len(spurious) + outcomes.count("saddle") + outcomes.count("undecided") == 300,
      "unknown outcomes in the CSV")
table = [line for line in md.splitlines() if line.startswith("| 6 | 6 |")]
check(len(table) == 1 and table[0].split("|")[5].strip() == str(len(spurious)),
      "the table's spurious count differs from the CSV: {}".format(table))
files = glob.glob(os.path.join(out, "safran-shamir-k6-n6-run*.json"))
check(len(files) >= 1, "no minimum file written")
if not files:
    print("FAILED: " + "; ".join(failures))
    sys.exit(1)
path = files[0]
problem = json.load(open(path))
check(problem["network"]["frozen"] == [{"layer": 2, "part": "weights", "value": "1"}],
      "the output weights are not frozen at 1: {}".format(problem["network"].get("frozen")))
cert = problem["certificate"]
lo, hi = float(cert["loss_over_box"]["lower"]), float(cert["loss_over_box"]["upper"])
check(cert["box_hessian_inertia"] == "(36, 0, 0)", "inertia {}".format(cert["box_hessian_inertia"]))
check(cert["existence"]["proved"] is True, "existence not proved")


def to_float(s):
    if "/" in str(s):
        p, q = str(s).split("/")
        return int(p) / int(q)
    return float(s)


theta = np.array([to_float(x) for x in problem["point"]])
k = 6
W = theta[:k * k].reshape(k, k)
check(np.all(theta[k * k:] == 1.0), "the file's output weights are not 1")


# 2. independent closed form (Cho & Saul's arc-cosine kernel of degree 1)
def kernel(u, v):
    nu, nv = np.linalg.norm(u), np.linalg.norm(v)
    c = np.clip(u @ v / (nu * nv), -1.0, 1.0)
    phi = np.arccos(c)
    return nu * nv * (np.sin(phi) + (np.pi - phi) * c) / (2 * np.pi)


def loss(w):
    w = w.reshape(k, k)
    V = np.eye(k)
    s = sum(kernel(w[i], w[j]) for i in range(k) for j in range(k))
    s -= 2 * sum(kernel(w[i], V[j]) for i in range(k) for j in range(k))
    s += sum(kernel(V[i], V[j]) for i in range(k) for j in range(k))
    return 0.5 * s


value = loss(W.reshape(-1))
check(lo - 1e-12 <= value <= hi + 1e-12, "numpy's loss {} is outside the certified [{}, {}]".format(value, lo, hi))
check(value > 1e-3, "the loss {} is not clearly above the global minimum 0".format(value))
h = 1e-6
w0 = W.reshape(-1)
grad = np.array([(loss(w0 + h * e) - loss(w0 - h * e)) / (2 * h) for e in np.eye(k * k)])
check(np.linalg.norm(grad) < 1e-7, "numpy's gradient norm {} is not near 0".format(np.linalg.norm(grad)))
step = 1e-4
H = np.zeros((k * k, k * k))
for i, ei in enumerate(np.eye(k * k)):
    for j, ej in enumerate(np.eye(k * k)):
        if j < i:
            continue
        H[i, j] = H[j, i] = (loss(w0 + step * ei + step * ej) - loss(w0 + step * ei - step * ej)
                             - loss(w0 - step * ei + step * ej) + loss(w0 - step * ei - step * ej)) / (4 * step * step)
eig = np.linalg.eigvalsh(H)
check(eig[0] > 1e-3, "numpy's Hessian is not positive definite: smallest eigenvalue {}".format(eig[0]))
rng = np.random.default_rng(2018)
total, total2, count = 0.0, 0.0, 0
for _ in range(10):
    x = rng.standard_normal((100000, k))
    f = np.maximum(x @ W.T, 0).sum(axis=1)
    y = np.maximum(x, 0).sum(axis=1)
    e = 0.5 * (f - y) ** 2
    total += e.sum()
    total2 += (e ** 2).sum()
    count += len(e)
mean = total / count
se = np.sqrt((total2 / count - mean ** 2) / count)
check(abs(mean - value) < 4 * se, "Monte Carlo {} ± {} against the closed form {}".format(mean, se, value))

# 3. classify on its own
r = run(["classify", path, "-a", "ball:128", "--json"])
if r.returncode == 0:
    c = json.loads(r.stdout)
    check(c["kind"] == "strict-minimum" and c["certified"] is True, "classify: {} certified={}".format(c["kind"], c["certified"]))
    check(c["inertia"] == {"positive": 36, "negative": 0, "zero": 0}, "classify inertia {}".format(c["inertia"]))

# 4. frozen parameters through the CLI and Python
r = run(["eval", path, "-q", "loss,gradient,hessian", "--json"])
if r.returncode == 0:
    e = json.loads(r.stdout)
    check(len(e["gradient"]) == 36 and len(e["hessian"]) == 36, "eval: P is not 36")
    check(abs(float(e["loss"]) - value) < 1e-12, "eval's loss {} against numpy {}".format(e["loss"], value))
    env = dict(os.environ, PYTHONPATH=pythonpath)
    py = subprocess.run([sys.executable, "-c",
                         "import locus, numpy, sys; p = locus.load(sys.argv[1]); h = numpy.asarray(locus.hessian(p));"
                         "print(h.shape[0], h.shape[1], p.num_parameters); numpy.save(sys.argv[2], h)",
                         path, os.path.join(work, "h.npy")], capture_output=True, text=True, env=env)
    check(py.returncode == 0, "python: {}".format(py.stderr[-600:]))
    if py.returncode == 0:
        check(py.stdout.split() == ["36", "36", "36"], "python shapes {}".format(py.stdout))
        hp = np.load(os.path.join(work, "h.npy"))
        hc = np.array([[float(x) for x in row] for row in e["hessian"]])
        check(np.max(np.abs(hp - hc)) <= 1e-14 * max(1.0, np.max(np.abs(hc))), "python and CLI Hessians differ")
free_only = dict(problem)
free_only["point"] = problem["point"][:36]
free_only.pop("certificate")
free_path = os.path.join(work, "free.json")
json.dump(free_only, open(free_path, "w"))
r = run(["eval", free_path, "-q", "loss", "--json"])
if r.returncode == 0:
    check(abs(float(json.loads(r.stdout)["loss"]) - value) < 1e-12, "the free-only point gives another loss")
bad = dict(free_only)
bad["point"] = problem["point"][:36] + ["1"] * 5 + ["2"]
bad_path = os.path.join(work, "bad-point.json")
json.dump(bad, open(bad_path, "w"))
r = run(["eval", bad_path], expect=2)
check("point[41]" in r.stderr and "frozen value 1" in r.stderr, "bad point message: {}".format(r.stderr[-300:]))
bad = json.loads(json.dumps(free_only))
bad["network"]["frozen"] = [{"index": 42, "value": "1"}]
bad_path = os.path.join(work, "bad-index.json")
json.dump(bad, open(bad_path, "w"))
r = run(["eval", bad_path], expect=2)
check("network.frozen[0].index" in r.stderr, "bad index message: {}".format(r.stderr[-300:]))
r = run(["construct", "split", path, "--layer", "1", "--unit", "0", "--lambda", "1/2", "-o", os.path.join(work, "s.json")], expect=2)
check("frozen" in r.stderr, "a construction on frozen parameters: {}".format(r.stderr[-300:]))

# 5. bad options
for args, text in [(["--sizes", "1"], "--sizes 1"), (["--runs", "-3"], "--runs -3"),
                   (["--seeds", "2"], "--seeds"), (["--bits", "8"], "--bits 8")]:
    r = run(["reproduce", "safran-shamir", "--out", os.path.join(work, "x")] + args, expect=2)
    check(text in r.stderr, "{}: message {}".format(args, r.stderr[-300:]))
r = run(["reproduce", "sagun", "--runs", "3", "--out", os.path.join(work, "x")], expect=2)
check("belong to safran-shamir" in r.stderr, "sagun --runs: {}".format(r.stderr[-300:]))

if failures:
    print("FAILED ({} of {} checks):\n  ".format(len(failures), checks) + "\n  ".join(failures))
    sys.exit(1)
print("safran-shamir: {} checks passed".format(checks))
