// The library's double Hessian on a problem file, for bench/interfaces_bench.py (the reference the
// CLI and the Python module are measured against).
//
//   locus_bench_library_hessian --write FILE      writes the [10, 64, 64, 10] sigmoid problem
//                                                 (N = 1000, P = 5514) of bench/hessian_bench.cpp
//   locus_bench_library_hessian FILE [REPS]       prints "seconds <best of REPS>" and "rss_mib
//   <peak>"
#include <cstdio>
#include <string>

#include "bench_common.hpp"

#include "locus/core/derivatives.hpp"
#include "locus/io/problem.hpp"

#include <fmt/format.h>

int main(int argc, char** argv) {
  using namespace locus::bench;  // NOLINT(google-build-using-namespace)
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s --write FILE | FILE [REPS]\n", argv[0]);
    return 2;
  }
  if (std::string(argv[1]) == "--write" && argc > 2) {
    locus::write_problem_file(make_problem({10, 64, 64, 10}, 1000, 7), argv[2]);
    return 0;
  }
  const int reps = argc > 2 ? std::stoi(argv[2]) : 3;
  const locus::Problem p = locus::read_problem_file(argv[1]);
  const locus::LossFunction<double> fn(p.network, p.data);
  const locus::Vec<double> theta = p.point_as<double>();
  double sink = 0;
  const double t = best_of(reps, [&] { sink += fn.hessian(theta)(0, 0); });
  fmt::print("seconds {:.6f}\nrss_mib {:.1f}\nsink {}\n", t, peak_rss_mib(), sink);
  return 0;
}
