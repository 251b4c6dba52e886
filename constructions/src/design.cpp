// Inverse design (locus/constructions/design.hpp).
#include "locus/constructions/design.hpp"

#include <cmath>
#include <random>

#include "locus/core/derivatives.hpp"
#include "locus/error.hpp"
#include "locus/linalg/spectrum.hpp"

#include <Eigen/Eigenvalues>

#include <fmt/format.h>

namespace locus::constructions {
namespace {

using Index = Eigen::Index;

// Targets Φ − c for a stacked residual c (sample-major).
Mat<Rational> targets_for(const Mat<Rational>& phi, const Vec<Rational>& c) {
  Mat<Rational> y = phi;
  const Index nl = phi.cols();
  for (Index i = 0; i < phi.rows(); ++i) {
    for (Index k = 0; k < nl; ++k) y(i, k) -= c(i * nl + k);
  }
  return y;
}

// F_r and B_r (in double, from the midpoints) for the residual c.
template <class S>
std::pair<Mat<double>, Mat<double>> split_conditions(const Network& net,
                                                     const Mat<Rational>& x,
                                                     const Mat<Rational>& phi,
                                                     const Vec<Rational>& theta,
                                                     const Vec<Rational>& c,
                                                     int l,
                                                     int r) {
  Dataset d{x, targets_for(phi, c)};
  const LossFunction<S> f(net, d);
  const Vec<S> t = convert_matrix<S>(Mat<Rational>(theta));
  const LayerTerms<S> lt = f.layer_terms(t, l);
  const Index n_next = net.width(l + 1);
  Vec<S> v(n_next);
  for (Index j = 0; j < n_next; ++j) v(j) = t(net.weight_index(l + 1, static_cast<int>(j), r));
  Mat<S> wf = lt.a_prev, wb = lt.a_prev;
  for (Index i = 0; i < lt.z.rows(); ++i) {
    wf.row(i) *= S(lt.delta_next.row(i).dot(v) * lt.d2(i, r));
    wb.row(i) *= lt.d1(i, r);
  }
  const Mat<S> F = lt.a_prev.transpose() * wf;
  const Mat<S> B = lt.delta_next.transpose() * wb;
  Mat<double> fd(F.rows(), F.cols()), bd(B.rows(), B.cols());
  for (Index i = 0; i < F.rows(); ++i) {
    for (Index j = 0; j < F.cols(); ++j) fd(i, j) = ScalarTraits<S>::to_double(F(i, j));
  }
  for (Index i = 0; i < B.rows(); ++i) {
    for (Index j = 0; j < B.cols(); ++j) bd(i, j) = ScalarTraits<S>::to_double(B(i, j));
  }
  return {fd, bd};
}

Mat<Rational> rational_b(const Network& net,
                         const Mat<Rational>& x,
                         const Mat<Rational>& phi,
                         const Vec<Rational>& theta,
                         const Vec<Rational>& c,
                         int l,
                         int r,
                         bool exact,
                         int bits) {
  // B_r as exact rationals (exact activations) or ball midpoints.
  const auto compute = [&]<class S>(std::type_identity<S>) {
    Dataset d{x, targets_for(phi, c)};
    const LossFunction<S> f(net, d);
    const Vec<S> t = convert_matrix<S>(Mat<Rational>(theta));
    const LayerTerms<S> lt = f.layer_terms(t, l);
    Mat<S> wb = lt.a_prev;
    for (Index i = 0; i < lt.z.rows(); ++i) wb.row(i) *= lt.d1(i, r);
    const Mat<S> B = lt.delta_next.transpose() * wb;
    return midpoints(B);
  };
  if (exact) return compute(std::type_identity<Rational>{});
  const ScopedBallPrecision p(bits);
  return Mat<Rational>(compute(std::type_identity<Ball>{}));
}

double score(FTarget target, const Mat<double>& f) {
  if (target == FTarget::Any || f.rows() == 0) return 0;
  const Eigen::SelfAdjointEigenSolver<Mat<double>> es(f, Eigen::EigenvaluesOnly);
  const double n = std::max(f.norm(), 1e-300);
  const double lo = es.eigenvalues().minCoeff() / n;
  const double hi = es.eigenvalues().maxCoeff() / n;
  switch (target) {
    case FTarget::Positive:
      return lo;
    case FTarget::Negative:
      return -hi;
    case FTarget::Indefinite:
      return std::min(-lo, hi);
    case FTarget::Any:
      break;
  }
  return 0;
}

std::string to_string(FTarget t) {
  switch (t) {
    case FTarget::Positive:
      return "positive-definite";
    case FTarget::Negative:
      return "negative-definite";
    case FTarget::Indefinite:
      return "indefinite";
    case FTarget::Any:
      break;
  }
  return "any";
}

}  // namespace

FTarget parse_f_target(const std::string& s) {
  if (s == "any") return FTarget::Any;
  if (s == "positive" || s == "positive-definite") return FTarget::Positive;
  if (s == "negative" || s == "negative-definite") return FTarget::Negative;
  if (s == "indefinite") return FTarget::Indefinite;
  throw InvalidArgument(
      fmt::format("--f-target {}: expected any, positive, negative or indefinite", s));
}

BTarget parse_b_target(const std::string& s) {
  if (s == "any") return BTarget::Any;
  if (s == "zero") return BTarget::Zero;
  if (s == "nonzero") return BTarget::Nonzero;
  throw InvalidArgument(fmt::format("--b-target {}: expected any, zero or nonzero", s));
}

DesignResult inverse_design(const DesignSpec& s) {
  const Network& net = s.network;
  net.validate();
  if (net.loss != LossKind::Squared) {
    throw InvalidArgument(
        "inverse-design: needs the squared loss (∇L = Jᵀe with e = f − y); cross-entropy "
        "residuals are not free");
  }
  const auto P = static_cast<Index>(net.num_parameters());
  if (s.theta.size() != P) {
    throw InvalidArgument(
        fmt::format("inverse-design: θ* has {} entries, expected P = {}", s.theta.size(), P));
  }
  if (s.inputs.cols() != net.width(0) || s.inputs.rows() < 1) {
    throw InvalidArgument(fmt::format("inverse-design: inputs have {} columns, expected n_0 = {}",
                                      s.inputs.cols(),
                                      net.width(0)));
  }
  const bool steer = s.f_target != FTarget::Any || s.b_target != BTarget::Any;
  if (steer && (s.layer < 1 || s.layer > net.num_layers() - 1 || s.unit < 0 ||
                s.unit >= net.width(s.layer))) {
    throw InvalidArgument(
        fmt::format("inverse-design: unit {} of hidden layer {} does not exist in {}",
                    s.unit,
                    s.layer,
                    net.describe()));
  }
  const bool exact = exact_over_q(net);  // the squared loss is checked above
  const Index nl = net.width(net.num_layers());
  const Index N = s.inputs.rows();
  // Φ(θ*) and J(θ*): exact, or ball midpoints.
  Mat<Rational> phi, jac;
  {
    Dataset d{s.inputs, Mat<Rational>::Zero(N, nl)};
    if (exact) {
      const LossFunction<Rational> f(net, d);
      phi = f.outputs(s.theta);
      jac = f.output_jacobian(s.theta);
    } else {
      const ScopedBallPrecision p(s.bits);
      const LossFunction<Ball> f(net, d);
      const Vec<Ball> t = convert_matrix<Ball>(Mat<Rational>(s.theta));
      phi = midpoints(f.outputs(t));
      jac = midpoints(f.output_jacobian(t));
    }
  }
  Mat<Rational> kernel = exact_null_space(Mat<Rational>(jac.transpose()));  // (N n_L) x d
  if (kernel.cols() == 0) {
    throw InvalidArgument(fmt::format(
        "inverse-design: ker Jᵀ = {{0}}: N·n_L = {} outputs against rank J = {} (P = {}); use more "
        "samples (N·n_L > P)",
        N * nl,
        exact_rank(jac),
        P));
  }
  // B_r = 0 as an exact linear condition on α.
  Mat<Rational> alpha_basis = Mat<Rational>::Identity(kernel.cols(), kernel.cols());
  if (s.b_target == BTarget::Zero) {
    std::vector<Mat<Rational>> bk;
    for (Index k = 0; k < kernel.cols(); ++k) {
      bk.push_back(
          rational_b(net, s.inputs, phi, s.theta, kernel.col(k), s.layer, s.unit, exact, s.bits));
    }
    const Index rows = bk[0].size();
    Mat<Rational> map(rows, kernel.cols());
    for (Index k = 0; k < kernel.cols(); ++k)
      map.col(k) = bk[static_cast<std::size_t>(k)].reshaped();
    alpha_basis = exact_null_space(map);
    if (alpha_basis.cols() == 0) {
      throw InvalidArgument(fmt::format(
          "inverse-design: no residual in ker Jᵀ (dimension {}) makes B_r = 0 for unit {} of layer "
          "{}; use more samples or a unit feeding a single unit",
          kernel.cols(),
          s.unit,
          s.layer));
    }
  }
  // The steering search. F_r is linear in the residual: with the admissible residuals
  // r(β) = C·A·β, F(β) = Σ_k β_k F_k. A seeded projected (sub)gradient ascent on the unit sphere
  // maximises the target's score (λ_min(F) for positive definite, −λ_max for negative, the smaller
  // of −λ_min and λ_max for indefinite), from `tries` random starts; β is then rounded to dyadic
  // rationals and the result is certified exactly below (the search is only a heuristic).
  const Mat<Rational> basis = kernel * alpha_basis;  // columns r_k
  const Index dim = basis.cols();
  std::mt19937 rng(s.seed);
  std::normal_distribution<double> normal;
  Vec<Rational> best_r = basis.col(0);
  double best = -1e300;
  if (steer) {
    std::vector<Mat<double>> fk, bk;
    std::vector<double> gen_scale(static_cast<std::size_t>(dim));
    for (Index k = 0; k < dim; ++k) {
      auto fb = split_conditions<double>(
          net, s.inputs, phi, s.theta, Vec<Rational>(basis.col(k) * s.epsilon), s.layer, s.unit);
      // Normalise each generator so the ascent is well scaled.
      const double n = std::max(fb.first.norm(), 1e-300);
      fk.push_back(fb.first / n);
      bk.push_back(fb.second / n);
      gen_scale[static_cast<std::size_t>(k)] = n;
    }
    const auto f_of = [&](const Eigen::VectorXd& beta) {
      Mat<double> f = Mat<double>::Zero(fk[0].rows(), fk[0].cols());
      for (Index k = 0; k < dim; ++k) f += beta(k) * fk[static_cast<std::size_t>(k)];
      return f;
    };
    const auto evaluate = [&](const Eigen::VectorXd& beta, Eigen::VectorXd* grad) {
      const Mat<double> f = f_of(beta);
      const Eigen::SelfAdjointEigenSolver<Mat<double>> es(f);
      const Index last = f.rows() - 1;
      const Eigen::VectorXd vmin = es.eigenvectors().col(0);
      const Eigen::VectorXd vmax = es.eigenvectors().col(last);
      const double lo = es.eigenvalues()(0), hi = es.eigenvalues()(last);
      double sc = 0;
      Eigen::VectorXd g = Eigen::VectorXd::Zero(dim);
      const auto quad = [&](const Eigen::VectorXd& v, Eigen::VectorXd& out, double sign) {
        for (Index k = 0; k < dim; ++k) out(k) = sign * v.dot(fk[static_cast<std::size_t>(k)] * v);
      };
      switch (s.f_target) {
        case FTarget::Positive:
          sc = lo;
          quad(vmin, g, 1);
          break;
        case FTarget::Negative:
          sc = -hi;
          quad(vmax, g, -1);
          break;
        case FTarget::Indefinite:
          if (-lo < hi) {
            sc = -lo;
            quad(vmin, g, -1);
          } else {
            sc = hi;
            quad(vmax, g, 1);
          }
          break;
        case FTarget::Any:
          sc = 0;
          break;
      }
      if (s.b_target == BTarget::Nonzero) {
        Mat<double> b = Mat<double>::Zero(bk[0].rows(), bk[0].cols());
        for (Index k = 0; k < dim; ++k) b += beta(k) * bk[static_cast<std::size_t>(k)];
        if (!(b.norm() > 1e-12)) sc = std::min(sc, -1.0);
      }
      if (grad != nullptr) *grad = g;
      return sc;
    };
    Eigen::VectorXd best_beta;
    const int starts = std::max(1, s.tries / 10);
    for (int t = 0; t < starts; ++t) {
      Eigen::VectorXd beta(dim);
      for (Index k = 0; k < dim; ++k) beta(k) = normal(rng);
      beta.normalize();
      double step = 0.5;
      double cur = evaluate(beta, nullptr);
      for (int it = 0; it < 300 && s.f_target != FTarget::Any; ++it) {
        Eigen::VectorXd g;
        evaluate(beta, &g);
        g -= beta * beta.dot(g);  // tangent to the sphere
        if (g.norm() < 1e-14) break;
        Eigen::VectorXd trial = (beta + step * g / g.norm()).normalized();
        const double sc = evaluate(trial, nullptr);
        if (sc > cur) {
          beta = trial;
          cur = sc;
          step = std::min(1.0, step * 1.2);
        } else {
          step *= 0.5;
          if (step < 1e-9) break;
        }
      }
      if (cur > best) {
        best = cur;
        best_beta = beta;
      }
    }
    // Back to the unnormalised generators, rounded to multiples of 2^-20 of the largest entry.
    Eigen::VectorXd coef(dim);
    for (Index k = 0; k < dim; ++k) coef(k) = best_beta(k) / gen_scale[static_cast<std::size_t>(k)];
    const double top = coef.cwiseAbs().maxCoeff();
    Vec<Rational> beta_q(dim);
    for (Index k = 0; k < dim; ++k) {
      beta_q(k) = Rational(static_cast<long>(std::llround(coef(k) / top * 1048576.0)), 1048576L);
    }
    if (beta_q.isZero()) beta_q(0) = 1;
    best_r = basis * beta_q;
    // The score of what was rounded (normalised), for the report and the failure test.
    const auto fb = split_conditions<double>(
        net, s.inputs, phi, s.theta, Vec<Rational>(best_r * s.epsilon), s.layer, s.unit);
    best = score(s.f_target, fb.first);
    if (s.b_target == BTarget::Nonzero && !(fb.second.norm() > 0)) best = -1;
  }
  const int tries = s.tries;
  // Scale r to max-norm 1 (exact: divide by a power of two near its max entry).
  Rational mx(0);
  for (Index i = 0; i < best_r.size(); ++i) mx = std::max(mx, abs(best_r(i)));
  Rational scale(1);
  while (scale * 2 <= mx) scale *= 2;
  while (scale > mx) scale /= 2;
  best_r /= scale;
  Rational eps = s.epsilon;
  Problem p;
  p.network = net;
  p.point = s.theta;
  nlohmann::json cert;
  for (int halvings = 0;; ++halvings) {
    p.data = Dataset{s.inputs, targets_for(phi, Vec<Rational>(best_r * eps))};
    if (!s.strict_minimum) break;
    bool pd = false;
    if (exact) {
      const Inertia in =
          exact_inertia(LossFunction<Rational>(net, p.data).hessian(s.theta)).inertia;
      pd = in.negative == 0 && in.zero == 0;
    } else {
      const ScopedBallPrecision pr(s.bits);
      const LossFunction<Ball> f(net, p.data);
      const ClusterCertificate cc =
          certify_cluster(f.hessian(convert_matrix<Ball>(Mat<Rational>(s.theta))));
      pd = cc.decided && cc.inertia.negative == 0 && cc.inertia.zero == 0;
    }
    if (pd) break;
    if (halvings >= 120) {
      throw InvalidArgument(
          "inverse-design: ∇²L(θ*) is not positive definite even with ε / 2^120: J(θ*) is rank "
          "deficient (choose θ* with distinct, unsaturated units)");
    }
    eps /= 2;
  }
  // What was achieved, checked on the written problem.
  cert["kind"] = "inverse-design";
  cert["source"] = "R1 (math-spec §7): Y = Φ(θ*) − ε r with r ∈ ker J(θ*)ᵀ";
  cert["arithmetic"] = exact ? "rational" : fmt::format("ball:{} (midpoints)", s.bits);
  cert["epsilon"] = locus::to_string(eps);
  cert["kernel_dimension"] = kernel.cols();
  cert["seed"] = s.seed;
  cert["residual"] = columns_json(Mat<Rational>(best_r))[0];
  if (exact) {
    const LossFunction<Rational> f(net, p.data);
    const Vec<Rational> g = f.gradient(s.theta);
    if (!g.isZero()) throw InvalidArgument("inverse-design: internal error, ∇L(θ*) ≠ 0 over Q");
    cert["gradient"] = "0 exactly";
    cert["hessian_inertia"] = to_json(exact_inertia(f.hessian(s.theta)).inertia);
  } else {
    const ScopedBallPrecision pr(s.bits);
    const LossFunction<Ball> f(net, p.data);
    const Vec<Ball> t = convert_matrix<Ball>(Mat<Rational>(s.theta));
    cert["gradient"] = fmt::format("‖∇L‖ <= {} (balls, {} bits; targets rounded to rationals)",
                                   format_bound(norm_upper_bound(f.gradient(t)), true, 4),
                                   s.bits);
    const ClusterCertificate cc = certify_cluster(f.hessian(t));
    if (cc.decided) cert["hessian_inertia"] = to_json(cc.inertia);
  }
  if (steer) {
    cert["steered_unit"] = {{"layer", s.layer}, {"unit", s.unit}};
    cert["f_target"] = to_string(s.f_target);
    cert["b_target"] = s.b_target == BTarget::Zero      ? "zero"
                       : s.b_target == BTarget::Nonzero ? "nonzero"
                                                        : "any";
    cert["f_score"] = fmt::format("{:.4e}", best);
    if (s.f_target != FTarget::Any && !(best > 0)) {
      throw InvalidArgument(fmt::format(
          "inverse-design: no residual among {} seeded candidates (seed {}) makes F_r {}; best "
          "score {:.3e} (try another seed, more --tries, another θ* or asymmetric inputs, "
          "math-spec pitfall 8)",
          tries,
          s.seed,
          to_string(s.f_target),
          best));
    }
  }
  p.provenance = {{"command", "locus construct inverse-design"}, {"seed", s.seed}};
  p.certificate = cert;
  return {p, cert};
}

}  // namespace locus::constructions
