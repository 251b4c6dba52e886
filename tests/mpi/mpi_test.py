"""Data parallelism over MPI ranks (docs/scaling.md): `locus eval` and `locus spectrum --lanczos`
under `mpirun -n 2` against one process.

- rational: the loss, gradient and Hessian are bit-identical (exact sums);
- balls: every ball contains the exact value (a polynomial problem, checked over Q), and overlaps
  the one-process ball (a sigmoid problem);
- double: within 1e-12 relative to the largest entry (the stated rounding bound is smaller);
- Lanczos: the extreme eigenvalues agree within their residual bounds;
- the memory budget: a shard too large for one process runs across two ranks;
- an error on one rank reaches every rank (no hang), and the exit status is 2;
- the sharded sweeps (check, search, reproduce littwin-wolf and sagun) give the same tables,
  JSON, JUnit, reports and files as one process (but for seconds).

Usage: python3 mpi_test.py LOCUS MPIRUN EXAMPLES_DIR WORK_DIR
"""
import json
import os
import re
import subprocess
import sys
from fractions import Fraction

locus, mpirun, examples, work = sys.argv[1:5]
os.makedirs(work, exist_ok=True)
failures = []
env = dict(os.environ, OMP_NUM_THREADS="1", OMPI_ALLOW_RUN_AS_ROOT="1",
           OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMPI_MCA_rmaps_base_oversubscribe="1")


def run(args, ranks=1, timeout=300):
    cmd = ([mpirun, "-n", str(ranks), "--oversubscribe"] if ranks > 1 else []) + [locus] + args
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)


def problem(name):
    return os.path.join(examples, name + ".json")


def ball(text):
    """'[m +/- r]' or an exact number: (mid, rad) as Fractions (decimals read exactly)."""
    text = text.strip()
    if text.startswith("["):
        mid, rad = text[1:-1].split("+/-")
        return Fraction(mid.strip()), Fraction(rad.strip())
    return Fraction(text), Fraction(0)


def entries(j, key):
    v = j[key]
    if isinstance(v, str):
        return [v]
    if v and isinstance(v[0], list):
        return [x for row in v for x in row]
    return v


def evaluate(name, arithmetic, ranks, extra=()):
    r = run(["eval", problem(name), "-a", arithmetic, "--json", "-q", "loss,gradient,hessian"]
            + list(extra), ranks)
    if r.returncode != 0:
        failures.append("eval {} -a {} on {} rank(s) failed: {}{}".format(
            name, arithmetic, ranks, r.stdout[-500:], r.stderr[-1500:]))
        return None
    return json.loads(r.stdout)


checks = 0
# rational: bit-identical
one = evaluate("polynomial_exact", "rational", 1)
two = evaluate("polynomial_exact", "rational", 2)
if one and two:
    for key in ("loss", "gradient", "hessian"):
        checks += 1
        if one[key] != two[key]:
            failures.append("rational {}: two ranks differ from one process".format(key))

# balls: the exact value inside every ball of two ranks
b2 = evaluate("polynomial_exact", "ball:128", 2)
if one and b2:
    for key in ("loss", "gradient", "hessian"):
        for exact, text in zip(entries(one, key), entries(b2, key)):
            checks += 1
            m, r = ball(text)
            if abs(Fraction(exact) - m) > r:
                failures.append("ball {}: {} does not contain the exact {}".format(key, text, exact))

# balls on a sigmoid network: one process's and two ranks' balls overlap
for name in ("g1_small", "mixed_gelu_tanh_bce_l2"):
    b1 = evaluate(name, "ball:128", 1)
    b2 = evaluate(name, "ball:128", 2)
    if b1 and b2:
        for key in ("loss", "gradient", "hessian"):
            for x, y in zip(entries(b1, key), entries(b2, key)):
                checks += 1
                (m1, r1), (m2, r2) = ball(x), ball(y)
                if abs(m1 - m2) > r1 + r2:
                    failures.append("{} ball {}: {} and {} are disjoint".format(name, key, x, y))

