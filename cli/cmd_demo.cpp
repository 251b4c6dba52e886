// `locus demo [--arithmetic A]`: the question locus exists for, on one 4x4 matrix.
//
// A = Q diag(2, 1e-30, 0, -1) Q^T with Q = H1 H2 a product of two Householder reflections with
// integer vectors, so A is rational and its eigenvalues are known exactly. Each arithmetic reports
// what it can see: floating ones list eigenvalues and how many fall below their own noise floor
// n * eps * ||A||_F; `rational` decides det(A) = 0 exactly; balls enclose the Rayleigh quotients of
// the exact eigenvectors and certify the sign of the 1e-30 curvature.
#include <memory>
#include <string>
#include <vector>

#include "commands.hpp"

#include "locus/linalg/dense.hpp"
#include "locus/scalar/arithmetic.hpp"
#include "locus/scalar/fmt.hpp"
#include "locus/scalar/parse.hpp"

#include <fmt/format.h>

namespace locus::cli {

namespace {

struct DemoOptions {
  std::vector<std::string> arithmetics;
};

/// H = I - 2 v v^T / (v^T v), exact.
Mat<Rational> householder(const std::vector<long long>& v) {
  const auto n = static_cast<Eigen::Index>(v.size());
  Vec<Rational> x(n);
  for (Eigen::Index i = 0; i < n; ++i) x(i) = Rational(v[static_cast<std::size_t>(i)]);
  const Rational vv = x.dot(x);
  Mat<Rational> h = Mat<Rational>::Identity(n, n);
  h -= (x * x.transpose()) * (Rational(2) / vv);
  return h;
}

struct DemoMatrix {
  Mat<Rational> a;
  Mat<Rational> q;  // columns: eigenvectors for 2, 1e-30, 0, -1
};

DemoMatrix demo_matrix() {
  const Mat<Rational> q = householder({1, 2, -1, 3}) * householder({2, -1, 1, 1});
  Vec<Rational> d(4);
  d << Rational(2), parse_rational("1e-30"), Rational(0), Rational(-1);
  return {q * d.asDiagonal() * q.transpose(), q};
}

template <class S>
std::string short_number(const S& x) {
  return fmt::format("{:.3e}", ScalarTraits<S>::to_double(x));
}

template <class S>
void run_in(const DemoMatrix& m) {
  using T = ScalarTraits<S>;
  const Mat<S> a = convert_matrix<S>(m.a);
  if constexpr (T::is_interval) {
    // Rigorous: Rayleigh quotients of the exact eigenvectors for 1e-30 and 0.
    const Mat<S> q = convert_matrix<S>(m.q);
    const Vec<S> u = q.col(1);
    const Vec<S> v = q.col(2);
    const S ru = u.dot(a * u) / u.dot(u);
    const S rv = v.dot(a * v) / v.dot(v);
    fmt::print("{:<12} u'Au/u'u = {}  certainly positive: {}\n",
               T::name(),
               ru,
               to_string(certainly_positive(ru)));
    fmt::print("{:<12} v'Av/v'v = {}  contains 0: {}\n", "", rv, possibly_zero(rv) ? "yes" : "no");
  } else if constexpr (T::is_exact) {
    const S det = determinant<S>(a);
    const Vec<S> d = ldlt_diagonal<S>(a);
    std::string pivots;
    for (Eigen::Index i = 0; i < d.size(); ++i) {
      pivots += (i ? ", " : "") + (d(i) == S(0) ? std::string("0") : short_number(d(i)));
    }
    fmt::print(
        "{:<12} det(A) = {} exactly, so A is singular: at least one eigenvalue is exactly 0\n",
        T::name(),
        T::to_string(det));
    fmt::print("{:<12} LDL^T pivots: {}\n", "", pivots);
  } else {
    const SymmetricEigen<S> eig = symmetric_eigen<S>(a);
    using std::abs;
    const S noise = S(static_cast<int>(a.rows())) * T::epsilon() * a.norm();
    std::string values;
    int below = 0;
    for (Eigen::Index i = 0; i < eig.values.size(); ++i) {
      values += (i ? ", " : "") + short_number(eig.values(i));
      if (abs(eig.values(i)) <= noise) ++below;
    }
    fmt::print("{:<12} eigenvalues {}   below noise {}: {}\n",
               T::name(),
               values,
               short_number(noise),
               below);
  }
}

int run(const DemoOptions& opt) {
  std::vector<std::string> names = opt.arithmetics;
  if (names.empty()) {
    for (const auto& info : builtin_arithmetics()) {
      names.push_back(info.arithmetic.name());
    }
  }
  std::vector<Arithmetic> arithmetics;
  for (const auto& n : names) arithmetics.push_back(parse_arithmetic(n));  // validate all first

  const DemoMatrix m = demo_matrix();
  fmt::print(
      "A = Q diag(2, 1e-30, 0, -1) Q^T, Q a product of two rational Householder reflections.\n"
      "How many zero eigenvalues does A have? Exactly one; the 1e-30 one is not zero.\n\n");
  for (const auto& a : arithmetics) {
    dispatch(a, [&]<class S>(std::type_identity<S>) { run_in<S>(m); });
  }
  fmt::print(
      "\nA floating eigenvalue below the noise floor is not a zero eigenvalue: double and long "
      "double cannot\ntell 1e-30 from 0. Exact and ball arithmetic answer with a proof.\n");
  return 0;
}

}  // namespace

Run add_demo(CLI::App& app) {
  auto opt = std::make_shared<DemoOptions>();
  app.add_option("-a,--arithmetic",
                 opt->arithmetics,
                 "arithmetic(s) to run (default: all): " + accepted_arithmetic_forms());
  return [opt] { return run(*opt); };
}

}  // namespace locus::cli
