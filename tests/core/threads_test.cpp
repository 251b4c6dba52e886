// The derivatives must not depend on the number of OpenMP threads. The sample-batched Hessian
// runs Eigen's parallel GEMM from inside its own (then inactive) parallel loops; a program whose
// translation units were compiled with and without OpenMP linked the serial GEMM kernel into that
// parallel product, and two threads then packed into one shared block: the double Hessian of a
// [4, 3, 1] network on 2000 samples came out wrong by 10-300% in every entry of the first layer,
// differently on every run (docs/toolchain.md, "One OpenMP setting for every translation unit").
// The sizes here are the smallest that reach the parallel products.
#include <doctest/doctest.h>

#include <random>
#include <string>

#include "locus/core/derivatives.hpp"
#include "locus/scalar/all.hpp"

#include <omp.h>

using locus::Activation;
using locus::Ball;
using locus::Dataset;
using locus::LossFunction;
using locus::Mat;
using locus::Mpfr128;
using locus::Network;
using locus::Rational;
using locus::ScalarTraits;
using locus::Vec;

namespace {

struct Problem {
  Network net;
  Dataset data;
  Vec<Rational> theta;
};

// Inputs and targets k/97 with |k| <= 150, parameters k/31 with |k| <= 40, seeded.
Problem make_problem(std::vector<int> widths, Activation act, bool bias, Eigen::Index n) {
  std::mt19937 rng(20261203);
  std::uniform_int_distribution<int> dx(-150, 150), dp(-40, 40);
  Problem p;
  p.net.widths = std::move(widths);
  p.net.activation = act;
  p.net.bias = bias;
  const int L = p.net.num_layers();
  p.data = Dataset(Mat<Rational>(n, p.net.width(0)), Mat<Rational>(n, p.net.width(L)));
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = 0; j < p.data.inputs.cols(); ++j)
      p.data.inputs(i, j) = Rational(dx(rng), 97);
    for (Eigen::Index j = 0; j < p.data.targets.cols(); ++j) {
      p.data.targets(i, j) = Rational(dx(rng), 97);
    }
  }
  const auto P = static_cast<Eigen::Index>(p.net.num_parameters());
  p.theta = Vec<Rational>(P);
  for (Eigen::Index k = 0; k < P; ++k) p.theta(k) = Rational(dp(rng), 31);
  return p;
}

template <class S>
double max_abs(const Mat<S>& m) {
  double out = 0;
  for (Eigen::Index j = 0; j < m.cols(); ++j) {
    for (Eigen::Index i = 0; i < m.rows(); ++i) {
      out = std::max(out, std::abs(ScalarTraits<S>::to_double(m(i, j))));
    }
  }
  return out;
}

struct Derivatives {
  Mat<double> hessian;
  Vec<double> gradient;
  Vec<double> hvp;
};

template <class S>
Derivatives at_threads(const Problem& p, int threads) {
  omp_set_num_threads(threads);
  const LossFunction<S> loss(p.net, p.data);
  const auto theta =
      p.theta.unaryExpr([](const Rational& q) { return ScalarTraits<S>::from_rational(q); }).eval();
  Vec<S> v(theta.size());
  for (Eigen::Index k = 0; k < v.size(); ++k) v(k) = S(static_cast<int>(k % 5) - 2);
  const Mat<S> h = loss.hessian(theta);
  const Vec<S> g = loss.gradient(theta);
  const Vec<S> hv = loss.hessian_vector_product(theta, v);
  auto to_d = [](const S& x) { return ScalarTraits<S>::to_double(x); };
  return {h.unaryExpr(to_d), g.unaryExpr(to_d), hv.unaryExpr(to_d)};
}

// The one-thread result against two and three threads, entry by entry, relative to the largest
// entry. A wrong shared block moves entries by O(1) relative; reordered sums move them by ~1e-15.
template <class S>
void check_threads(const Problem& p, const std::string& what) {
  const int saved = omp_get_max_threads();
  const Derivatives one = at_threads<S>(p, 1);
  for (const int threads : {2, 3}) {
    const Derivatives many = at_threads<S>(p, threads);
    const double h_scale = std::max(1.0, max_abs(one.hessian));
    const double g_scale = std::max(1.0, max_abs(Mat<double>(one.gradient)));
    const double v_scale = std::max(1.0, max_abs(Mat<double>(one.hvp)));
    INFO(what << " in " << ScalarTraits<S>::name() << " with " << threads << " threads");
    CHECK(max_abs(Mat<double>(many.hessian - one.hessian)) <= 1e-12 * h_scale);
    CHECK(max_abs(Mat<double>(many.gradient - one.gradient)) <= 1e-12 * g_scale);
    CHECK(max_abs(Mat<double>(many.hvp - one.hvp)) <= 1e-12 * v_scale);
  }
  omp_set_num_threads(saved);
}

}  // namespace

TEST_CASE("threads: the double derivatives do not depend on the number of OpenMP threads") {
  // One chunk of output units (the parallel scatter) and several chunks (the parallel chunk loop).
  check_threads<double>(make_problem({4, 3, 1}, Activation::tanh(), false, 2000), "[4, 3, 1] tanh");
  check_threads<double>(make_problem({5, 12, 9, 2}, Activation::erf(), true, 2000),
                        "[5, 12, 9, 2] erf with biases");
}

TEST_CASE("threads: the multiprecision derivatives do not depend on the number of OpenMP threads") {
  const Problem p = make_problem({4, 3, 1}, Activation::sigmoid(), true, 2000);
  check_threads<Mpfr128>(p, "[4, 3, 1] sigmoid");
  locus::ScopedBallPrecision precision(128);
  check_threads<Ball>(p, "[4, 3, 1] sigmoid");
}
