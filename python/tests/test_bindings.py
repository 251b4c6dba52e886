"""Every binding against the CLI on the same files (python/CMakeLists.txt runs this with ctest).

The environment gives LOCUS_CLI (the locus executable), LOCUS_SOURCE_DIR and LOCUS_TEST_TMP.
"""

import json
import os
import subprocess
import tempfile
import threading
import time
import unittest
from fractions import Fraction

import numpy as np

import locus

CLI = os.environ.get("LOCUS_CLI", "locus")
SRC = os.environ.get("LOCUS_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
TMP = os.environ.get("LOCUS_TEST_TMP") or tempfile.mkdtemp()
os.makedirs(TMP, exist_ok=True)

FILES = ["examples/problems/g1_small.json", "examples/problems/polynomial_exact.json",
         "examples/problems/g3a_star.json", "examples/problems/interfaces_example.json"]


def cli(*args, expect=0):
    r = subprocess.run([CLI, *args], capture_output=True, text=True, timeout=600)
    if expect is not None and r.returncode != expect:
        raise AssertionError(f"locus {' '.join(args)}: exit {r.returncode}\n{r.stderr}")
    return r


def cli_json(*args, expect=0):
    return json.loads(cli(*args, "--json", expect=expect).stdout)


def strip_seconds(j):
    """The same report without run times (and the output path)."""
    if isinstance(j, dict):
        return {k: strip_seconds(v) for k, v in j.items() if k not in ("seconds", "out")}
    if isinstance(j, list):
        return [strip_seconds(v) for v in j]
    return j


def path(rel):
    return os.path.join(SRC, rel)


def exact_net(p):
    return p.activation in ("identity", "relu") or p.activation.startswith("polynomial")


class RefinedG1:
    """G1's small network refined by the CLI to 40 digits (a critical point), once."""
    _file = None

    @classmethod
    def file(cls):
        if cls._file is None:
            cls._file = os.path.join(TMP, "g1_refined.json")
            cli("refine", path("examples/problems/g1_small.json"), "--digits", "40", "--out",
                cls._file)
        return cls._file


class Evaluation(unittest.TestCase):
    def test_every_quantity_in_every_arithmetic_equals_locus_eval(self):
        quantities = ["loss", "gradient", "hessian", "gauss-newton", "residual-hessian",
                      "jacobian", "outputs", "residuals"]
        for rel in FILES:
            p = locus.load(path(rel))
            arithmetics = ["double", "long-double", "mpfr:256", "ball:128"]
            if exact_net(p) and p.loss == "squared":
                arithmetics.append("rational")
            for a in arithmetics:
                with self.subTest(file=rel, arithmetic=a):
                    ref = cli_json("eval", path(rel), "-a", a, "-q", ",".join(quantities))
                    got = locus.evaluate(p, quantities, arithmetic=a)
                    self.assertEqual(got["arithmetic"], ref["arithmetic"])
                    self.assertEqual(got["rigour"], {"double": "floating-point",
                                                     "rational": "exact"}.get(
                                                         a, "enclosure" if a.startswith("ball")
                                                         else "floating-point"))
                    for q in quantities:
                        key = q.replace("-", "_")
                        want = ref[key]
                        flat = ([want] if isinstance(want, str) else
                                [x for row in want for x in (row if isinstance(row, list) else [row])])
                        value = got[key]
                        values = [value] if np.ndim(value) == 0 else list(np.ravel(value))
                        self.assertEqual(len(values), len(flat), key)
                        for v, text in zip(values, flat):
                            if a == "double":
                                self.assertEqual(float(v), float(text), key)
                            elif a == "rational":
                                self.assertIsInstance(v, Fraction)
                                self.assertEqual(v, Fraction(text), key)
                            elif a.startswith("ball"):
                                self.assertIsInstance(v, locus.Ball)
                                mid, rad = text.strip("[]").split(" +/- ")
                                # the printed ball contains the computed one
                                self.assertLessEqual(abs(v.lower - Fraction(mid)),
                                                     Fraction(rad) + abs(v.upper - v.lower), key)
                            else:
                                import mpmath
                                bits = {"long-double": 64}.get(a) or int(a.split(":")[1])
                                # the CLI prints round-trip decimals for `bits`; the value is
                                # the exact binary number (MPFR may carry a few more bits)
                                self.assertIsInstance(v, mpmath.mpf)
                                with mpmath.workprec(bits + 64):
                                    self.assertLessEqual(abs(v - mpmath.mpf(text)),
                                                         abs(v) * mpmath.mpf(2) ** (4 - bits), key)

    def test_shapes_and_types(self):
        p = locus.load(path("examples/problems/g1_small.json"))
        P = p.num_parameters
        self.assertIsInstance(locus.loss(p), float)
        self.assertEqual(locus.gradient(p).shape, (P,))
        for f in (locus.hessian, locus.gauss_newton, locus.residual_hessian):
            self.assertEqual(f(p).shape, (P, P))
            self.assertEqual(f(p).dtype, np.float64)
        h = locus.hessian(p)
        np.testing.assert_allclose(h, locus.gauss_newton(p) + locus.residual_hessian(p),
                                   rtol=0, atol=16 * np.finfo(float).eps * np.abs(h).max())
        hm = locus.hessian(p, arithmetic="mpfr:256")
        self.assertEqual(hm.dtype, object)
        import mpmath
        self.assertIsInstance(hm[0, 0], mpmath.mpf)
        # The MPFR value carries its 256 bits: it agrees with a 512-bit Arb enclosure far below
        # double precision.
        ball = locus.hessian(p, arithmetic="ball:512")[0, 0]
        self.assertIsInstance(ball, locus.Ball)
        with mpmath.workprec(600):
            self.assertLess(abs(hm[0, 0] - ball.mid), ball.rad + mpmath.mpf(2) ** -240)
        # Balls are numbers: arithmetic encloses every result, membership is exact.
        self.assertIn(ball.mid, ball)
        twice = ball + ball
        self.assertIsInstance(twice, locus.Ball)
        self.assertIn(2 * ball.lower, twice)  # exact Fractions
        self.assertNotIn(ball.upper * 3, twice)
        self.assertTrue((ball - ball).contains_zero())
        lo, hi = ball.to_mpi().a, ball.to_mpi().b
        self.assertLessEqual(lo, ball.mid)
        self.assertGreaterEqual(hi, ball.mid)

    def test_theta_override_and_exact_point(self):
        p = locus.load(path("examples/problems/polynomial_exact.json"))
        theta = [Fraction(1, 3)] * p.num_parameters
        q = p.with_point(theta)
        self.assertEqual(q.point_exact, theta)
        self.assertEqual(locus.loss(p, theta, arithmetic="rational"),
                         locus.loss(q, arithmetic="rational"))
        with self.assertRaises(locus.InvalidArgument) as e:
            locus.loss(p, [0.0])
        self.assertIn(f"expected P = {p.num_parameters}", str(e.exception))


class Commands(unittest.TestCase):
    def test_spectrum_equals_cli(self):
        for rel in FILES:
            p = locus.load(path(rel))
            for a in ["double", "mpfr:128", "ball:128"] + (["rational"] if exact_net(p) and
                                                            p.loss == "squared" else []):
                for m in ["hessian", "gauss-newton"]:
                    with self.subTest(file=rel, arithmetic=a, matrix=m):
                        ref = cli_json("spectrum", path(rel), "-a", a, "--matrix", m)
                        got = locus.spectrum(p, arithmetic=a, matrix=m)
                        self.assertEqual(strip_seconds(got), strip_seconds(ref))

    def test_null_vectors(self):
        # exact null vectors supplied to the exact inertia: checked, they prove the rank; the
        # same as `locus spectrum --null-vectors`; a wrong one is refused, never trusted
        p = locus.load(path("examples/problems/g3b_star.json"))
        with_kernel = locus.spectrum(p, arithmetic="rational", kernel=True)
        got = locus.spectrum(p, arithmetic="rational", null_vectors=with_kernel)
        self.assertEqual(got["inertia"], with_kernel["inertia"])
        self.assertIn("from 6 supplied null vectors", got["proved_by"])
        ref = cli_json("spectrum", path("examples/problems/g3b_star.json"), "-a", "rational",
                       "--null-vectors", path("examples/problems/g3b_star_null_vectors.json"))
        self.assertEqual(strip_seconds(got), strip_seconds(ref))
        wrong = [list(col) for col in with_kernel["kernel"]]
        k = next(i for i, e in enumerate(wrong[2]) if Fraction(e) != 0)
        wrong[2][k] = str(Fraction(wrong[2][k]) + Fraction(1, 1000))
        with self.assertRaises(locus.InvalidArgument) as e:
            locus.spectrum(p, arithmetic="rational", null_vectors=wrong)
        self.assertIn("supplied null vector 2 is not in the kernel", str(e.exception))

    def test_eigenvalues_are_numbers_too(self):
        # Known defect 13: eigenvalues were only strings. The JSON also carries them as numbers,
        # and for ball certificates a radius such that value ± radius contains the eigenvalue.
        p = locus.load(path("examples/problems/g3b_star.json"))
        for a in ("double", "ball:128", "rational", "mpfr:256"):
            with self.subTest(arithmetic=a):
                s = locus.spectrum(p, arithmetic=a)
                values = s["eigenvalues_double"]
                self.assertEqual(len(values), len(s["eigenvalues"]))
                self.assertTrue(all(isinstance(v, float) for v in values))
                self.assertEqual(values, sorted(values))
                if a == "double":
                    self.assertNotIn("eigenvalue_radii", s)
                    self.assertEqual(values, [float(t) for t in s["eigenvalues"]])
                    continue
                radii = s.get("eigenvalue_radii")
                if a == "mpfr:256" and radii is None:
                    continue  # MPFR's own eigenvalues: no error bound
                for v, r, text in zip(values, radii, s["eigenvalues"]):
                    mid, rad = text.strip("[]").split(" +/- ") if "+/-" in text else (text, "0")
                    # the printed ball contains the computed one, which value ± r contains
                    self.assertGreaterEqual(r, 0)
                    self.assertLessEqual(abs(Fraction(v) - Fraction(mid)),
                                         Fraction(r) + Fraction(rad))

    def test_lanczos_equals_cli(self):
        rng = np.random.default_rng(5)
        p = locus.problem([6, 20, 3], "tanh", rng.standard_normal((40, 6)),
                          rng.standard_normal((40, 3)), point=rng.standard_normal(203))
        f = os.path.join(TMP, "lanczos.json")
        p.save(f)
        ref = cli_json("spectrum", f, "--lanczos", "4", "--probes", "3", "--seed", "7")
        got = locus.spectrum(p, lanczos=4, probes=3, seed=7)
        self.assertEqual(strip_seconds(got), strip_seconds(ref))
        self.assertEqual(got["method"], "lanczos")
        self.assertFalse(got["certified"])
        # The largest Ritz value matches the dense spectrum within its residual.
        top = float(got["largest"][0])
        dense = float(locus.spectrum(p)["eigenvalues"][-1])
        self.assertLessEqual(abs(top - dense), float(got["largest_residuals"][0]) + 1e-9 * dense)
        with self.assertRaises(locus.InvalidArgument):
            locus.spectrum(p, lanczos=4, arithmetic="mpfr:128")

    def test_classify_equals_cli(self):
        for f in [path(r) for r in FILES[:2]] + [RefinedG1.file()]:
            for a in ["ball:256", "double"]:
                with self.subTest(file=f, arithmetic=a):
                    ref = cli_json("classify", f, "-a", a)
                    got = locus.classify(locus.load(f), arithmetic=a)
                    self.assertEqual(strip_seconds(got), strip_seconds(ref))
        self.assertEqual(locus.classify(locus.load(RefinedG1.file()))["kind"], "strict-minimum")

    def test_refine_equals_cli(self):
        src = path("examples/problems/g1_small.json")
        out = os.path.join(TMP, "g1_refined_cli.json")
        ref = cli_json("refine", src, "--digits", "30", "--out", out)
        refined, report = locus.refine(locus.load(src), digits=30, source=src)
        self.assertEqual(strip_seconds(report), strip_seconds(ref))
        self.assertIsNotNone(refined)
        self.assertEqual(json.loads(refined.to_json()), json.loads(locus.load(out).to_json()))
        self.assertTrue(refined.certificate["existence"]["proved"])
        # Not converging: no problem, a report that says why.
        none, rep = locus.refine(locus.load(src), digits=30, max_iterations=0, ceres=False)
        self.assertIsNone(none)
        self.assertNotEqual(rep["status"], "converged")

    def test_construct_split_equals_cli(self):
        small = RefinedG1.file()
        out = os.path.join(TMP, "g1_split_cli.json")
        r = cli("construct", "split", small, "--layer", "1", "--unit", "0", "--lambda", "1/2",
                "--out", out, "--json", expect=None)
        self.assertIn(r.returncode, (0, 1))
        big = locus.construct_split(locus.load(small), 1, 0, Fraction(1, 2), source=small)
        self.assertEqual(strip_seconds(big.certificate),
                         strip_seconds(locus.load(out).certificate))
        self.assertEqual(json.loads(big.to_json()), json.loads(locus.load(out).to_json()))
        self.assertEqual(big.widths, [1, 2, 1])

    def test_check_equals_cli(self):
        claim = "cooper.star-inertia"
        report = os.path.join(TMP, "check.json")
        cli("check", "--claim", claim, "--quick", "--threads", "1", "--json", report,
            "--counterexamples", os.path.join(TMP, "cx"))
        with open(report) as f:
            ref = json.load(f)
        got = locus.check(claim, quick=True, threads=1, counterexamples=os.path.join(TMP, "cx"))
        self.assertEqual(strip_seconds(got), strip_seconds(ref))
        self.assertEqual(got["failed"], 0)
        # A planted fault turns the verdict, as in the CLI.
        bad = locus.check(claim, quick=True, threads=1, mutate="shift-bound",
                          counterexamples=os.path.join(TMP, "cx"))
        self.assertEqual(bad["failed"], 1)


class Errors(unittest.TestCase):
    def cli_error(self, *args):
        r = cli(*args, expect=2)
        prefix = "locus: error: "
        self.assertTrue(r.stderr.startswith(prefix), r.stderr)
        return r.stderr[len(prefix):].strip()

    def test_same_messages_as_the_cli(self):
        g1 = path("examples/problems/g1_small.json")
        msg = self.cli_error("spectrum", g1, "-a", "bogus", "--json")
        with self.assertRaises(locus.UnsupportedScalar) as e:
            locus.spectrum(locus.load(g1), arithmetic="bogus")
        self.assertEqual(str(e.exception), msg)
        bad = os.path.join(TMP, "bad.json")
        with open(g1) as f:
            j = json.load(f)
        j["data"]["inputs"][0][0] = "nan"
        with open(bad, "w") as f:
            json.dump(j, f)
        msg = self.cli_error("eval", bad)
        with self.assertRaises(locus.ParseError) as e:
            locus.load(bad)
        self.assertEqual(str(e.exception), msg)
        self.assertIsInstance(e.exception, locus.Error)
        msg = self.cli_error("refine", g1, "--digits", "0", "--out", os.path.join(TMP, "x.json"))
        with self.assertRaises(locus.InvalidArgument) as e:
            locus.refine(locus.load(g1), digits=0)
        self.assertEqual(str(e.exception), msg)

    def test_bad_arrays(self):
        x = np.array([[0.0, 1.0], [1.0, float("nan")]])
        with self.assertRaises(locus.InvalidArgument) as e:
            locus.problem([2, 2, 1], "tanh", x, np.zeros((2, 1)))
        self.assertIn("inputs[1, 1] is nan", str(e.exception))
        with self.assertRaises(locus.Error) as e:
            locus.problem([2, 2, 1], "tanh", np.zeros((2, 3)), np.zeros((2, 1)))
        self.assertIn("3", str(e.exception))
        with self.assertRaises(locus.InvalidArgument):
            locus.problem([2, 2, 1], "swish", np.zeros((2, 2)), np.zeros((2, 1)))
        with self.assertRaises(locus.InvalidArgument):
            locus.problem([2, 2, 1], "tanh", np.zeros((2, 2)), np.zeros((2, 1)), loss_scale=-1)


class Arrays(unittest.TestCase):
    def test_from_numpy_is_exact_and_round_trips_through_a_file(self):
        rng = np.random.default_rng(3)
        x = rng.standard_normal((5, 2)).astype(np.float32)
        y = rng.standard_normal((5, 1))
        p = locus.problem([2, 3, 1], "sigmoid", x, y, reduction="mean", loss_scale=Fraction(2, 1),
                          point=rng.standard_normal(13))
        self.assertEqual(p.inputs_exact[0][0], Fraction(float(x[0, 0])))  # the float32's value
        self.assertEqual(p.loss_scale, "2")
        f = os.path.join(TMP, "arrays.json")
        p.save(f)
        q = locus.load(f)
        self.assertEqual(json.loads(q.to_json()), json.loads(p.to_json()))
        self.assertEqual(locus.loss(q, arithmetic="mpfr:256"), locus.loss(p, arithmetic="mpfr:256"))
        # loss_scale multiplies everything: the loss and the Hessian.
        p1 = locus.problem([2, 3, 1], "sigmoid", x, y, reduction="mean", point=p.point)
        self.assertEqual(locus.loss(p), 2 * locus.loss(p1))
        np.testing.assert_array_equal(locus.hessian(p), 2 * locus.hessian(p1))
        # A problem rebuilt from a loaded one's attributes (polynomial activation by its name).
        q = locus.load(path("examples/problems/polynomial_exact.json"))
        r = locus.problem(q.widths, q.activation, q.inputs_exact, q.targets_exact, bias=q.bias,
                          reduction=q.reduction, point=q.point_exact)
        self.assertEqual(json.loads(r.to_json())["network"], json.loads(q.to_json())["network"])
        self.assertEqual(locus.loss(r, arithmetic="rational"), locus.loss(q, arithmetic="rational"))
        # Exact entries from Fractions and strings.
        r = locus.problem([1, 1], "identity", [[Fraction(1, 3)], ["0.1"]], [[1], [2]],
                          point=["1/7", 0])
        self.assertEqual(r.inputs_exact, [[Fraction(1, 3)], [Fraction(1, 10)]])
        self.assertEqual(locus.loss(r, arithmetic="rational"),
                         Fraction(1, 2) * ((Fraction(1, 21) - 1) ** 2 + (Fraction(1, 70) - 2) ** 2))

    def test_longdouble_bool_and_huge_integers_are_exact(self):
        # numpy.longdouble carries 64 significant bits: its exact binary value is kept, not the
        # nearest double (known defect 6).
        x = np.array([[1], [2]], dtype=np.longdouble) / 10
        p = locus.problem([1, 1], "identity", x, [[1], [0]], point=[np.longdouble(1) / 3, 0])
        self.assertEqual(p.inputs_exact[0][0], Fraction(*x[0, 0].as_integer_ratio()))
        self.assertNotEqual(p.inputs_exact[0][0], Fraction(0.1))
        self.assertEqual(p.point_exact[0], Fraction(*(np.longdouble(1) / 3).as_integer_ratio()))
        # bools are 0 and 1 (numpy's convention), not a parse error (known defect 9).
        b = locus.problem([2, 1], "identity", np.array([[True, False], [False, True]]), [[1], [0]])
        self.assertEqual(b.inputs_exact, [[1, 0], [0, 1]])
        b = locus.problem([1, 1], "identity", [[True], [False]], [[1], [0]], point=[2, True])
        self.assertEqual(b.point_exact, [2, 1])
        # Integers beyond 64 bits cross exactly, both ways.
        big = 3 ** 80
        r = locus.problem([1, 1], "identity", [[big]], [[0]], point=[1, 0], bias=True)
        self.assertEqual(r.inputs_exact[0][0], big)
        self.assertEqual(locus.loss(r, arithmetic="rational"), Fraction(big * big, 2))

    def test_split_takes_any_number_for_lambda(self):
        # lam=0.1 (a float: its exact binary value) raised a bare TypeError before (known defect 9).
        p = locus.load(path("examples/problems/polynomial_exact.json"))
        for lam in (Fraction(1, 3), "1/3", 0.25, np.float64(0.25), 1):
            with self.subTest(lam=lam):
                try:
                    big = locus.construct_split(p, 1, 0, lam)
                except locus.Error as e:  # a clear locus error (not critical), never a TypeError
                    self.assertIn("critical", str(e))
                    continue
                self.assertGreater(big.num_parameters, p.num_parameters)
        with self.assertRaises(locus.InvalidArgument):
            locus.construct_split(p, 1, 0, "one half")


class Gil(unittest.TestCase):
    def test_long_calls_release_the_gil(self):
        rng = np.random.default_rng(0)
        p = locus.problem([4, 12, 3], "tanh", rng.standard_normal((30, 4)),
                          rng.standard_normal((30, 3)), point=rng.standard_normal(99))
        ticks = []
        running = threading.Event()
        done = threading.Event()

        def tick():
            running.set()
            while not done.is_set():
                ticks.append(time.monotonic())
                time.sleep(0.001)

        t = threading.Thread(target=tick)
        t.start()
        running.wait()
        start = time.monotonic()
        locus._locus._spectrum(p, "mpfr:512", "hessian", 4096, False, False)  # one long C++ call
        end = time.monotonic()
        done.set()
        t.join()
        during = [x for x in ticks if start < x < end]
        # Holding the GIL, the ticker could not run at all while the call lasts.
        self.assertGreater(end - start, 0.05)
        self.assertGreater(len(during), 0.1 * (end - start) / 0.001,
                           f"{end - start:.2f} s call, the ticker ran {len(during)} times")


if __name__ == "__main__":
    unittest.main()
