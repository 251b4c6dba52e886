// Multiprecision Hessians against the double one (the speed issue's target: mpfr:256 and ball:256
// Hessians within 40× the double Hessian of the same problem, measured in one run).
//   locus_bench_multiprecision [--large] [--mpfr-only | --ball-only]
// Problems: [2, 16, 16, 3] sigmoid, N = 300 (P = 371) and, with --large, [10, 64, 64, 10] sigmoid,
// N = 1000 (P = 5514). Threads: OpenMP's default.
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

template <class S>
double time_hessian(const locus::Problem& p, int reps) {
  const locus::LossFunction<S> f(p.network, p.data);
  const auto theta = p.point_as<S>();
  return best_of(reps, [&] { (void)f.hessian(theta); });
}

void measure(const std::vector<int>& widths, int n, bool mpfr, bool ball) {
  const locus::Problem p = locus::bench::make_problem(widths, n, 11);
  const long P = static_cast<long>(p.point->size());
  const double td = time_hessian<double>(p, 5);
  fmt::print(
      "| {} sigmoid, N = {}, P = {} | double | {:.4f} | 1 |\n", fmt::join(widths, ","), n, P, td);
  if (mpfr) {
    const double tm = time_hessian<locus::Mpfr256>(p, 1);
    fmt::print("| | mpfr:256 | {:.3f} | {:.1f} |\n", tm, tm / td);
  }
  if (ball) {
    locus::ScopedBallPrecision bits(256);
    const double tb = time_hessian<locus::Ball>(p, 1);
    fmt::print("| | ball:256 | {:.3f} | {:.1f} |\n", tb, tb / td);
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
  fmt::print("{} threads (OpenMP). Best of 5 for double, one run for the others.\n\n", threads);
  fmt::print("| problem | arithmetic | Hessian (s) | × double |\n|---|---|---|---|\n");
  measure({2, 16, 16, 3}, 300, mpfr, ball);
  if (large) measure({10, 64, 64, 10}, 1000, mpfr, ball);
  return 0;
}
