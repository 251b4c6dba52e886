// Throughput of the scalar tower: what one operation and one dense decomposition cost in each
// arithmetic. Prints a markdown table (bench/run.sh writes it into docs/benchmarks.md).
#include <chrono>
#include <cstdio>
#include <random>
#include <string>

#include "locus/linalg/dense.hpp"
#include "locus/scalar/arithmetic.hpp"
#include "locus/scalar/fmt.hpp"

#include <fmt/format.h>

namespace {

using Clock = std::chrono::steady_clock;
constexpr int kN = 50;

/// Keeps the compiler from deleting a computation whose result is otherwise unused.
template <class T>
void do_not_optimize(T& value) {
  asm volatile("" : : "r"(&value) : "memory");
}

template <class F>
double seconds_per_call(F&& f, double min_seconds = 0.3) {
  int reps = 1;
  for (;;) {
    if (reps > 1 << 20) return 0;
    const auto t0 = Clock::now();
    for (int i = 0; i < reps; ++i) f();
    const double dt = std::chrono::duration<double>(Clock::now() - t0).count();
    if (dt >= min_seconds) return dt / reps;
    reps *= 2;
  }
}

template <class S>
locus::Mat<S> random_symmetric(int n, std::uint64_t seed) {
  std::mt19937_64 g(seed);
  std::uniform_int_distribution<int> d(-100, 100);
  locus::Mat<locus::Rational> a(n, n);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j <= i; ++j) a(i, j) = a(j, i) = locus::Rational(d(g), 7);
  }
  return locus::convert_matrix<S>(a);
}

template <class S>
void row(const std::string& name) {
  const int n_dot = 1000;
  const locus::Mat<S> x = random_symmetric<S>(40, 1).reshaped(1600, 1).topRows(n_dot);
  S acc(0);
  const double dot = seconds_per_call([&] {
    acc = S(0);
    for (int i = 0; i < n_dot; ++i) acc += x(i, 0) * x(i, 0);
    do_not_optimize(acc);
  });
  std::string eig = "—";
  std::string ldlt = "—";
  const locus::Mat<S> a = random_symmetric<S>(kN, 2);
  if constexpr (locus::RealField<S>) {
    eig = fmt::format("{:.2f}", 1e3 * seconds_per_call([&] {
                                  auto e = locus::symmetric_eigen<S>(a);
                                  do_not_optimize(e);
                                }));
  }
  if constexpr (locus::OrderedField<S>) {
    ldlt = fmt::format("{:.2f}", 1e3 * seconds_per_call([&] {
                                   auto d = locus::ldlt_diagonal<S>(a);
                                   do_not_optimize(d);
                                 }));
  }
  fmt::print("| {} | {:.1f} | {} | {} |\n", name, 1e9 * dot / n_dot, eig, ldlt);
  std::fflush(stdout);
}

}  // namespace

int main() {
  fmt::print(
      "| arithmetic | ns per multiply-add | 50×50 symmetric eigenvalues (ms) | 50×50 LDLᵀ (ms) "
      "|\n");
  fmt::print("|---|---|---|---|\n");
  for (const char* name : {"double",
                           "long-double",
                           "float128",
                           "mpfr:128",
                           "mpfr:256",
                           "mpfr:512",
                           "mpfr:1024",
                           "rational",
                           "ball:128",
                           "ball:1024"}) {
    locus::dispatch(name, [&]<class S>(std::type_identity<S>) { row<S>(name); });
  }
  return 0;
}