# double: within 1e-12 relative to the largest entry
for name in ("g1_small", "mixed_gelu_tanh_bce_l2", "g3b_star"):
    d1 = evaluate(name, "double", 1)
    d2 = evaluate(name, "double", 2)
    if d1 and d2:
        for key in ("loss", "gradient", "hessian"):
            a = [float(x) for x in entries(d1, key)]
            b = [float(x) for x in entries(d2, key)]
            # the sums' rounding is relative to the size of their terms, which is about that of
            # the loss and the Hessian's entries (a gradient near a critical point cancels)
            scale = max([abs(x) for x in a] + [abs(float(d1["loss"])), 1.0])
            checks += 1
            worst = max(abs(x - y) for x, y in zip(a, b))
            if worst > 1e-12 * scale:
                failures.append("{} double {}: differs by {} (scale {})".format(name, key, worst, scale))

# Lanczos: the extreme eigenvalues agree within the residual bounds; Spectra's restarted Lanczos
# in one process against Spectra and SLEPc's Krylov-Schur on two ranks
for name in ("mixed_gelu_tanh_bce_l2", "g3b_star"):
  for solver in ("spectra", "slepc"):
    res = []
    for ranks in (1, 2):
        r = run(["spectrum", problem(name), "--lanczos", "2", "--json", "--seed", "7", "--probes", "3",
                 "--solver", solver if ranks == 2 else "spectra"], ranks)
        if r.returncode != 0:
            failures.append("spectrum --lanczos on {} rank(s): {}{}".format(ranks, r.stdout[-500:], r.stderr[-1500:]))
            break
        res.append(json.loads(r.stdout))
    if len(res) == 2:
        for end in ("largest", "smallest"):
            checks += 1
            if len(res[0][end]) != len(res[1][end]):
                failures.append("{} {} {}: {} values against {}".format(
                    name, solver, end, len(res[0][end]), len(res[1][end])))
            for x, y in zip(res[0][end], res[1][end]):
                checks += 1
                x, y = float(x), float(y)
                if abs(x - y) > 1e-8 * (1 + abs(x)):
                    failures.append("{} {} {}: {} against {}".format(name, solver, end, x, y))
        # the spectral densities (SLEPc: Lanczos on PETSc vectors spread over the ranks): their
        # moments sum w·node^k, k = 0, 1, 2, which the quadrature gets exactly (Rademacher probes
        # from the same seed), so they agree to rounding whatever the runs' lengths
        moments = []
        for j in res:
            nodes = [float(x) for x in j["density"]["nodes"]]
            weights = [float(x) for x in j["density"]["weights"]]
            moments.append([sum(w * x ** k for x, w in zip(nodes, weights)) for k in range(3)])
        top = max(abs(float(x)) for x in res[0]["largest"] + res[0]["smallest"])
        for k in range(3):
            checks += 1
            if abs(moments[0][k] - moments[1][k]) > 1e-8 * (1 + top) ** k:
                failures.append("{} {} density moment {}: {} against {}".format(
                    name, solver, k, moments[0][k], moments[1][k]))
        if res[1].get("ranks") != 2:
            failures.append("{}: the two-rank report does not say 2 ranks".format(name))
        expected = "krylov-schur" if solver == "slepc" else "restarted"
        if res[1]["solver"]["name"] != expected:
            failures.append("{}: solver {} reported as {}".format(name, solver, res[1]["solver"]["name"]))

# the memory budget: the estimate for one process's shard is above the budget, each half below
budget_probe = run(["eval", problem("mixed_gelu_tanh_bce_l2"), "-a", "double", "-q", "gradient",
                    "--memory-budget", "0.000001"])
checks += 1
if budget_probe.returncode != 2 or "memory budget" not in budget_probe.stderr:
    failures.append("a budget too small was not refused with status 2: {}{}".format(
        budget_probe.stdout[-300:], budget_probe.stderr[-300:]))
