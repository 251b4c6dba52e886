// Multiprecision Hessians against the double one (the speed issue's target: mpfr:256 and ball:256
// Hessians within 40× the double Hessian of the same problem, measured in one run).
//   locus_bench_multiprecision [--large] [--mpfr-only | --ball-only]
// Problems: [2, 16, 16, 3] sigmoid, N = 300 (P = 371) and, with --large, [10, 64, 64, 10] sigmoid,
// N = 1000 (P = 5514). Threads: OpenMP's default.
#include <algorithm>
#include <cstring>
#include <string>

#include "bench_common.hpp"

#include "locus/core/derivatives.hpp"
#include "locus/scalar/all.hpp"

#include <fmt/core.h>
#include <fmt/ranges.h>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace {

using locus::bench::best_of;

struct Timing {
  double first = 0;  // the first Hessian the process computes in this arithmetic
  double best = 0;   // the best of `reps` (the first included)
};

template <class S>
Timing time_hessian(const locus::Problem& p, int reps) {
  const locus::LossFunction<S> f(p.network, p.data);
  const auto theta = p.point_as<S>();
  Timing t;
  t.first = best_of(1, [&] { (void)f.hessian(theta); });
  t.best = std::min(t.first, reps > 1 ? best_of(reps - 1, [&] { (void)f.hessian(theta); }) : 1e300);
  return t;
}

void measure(
    const std::vector<int>& widths, int n, int double_reps, int mp_reps, bool mpfr, bool ball) {
  const locus::Problem p = locus::bench::make_problem(widths, n, 11);
  const long P = static_cast<long>(p.point->size());
  const Timing td = time_hessian<double>(p, double_reps);
  fmt::print("| {} sigmoid, N = {}, P = {} | double | {:.4f} | {:.4f} ({}) | 1 |\n",
             fmt::join(widths, ","),
             n,
             P,
             td.first,
             td.best,
             double_reps);
  auto row = [&](const char* name, const Timing& t) {
    fmt::print("| | {} | {:.3f} | {:.3f} ({}) | {:.1f} |\n",
               name,
               t.first,
               t.best,
               mp_reps,
               t.best / td.best);
  };
  if (mpfr) row("mpfr:256", time_hessian<locus::Mpfr256>(p, mp_reps));
  if (ball) {
    locus::ScopedBallPrecision bits(256);
    row("ball:256", time_hessian<locus::Ball>(p, mp_reps));
  }
}
}  // namespace

int main(int argc, char** argv) {
  bool large = false, mpfr = true, ball = true;
  for (int i = 1; i < argc; ++i) {
    large = large || std::strcmp(argv[i], "--large") == 0;
    if (std::strcmp(argv[i], "--mpfr-only") == 0) ball = false;
    if (std::strcmp(argv[i], "--ball-only") == 0) mpfr = false;
  }
  int threads = 1;
#ifdef _OPENMP
  threads = omp_get_max_threads();
#endif
  fmt::print(
      "{} threads (OpenMP). Each arithmetic: the first Hessian of the process, and the best of "
      "(runs), the first included; the ratio is best against best.\n\n",
      threads);
  fmt::print(
      "| problem | arithmetic | first (s) | best (s) (runs) | × double |\n"
      "|---|---|---|---|---|\n");
  // The small problem: 20 runs of every arithmetic (its double Hessian takes milliseconds and
  // varies most between runs; the same count for all, so that best against best compares alike).
  measure({2, 16, 16, 3}, 300, 20, 20, mpfr, ball);
  if (large) measure({10, 64, 64, 10}, 1000, 5, 1, mpfr, ball);
  return 0;
}
