"""Claims written in Python (locus.claims, python3 -m locus check): the worked example, planted
faults that must never be proved, the rules of decide, and a false claim's counterexample
re-checked by `locus classify` on its own."""

import json
import math
import os
import subprocess
import sys
import tempfile
import unittest
from fractions import Fraction

import locus
from locus.claims import Claim, all_of, any_of, decide

SOURCE = os.environ.get("LOCUS_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
CLI = os.environ.get("LOCUS_CLI", "locus")
EXAMPLE = os.path.join(SOURCE, "examples", "claims", "my_claims.py")
PLANTED = os.path.join(os.path.dirname(__file__), "data", "planted_claims.py")


def read(path):
    with open(path) as f:
        return f.read()


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def run_check(*args, cwd=None):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    return subprocess.run([sys.executable, "-m", "locus", "check", *args], capture_output=True,
                          text=True, env=env, cwd=cwd, timeout=600)


class WorkedExample(unittest.TestCase):
    def test_example_file_passes_with_reports(self):
        with tempfile.TemporaryDirectory() as d:
            out = run_check(EXAMPLE, "--json", f"{d}/r.json", "--junit", f"{d}/r.xml",
                            "--counterexamples", f"{d}/ce")
            self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
            self.assertIn("| claim ", out.stdout)
            self.assertTrue(out.stdout.rstrip().endswith("4 passed, 0 failed"), out.stdout)
            report = json.loads(read(f"{d}/r.json"))
            verdicts = {c["id"]: c["verdict"] for c in report["claims"]}
            self.assertEqual(verdicts, {"linear.origin-is-saddle": "proved",
                                        "tanh.origin-is-saddle": "proved",
                                        "linear.critical-points-are-minima": "refuted",
                                        "tanh.hessian-positive-at-fit": "evidence"})
            self.assertIn('<testsuite name="python3 -m locus check" tests="4" failures="0"',
                          read(f"{d}/r.xml"))
            ce = f"{d}/ce/linear.critical-points-are-minima.seed0.json"
            self.assertTrue(os.path.exists(ce))
            prov = json.loads(read(ce))["provenance"]
            self.assertEqual(prov["command"], "python3 -m locus check")
            self.assertEqual(prov["recheck"], f"locus classify {ce}")

    def test_false_claim_written_by_a_user_is_refuted_and_rechecked(self):
        # A claim file as someone who read docs/claims.md writes it: "every critical point of a
        # [1, 2, 1] tanh network without biases is a minimum", expected proved. It is false.
        text = '''
import locus
from locus.claims import Claim, decide

def family(seed):
    p = locus.problem([1, 2, 1], "tanh", [[1], [2]], [[seed + 1], [1]], bias=False)
    return p.with_point([0, 0, 0, 0])

def check(p):
    r = locus.classify(p)
    return decide(r.value("kind"), "==", "strict-minimum") | \\
        decide(r.value("kind"), "==", "degenerate-minimum")

CLAIMS = [Claim(id="user.critical-is-minimum", statement="every critical point is a minimum",
                source="a conjecture", family=family, check=check, instances=2)]
'''
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "user_claims.py")
            write(path, text)
            out = run_check(path, "--counterexamples", "found", cwd=d)
            self.assertEqual(out.returncode, 1, out.stdout + out.stderr)
            self.assertTrue(out.stdout.rstrip().endswith("0 passed, 1 failed"), out.stdout)
            self.assertIn("user.critical-is-minimum", out.stdout)
            self.assertIn("refuted", out.stdout)
            ce = os.path.join(d, "found", "user.critical-is-minimum.seed0.json")
            self.assertTrue(os.path.exists(ce), out.stdout)
            # locus classify, on its own, re-checks the counterexample: a certified saddle
            cl = subprocess.run([CLI, "classify", ce, "--json"], capture_output=True, text=True)
            self.assertEqual(cl.returncode, 0, cl.stderr)
            c = json.loads(cl.stdout)
            self.assertEqual(c["kind"], "saddle")
            self.assertTrue(c["certified"])

    def test_bad_files_are_clear_errors(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "broken.py")
            write(path, "this is not python(\n")
            out = run_check(path)
            self.assertEqual(out.returncode, 2)
            self.assertIn("SyntaxError", out.stderr)
            out = run_check(EXAMPLE, "--claim", "no.such")
            self.assertEqual(out.returncode, 2)
            self.assertIn("no claim matches --claim no.such", out.stderr)
            out = run_check(os.path.join(d, "missing.py"))
            self.assertEqual(out.returncode, 2)