else:
    need = float(budget_probe.stderr.split("needs about ")[1].split(" MB")[0])
    budget = "{:.6f}".format(need * 0.75)
    alone = run(["eval", problem("mixed_gelu_tanh_bce_l2"), "-a", "double", "-q", "gradient",
                 "--memory-budget", budget])
    spread = run(["eval", problem("mixed_gelu_tanh_bce_l2"), "-a", "double", "-q", "gradient",
                  "--memory-budget", budget, "--json"], 2)
    checks += 2
    if alone.returncode != 2:
        failures.append("one process with budget {} MB was not refused".format(budget))
    if spread.returncode != 0:
        failures.append("two ranks with budget {} MB failed: {}".format(budget, spread.stderr[-800:]))

# an error on one rank only reaches every rank, with no hang: a ReLU kink at the last sample,
# which only rank 1 holds
kink = {"format": "locus-problem/1",
        "network": {"widths": [1, 1, 1], "activation": "relu", "bias": True, "loss": "squared",
                    "reduction": "sum"},
        "data": {"inputs": [["1"], ["2"], ["0"]], "targets": [["1"], ["0"], ["1"]]},
        "point": ["1", "0", "1", "0"]}
kink_path = os.path.join(work, "kink.json")
json.dump(kink, open(kink_path, "w"))
for ranks in (1, 2):
    checks += 1
    r = run(["eval", kink_path, "-a", "rational"], ranks, timeout=120)
    if r.returncode != 2 or "not differentiable" not in (r.stdout + r.stderr):
        failures.append("a kink on {} rank(s) did not stop every rank with status 2: {} {}{}".format(
            ranks, r.returncode, r.stdout[-300:], r.stderr[-600:]))

# per-sample quantities are not summed over ranks: refused
checks += 1
r = run(["eval", problem("g1_small"), "-a", "double", "-q", "jacobian"], 2)
if r.returncode != 2 or "not distributed" not in (r.stdout + r.stderr):
    failures.append("a per-sample quantity under two ranks was not refused with status 2: {}{}".format(
        r.stdout[-300:], r.stderr[-300:]))

# sharded sweep: locus check --quick on two ranks gives the same table, JSON and JUnit
reports = []
for ranks in (1, 2):
    out = os.path.join(work, "check{}".format(ranks))
    r = run(["check", "--quick", "--counterexamples", out, "--json", out + ".json",
             "--junit", out + ".xml"], ranks, timeout=900)
    reports.append((r, out))
(r1, o1), (r2, o2) = reports
checks += 3
if r1.returncode != r2.returncode:
    failures.append("locus check: exit {} in one process, {} on two ranks".format(r1.returncode, r2.returncode))
else:
    strip = lambda t: [line.rsplit("|", 2)[0] for line in t.splitlines()
                       if line.startswith("|")]  # the table without the seconds column
    if strip(r1.stdout) != strip(r2.stdout):
        failures.append("locus check: the tables differ:\n" + r1.stdout[-1500:] + "\n" + r2.stdout[-1500:])
    j1, j2 = json.load(open(o1 + ".json")), json.load(open(o2 + ".json"))
    for j in (j1, j2):
        j.pop("seconds")
        for c in j["claims"]:
            c.pop("seconds")
            if "counterexample" in c:
                c["counterexample"] = os.path.basename(c["counterexample"])
    if j1 != j2:
        failures.append("locus check: the JSON reports differ")
    import re
    x1 = re.sub(r'time="[^"]*"', "", open(o1 + ".xml").read()).replace(o1, "")
    x2 = re.sub(r'time="[^"]*"', "", open(o2 + ".xml").read()).replace(o2, "")
    if x1 != x2:
        failures.append("locus check: the JUnit reports differ")

# sharded reproduction: Littwin-Wolf's (width, seed) evaluations and trainings over two ranks give
# the same report (but for its seconds) and the same CSV
lw = []
for ranks in (1, 2):
    out = os.path.join(work, "lw{}".format(ranks))
    r = run(["reproduce", "littwin-wolf", "--quick", "--seeds", "1", "-o", out], ranks, timeout=900)
    if r.returncode != 0:
        failures.append("reproduce littwin-wolf on {} rank(s): {}{}".format(ranks, r.stdout[-500:], r.stderr[-1500:]))
    lw.append(out)
