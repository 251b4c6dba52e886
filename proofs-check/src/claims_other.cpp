// Claims about the star locus, global minima, wide networks, ReLU symmetries and SI-1
// (docs/math/star-locus.md, docs/constructions.md, docs/claims.md).
#include <cmath>
#include <limits>
#include <random>

#include "instances.hpp"

#include "locus/constructions/counterexamples.hpp"
#include "locus/constructions/path.hpp"
#include "locus/constructions/star.hpp"
#include "locus/constructions/wide.hpp"
#include "locus/core/derivatives.hpp"
#include "locus/error.hpp"
#include "locus/linalg/inertia.hpp"
#include "locus/solve/classify.hpp"

#include <fmt/format.h>

namespace locus::claims {
namespace {

using namespace detail;
using locus::to_string;
namespace lc = locus::constructions;
using Index = Eigen::Index;
constexpr double kExact = std::numeric_limits<double>::infinity();

// A tanh network without biases, random exact weights and data, and a random zero set.
struct StarInstance {
  Problem base;
  std::vector<int> zero;
};

StarInstance star_instance(std::uint32_t seed, int zero_count) {
  static const std::vector<std::vector<int>> shapes = {
      {2, 3, 3, 1}, {1, 2, 2, 2, 1}, {3, 2, 2, 2}, {2, 2, 3, 2, 1}};
  std::mt19937 rng(seed);
  const auto& shape = shapes[seed % shapes.size()];
  StarInstance s;
  s.base = random_base(seed, shape, Activation::tanh(), false);
  std::uniform_int_distribution<int> coin(-5, 5);
  for (Index i = 0; i < s.base.data.targets.rows(); ++i) {
    for (Index j = 0; j < s.base.data.targets.cols(); ++j) {
      int k = coin(rng);
      if (k == 0) k = 2;
      s.base.data.targets(i, j) = Rational(k, 3);
    }
  }
  const int L = s.base.network.num_layers();
  std::vector<int> layers(static_cast<std::size_t>(L));
  for (int l = 0; l < L; ++l) layers[static_cast<std::size_t>(l)] = l + 1;
  std::shuffle(layers.begin(), layers.end(), rng);
  const int k = std::min(zero_count, L);
  s.zero.assign(layers.begin(), layers.begin() + k);
  return s;
}

std::string zs(const std::vector<int>& z) {
  std::string out;
  for (const int v : z) {
    if (!out.empty()) out += ',';
    out += std::to_string(v);
  }
  return "{" + out + "}";
}

// The star point of an instance, planted in a zero layer (moving a weight of a nonzero layer
// would keep the point critical: ST-1 holds for any such weights).
Problem star_point(const Context& ctx, const StarInstance& s) {
  Problem p = lc::star_problem(s.base, s.zero);
  const Eigen::Index in_zero_layer = p.network.weight_index(s.zero[0], 0, 0);
  return planted(ctx, std::move(p), in_zero_layer);
}

InstanceResult st1(const Context& ctx, std::uint32_t seed) {
  const StarInstance s = star_instance(seed, 2 + static_cast<int>(seed % 2));
  const Problem p = star_point(ctx, s);
  if (ctx.force_float) {
    const LossFunction<double> f(p.network, p.data);
    const double gn = f.gradient(p.point_as<double>()).norm();
    return result(gn == 0, Evidence::of<double>(), 0, fmt::format("‖∇L‖ = {:.3e} in double", gn));
  }
  const ScopedBallPrecision precision(256);
  const LossFunction<Ball> f(p.network, p.data);
  const Vec<Ball> g = f.gradient(p.point_as<Ball>());
  bool zero = true, nonzero = false;
  for (Index i = 0; i < g.size(); ++i) {
    zero = zero && g(i).is_exact() && certainly_zero(g(i)) == Certainty::True;
    nonzero = nonzero || !possibly_zero(g(i));
  }
  if (!zero && !nonzero) return undecided("∇L contains 0 but is not an exact zero");
  InstanceResult r = result(zero,
                            Evidence::of<Ball>(),
                            kExact,
                            fmt::format("{} with zero layers {}: ∇L {}",
                                        p.network.describe(),
                                        zs(s.zero),
                                        zero ? "= 0 exactly" : "certainly ≠ 0"));
  if (!ctx.certificate_dir.empty() && zero) {
    Certificate c;
    c.statement = fmt::format("the star point with zero layers {} is a critical point", zs(s.zero));
    c.problem = certificate_problem(p);
    c.facts = {critical_ball_fact(256)};
    r.certificates = {c};
  }
  return r;
}

InstanceResult st2(const Context& ctx, std::uint32_t seed) {
  const StarInstance s = star_instance(seed, 2);
  if (auto u = unless_critical(star_point(ctx, s))) return *u;
  const lc::StarCertificate c =
      lc::certify_star(s.base, s.zero, ctx.arithmetic(Arithmetic::ball(256)), seed);
  if (!c.predicted || !c.hessian_inertia.decided) return undecided("inertia undecided");
  Inertia predicted = *c.predicted;
  if (ctx.mutation == Mutation::ShiftBound) predicted.zero += 1;
  InstanceResult r = result(predicted == c.hessian_inertia.inertia,
                            c.evidence,
                            kExact,
                            fmt::format("zero layers {}: In = {}, ST-2 predicts {}",
                                        zs(s.zero),
                                        to_string(c.hessian_inertia.inertia),
                                        to_string(predicted)));
  if (!ctx.certificate_dir.empty() && r.holds) {
    // the inertia again, with the proof's basis (balls at 256 bits)
    const Problem p = lc::star_problem(s.base, s.zero);
    const ScopedBallPrecision precision(256);
    const ClusterCertificate cc =
        certify_cluster(LossFunction<Ball>(p.network, p.data).hessian(p.point_as<Ball>()), true);
    if (cc.decided && cc.inertia == c.hessian_inertia.inertia &&
        cc.basis_cluster == cc.inertia.zero) {
      Certificate cert;
      cert.statement = fmt::format(
          "the Hessian at the star point with zero layers {} has inertia {} (n0: a cluster of "
          "|λ| <= epsilon, ST-2's prediction {})",
          zs(s.zero),
          to_string(cc.inertia),
          to_string(predicted));
      cert.problem = certificate_problem(p);
      cert.facts = {critical_ball_fact(256), cluster_fact(cc)};
      r.certificates = {cert};
    }
  }
  return r;
}

InstanceResult st3(const Context& ctx, std::uint32_t seed, bool not_minimum) {
  StarInstance s = star_instance(seed, 3);
  if (s.zero.size() < 3) return undecided("fewer than three layers");
  if (auto u = unless_critical(star_point(ctx, s))) return *u;
  const lc::StarCertificate c =
      lc::certify_star(s.base, s.zero, ctx.arithmetic(Arithmetic::ball(256)), seed);
  if (!not_minimum) {
    InstanceResult r = result(
        c.hessian_zero,
        c.evidence,
        kExact,
        fmt::format("zero layers {}: ∇²L {}", zs(s.zero), c.hessian_zero ? "= 0 exactly" : "≠ 0"));
    if (!ctx.certificate_dir.empty() && r.holds) {
      Certificate cert;
      cert.statement = fmt::format(
          "at the star point with zero layers {} the gradient and the Hessian are exactly 0",
          zs(s.zero));
      cert.problem = certificate_problem(lc::star_problem(s.base, s.zero));
      cert.facts = {critical_ball_fact(256), hessian_zero_fact(256)};
      r.certificates = {cert};
    }
    return r;
  }
  if (!c.not_a_minimum) return undecided("D³L vanished on the seeded directions: " + c.third_order);
  InstanceResult r = result(true, c.evidence, kExact, c.third_order);
  if (!ctx.certificate_dir.empty() && c.third_order_direction) {
    Certificate cert;
    cert.statement = fmt::format(
        "the star point with zero layers {} is neither a local minimum nor a local maximum "
        "(third order along u)",
        zs(s.zero));
    cert.problem = certificate_problem(lc::star_problem(s.base, s.zero));
    cert.facts = {critical_ball_fact(256),
                  hessian_zero_fact(256),
                  third_order_fact(*c.third_order_direction, 256)};
    cert.conclusion = "not-extremum";
    r.certificates = {cert};
  }
  return r;
}

InstanceResult co0(const Context& ctx, std::uint32_t seed) {
  static const std::vector<std::vector<int>> shapes = {
      {2, 4, 1}, {1, 3, 3, 1}, {2, 3, 2}, {2, 2, 2, 1}};
  const auto& shape = shapes[seed % shapes.size()];
  Problem base = random_base(seed, shape, exp5());
  // Fewer samples than parameters per output: N·n_L < P.
  const Index nl = shape.back();
  const Index N = std::max<Index>(2, (base.network.num_parameters() / nl) / 2);
  base.data.inputs.conservativeResize(N, Eigen::NoChange);
  base.data.targets = Mat<Rational>::Zero(N, nl);
  const Arithmetic a = ctx.arithmetic(Arithmetic{ScalarKind::Rational, 0});
  if (ctx.force_float) return undecided("CO-0 needs a certified nullity (rational or balls)");
  const Problem gm = lc::global_minimum(base, a);
  const auto& c = gm.certificate;
  if (c["hessian_inertia"].is_null()) return undecided("inertia undecided");
  Index predicted = base.network.num_parameters() - N * nl;
  if (ctx.mutation == Mutation::ShiftBound) predicted += 1;
  const Index nullity = c["hessian_inertia"]["zero"].get<Index>();
  const bool full_rank = c["rank_J"].get<Index>() == N * nl;
  if (!full_rank) return undecided("J is not of full row rank at this instance");
  InstanceResult r = result(nullity == predicted,
                            Evidence::of<Rational>(),
                            kExact,
                            fmt::format("{}, N = {}: nullity {} (P − N·n_L = {})",
                                        base.network.describe(),
                                        N,
                                        nullity,
                                        predicted));
  if (!ctx.certificate_dir.empty() && r.holds && gm.point) {
    const LossFunction<Rational> f(gm.network, gm.data);
    Certificate cert;
    cert.statement =
        fmt::format("a global minimum (loss 0) whose Hessian has nullity {} = P − N·n_L", nullity);
    cert.problem = certificate_problem(gm);
    cert.facts = {
        critical_fact(), loss_fact(f.loss(*gm.point)), ldlt_fact(exact_ldlt(f.hessian(*gm.point)))};
    r.certificates = {cert};
  }
  return r;
}

InstanceResult wb1(const Context& ctx, std::uint32_t seed) {
  // At exact critical points: designs and their splits.
  static const std::vector<std::vector<int>> shapes = {
      {2, 2, 1}, {2, 3, 1}, {1, 2, 2, 1}, {2, 3, 2}};
  const auto& shape = shapes[seed % shapes.size()];
  const auto d = design(ctx, seed, shape, lc::FTarget::Any, lc::BTarget::Any, 1, 0, false);
  if (!d) return undecided("no exact design for this seed: " + last_design_error());
  Problem p = d->problem;
  if (seed % 2 == 1) {
    lc::SplitSpec s;
    s.lambda = Rational(1, 3);
    p = lc::split_problem(p, s);
    s.unit = 1;
    p = lc::split_problem(p, s);
  }
  if (auto u = unless_critical(p)) return *u;
  const Arithmetic a = ctx.arithmetic(Arithmetic{ScalarKind::Rational, 0});
  if (ctx.force_float) return result(true, Evidence::of<double>(), 0, "float evidence only");
  const lc::WideBound b = lc::wb1_bound(p, a);
  const Index nullity =
      exact_inertia(LossFunction<Rational>(p.network, p.data).hessian(*p.point)).inertia.zero;
  Index bound = b.bound;
  if (ctx.mutation == Mutation::ShiftBound) bound = nullity + 1;  // a bound claimed one too high
  InstanceResult r =
      result(nullity >= bound,
             weakest(b.evidence, Evidence::of<Rational>()),
             static_cast<double>(nullity - bound),
             fmt::format("{}: nullity {} >= WB-1 bound {}", p.network.describe(), nullity, bound));
  if (!ctx.certificate_dir.empty() && r.holds) {
    Certificate cert;
    cert.statement =
        fmt::format("a critical point whose Hessian has nullity {}, at least the WB-1 bound {}",
                    nullity,
                    bound);
    cert.problem = certificate_problem(p);
    cert.facts = {
        critical_fact(),
        ldlt_fact(exact_ldlt(LossFunction<Rational>(p.network, p.data).hessian(*p.point)))};
    r.certificates = {cert};
  }
  return r;
}

InstanceResult relu(const Context& ctx, std::uint32_t seed) {
  static const std::vector<std::vector<int>> shapes = {
      {2, 3, 1}, {2, 2, 2, 1}, {1, 3, 1}, {3, 2, 1}};
  const auto& shape = shapes[seed % shapes.size()];
  std::optional<lc::DesignResult> d;
  try {
    d = design(
        ctx, seed, shape, lc::FTarget::Any, lc::BTarget::Any, 1, 0, false, Activation::relu());
  } catch (const Error& e) {
    return undecided(e.what());
  }
  if (!d) return undecided("no exact ReLU design for this seed");
  if (ctx.force_float) return result(true, Evidence::of<double>(), 0, "float evidence only");
  const Problem& p = d->problem;
  if (auto u = unless_critical(p)) return *u;
  const Network& n = p.network;
  const Mat<Rational> h = LossFunction<Rational>(n, p.data).hessian(*p.point);
  Index count = 0;
  bool all = true;
  std::vector<Vec<Rational>> kernel;
  for (int l = 1; l < n.num_layers(); ++l) {
    for (int j = 0; j < n.width(l); ++j) {
      Vec<Rational> xi = Vec<Rational>::Zero(n.num_parameters());
      for (int k = 0; k < n.input_columns(l); ++k) {
        xi(n.augmented_index(l, j, k)) = (*p.point)(n.augmented_index(l, j, k));
      }
      for (int i = 0; i < n.width(l + 1); ++i) {
        xi(n.weight_index(l + 1, i, j)) = -(*p.point)(n.weight_index(l + 1, i, j));
      }
      if (xi.isZero()) continue;
      ++count;
      all = all && (h * xi).isZero();
      kernel.push_back(xi);
    }
  }
  const Index nullity = exact_inertia(h).inertia.zero;
  InstanceResult r = result(all && nullity >= count,
                            Evidence::of<Rational>(),
                            static_cast<double>(nullity - count),
                            fmt::format("{}: H ξ_j {} for {} units, nullity {}",
                                        n.describe(),
                                        all ? "= 0 exactly" : "≠ 0",
                                        count,
                                        nullity));
  if (!ctx.certificate_dir.empty() && r.holds && count > 0) {
    Mat<Rational> xs(n.num_parameters(), count);
    for (Index j = 0; j < count; ++j) xs.col(j) = kernel[static_cast<std::size_t>(j)];
    Certificate cert;
    cert.statement = fmt::format(
        "at a ReLU critical point the {} rescaling directions ξ_j lie in the Hessian's kernel, "
        "whose dimension is {}",
        count,
        nullity);
    cert.problem = certificate_problem(p);
    cert.facts = {critical_fact(), kernel_fact(xs), ldlt_fact(exact_ldlt(h))};
    r.certificates = {cert};
  }
  return r;
}

InstanceResult si1(const Context& ctx, std::uint32_t seed) {
  const Problem p = lc::si1_swap_path(seed);
  if (ctx.force_float) return result(true, Evidence::of<double>(), 0, "float evidence only");
  const lc::PathCheck c = lc::check_path(p);
  const bool constant = c.all_constant();
  const bool zero = c.start_loss == "0" && c.end_loss == "0";
  InstanceResult r = result(constant && zero,
                            c.evidence,
                            kExact,
                            fmt::format("7 segments {}, loss {} at both ends",
                                        constant ? "constant" : "NOT constant",
                                        c.start_loss));
  if (!ctx.certificate_dir.empty() && r.holds) {
    std::string why;
    if (auto cert = lc::path_certificate(
            p,
            c,
            "the loss is 0 at both ends of the 7-segment swap path and never increases along it "
            "(hence is 0 all along: a connected path of global minima)",
            &why,
            {loss_fact(Rational(0))})) {
      r.certificates = {*cert};
    } else {
      r.not_certified = "the path: " + why;
    }
  }
  return r;
}

InstanceResult nh1(const Context& ctx, std::uint32_t seed) {
  // NH-1: at a critical point with rank Ã_k = N (and later layers of full rank), L = 0. One hidden
  // layer (k = 1, no later layers). Even seeds: G7's certified suboptimal minima (the theorem must
  // not apply: rank Ã_1 < N); odd seeds: exact interpolating points of [2, N, 1] networks.
  if (seed % 2 == 0) {
    const Problem g1 = g1_refined(ctx);
    Mat<Rational> map;
    const Problem g7 = lc::g7_counterexample(g1, seed, &map);
    const Arithmetic a = ctx.arithmetic(Arithmetic::ball(512));
    if (ctx.force_float) return undecided("NH-1's ranks need certified arithmetic");
    const Classification c = classify_point(g7, a);
    if (c.kind != PointKind::DegenerateMinimum) return undecided("G7 not certified a minimum");
    const lc::WideBound b = lc::wb1_bound(g7, a);
    const Index rank = b.rank_a[2];
    const Index N = g7.data.size();
    const bool loss_positive = g7.certificate.value("witness_lower", false);
    // The implication: rank = N ⇒ L = 0. Here L > 0, so the rank must be < N.
    InstanceResult r =
        result(rank < N || !loss_positive,
               weakest(c.evidence, b.evidence),
               static_cast<double>(N - rank),
               fmt::format("G7 (seed {}): suboptimal minimum with rank Ã_1 = {} < N = {}: "
                           "NH-1's hypothesis fails, as it must",
                           seed,
                           rank,
                           N));
    if (!ctx.certificate_dir.empty() && r.holds) {
      // the split family: G7's critical point is a minimum, and its ten hidden units copy one
      // unit, so rank Ã_1 <= 2 < N there (the checker derives both from krawczyk-split)
      std::string why;
      if (auto cert = split_minimum_certificate(g1, g7, map, 512, &why)) {
        cert->statement = fmt::format(
            "G7 (seed {}): {}; its hidden units are copies of one unit, so rank Ã_1 <= 2 < N = {}",
            seed,
            cert->statement,
            N);
        r.certificates = {*cert};
      } else {
        r.not_certified = "G7's degenerate minimum: " + why;
      }
    }
    return r;
  }
  const int N = 4 + static_cast<int>(seed % 3);
  Problem base = random_base(seed, {2, N, 1}, exp5());
  base.data.inputs.conservativeResize(N, Eigen::NoChange);
  base.data.targets = Mat<Rational>::Zero(N, 1);
  const Arithmetic a = ctx.arithmetic(Arithmetic{ScalarKind::Rational, 0});
  if (ctx.force_float) return undecided("NH-1's ranks need certified arithmetic");
  const Problem gm = planted(ctx, lc::global_minimum(base, a));
  const lc::WideBound b = lc::wb1_bound(gm, a);
  const Index rank = b.rank_a[2];
  const Rational loss = LossFunction<Rational>(gm.network, gm.data).loss(*gm.point);
  const bool critical = LossFunction<Rational>(gm.network, gm.data).gradient(*gm.point).isZero();
  if (!critical) return undecided("the interpolating point is not critical");
  InstanceResult r =
      result(rank != N || loss == 0,
             weakest(b.evidence, Evidence::of<Rational>()),
             kExact,
             fmt::format("[2, {}, 1], N = {}: rank Ã_1 = {}, L = {}", N, N, rank, to_string(loss)));
  if (!ctx.certificate_dir.empty() && r.holds && b.evidence.rigour() == Rigour::Exact) {
    Certificate cert;
    cert.statement =
        fmt::format("[2, {}, 1], N = {}: a critical point with rank Ã_1 = {}{} has loss {}",
                    N,
                    N,
                    rank,
                    rank == N ? " = N" : " < N (NH-1 does not apply)",
                    to_string(loss));
    cert.problem = certificate_problem(gm);
    cert.facts = {critical_fact(), activation_rank_fact(1, rank), loss_fact(loss)};
    r.certificates = {cert};
  }
  return r;
}

}  // namespace

std::vector<Claim> other_claims() {
  std::vector<Claim> out;
  const auto add = [&](Claim c) { out.push_back(std::move(c)); };
  add({"cooper.star-critical",
       "No biases, σ(0) = 0, at least two zero weight layers: θ is a critical point (ST-1).",
       "Cooper 2020 (star locus, definitions reconstructed); math-spec §4.2 ST-1",
       "[R, D, V]",
       "tanh networks without biases (depth 3-4), random exact weights and data, random zero sets "
       "of size 2 or 3",
       "∇L in balls",
       "every component an exact zero",
       "proved",
       "ball:256",
       "exact",
       20,
       2,
       [](const Context& c, std::uint32_t s) { return st1(c, s); },
       {Mutation::PerturbPoint}});
  add({"cooper.star-inertia",
       "Exactly two zero layers {i < j}: n- = n+ = rank(P_jᵀM_i)·rank(Q_ij) (ST-2).",
       "math-spec §4.2 ST-2 (Cooper 2020, reconstructed)",
       "[D, V]",
       "as cooper.star-critical with two zero layers",
       "certified inertia of ∇²L",
       "equal to the ST-2 prediction",
       "proved",
       "ball:256",
       "exact",
       20,
       2,
       [](const Context& c, std::uint32_t s) { return st2(c, s); },
       {Mutation::PerturbPoint, Mutation::ShiftBound}});
  add({"cooper.c-locus-hessian-zero",
       "Three or more zero layers: ∇²L = 0 identically (ST-3, the C locus).",
       "math-spec §4.2 ST-3 (Cooper 2020, reconstructed)",
       "[D, V]",
       "as cooper.star-critical with three zero layers",
       "∇²L in balls",
       "every entry an exact zero",
       "proved",
       "ball:256",
       "exact",
       20,
       2,
       [](const Context& c, std::uint32_t s) { return st3(c, s, false); },
       {}});
  add({"cooper.c-locus-not-minimum",
       "C-locus points with nonzero targets are not local minima: with ∇L = ∇²L = 0, a nonzero "
       "D³L[u,u,u] changes sign.",
       "math-spec §4.2 ST-3, R5 step 5",
       "[D]",
       "as cooper.c-locus-hessian-zero",
       "D³L[u,u,u] along seeded integer directions",
       "certainly nonzero for some u",
       "proved",
       "ball:256",
       "exact",
       20,
       2,
       [](const Context& c, std::uint32_t s) { return st3(c, s, true); },
       {}});
  add({"cooper.global-min-nullity",
       "At an interpolating point with rank J = N·n_L the Hessian's nullity is exactly P − N·n_L "
       "(CO-0, G4).",
       "Cooper 2018/2021 (global minima form a (P − N·n_L)-manifold); math-spec §4.1 CO-0c, G4",
       "[A, V]",
       "degree-5 exp polynomial nets [2,4,1], [1,3,3,1], [2,3,2], [2,2,2,1], random exact θ, "
       "N·n_L < P, targets Φ(θ)",
       "exact inertia of ∇²L",
       "nullity = P − N·n_L",
       "proved",
       "rational",
       "exact",
       20,
       2,
       [](const Context& c, std::uint32_t s) { return co0(c, s); },
       {Mutation::ShiftBound}});
  add({"wide.wb1-nullity-bound",
       "At any critical point nullity(∇²L) >= n_1(n_0+β − rank X̃) + Σ_l (n_l − rank Δ_l)(n_{l−1}+β "
       "− rank Ã_{l−1}) (WB-1).",
       "math-spec §4.3 WB-1 (cf. Cooper 2020)",
       "[D, V]",
       "exact designs and their double splits on [2,2,1], [2,3,1], [1,2,2,1], [2,3,2]",
       "exact nullity and the bound from exact ranks",
       "nullity >= bound",
       "proved",
       "rational",
       "nullity − bound",
       20,
       2,
       [](const Context& c, std::uint32_t s) { return wb1(c, s); },
       {Mutation::PerturbPoint, Mutation::ShiftBound}});
  add({"relu.homogeneity-kernel",
       "ReLU networks: at a critical point with no pre-activation at the kink, each hidden unit's "
       "rescaling tangent ξ_j = (W̃_l[j,:], −W_{l+1}[:,j]) lies in the Hessian's kernel.",
       "math-spec §1.8 (positive homogeneity, Lemma K)",
       "[D]",
       "exact ReLU designs on [2,3,1], [2,2,2,1], [1,3,1], [3,2,1]",
       "∇²L ξ_j, nullity",
       "= 0 exactly for every unit; nullity >= #units",
       "proved",
       "rational",
       "nullity − #units",
       20,
       2,
       [](const Context& c, std::uint32_t s) { return relu(c, s); },
       {Mutation::PerturbPoint}});
  add({"nguyen-hein.global-optimality",
       "At a critical point with rank Ã_k = N (and full-rank later layers) the loss is 0 (NH-1); "
       "so every certified suboptimal minimum violates the rank condition.",
       "Nguyen & Hein 2017; Petzka & Sminchisescu 2021 §3.6; math-spec §3.6 NH-1",
       "[P, D]",
       "G7's certified suboptimal minima (even seeds) and exact interpolating points of "
       "[2, N, 1] networks, N = 4..6 (odd seeds)",
       "rank Ã_1 (exact or certified), L",
       "rank Ã_1 = N implies L = 0",
       "proved",
       "rational or ball:512",
       "N − rank Ã_1 at the suboptimal minima",
       10,
       2,
       [](const Context& c, std::uint32_t s) { return nh1(c, s); },
       {Mutation::PerturbPoint}});
  add({"simsek.swap-path",
       "One extra unit connects permuted global minima: the seven-segment swap path keeps the "
       "loss identically 0 (SI-1).",
       "Şimşek et al. 2021; math-spec §9 SI-1",
       "[A, D]",
       "exact two-layer teachers of width 2 (degree-5 exp polynomial, seeded units), student of "
       "width 3",
       "L along every segment",
       "every segment certified constant, L = 0",
       "proved",
       "rational",
       "exact",
       20,
       2,
       [](const Context& c, std::uint32_t s) { return si1(c, s); },
       {}});
  return out;
}

}  // namespace locus::claims