class PlantedFaults(unittest.TestCase):
    def test_no_float_check_is_ever_proved(self):
        with tempfile.TemporaryDirectory() as d:
            out = run_check(PLANTED, "--json", f"{d}/r.json", "--counterexamples", f"{d}/ce")
            self.assertEqual(out.returncode, 1, out.stdout + out.stderr)
            report = json.loads(read(f"{d}/r.json"))
            self.assertEqual(len(report["claims"]), 16)
            for c in report["claims"]:
                with self.subTest(claim=c["id"]):
                    self.assertIn(c["verdict"], ("evidence", "inconclusive"), c)
                    self.assertFalse(c["pass"])
                    self.assertNotIn("counterexample", c)  # nothing was refuted either
            verdicts = {c["id"]: c["verdict"] for c in report["claims"]}
            # the float comparisons themselves say "holds", as evidence
            for k in ("bare_bool", "numpy_bool", "decide_float", "decide_bool_constant",
                      "laundered_fraction", "rational_then_float", "uncertified_report",
                      "mixed_conjunction", "ball_plus_float", "user_ball"):
                self.assertEqual(verdicts[f"planted.{k}"], "evidence", k)
            # answers that are not facts, and forged facts, values and reports: undecided
            for k in ("string_answer", "dict_answer", "forged_fact", "forged_value",
                      "forged_report", "and_keyword"):
                self.assertEqual(verdicts[f"planted.{k}"], "inconclusive", k)


class Search(unittest.TestCase):
    def test_registered_claim_is_refuted_from_random_candidates(self):
        ce, r = locus.search("split.always-minimum", budget=30, seed=0, restarts=20)
        self.assertTrue(r["found"], r["log"][-3:])
        self.assertEqual(r["found_in"], "restart")
        self.assertEqual(r["arithmetic"], "ball:256")
        self.assertEqual(r["budget"]["restarts"], 20)
        self.assertGreater(len(r["log"]), 0)
        c = locus.classify(ce)
        self.assertEqual(c["kind"], "saddle")
        self.assertTrue(c.evidence.proves)

    def test_python_claim_is_refuted_and_shrunk(self):
        import importlib.util
        spec = importlib.util.spec_from_file_location("my_claims", EXAMPLE)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        claim = next(c for c in mod.CLAIMS if c.id == "linear.critical-points-are-minima")
        ce, r = locus.search(claim, budget=10)
        self.assertTrue(r["found"])
        self.assertLess(r["samples"]["after"], r["samples"]["before"])
        self.assertEqual(locus.classify(ce, arithmetic="rational")["kind"], "saddle")
        # a claim decided on floats: violated in double, never a certified counterexample
        float_claim = next(c for c in mod.CLAIMS if c.id == "tanh.hessian-positive-at-fit")
        ce, r = locus.search(float_claim, budget=5, restarts=3, optimiser_runs=0)
        self.assertFalse(r["found"])
        self.assertIsNone(ce)

    def test_budgets_are_checked(self):
        with self.assertRaises(locus.InvalidArgument):
            locus.search("split.always-minimum", budget=0)
        with self.assertRaises(locus.InvalidArgument):
            locus.search("cooper.star-inertia")


def linear():
    p = locus.problem([1, 1, 1], "identity", [[1]], [[2]], bias=False)
    return p.with_point([1, 1])


