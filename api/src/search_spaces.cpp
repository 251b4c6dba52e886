// The search spaces of registered claims (locus/api/search.hpp, docs/search.md). Each draws
// candidates from seeds without the hand-made constructions of `locus construct
// counterexamples` (G7) or the claims' exact designs: random architectures, integer data, random
// initialisations, Newton in double to a critical point, and (where the claim is about split
// points) a split at a random ratio.
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "locus/api/construct.hpp"
#include "locus/api/jobs.hpp"
#include "locus/api/search.hpp"
#include "locus/constructions/random.hpp"
#include "locus/constructions/split.hpp"
#include "locus/core/derivatives.hpp"
#include "locus/error.hpp"
#include "locus/linalg/dense.hpp"
#include "locus/scalar/arithmetic.hpp"
#include "locus/solve/classify.hpp"
#include "locus/solve/refine.hpp"

#include <Eigen/Eigenvalues>

#include <fmt/format.h>

namespace locus::api {

namespace {

namespace lc = locus::constructions;
using lc::point_double;

// Smallest eigenvalue and norm of a double Hessian.
std::pair<double, double> smallest_eigenvalue(const Problem& p) {
  const LossFunction<double> f(p.network, p.data);
  const Mat<double> h = f.hessian(point_double(p));
  const Eigen::SelfAdjointEigenSolver<Mat<double>> es(h, Eigen::EigenvaluesOnly);
  const double norm = std::max(1e-300, es.eigenvalues().cwiseAbs().maxCoeff());
  return {es.eigenvalues()(0), norm};
}

// λ_min(F_0)/‖F_0‖ in double for unit 0 of hidden layer 1, F_0 = Σ_i (vᵀδ_i) σ''(z_i) ã_i ã_iᵀ
// (docs/math/theorem-s.md): at a critical point of a network with one output, the split point
// θ_λ (λ ∈ (0,1)) has In(∇²L_big) = In(∇²L) + In(F_0) + (0, 0, 1), so its sign decides minimum
// against saddle.
double f_curvature(const Problem& p) {
  const LossFunction<double> f(p.network, p.data);
  const Vec<double> x = point_double(p);
  const LayerTerms<double> t = f.layer_terms(x, 1);
  const auto cols = t.a_prev.cols();
  Mat<double> F = Mat<double>::Zero(cols, cols);
  for (Eigen::Index i = 0; i < t.a_prev.rows(); ++i) {
    double vd = 0;
    for (int m = 0; m < p.network.width(2); ++m) {
      vd += x(p.network.weight_index(2, m, 0)) * t.delta_next(i, m);
    }
    const Vec<double> a = t.a_prev.row(i).transpose();
    F += vd * t.d2(i, 0) * a * a.transpose();
  }
  const Eigen::SelfAdjointEigenSolver<Mat<double>> es(F, Eigen::EigenvaluesOnly);
  const double norm = std::max(1e-300, es.eigenvalues().cwiseAbs().maxCoeff());
  return es.eigenvalues()(0) / norm;
}

Rational ratio_of(double lambda) {
  return Rational(lambda);
}

lc::SplitSpec split_spec(const SearchCandidate& c) {
  lc::SplitSpec s;
  s.layer = 1;
  s.unit = 0;
  s.lambda = ratio_of(c.knobs.at(0));
  return s;
}

claims::InstanceResult verdict(bool holds, const Evidence& e, std::string detail) {
  claims::InstanceResult r;
  r.decided = true;
  r.holds = holds;
  r.evidence = e;
  r.detail = std::move(detail);
  r.margin = 0;
  return r;
}

// The small network's critical point proved (MPFR Newton and Krawczyk): the refined problem, or
// none.
std::optional<Problem> refined(const Problem& p) {
  RefineRequest r;
  r.digits = 60;
  r.ceres = false;
  r.max_seconds = 10;
  RefineOutcome o = refine_checked(p, r, "search");
  if (!o.refined) return std::nullopt;
  return std::move(*o.refined);
}

// ---- split.always-minimum -------------------------------------------------------------------
// "Every split point θ_λ, λ ∈ (0,1), of a strict local minimum is a local minimum." Candidates:
// a random [n0, h, 1] sigmoid or tanh network on random integer data, descent and Newton to a
// critical point,
// unit 0 split at λ (the knob). Margin: max(−λ_min(H_small)/‖H_small‖, λ_min(F_0)/‖F_0‖): below
// 0 when the small point looks like a strict minimum and F_0 has a negative eigenvalue. Certified: Krawczyk for the small point, its certified inertia,
// Theorem S's certified inertia of the big point (every value over the Krawczyk box).
SearchSpace split_line_space() {
  SearchSpace s;
  s.claim = "split.always-minimum";
  s.statement = "Every split point θ_λ, λ ∈ (0,1), of a strict local minimum is a local minimum.";
  s.family =
      "random [n0, h, 1] (n0 in {1, 2}, h = 1 or 2) sigmoid or tanh networks with bias on 4-6 "
      "integer inputs with the targets of a random [n0, 2, 1] teacher (to 1/8), gradient descent "
      "and Newton from a random initialisation, unit 0 split at "
      "λ in (0, 1)";
  s.knob_bounds = {{0.02, 0.98}};
  s.min_units = 1;
  s.sample = [](std::uint32_t seed) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> one_two(1, 2), one_to_three(1, 3), samples(4, 6);
    std::uniform_real_distribution<double> lambda(0.1, 0.9);
    const int n0 = one_two(rng), h = one_to_three(rng) == 3 ? 2 : 1;
    const std::string act = one_two(rng) == 1 ? "sigmoid" : "tanh";
    SearchCandidate c;
    c.problem = lc::teacher_problem(rng, {n0, h, 1}, act, samples(rng));
    c.knobs = {lambda(rng)};
    c.origin = "random initialisation, split of unit 0";
    return c;
  };
  s.polish = [](const SearchCandidate& c) {
    return std::optional<SearchCandidate>(polish_to_critical_point(c));
  };
  s.margin = [](const SearchCandidate& c) {
    const auto [small_min, small_norm] = smallest_eigenvalue(c.problem);
    return std::max(-small_min / small_norm, f_curvature(c.problem));
  };
  s.explain = [](const SearchCandidate& c) {
    const auto [small_min, small_norm] = smallest_eigenvalue(c.problem);
    return fmt::format("small λ_min/‖H‖ {:.3g}, λ_min(F_0)/‖F_0‖ {:.3g}",
                       small_min / small_norm,
                       f_curvature(c.problem));
  };
  s.certify = [](const SearchCandidate& c) {
    const std::optional<Problem> small = refined(c.problem);
    if (!small) {
      claims::InstanceResult r;
      r.detail = "no critical point proved next to the candidate";
      return r;
    }
    const lc::SplitSpec spec = split_spec(c);
    const lc::SplitCertificate cert = lc::certify_split(*small, spec, Arithmetic::ball(256));
    const bool strict_min = cert.small_inertia.decided && cert.small_inertia.zero_exact &&
                            cert.small_inertia.inertia.negative == 0 &&
                            cert.small_inertia.inertia.zero == 0;
    if (!strict_min) {
      return verdict(true,
                     cert.evidence,
                     fmt::format("the small point is not a certified strict minimum ({}): the "
                                 "statement says nothing here",
                                 to_string(cert.small_inertia.inertia)));
    }
    const bool saddle = cert.big_inertia.decided && cert.big_inertia.inertia.negative > 0;
    claims::InstanceResult r =
        verdict(!saddle,
                cert.evidence,
                fmt::format("{}: strict minimum {} split at λ = {}: In(∇²L_big) = {} (F_r {})",
                            small->network.describe(),
                            to_string(cert.small_inertia.inertia),
                            locus::to_string(spec.lambda),
                            to_string(cert.big_inertia.inertia),
                            to_string(cert.f_inertia.inertia)));
    if (saddle) {
      Problem big = lc::split_problem(*small, spec);
      big.certificate = lc::to_json(cert);
      r.counterexample = std::move(big);
    }
    return r;
  };
  return s;
}

// ---- yu-chen.no-suboptimal-minima -----------------------------------------------------------
// "A one-hidden-layer sigmoid network with >= N−1 hidden units has no suboptimal local minimum."
// Candidates on N = 3..6 one-dimensional integer samples, in the wide network [1, N−1, 1]:
// even seeds embed a critical point of [1, 1, 1] (descent and Newton from a random
// initialisation; unit 0 split N − 2 times at λ_k, the knobs: the embedding principle), odd seeds take Newton from a random
// initialisation of the wide network itself. The targets come from a random [1, 2, 1] teacher;
// the witness of suboptimality is the lower of the teacher (padded with zero units) and four
// gradient-descent runs from seeded initialisations of the wide network on the same data.
// Margin: max(−λ_min(H_wide)/‖H_wide‖ − 1e-7, (L_witness − L)/(L + L_witness), and for embedded
// points −λ_min(H_small)/‖H_small‖ and −λ_min(F_0)/‖F_0‖). Certified: classify (Krawczyk,
// through the duplicated units when there are) proves a local minimum, and the loss enclosed over
// the Krawczyk box is certainly above the witness's loss in balls.
// The wide network's point: unit 0 of the base problem split once per knob (λ_1, λ_2, ...).
Problem wide_of(const SearchCandidate& c) {
  Problem p = c.problem;
  for (const double lambda : c.knobs) {
    lc::SplitSpec s;
    s.layer = 1;
    s.unit = 0;
    s.lambda = ratio_of(lambda);
    p = lc::split_problem(p, s);
  }
  return p;
}

// The teacher's [1, 2, 1] point inside the wide [1, w, 1] network (w >= 2; extra units with
// zero weights), or none.
std::optional<Vec<double>> padded_teacher(const Problem& wide) {
  if (!wide.extra.contains("teacher_point") || wide.network.widths.size() != 3 ||
      wide.network.width(0) != 1 || wide.network.width(1) < 2) {
    return std::nullopt;
  }
  const auto& t = wide.extra["teacher_point"];
  Network teacher = wide.network;
  teacher.widths = {1, 2, 1};
  if (static_cast<Eigen::Index>(t.size()) != teacher.num_parameters()) return std::nullopt;
  Vec<double> w = Vec<double>::Zero(wide.network.num_parameters());
  for (int j = 0; j < 2; ++j) {
    w(wide.network.weight_index(1, j, 0)) = t[teacher.weight_index(1, j, 0)].get<double>();
    w(wide.network.bias_index(1, j)) = t[teacher.bias_index(1, j)].get<double>();
    w(wide.network.weight_index(2, 0, j)) = t[teacher.weight_index(2, 0, j)].get<double>();
  }
  w(wide.network.bias_index(2, 0)) = t[teacher.bias_index(2, 0)].get<double>();
  return w;
}

// The lowest-loss point among the padded teacher and `runs` gradient-descent runs of `steps`
// steps from seeded initialisations of the wide network. It depends on the network, the data, the
// teacher and the seed, not on the candidate's point: the margin of every candidate of a restart
// (and `explain` after it) asks for the same one, so the last ones are kept per thread.
Vec<double> witness_point(
    const Problem& wide, std::uint32_t seed, double* loss, int runs = 4, int steps = 3000) {
  std::string key = fmt::format("{}|{}|{}|", seed, wide.network.describe(), runs * 100003 + steps);
  for (Eigen::Index i = 0; i < wide.data.inputs.size(); ++i) {
    key += locus::to_string(wide.data.inputs.reshaped()(i)) + ",";
  }
  for (Eigen::Index i = 0; i < wide.data.targets.size(); ++i) {
    key += locus::to_string(wide.data.targets.reshaped()(i)) + ",";
  }
  if (wide.extra.contains("teacher_point")) key += wide.extra["teacher_point"].dump();
  thread_local std::map<std::string, std::pair<Vec<double>, double>> cache;
  if (const auto hit = cache.find(key); hit != cache.end()) {
    *loss = hit->second.second;
    return hit->second.first;
  }
  if (cache.size() >= 64) cache.clear();
  const LossFunction<double> f(wide.network, wide.data);
  std::mt19937 rng(seed ^ 0x9e3779b9U);
  std::normal_distribution<double> g(0, 1);
  Vec<double> best;
  double best_loss = std::numeric_limits<double>::infinity();
  if (const auto t = padded_teacher(wide)) {
    best = *t;
    best_loss = f.loss(best);
  }
  for (int run = 0; run < runs; ++run) {
    Vec<double> x(wide.network.num_parameters());
    for (Eigen::Index i = 0; i < x.size(); ++i) x(i) = g(rng);
    x = lc::descend(wide, x, steps, 0);
    const double l = f.loss(x);
    if (l < best_loss && x.allFinite()) {
      best_loss = l;
      best = x;
    }
  }
  *loss = best_loss;
  cache.emplace(std::move(key), std::make_pair(best, best_loss));
  return best;
}

SearchSpace yu_chen_space() {
  SearchSpace s;
  s.claim = "yu-chen.no-suboptimal-minima";
  s.statement =
      "A one-hidden-layer sigmoid network with >= N−1 hidden units has no suboptimal local "
      "minimum.";
  s.family =
      "[1, N−1, 1] sigmoid networks with bias on N = 3..6 integer samples: critical points of "
      "[1, 1, 1] embedded by N − 2 splits at λ_k (even seeds), or Newton from a random "
      "initialisation of the wide network (odd seeds), targets of a random [1, 2, 1] teacher; "
      "witness: the teacher and four seeded gradient-descent runs";
  s.knob_bounds = std::vector<std::pair<double, double>>(8, {0.02, 0.98});
  s.min_samples = 2;
  s.min_knobs = 1;  // one split fewer is one unit fewer: still >= N − 1 after a dropped sample
  s.sample = [](std::uint32_t seed) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> samples(3, 6);
    std::uniform_real_distribution<double> lambda(0.2, 0.8);
    const int n = samples(rng);
    SearchCandidate c;
    if (seed % 2 == 0) {
      c.problem = lc::teacher_problem(rng, {1, 1, 1}, "sigmoid", n);
      for (int k = 0; k < n - 2; ++k) c.knobs.push_back(lambda(rng));
      c.origin = fmt::format("critical point of [1, 1, 1] embedded by {} splits", n - 2);
    } else {
      c.problem = lc::teacher_problem(rng, {1, n - 1, 1}, "sigmoid", n);
      c.origin = "random initialisation of the wide network";
    }
    return c;
  };
  s.polish = [](const SearchCandidate& c) {
    return std::optional<SearchCandidate>(polish_to_critical_point(c));
  };
  s.margin = [](const SearchCandidate& c) {
    const Problem wide = wide_of(c);
    const auto [lmin, norm] = smallest_eigenvalue(wide);
    const LossFunction<double> f(wide.network, wide.data);
    const double l = f.loss(point_double(wide));
    double lw = 0;
    (void)witness_point(wide, c.seed, &lw);
    // a minimum (no clearly negative curvature; an embedded point: a strict small minimum) above
    // the witness's loss, each term scaled into [-1, 1]
    double m = std::max(-lmin / norm - 1e-7, (lw - l) / std::max(l + lw, 1e-300));
    if (!c.knobs.empty()) {
      const auto [smin, snorm] = smallest_eigenvalue(c.problem);
      m = std::max({m, -smin / snorm, -f_curvature(c.problem)});
    }
    return m;
  };
  s.explain = [](const SearchCandidate& c) {
    const Problem wide = wide_of(c);
    const auto [lmin, norm] = smallest_eigenvalue(wide);
    const LossFunction<double> f(wide.network, wide.data);
    double lw = 0;
    (void)witness_point(wide, c.seed, &lw);
    std::string out = fmt::format("λ_min/‖H‖ {:.3g}, L {:.4g}, witness L {:.4g}",
                                  lmin / norm,
                                  f.loss(point_double(wide)),
                                  lw);
    if (!c.knobs.empty()) {
      const auto [smin, snorm] = smallest_eigenvalue(c.problem);
      out += fmt::format(", small λ_min/‖H‖ {:.3g}, λ_min(F_0)/‖F_0‖ {:.3g}",
                         smin / snorm,
                         f_curvature(c.problem));
    }
    return out;
  };
  s.certify = [](const SearchCandidate& c) {
    claims::InstanceResult undecided;
    std::optional<Problem> base = refined(c.problem);
    if (!base) {
      undecided.detail = "no critical point proved next to the candidate";
      return undecided;
    }
    SearchCandidate rc = c;
    rc.problem = *base;
    Problem wide = wide_of(rc);
    wide.certificate = nullptr;
    const int width = wide.network.width(1);
    const auto n = static_cast<int>(wide.data.size());
    if (width < n - 1) {
      return verdict(true,
                     Evidence::of<Rational>(),
                     fmt::format("width {} < N − 1 = {}: outside the statement", width, n - 1));
    }
    const Classification k = classify_point(wide, Arithmetic::ball(256));
    const bool minimum = k.certified && (k.kind == PointKind::StrictMinimum ||
                                         k.kind == PointKind::DegenerateMinimum);
    if (!minimum) {
      return verdict(true,
                     k.evidence,
                     fmt::format("not a certified local minimum: {}{}",
                                 to_string(k.kind),
                                 k.certified ? " (certified)" : ""));
    }
    double lw = 0;
    const Vec<double> w = witness_point(wide, c.seed, &lw);
    // the loss over the box that holds the true critical point (radius from Krawczyk)
    const Ball at_min = lc::loss_over_box(wide, k.critical_point_radius);
    const ScopedBallPrecision precision(256);
    const LossFunction<Ball> f(wide.network, wide.data);
    const Ball at_witness = f.loss(convert_matrix<Ball>(Mat<Rational>(lc::exact_point(w))));
    const bool lower = certainly_less(at_witness, at_min) == Certainty::True;
    claims::InstanceResult r =
        verdict(!lower,
                weakest(k.evidence, Evidence::of<Ball>()),
                fmt::format("{}, N = {}: {} (certified), loss {} {} witness loss {}",
                            wide.network.describe(),
                            n,
                            to_string(k.kind),
                            at_min.to_string(8),
                            lower ? ">" : "not certainly >",
                            at_witness.to_string(8)));
    if (lower) {
      wide.certificate = {{"kind", "counterexample"},
                          {"claim", "yu-chen.no-suboptimal-minima"},
                          {"classification", to_string(k.kind)},
                          {"loss", at_min.to_string(20)},
                          {"witness_point",
                           [&] {
                             nlohmann::json a = nlohmann::json::array();
                             for (Eigen::Index i = 0; i < w.size(); ++i) {
                               a.push_back(locus::to_string(Rational(w(i))));
                             }
                             return a;
                           }()},
                          {"witness_loss", at_witness.to_string(20)}};
      r.counterexample = std::move(wide);
    }
    return r;
  };
  return s;
}

}  // namespace

SearchCandidate polish_to_critical_point(const SearchCandidate& c) {
  SearchCandidate out = c;
  out.problem.point = lc::exact_point(lc::polish_double(c.problem));
  return out;
}

std::optional<SearchSpace> builtin_search_space(const std::string& claim_id) {
  if (claim_id == "split.always-minimum") return split_line_space();
  if (claim_id == "yu-chen.no-suboptimal-minima") return yu_chen_space();
  return std::nullopt;
}

std::vector<std::string> searchable_claims() {
  return {"split.always-minimum", "yu-chen.no-suboptimal-minima"};
}

}  // namespace locus::api
