// The dense Hessian against its floor and against PyTorch (issue: derivatives, performance).
//
//   1. [10, 64, 64, 10] sigmoid, N = 1000, squared loss (P = 5514): locus's double Hessian vs
//      torch.autograd.functional.hessian in float64 on the same problem file and the same threads,
//      and vs the floor N·P² fused multiply-adds at the measured dgemm rate.
//   2. One Hessian-vector product vs one gradient.
//   3. MPFR-256 vs double Hessian of [2, 16, 16, 3], N = 300 (P = 371).
// Prints markdown; bench/run.sh appends it to docs/benchmarks.md.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "locus/core/derivatives.hpp"
#include "locus/io/dataset.hpp"
#include "locus/io/npy.hpp"
#include "locus/io/problem.hpp"

#include <fmt/format.h>

#include <sys/resource.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "bench_common.hpp"

namespace {

using namespace locus::bench;  // NOLINT(google-build-using-namespace)

}  // namespace

int main(int argc, char** argv) {
  const std::string out_dir = argc > 1 ? argv[1] : "bench/out";
  const bool with_torch = !(argc > 2 && std::string(argv[2]).rfind("--no-torch", 0) == 0);
  const bool only_double = argc > 2 && std::string(argv[2]) == "--no-torch-no-mpfr";
  std::filesystem::create_directories(out_dir);
  int threads = 1;
#ifdef _OPENMP
  threads = omp_get_max_threads();
#endif

  // ---- dgemm rate ----------------------------------------------------------------------------
  const int g = 1024;
  const locus::Mat<double> a = locus::Mat<double>::Random(g, g),
                           b = locus::Mat<double>::Random(g, g);
  locus::Mat<double> c(g, g);
  const double t_gemm = best_of(3, [&] { c.noalias() = a * b; });
  const double fma_rate = static_cast<double>(g) * g * g / t_gemm;

  // ---- 1. the big Hessian --------------------------------------------------------------------
  const locus::Problem p = make_problem({10, 64, 64, 10}, 1000, 7);
  const std::string problem_file = out_dir + "/hessian_problem.json";
  locus::write_problem_file(p, problem_file);
  const locus::LossFunction<double> fn(p.network, p.data);
  const locus::Vec<double> theta = p.point_as<double>();
  const auto P = static_cast<double>(p.network.num_parameters());
  const double n = static_cast<double>(p.data.size());
  // the first call alone sets the peak memory (one P x P matrix alive); later calls free it first
  locus::Mat<double> h = fn.hessian(theta);
  const double rss = peak_rss_mib();
  const double t_hess = best_of(3, [&] {
    h.resize(0, 0);
    h = fn.hessian(theta);
  });
  locus::Vec<double> gr, hv;
  const double t_grad = best_of(5, [&] { gr = fn.gradient(theta); });
  const double t_hvp = best_of(5, [&] { hv = fn.hessian_vector_product(theta, gr); });
  const double floor_s = n * P * P / fma_rate;
  std::vector<double> values(h.data(), h.data() + h.size());
  locus::write_npy(out_dir + "/hessian_locus.npy", values, {h.rows(), h.cols()});

  std::string torch_line = "not run";
  double t_torch = 0;
  if (with_torch) {
    const std::string out = run_command(
        fmt::format("/usr/bin/python3 bench/torch_hessian.py {} {} {}/hessian_locus.npy 2>&1",
                    problem_file,
                    threads,
                    out_dir));
    if (std::sscanf(out.c_str(), "seconds %lf", &t_torch) == 1) {
      torch_line = fmt::format("{:.2f} s; {}", t_torch, out.substr(out.find('\n') + 1));
      while (!torch_line.empty() && torch_line.back() == '\n') torch_line.pop_back();
    } else {
      torch_line = "failed: " + out.substr(0, 200);
    }
  }

  // ---- 3. MPFR-256 vs double -----------------------------------------------------------------
  const locus::Problem q = make_problem({2, 16, 16, 3}, 300, 11);
  const locus::LossFunction<double> qd(q.network, q.data);
  const locus::LossFunction<locus::Mpfr256> qm(q.network, q.data);
  const auto qtd = q.point_as<double>();
  const auto qtm = q.point_as<locus::Mpfr256>();
  const double t_qd = best_of(5, [&] { (void)qd.hessian(qtd); });
  const double t_qm = only_double ? 0.0 : best_of(1, [&] { (void)qm.hessian(qtm); });
  // The MPFR floor: one in-place 256-bit multiply-add (mpfr_mul + mpfr_add into preallocated
  // numbers, in cache), times N·P², over the threads.
  double t_muladd = 0;
  {
    constexpr int kLen = 300;
    std::vector<locus::Mpfr256> xa(kLen), xb(kLen);
    for (int i = 0; i < kLen; ++i) {
      xa[static_cast<std::size_t>(i)] = locus::Mpfr256(i + 1) / 7;
      xb[static_cast<std::size_t>(i)] = locus::Mpfr256(2 * i + 3) / 11;
    }
    locus::Mpfr256 acc(0), tmp(0);
    constexpr int kReps = 2000;
    t_muladd = best_of(3,
                       [&] {
                         for (int r = 0; r < kReps; ++r) {
                           acc = 0;
                           for (int i = 0; i < kLen; ++i) {
                             mpfr_mul(tmp.backend().data(),
                                      xa[static_cast<std::size_t>(i)].backend().data(),
                                      xb[static_cast<std::size_t>(i)].backend().data(),
                                      MPFR_RNDN);
                             mpfr_add(acc.backend().data(),
                                      acc.backend().data(),
                                      tmp.backend().data(),
                                      MPFR_RNDN);
                           }
                         }
                       }) /
               (double(kLen) * kReps);
  }
  const double qn = static_cast<double>(q.data.size());
  const double qp = static_cast<double>(q.network.num_parameters());
  const double mpfr_floor = qn * qp * qp * t_muladd / threads;

  fmt::print("## Dense Hessian (bench/hessian_bench.cpp)\n\n");
  fmt::print("{} threads (OpenMP). Problem: {} N = {}, P = {} (written to `{}`).\n\n",
             threads,
             p.network.describe(),
             p.data.size(),
             p.network.num_parameters(),
             problem_file);
  fmt::print("| measurement | value |\n|---|---|\n");
  fmt::print(
      "| dgemm rate (Eigen, {}×{}, {} threads) | {:.2f} GFMA/s |\n", g, g, threads, fma_rate / 1e9);
  fmt::print("| floor N·P² FMAs at that rate | {:.3f} s |\n", floor_s);
  fmt::print(
      "| locus Hessian, double | {:.3f} s ({:.2f}× the floor) |\n", t_hess, t_hess / floor_s);
  fmt::print("| PyTorch `torch.autograd.functional.hessian`, float64, {} threads | {} |\n",
             threads,
             torch_line);
  if (t_torch > 0) fmt::print("| speed-up over PyTorch | {:.1f}× |\n", t_torch / t_hess);
  fmt::print(
      "| peak resident memory after the first Hessian (the P×P matrix alone: {:.0f} MiB) | {:.0f} "
      "MiB |\n",
      P * P * 8 / 1048576.0,
      rss);
  fmt::print("| gradient | {:.4f} s |\n", t_grad);
  fmt::print(
      "| Hessian-vector product | {:.4f} s ({:.2f}× the gradient) |\n", t_hvp, t_hvp / t_grad);
  fmt::print("| [2, 16, 16, 3], N = 300, P = {}: double Hessian | {:.4f} s |\n",
             q.network.num_parameters(),
             t_qd);
  fmt::print("| same, MPFR-256 Hessian | {:.3f} s ({:.0f}× double) |\n", t_qm, t_qm / t_qd);
  fmt::print(
      "| one MPFR-256 multiply-add (mpfr_mul + mpfr_add, in place, in cache) | {:.1f} ns |\n",
      t_muladd * 1e9);
  fmt::print(
      "| MPFR floor: N·P² such multiply-adds over {} threads | {:.3f} s ({:.0f}× the double "
      "Hessian; "
      "the MPFR Hessian is {:.2f}× this floor) |\n",
      threads,
      mpfr_floor,
      mpfr_floor / t_qd,
      t_qm / mpfr_floor);
  return 0;
}