class Decide(unittest.TestCase):
    def test_exact_values_decide_exactly(self):
        h = locus.hessian(linear(), arithmetic="rational")
        self.assertIsInstance(h[0, 0], locus.Exact)
        f = decide(h[0, 0], ">", 0)
        self.assertTrue(f.holds)
        self.assertTrue(f.proves)
        self.assertEqual(f.evidence.rigour, "exact")
        self.assertEqual(f.margin, float(h[0, 0]))
        g = decide(h[0, 1] - h[1, 0], "==", 0)  # derived exact values stay exact
        self.assertTrue(g.proves and g.holds)
        self.assertEqual(g.margin, math.inf)
        self.assertFalse(decide(h[0, 0], "<", Fraction(1, 3)).holds)
        self.assertTrue(decide(h[0, 0], "<", Fraction(1, 3)).proves)  # refutes, certified

    def test_balls_decide_by_enclosure_or_not_at_all(self):
        p = locus.problem([1, 1, 1], "tanh", [[1]], [[2]], bias=False).with_point([1, 1])
        b = locus.loss(p, arithmetic="ball:128")
        self.assertTrue(b.computed)
        f = decide(b, ">", 0)
        self.assertTrue(f.holds and f.proves)
        self.assertEqual(f.evidence.rigour, "enclosure")
        # the exact value of L is not a dyadic number: equality with its midpoint is undecided
        u = decide(b, "==", Fraction(b.lower + b.upper) / 2)
        self.assertIsNone(u.holds)
        self.assertFalse(u.proves)

    def test_floats_are_evidence(self):
        f = decide(0.5, ">", 0)
        self.assertTrue(f.holds)
        self.assertFalse(f.proves)
        self.assertEqual(f.evidence.rigour, "floating-point")
        self.assertFalse(decide(Fraction(1, 2), ">", 0).proves)  # constants alone prove nothing
        h = locus.hessian(linear(), arithmetic="rational")
        self.assertFalse(decide(h[0, 0] + 0.0, ">", 0).proves)  # an Exact plus a float is a float

    def test_facts_have_no_truth_value_and_combine_soundly(self):
        h = locus.hessian(linear(), arithmetic="rational")
        exact_true = decide(h[0, 0], ">", 0)
        float_true = decide(0.5, ">", 0)
        exact_false = decide(h[0, 0], "<", 0)
        with self.assertRaises(TypeError):
            bool(exact_true)
        self.assertFalse((exact_true & float_true).proves)
        self.assertTrue((exact_true & exact_true).proves)
        both = exact_false & float_true
        self.assertFalse(both.holds)
        self.assertTrue(both.proves)  # one certified violation refutes a conjunction
        self.assertTrue(any_of([float_true, exact_true]).proves)
        self.assertFalse(all_of([float_true, exact_true]).proves)
        self.assertTrue((~exact_false).holds and (~exact_false).proves)

    def test_reports_carry_their_evidence(self):
        r = locus.classify(linear(), arithmetic="rational")
        self.assertTrue(r.evidence.proves)
        self.assertTrue(decide(r.value("kind"), "==", r["kind"]).proves)
        d = locus.classify(linear(), arithmetic="double")
        self.assertFalse(d.evidence.proves)
        s = locus.spectrum(linear(), arithmetic="rational")
        self.assertTrue(s.evidence.proves)
        self.assertTrue(decide(s.value("inertia")["zero"], "==", s["inertia"]["zero"]).proves)
        with self.assertRaises(TypeError):
            locus.Report({"kind": "saddle"}, r.evidence)

    def test_an_undecided_kind_proves_nothing(self):
        # [1, 2, 1, 1] identity at a degenerate PSD point: the inertia is certified over Q, the
        # kind is not; "kind == saddle" must not be certifiably false
        p = locus.problem([1, 2, 1, 1], "identity", [[-1], [-1]], [[-1], [-1]], bias=False,
                          point=[3, 2, Fraction(1, 3), 0, 1])
        r = locus.classify(p, arithmetic="rational")
        self.assertEqual(r["kind"], "undecided")
        self.assertFalse(r.evidence.proves)
        self.assertFalse(decide(r.value("kind"), "==", "saddle").proves)

    def test_claim_objects_check_their_arguments(self):
        with self.assertRaises(ValueError):
            Claim(id="x", statement="s", source="s", family=linear, check=linear,
                  expected="true")
        with self.assertRaises(TypeError):
            Claim(id="x", statement="s", source="s", family=None, check=linear)


if __name__ == "__main__":
    unittest.main()
