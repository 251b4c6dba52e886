"""Shared by the trained-network examples: certify a problem, print the report a user reads, and
check the outcome the example documents.

Every example takes
    --quick            a smaller variant (fewer samples or training steps) for the default tests
    --expect KIND      proved | diverging | any: what the run must end in (exit 1 otherwise)
    --max-seconds S    certify's budget for the flow legs and the refine attempts (default 20)
and prints the seeds it used.
"""
import argparse
import os
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
build = os.environ.get("LOCUS_BUILD_DIR", os.path.join(here, "..", "..", "build"))
sys.path.insert(0, os.path.join(build, "python"))

import locus  # noqa: E402


def arguments(description):
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--quick", action="store_true", help="the small variant of the example")
    ap.add_argument("--expect", choices=("proved", "diverging", "any"), default="any",
                    help="what the run must end in")
    ap.add_argument("--max-seconds", type=float, default=20.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--plot", default=None,
                    help="PREFIX: draw the flow and the spectrum (PREFIX.svg, PREFIX.png)")
    return ap.parse_args()


def certify_and_report(problem, args, trained_by):
    """Runs locus.certify on the problem's point, prints the verdict and its evidence, and checks
    args.expect. Returns the report."""
    print(f"problem     {problem}")
    print(f"trained by  {trained_by} (seed {args.seed})")
    t0 = time.perf_counter()
    point, rep = locus.certify(problem, max_seconds=args.max_seconds, plot=args.plot)
    seconds = time.perf_counter() - t0
    flow = rep["flow"]
    print(f"start       L = {flow['start']['loss']:.10g}, ‖∇L‖ = "
          f"{flow['start']['gradient_norm']:.3e}, ‖θ‖ = {flow['start']['theta_norm']:.4g}")
    print(f"flow        {flow['status']} after {flow['end']['steps']} steps in "
          f"{len(rep['stages'])} leg(s): L = {flow['end']['loss']:.10g}, ‖∇L‖ = "
          f"{flow['end']['gradient_norm']:.3e}, ‖θ‖ = {flow['end']['theta_norm']:.4g}")
    if point is not None:
        ex = rep["refine"].get("existence", {})
        print(f"newton      ‖∇L‖ <= {rep['refine']['gradient_norm_bound']} (Arb balls)")
        if ex.get("proved"):
            print(f"existence   proved: a critical point within max-norm {ex['radius']} (Krawczyk)")
        else:
            print(f"existence   Krawczyk on the whole network: not proved ({ex.get('reason', '')})")
        c = rep["classify"]
        print(f"kind        {c['kind']} ({'certified, ' + c['arithmetic'] if c['certified'] else 'not certified'})")
        print(f"moved       max-norm {rep['distance']:.4e}, loss change {rep['loss_change']:.6e}")
    d = rep.get("divergence")
    if d and d["diverging"]:
        for u in d["units"]:
            sat = (f", saturated on {u['saturated']} of {u['samples']} samples"
                   if u["saturated"] is not None else "")
            print(f"growing     layer {u['layer']}, unit {u['unit']}: incoming weights "
                  f"{u['norm_before']:.4g} -> {u['norm_after']:.4g}{sat}")
        print(f"ray         {d['ray_method']}")
    print(f"verdict     {rep['verdict']}")
    print(f"seconds     {seconds:.2f} (locus.certify)")
    if "figure" in rep:
        print(f"figure      {', '.join(rep['figure']['files'])}")

    proved = bool(rep["critical_point_proved"])
    diverging = bool(d and d["diverging"])
    # A proved critical point comes with the Arb gradient bound or the existence proof; a
    # divergence names the units that grow.
    if proved and point is None:
        sys.exit("inconsistent report: proved without a refined point")
    if diverging and not d["units"]:
        print("note        the growth is spread over many units (none carries a tenth of it)")
    ok = {"proved": proved, "diverging": diverging, "any": True}[args.expect]
    if not ok:
        sys.exit(f"expected {args.expect}, got: {rep['verdict']}")
    return rep


def fit_and_certify(est, X, y, args, describe):
    """Fits a scikit-learn estimator quietly (its convergence warnings are expected: L-BFGS and
    Adam stop on their iteration budgets), imports it with locus.sklearn and certifies it.
    `describe(est)` names the training for the report."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    import locus.sklearn

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    problem = locus.sklearn.from_estimator(est, X, y)
    return certify_and_report(problem, args, describe(est))