checks += 2
if not failures or all(os.path.exists(os.path.join(o, "littwin-wolf.csv")) for o in lw):
    import re
    md = [re.sub(r"[0-9.]+ s\.", "", open(os.path.join(o, "littwin-wolf.md")).read()) for o in lw]
    csv = [open(os.path.join(o, "littwin-wolf.csv")).read() for o in lw]
    if md[0] != md[1]:
        failures.append("reproduce littwin-wolf: the reports differ")
    if csv[0] != csv[1]:
        failures.append("reproduce littwin-wolf: the CSV files differ")

# sharded reproduction: Sagun's trainings and rank proofs over two ranks give the same report (but
# for its seconds and folder) and the same data files
sg = []
for ranks in (1, 2):
    out = os.path.join(work, "sagun{}".format(ranks))
    r = run(["reproduce", "sagun", "--quick", "-o", out], ranks, timeout=900)
    if r.returncode != 0:
        failures.append("reproduce sagun on {} rank(s): {}{}".format(ranks, r.stdout[-500:], r.stderr[-1500:]))
    sg.append(out)
checks += 5
if all(os.path.exists(os.path.join(o, "sagun.md")) for o in sg):
    md = [re.sub(r"[0-9.]+ s\.", "", open(os.path.join(o, "sagun.md")).read()) for o in sg]
    if md[0] != md[1]:
        failures.append("reproduce sagun: the reports differ")
    for name in ("sagun-sorted.dat", "sagun-hist.dat", "sagun-bulk.dat", "sagun-outliers.dat"):
        if open(os.path.join(sg[0], name)).read() != open(os.path.join(sg[1], name)).read():
            failures.append("reproduce sagun: {} differs".format(name))

# sharded search: restarts, optimiser runs and shrinking moves over two ranks give the same
# outcome, log and counterexample as one process (seed 1 finds its counterexample on rank 1, so
# rank 0 re-checks it itself; the Yu-Chen budget finds none after two optimiser runs)
searches = [["split.always-minimum", "--seed", "0", "--restarts", "20"],
            ["split.always-minimum", "--seed", "1", "--restarts", "20"],
            ["yu-chen.no-suboptimal-minima", "--seed", "1", "--restarts", "6", "--optimiser-runs", "2",
             "--evaluations", "40", "--max-seconds", "400"]]
for args in searches:
    got = []
    for ranks in (1, 2):
        out = os.path.join(work, "search{}".format(ranks))
        r = run(["search"] + args + ["--out", out, "--json", out + ".json"], ranks, timeout=600)
        j = json.load(open(out + ".json")) if os.path.exists(out + ".json") else None
        if j is not None:
            os.remove(out + ".json")
            for key in ("seconds", "seconds_to_find"):
                j.pop(key, None)
            for t in j["log"]:
                t.pop("seconds")
        cx = None
        if j is not None and j["found"]:
            f = os.path.join(out, "{}.search{}.json".format(args[0], args[2]))
            cx = json.load(open(f))
            cx["provenance"].pop("recheck")
        lines = [line for line in r.stdout.splitlines()
                 if not line.startswith(("seconds", "ranks", "written", "re-check", "result"))]
        got.append((r.returncode, j, cx, lines))
    checks += 1
    if got[0] != got[1]:
        failures.append("search {}: one process and two ranks differ:\n{}\n{}".format(
            " ".join(args), got[0][3], got[1][3]))
    elif got[0][1] is None or (args[0] == "split.always-minimum") != got[0][1]["found"]:
        failures.append("search {}: unexpected outcome {}".format(" ".join(args), got[0][:2]))

print("{} comparisons between one process and two ranks".format(checks))
if failures:
    print("\n".join(failures))
    sys.exit(1)
print("all agree")
