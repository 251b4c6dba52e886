// Claims about unit replication (docs/math/theorem-s.md, docs/math/escape-paths.md, docs/claims.md): FA-1, FA-2, FA-3, Theorem S, S3,
// PS-2, PS-3, PS-4, Lemma K, and two false statements kept as expected refutations.
#include <cmath>
#include <limits>
#include <random>

#include "instances.hpp"

#include "locus/constructions/counterexamples.hpp"
#include "locus/constructions/path.hpp"
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

const std::vector<std::vector<int>>& shapes() {
  static const std::vector<std::vector<int>> s = {{2, 2, 1}, {2, 3, 1}, {3, 2, 1}, {1, 2, 2, 1}};
  return s;
}

lc::SplitSpec random_split(std::mt19937& rng, const Network& net, bool inside) {
  lc::SplitSpec s;
  std::uniform_int_distribution<int> layer(1, net.num_layers() - 1);
  s.layer = layer(rng);
  std::uniform_int_distribution<int> unit(0, net.width(s.layer) - 1);
  s.unit = unit(rng);
  s.lambda = inside ? lambda_inside(rng) : lambda_outside(rng);
  return s;
}

std::string describe(const lc::SplitSpec& s) {
  return fmt::format("layer {}, unit {}, λ = {}", s.layer, s.unit, to_string(s.lambda));
}

// F_r and B_r from a rational certificate, back to exact matrices.
Mat<Rational> parse_matrix(const nlohmann::json& rows) {
  Mat<Rational> m(static_cast<Index>(rows.size()),
                  rows.empty() ? 0 : static_cast<Index>(rows[0].size()));
  for (Index i = 0; i < m.rows(); ++i) {
    for (Index j = 0; j < m.cols(); ++j) {
      m(i, j) = parse_rational(
          rows[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)].get<std::string>());
    }
  }
  return m;
}

// ---- FA-1: split points of a critical point are critical, same loss ------------------------
InstanceResult fa1(const Context& ctx, std::uint32_t seed) {
  std::mt19937 rng(seed);
  const auto& shape = shapes()[seed % shapes().size()];
  const auto d = design(ctx, seed, shape, lc::FTarget::Any, lc::BTarget::Any, 1, 0, false);
  if (!d) return undecided("no exact design for this seed: " + last_design_error());
  const Problem& small = d->problem;
  const lc::SplitSpec s = random_split(rng, small.network, seed % 2 == 0);
  const Problem big = lc::split_problem(small, s);
  if (!ctx.force_float) {
    const LossFunction<Rational> fs(small.network, small.data);
    const LossFunction<Rational> fb(big.network, big.data);
    const Vec<Rational> g = fb.gradient(*big.point);
    const bool zero = g.isZero();
    const Rational loss_small = fs.loss(*small.point);
    const Rational loss_big = fb.loss(*big.point);
    const bool same = loss_small == loss_big;
    InstanceResult r = result(zero && same,
                              Evidence::of<Rational>(),
                              kExact,
                              fmt::format("{} of {}: ∇L_big {} , loss {}",
                                          describe(s),
                                          small.network.describe(),
                                          zero ? "= 0 exactly" : "≠ 0",
                                          same ? "unchanged exactly" : "CHANGED"));
    if (!ctx.certificate_dir.empty() && zero && same) {
      // the split point is critical with the small network's loss; the small point's own loss
      Certificate big_cert;
      big_cert.statement = fmt::format(
          "the split point ({}) is a critical point of the big network's loss, with loss {}",
          describe(s),
          to_string(loss_big));
      big_cert.problem = certificate_problem(big);
      big_cert.facts = {critical_fact(), loss_fact(loss_big)};
      Certificate small_cert;
      small_cert.statement = fmt::format("the small network's loss at θ* is {} (the split point's)",
                                         to_string(loss_small));
      small_cert.problem = certificate_problem(small);
      small_cert.facts = {loss_fact(loss_small)};
      r.certificates = {big_cert, small_cert};
    }
    return r;
  }
  const LossFunction<double> fb(big.network, big.data);
  const double gn = fb.gradient(big.point_as<double>()).norm();
  return result(gn < 1e-10,
                Evidence::of<double>(),
                1e-10 - gn,
                fmt::format("‖∇L_big‖ = {:.3e} (double)", gn));
}

// ---- certificates (locus check --certificates DIR, docs/certificates.md) ---------------------
nlohmann::json hessian_ldlt(const Problem& q) {
  return ldlt_fact(exact_ldlt(LossFunction<Rational>(q.network, q.data).hessian(*q.point)));
}

// The split point's Hessian inertia (with `extra` facts, e.g. explicit blocks) and the small
// point's, as two certificates; `conclusion` (saddle, ...) is added to the first with a
// "critical" fact when given.
std::vector<Certificate> split_certificates(const Problem& small,
                                            const lc::SplitSpec& s,
                                            const std::string& statement,
                                            std::vector<nlohmann::json> extra,
                                            const std::string& conclusion = "") {
  const Problem big = lc::split_problem(small, s);
  Certificate b;
  b.statement = statement;
  b.problem = certificate_problem(big);
  if (!conclusion.empty()) {
    b.facts.push_back(critical_fact());
    b.conclusion = conclusion;
  }
  b.facts.push_back(hessian_ldlt(big));
  for (auto& f : extra) b.facts.push_back(std::move(f));
  Certificate m;
  m.statement = fmt::format("{}: the small network's Hessian at θ*", describe(s));
  m.problem = certificate_problem(small);
  m.facts = {hessian_ldlt(small)};
  return {b, m};
}

// ---- Theorem S: congruence and inertia -----------------------------------------------------
const std::vector<std::vector<int>>& s_shapes() {
  static const std::vector<std::vector<int>> s = {{2, 2, 1}, {2, 2, 2}, {1, 2, 2, 1}, {2, 3, 1}};
  return s;
}

InstanceResult theorem_s(const Context& ctx, std::uint32_t seed, bool congruence) {
  std::mt19937 rng(seed);
  const auto& shape = s_shapes()[seed % s_shapes().size()];
  const auto f = seed % 3 == 0 ? lc::FTarget::Positive : lc::FTarget::Any;
  const auto d = design(ctx, seed, shape, f, lc::BTarget::Any, 1, 0, true);
  if (!d) return undecided("no exact design for this seed: " + last_design_error());
  const lc::SplitSpec s = random_split(rng, d->problem.network, seed % 2 == 0);
  const Arithmetic a = ctx.arithmetic(Arithmetic{ScalarKind::Rational, 0});
  const lc::SplitCertificate c = lc::certify_split(d->problem, s, a);
  // K_λ = [[λ(1 − λ) F_r, B_rᵀ], [B_r, 0]] from the certificate's F_r and B_r.
  const auto k_lambda = [&](const Mat<Rational>& F, const Mat<Rational>& B) {
    const Index m = F.rows(), n = B.rows();
    Mat<Rational> K = Mat<Rational>::Zero(m + n, m + n);
    K.topLeftCorner(m, m) = F * (s.lambda * (1 - s.lambda));
    K.bottomLeftCorner(n, m) = B;
    K.topRightCorner(m, n) = B.transpose();
    return K;
  };
  if (congruence) {
    InstanceResult r = result(
        c.congruence_holds,
        c.evidence,
        kExact,
        fmt::format("{} of {}: {}", describe(s), d->problem.network.describe(), c.congruence));
    if (!ctx.certificate_dir.empty() && r.holds && c.evidence.rigour() == Rigour::Exact) {
      Certificate cert;
      cert.statement = fmt::format(
          "Theorem S, {}: Tᵀ∇²L_big(θ_λ)T = blockdiag(∇²L_small(θ*), K_λ) for the split's "
          "coordinate change T",
          describe(s));
      cert.problem = certificate_problem(lc::split_problem(d->problem, s));
      cert.facts = {
          critical_fact(),
          congruence_fact(lc::split_coordinates(d->problem.network, s),
                          {hessian_block(d->problem),
                           matrix_block(k_lambda(parse_matrix(c.f), parse_matrix(c.b)))})};
      r.certificates = {cert};
    }
    return r;
  }
  Inertia predicted = c.predicted;
  if (ctx.mutation == Mutation::FlipResidual) {
    // The prediction with e = y − f: F_r and B_r change sign.
    const Mat<Rational> K = k_lambda(-parse_matrix(c.f), -parse_matrix(c.b));
    predicted = lc::operator+(c.small_inertia.inertia, exact_inertia(K).inertia);
  }
  const bool holds = c.big_inertia.decided && predicted == c.big_inertia.inertia;
  InstanceResult r =
      result(holds,
             c.evidence,
             kExact,
             fmt::format("{} of {}: predicted {}, computed {}",
                         describe(s),
                         d->problem.network.describe(),
                         to_string(predicted),
                         c.big_inertia.decided ? to_string(c.big_inertia.inertia) : "undecided"));
  if (!ctx.certificate_dir.empty() && holds && c.evidence.rigour() == Rigour::Exact) {
    // In(∇²L_big), In(K_λ) (the explicit block) and In(∇²L_small): their sum is the claim.
    const Mat<Rational> K = k_lambda(parse_matrix(c.f), parse_matrix(c.b));
    r.certificates = split_certificates(
        d->problem,
        s,
        fmt::format("Theorem S, {}: In(∇²L_big) = {} = In(∇²L_small) {} + In(K_λ) (K_λ is the "
                    "matrix of the second fact; In(∇²L_small) is in the companion certificate)",
                    describe(s),
                    to_string(c.big_inertia.inertia),
                    to_string(c.small_inertia.inertia)),
        {matrix_ldlt_fact(K)});
  }
  return r;
}

// ---- FA-3: the λ-interval theorem, classified independently --------------------------------
InstanceResult fa3(const Context& ctx, std::uint32_t seed, bool indefinite) {
  std::mt19937 rng(seed);
  const bool positive = seed % 2 == 0;
  const auto target = indefinite ? lc::FTarget::Indefinite
                      : positive ? lc::FTarget::Positive
                                 : lc::FTarget::Negative;
  const std::vector<int> shape =
      seed % 3 == 0 ? std::vector<int>{2, 3, 1} : std::vector<int>{2, 2, 1};
  const auto d = design(ctx, seed, shape, target, lc::BTarget::Any, 1, 0, true);
  if (!d) return undecided("no exact design for this seed: " + last_design_error());
  const Arithmetic ar = ctx.arithmetic(Arithmetic{ScalarKind::Rational, 0});
  std::string detail;
  bool holds = true;
  std::optional<Evidence> evidence;
  std::vector<Certificate> certificates;
  std::string not_certified;
  for (const bool inside : {true, false}) {
    lc::SplitSpec s;
    s.layer = 1;
    s.unit = 0;
    s.lambda = inside ? lambda_inside(rng) : lambda_outside(rng);
    Problem big = lc::split_problem(d->problem, s);
    const Network& sn = d->problem.network;
    const Index g0 = sn.num_parameters() + sn.input_columns(1);
    big.certificate = {
        {"tangent_basis", lc::columns_json(lc::split_coordinates(sn, s).middleCols(g0, 1))}};
    const Classification c = classify_point(big, ar);
    evidence = evidence ? weakest(*evidence, c.evidence) : c.evidence;
    // FA-3's prediction (the sign convention flipped under the mutation).
    const bool f_positive = ctx.mutation == Mutation::FlipResidual ? !positive : positive;
    PointKind expected = PointKind::Saddle;
    if (!indefinite)
      expected = (inside == f_positive) ? PointKind::DegenerateMinimum : PointKind::Saddle;
    const bool ok = c.kind == expected;
    holds = holds && ok;
    detail += fmt::format(
        "λ = {}: {} (expected {}); ", to_string(s.lambda), to_string(c.kind), to_string(expected));
    if (!ctx.certificate_dir.empty() && ok) {
      std::string why;
      if (auto cert = classification_certificate(big, c, &why)) {
        cert->statement = fmt::format("FA-3, λ = {}: {}", to_string(s.lambda), cert->statement);
        certificates.push_back(std::move(*cert));
      } else {
        not_certified += fmt::format("λ = {}: {}; ", to_string(s.lambda), why);
      }
    }
  }
  InstanceResult r = result(holds,
                            evidence.value_or(Evidence()),
                            kExact,
                            fmt::format("F_r {}: {}",
                                        indefinite ? "indefinite"
                                        : positive ? "≻ 0"
                                                   : "≺ 0",
                                        detail));
  if (holds) {
    r.certificates = std::move(certificates);
    r.not_certified = not_certified;
  }
  return r;
}

// ---- PS-2: B_r ≠ 0 gives saddles with an explicit descent direction ------------------------
InstanceResult ps2(const Context& ctx, std::uint32_t seed) {
  std::mt19937 rng(seed);
  const std::vector<int> shape =
      seed % 2 == 0 ? std::vector<int>{1, 2, 2} : std::vector<int>{2, 2, 2};
  const auto d = design(ctx, seed, shape, lc::FTarget::Any, lc::BTarget::Nonzero, 1, 0, true);
  if (!d) return undecided("no exact design for this seed: " + last_design_error());
  lc::SplitSpec s = random_split(rng, d->problem.network, seed % 3 != 0);
  const lc::SplitCertificate c =
      lc::certify_split(d->problem, s, ctx.arithmetic(Arithmetic{ScalarKind::Rational, 0}));
  if (c.b_zero) return undecided("B_r = 0 for this instance (not generic)");
  const bool bound = c.big_inertia.decided &&
                     c.big_inertia.inertia.negative >= c.small_inertia.inertia.negative + c.rank_b;
  const bool descent = c.descent.has_value();
  const double margin = descent ? std::abs(number(c.descent_curvature)) : 0;
  InstanceResult r = result(bound && descent && c.kind == "saddle",
                            c.evidence,
                            margin,
                            fmt::format("{}: n- = {} >= {} + rank B_r = {}; descent uᵀHu = {}",
                                        describe(s),
                                        c.big_inertia.inertia.negative,
                                        c.small_inertia.inertia.negative,
                                        c.rank_b,
                                        c.descent_curvature));
  if (!ctx.certificate_dir.empty() && r.holds && c.evidence.rigour() == Rigour::Exact &&
      c.big_inertia.inertia.positive > 0) {
    r.certificates = split_certificates(
        d->problem,
        s,
        fmt::format("{}: the split point is a critical point and a saddle, with n- = {} >= "
                    "n-(small) {} + rank B_r {}",
                    describe(s),
                    c.big_inertia.inertia.negative,
                    c.small_inertia.inertia.negative,
                    c.rank_b),
        {},
        "saddle");
  }
  return r;
}

// ---- PS-3 / S3: the nullity at split points ------------------------------------------------
InstanceResult nullity(const Context& ctx, std::uint32_t seed, bool endpoints) {
  std::mt19937 rng(seed);
  const std::vector<int> shape =
      seed % 2 == 0 ? std::vector<int>{2, 2, 1} : std::vector<int>{3, 2, 1};
  const auto d = design(ctx, seed, shape, lc::FTarget::Positive, lc::BTarget::Any, 1, 0, true);
  if (!d) return undecided("no exact design for this seed: " + last_design_error());
  lc::SplitSpec s;
  s.layer = 1;
  s.unit = 0;
  s.lambda = endpoints ? Rational(seed % 2) : lambda_inside(rng);
  const lc::SplitCertificate c =
      lc::certify_split(d->problem, s, ctx.arithmetic(Arithmetic{ScalarKind::Rational, 0}));
  const Network& net = d->problem.network;
  const Index n_next = net.width(2);
  const Index m = net.input_columns(1);
  Index predicted = endpoints ? c.small_inertia.inertia.zero + m + n_next
                              : c.small_inertia.inertia.zero + c.f_inertia.inertia.zero + n_next;
  if (ctx.mutation == Mutation::ShiftBound) predicted += 1;
  const bool holds = c.big_inertia.decided && c.big_inertia.inertia.zero == predicted &&
                     (endpoints || c.big_inertia.inertia.negative == 0);
  InstanceResult r = result(holds,
                            c.evidence,
                            kExact,
                            fmt::format("λ = {}: nullity {} (predicted {})",
                                        to_string(s.lambda),
                                        c.big_inertia.inertia.zero,
                                        predicted));
  if (!ctx.certificate_dir.empty() && holds && c.evidence.rigour() == Rigour::Exact) {
    std::vector<nlohmann::json> extra;
    if (!endpoints) extra.push_back(matrix_ldlt_fact(parse_matrix(c.f)));  // In(F_r)
    r.certificates = split_certificates(
        d->problem,
        s,
        fmt::format("{}: the split Hessian has inertia {}, nullity {} = n0(small) {} + {} + "
                    "n_(l+1) {}{}",
                    describe(s),
                    to_string(c.big_inertia.inertia),
                    c.big_inertia.inertia.zero,
                    c.small_inertia.inertia.zero,
                    endpoints ? fmt::format("(n_(l-1) + β) {}", m)
                              : fmt::format("n0(F_r) {} (F_r is the matrix of the second fact)",
                                            c.f_inertia.inertia.zero),
                    n_next,
                    endpoints ? "" : ", and no negative eigenvalue"),
        std::move(extra));
  }
  return r;
}

// ---- PS-4: the escape path -----------------------------------------------------------------
InstanceResult ps4(const Context& ctx, std::uint32_t seed) {
  std::mt19937 rng(seed);
  Problem small;
  if (seed % 5 == 0) {
    small = g1_refined(ctx);
  } else {
    const auto d =
        design(ctx, seed, {2, 2, 1}, lc::FTarget::Positive, lc::BTarget::Any, 1, 0, true);
    if (!d) return undecided("no exact design for this seed: " + last_design_error());
    small = d->problem;
  }
  if (auto u = unless_critical(small)) return *u;
  lc::SplitSpec s;
  s.lambda = lambda_inside(rng);
  const Problem path = lc::escape_path(small, s, seed);
  if (ctx.force_float) {
    const SampledPath sp = sampled_path(path);
    return result(sp.non_increasing && sp.decrease > 0,
                  Evidence::of<double>(),
                  sp.decrease,
                  "sampled in double");
  }
  const lc::PathCheck c = lc::check_path(path, 256);
  InstanceResult r =
      result(c.non_increasing && c.strict_decrease,
             c.evidence,
             number(c.decrease),
             fmt::format("λ0 = {}: loss {} -> {}", to_string(s.lambda), c.start_loss, c.end_loss));
  if (!ctx.certificate_dir.empty() && r.holds) {
    std::string why;
    if (auto cert = lc::path_certificate(
            path,
            c,
            fmt::format("λ0 = {}: from the split point θ_λ0 the loss never increases along the "
                        "three-phase path (R3) and is strictly lower at its end",
                        to_string(s.lambda)),
            &why)) {
      r.certificates = {*cert};
    } else {
      r.not_certified = "the path: " + why;
    }
  }
  return r;
}

// ---- Lemma K: the critical manifold's tangent lies in the kernel -----------------------------
InstanceResult lemma_k(const Context& ctx, std::uint32_t seed) {
  std::mt19937 rng(seed);
  const auto& shape = s_shapes()[seed % s_shapes().size()];
  const auto d = design(ctx, seed, shape, lc::FTarget::Any, lc::BTarget::Any, 1, 0, false);
  if (!d) return undecided("no exact design for this seed: " + last_design_error());
  const lc::SplitSpec s = random_split(rng, d->problem.network, true);
  const Arithmetic a = ctx.arithmetic(Arithmetic{ScalarKind::Rational, 0});
  const lc::SplitCertificate c = lc::certify_split(d->problem, s, a);
  const Problem big = lc::split_problem(d->problem, s);
  const Mat<Rational> h = LossFunction<Rational>(big.network, big.data).hessian(*big.point);
  const bool zero = (h * c.tangent_basis).isZero();
  InstanceResult r = result(zero,
                            weakest(c.evidence, Evidence::of<Rational>()),
                            kExact,
                            fmt::format("{}: ∇²L·K {} for {} tangent vector(s)",
                                        describe(s),
                                        zero ? "= 0 exactly" : "≠ 0",
                                        c.tangent_basis.cols()));
  if (!ctx.certificate_dir.empty() && zero && c.tangent_basis.cols() > 0) {
    Certificate cert;
    cert.statement =
        fmt::format("{}: the {} tangent vectors of the split manifold lie in the Hessian's kernel",
                    describe(s),
                    c.tangent_basis.cols());
    cert.problem = certificate_problem(big);
    cert.facts = {critical_fact(), kernel_fact(c.tangent_basis)};
    r.certificates = {cert};
  }
  return r;
}

// ---- FA-2: inactive-unit embeddings ----------------------------------------------------------
InstanceResult fa2(const Context& ctx, std::uint32_t seed) {
  std::mt19937 rng(seed);
  const auto d = design(ctx, seed, {2, 2, 1}, lc::FTarget::Any, lc::BTarget::Any, 1, 0, false);
  if (!d) return undecided("no exact design for this seed: " + last_design_error());
  // Embed with an extra unit of outgoing 0 and incoming w: first a split at λ = 1 (w = u_0),
  // then move w to a random row.
  lc::SplitSpec s;
  s.lambda = 1;
  const Problem at_u = lc::split_problem(d->problem, s);
  const Network& net = at_u.network;
  const int u = d->problem.network.width(1);
  Problem moved = at_u;
  std::uniform_int_distribution<int> coin(-8, 8);
  for (int k = 0; k < net.input_columns(1); ++k) {
    (*moved.point)(net.augmented_index(1, u, k)) = Rational(coin(rng), 3);
  }
  if (ctx.force_float) return undecided("exact criticality needs rational arithmetic");
  const auto check = [&](const Problem& p) {
    const LossFunction<Rational> f(p.network, p.data);
    const Vec<Rational> g = f.gradient(*p.point);
    // s = Σ_i φ(wᵀx̃_i) e_i: the gradient in the new unit's outgoing weight.
    const Rational sv = g(net.weight_index(2, 0, u));
    return std::pair<bool, Rational>{g.isZero(), sv};
  };
  const auto [crit_u, s_u] = check(at_u);
  const auto [crit_w, s_w] = check(moved);
  const bool holds = crit_u && s_u == 0 && (crit_w == (s_w == 0));
  InstanceResult r =
      result(holds,
             Evidence::of<Rational>(),
             std::abs(to_double_nearest(s_w)),
             fmt::format("w = u_r: critical {}; random w: Σφ(wᵀx̃)e = {:.3e}, critical {}",
                         crit_u,
                         to_double_nearest(s_w),
                         crit_w));
  if (!ctx.certificate_dir.empty() && holds) {
    // The embedding at w = u_r is critical; at the random w it is critical exactly when the
    // gradient in the new unit's outgoing weight, Σ_i φ(wᵀx̃_i) e_i, vanishes (stated, and the
    // checker's gradient shows which entry is nonzero).
    Certificate at;
    at.statement = "the inactive-unit embedding at w = u_r is a critical point";
    at.problem = certificate_problem(at_u);
    at.facts = {critical_fact()};
    Certificate random;
    random.statement = fmt::format(
        "the inactive-unit embedding at a random w, where Σ_i φ(wᵀx̃_i) e_i = {} (θ entry {}), "
        "is {}a critical point",
        to_string(s_w),
        net.weight_index(2, 0, u),
        crit_w ? "" : "not ");
    random.problem = certificate_problem(moved);
    random.facts = {crit_w ? critical_fact() : not_critical_fact()};
    r.certificates = {at, random};
  }
  return r;
}

// ---- G1 in balls -----------------------------------------------------------------------------
InstanceResult g1_table(const Context& ctx, std::uint32_t seed) {
  struct Row {
    Rational lambda;
    Inertia inertia;
  };
  static const Row rows[] = {{Rational(1, 4), {6, 0, 1}},
                             {Rational(1, 2), {6, 0, 1}},
                             {Rational(0), {4, 0, 3}},
                             {Rational(1), {4, 0, 3}},
                             {Rational(-1, 2), {4, 2, 1}},
                             {Rational(3, 2), {4, 2, 1}}};
  const Row& row = rows[seed % 6];
  lc::SplitSpec s;
  s.lambda = row.lambda;
  const lc::SplitCertificate c =
      lc::certify_split(g1_refined(ctx), s, ctx.arithmetic(Arithmetic::ball(512)));
  Inertia expected = row.inertia;
  if (ctx.mutation == Mutation::ShiftBound) expected.zero += 1;
  const bool holds = c.big_inertia.decided && c.big_inertia.inertia == expected &&
                     c.prediction_holds && c.congruence_holds;
  // Only a proved critical point makes the row a proof; otherwise it is evidence about θ̃.
  InstanceResult r =
      result(holds,
             c.evidence,  // conditional unless the hypothesis was proved
             kExact,
             fmt::format("λ = {}: {} (table {}), Krawczyk {}",
                         to_string(row.lambda),
                         to_string(c.big_inertia.inertia),
                         to_string(expected),
                         c.existence.value("proved", false) ? "proved" : "not proved"));
  if (!ctx.certificate_dir.empty() && r.holds && c.hypothesis_proved) {
    Eigen::Index known = 0;
    r.certificates = split_box_certificates(g1_refined(ctx),
                                            s,
                                            512,
                                            c.small_inertia.inertia,
                                            c.big_inertia.inertia,
                                            &r.not_certified,
                                            &known);
    if (r.not_certified.empty() && c.big_inertia.inertia.zero != known) {
      // The certificate encloses those eigenvalues within ε of 0; that `known` of them are
      // exactly 0 follows from the split family and Lemma K (the checker counts both)
      r.not_certified =
          fmt::format("that {} of the {} eigenvalues within ε of 0 are exactly 0",
                      c.big_inertia.inertia.zero - std::min(known, c.big_inertia.inertia.zero),
                      c.big_inertia.inertia.zero);
    }
  }
  return r;
}

// ---- false statements: expected refutations -------------------------------------------------
InstanceResult always_minimum(const Context& ctx, std::uint32_t seed) {
  // "Every split point of a strict local minimum (λ ∈ (0,1)) is a local minimum."
  std::mt19937 rng(seed);
  const auto d =
      design(ctx, seed, {2, 2, 1}, lc::FTarget::Indefinite, lc::BTarget::Any, 1, 0, true);
  if (!d) return undecided("no exact design for this seed: " + last_design_error());
  if (auto u = unless_critical(d->problem)) return *u;
  lc::SplitSpec s;
  s.lambda = lambda_inside(rng);
  Problem big = lc::split_problem(d->problem, s);
  const Classification c = classify_point(big, ctx.arithmetic(Arithmetic{ScalarKind::Rational, 0}));
  InstanceResult r =
      result(c.kind != PointKind::Saddle,
             c.evidence,  // conditional unless certified
             kExact,
             fmt::format("F_r indefinite, λ = {}: {}", to_string(s.lambda), to_string(c.kind)));
  if (!r.holds) {
    big.certificate = {{"kind", "counterexample"},
                       {"claim", "split.always-minimum"},
                       {"classification", to_string(c.kind)},
                       {"inertia", lc::to_json(c.inertia)}};
    r.counterexample = big;
  }
  return r;
}

InstanceResult yu_chen(const Context& ctx, std::uint32_t seed) {
  // "A one-hidden-layer sigmoid network with >= N−1 hidden units has no suboptimal local minimum."
  Problem g7 = lc::g7_counterexample(g1_refined(ctx), seed);
  const Classification c = classify_point(g7, ctx.arithmetic(Arithmetic::ball(512)));
  const bool lower = g7.certificate.value("witness_lower", false);
  const bool suboptimal_min = c.kind == PointKind::DegenerateMinimum && lower;
  InstanceResult r = result(!suboptimal_min,
                            c.evidence,
                            kExact,
                            fmt::format("1-10-1, N = 9: {} with inertia {}, witness loss {} < {}",
                                        to_string(c.kind),
                                        to_string(c.inertia),
                                        g7.certificate["witness_loss"].get<std::string>(),
                                        g7.certificate["loss"].get<std::string>()));
  if (suboptimal_min) r.counterexample = g7;
  return r;
}

InstanceResult lds1(const Context& ctx, std::uint32_t seed) {
  // Suboptimal local minima of networks with a last hidden layer of width >= N are non-strict.
  const Problem g1 = g1_refined(ctx);
  Mat<Rational> map;
  const Problem g7 = lc::g7_counterexample(g1, seed, &map);
  const Classification c = classify_point(g7, ctx.arithmetic(Arithmetic::ball(512)));
  if (c.kind != PointKind::DegenerateMinimum && c.kind != PointKind::StrictMinimum) {
    return undecided("the instance is not a certified local minimum: " + c.reason);
  }
  InstanceResult r = result(c.kind != PointKind::StrictMinimum && c.inertia.zero > 0,
                            c.evidence,
                            static_cast<double>(c.inertia.zero),
                            fmt::format("suboptimal minimum with nullity {}", c.inertia.zero));
  if (!ctx.certificate_dir.empty() && r.holds) {
    // G7 is G1's critical point split nine times: its critical point lies on the split family
    std::string why;
    if (auto cert = split_minimum_certificate(g1, g7, map, 512, &why)) {
      cert->statement = "G7 (seed " + std::to_string(seed) + "): " + cert->statement;
      r.certificates = {*cert};
    } else {
      r.not_certified = "G7's degenerate minimum: " + why;
    }
  }
  return r;
}

}  // namespace

std::vector<Claim> split_claims() {
  std::vector<Claim> out;
  const auto add = [&](Claim c) { out.push_back(std::move(c)); };
  add({"fukumizu-amari.split-is-critical",
       "A critical point θ* of the smaller network gives a critical point θ_λ of the split network "
       "for every λ, with the same loss (FA-1, PS-1a).",
       "Fukumizu & Amari 2000 §2 (embedding β); Petzka & Sminchisescu 2021 §3",
       "[P, V]",
       "exact R1 designs (degree-5 exp polynomial) on [2,2,1], [2,3,1], [3,2,1], [1,2,2,1]; random "
       "hidden layer, unit and λ (inside and outside [0,1])",
       "∇L_big(θ_λ), L_big(θ_λ) − L_small(θ*)",
       "∇L_big = 0 and equal loss, exactly over Q",
       "proved",
       "rational",
       "exact (margin ∞)",
       20,
       2,
       [](const Context& c, std::uint32_t s) { return fa1(c, s); },
       {Mutation::PerturbPoint}});
  add({"theorem-s.congruence",
       "Tᵀ∇²L_big(θ_λ)T = blockdiag(∇²L_small(θ*), K_λ) for the explicit unimodular T.",
       "math-spec §2.4 Theorem S (generalises Fukumizu-Amari 2000, Petzka-Sminchisescu 2021)",
       "[D, V]",
       "exact designs on [2,2,1], [2,2,2], [1,2,2,1], [2,3,1]; random split",
       "Tᵀ∇²L_big T − blockdiag(∇²L_small, K_λ)",
       "= 0 exactly over Q",
       "proved",
       "rational",
       "exact",
       20,
       2,
       [](const Context& c, std::uint32_t s) { return theorem_s(c, s, true); },
       {Mutation::PerturbPoint}});
  add({"theorem-s.split-inertia",
       "In(∇²L_big(θ_λ)) = In(∇²L_small(θ*)) + In(K_λ) (Sylvester), any depth and output "
       "dimension.",
       "math-spec §2.4 Theorem S; PS-1b",
       "[D, V]",
       "exact designs on [2,2,1], [2,2,2], [1,2,2,1], [2,3,1]; random split",
       "In(∇²L_big) against the prediction",
       "equal (exact LDLᵀ)",
       "proved",
       "rational",
       "exact",
       20,
       2,
       [](const Context& c, std::uint32_t s) { return theorem_s(c, s, false); },
       {Mutation::PerturbPoint, Mutation::FlipResidual}});
  add({"fukumizu-amari.lambda-interval",
       "∇²L_small ≻ 0, B_r = 0: F_r ≻ 0 gives local minima for λ ∈ (0,1) and saddles outside "
       "[0,1]; F_r ≺ 0 the reverse (FA-3).",
       "Fukumizu & Amari 2000 (Theorem on the λ interval); math-spec §2.3 FA-3",
       "[P, V-exact]",
       "exact designs with F_r steered definite (alternating sign) on [2,2,1] and [2,3,1]; one λ "
       "inside and one outside [0,1]",
       "locus classify on the split point (Morse-Bott with the split line)",
       "degenerate-minimum / saddle as predicted",
       "proved",
       "rational",
       "exact",
       20,
       2,
       [](const Context& c, std::uint32_t s) { return fa3(c, s, false); },
       {Mutation::PerturbPoint, Mutation::FlipResidual}});
  add({"fukumizu-amari.indefinite-f-saddle",
       "∇²L_small ≻ 0, B_r = 0, F_r indefinite: θ_λ is a saddle for every λ ∉ {0,1}.",
       "Fukumizu & Amari 2000; math-spec §2.3 FA-3",
       "[P, V-exact]",
       "exact designs with F_r steered indefinite on [2,2,1] and [2,3,1]; λ inside and outside",
       "locus classify on the split point",
       "saddle",
       "proved",
       "rational",
       "exact",
       20,
       2,
       [](const Context& c, std::uint32_t s) { return fa3(c, s, true); },
       {Mutation::PerturbPoint}});
  add({"petzka-sminchisescu.b-nonzero-saddle",
       "B_r ≠ 0 (a unit feeding >= 2 units): θ_λ is a saddle for every λ, with n- >= n-(small) + "
       "rank B_r and an explicit descent direction (PS-2).",
       "Petzka & Sminchisescu 2021 §3; math-spec §3.3 PS-2, Corollary S1",
       "[A, D, V]",
       "exact designs on [1,2,2] and [2,2,2] (vector output), random split",
       "n-(∇²L_big), rank B_r, uᵀ∇²L_big u along the PS-2 direction",
       "bound holds and uᵀHu < 0 exactly",
       "proved",
       "rational",
       "|uᵀHu| along the direction",
       20,
       2,
       [](const Context& c, std::uint32_t s) { return ps2(c, s); },
       {Mutation::PerturbPoint}});
  add({"petzka-sminchisescu.minimum-nullity",
       "B_r = 0, ∇²L_small ≻ 0, F_r ≻ 0, λ ∈ (0,1): n- = 0 and nullity = n_{l+1} + n0(F_r), the "
       "dimension of the critical set (PS-3, Morse-Bott).",
       "Petzka & Sminchisescu 2021; math-spec §3.3 PS-3, Corollary S2/S3",
       "[D, V]",
       "exact designs with F_r ≻ 0 on [2,2,1] and [3,2,1], random λ ∈ (0,1)",
       "inertia of ∇²L_big",
       "nullity equal, no negative eigenvalue",
       "proved",
       "rational",
       "exact",
       20,
       2,
       [](const Context& c, std::uint32_t s) { return nullity(c, s, false); },
       {Mutation::PerturbPoint, Mutation::ShiftBound}});
  add({"theorem-s.endpoint-nullity",
       "At λ ∈ {0,1} (B_r = 0) the nullity jumps to n0(small) + (n_{l-1}+β) + n_{l+1} (S3).",
       "math-spec §2.4 Corollary S3, pitfall 7",
       "[D, V]",
       "exact designs with F_r ≻ 0 on [2,2,1] and [3,2,1], λ = 0 and 1",
       "nullity of ∇²L_big",
       "equal",
       "proved",
       "rational",
       "exact",
       20,
       2,
       [](const Context& c, std::uint32_t s) { return nullity(c, s, true); },
       {Mutation::PerturbPoint, Mutation::ShiftBound}});
  add({"petzka-sminchisescu.escape-path",
       "From a split minimum θ_λ (λ ∈ (0,1)) a path along which the loss never increases reaches "
       "a lower loss (PS-4, recipe R3).",
       "Petzka & Sminchisescu 2021 §3 (non-attracting regions); math-spec §3.4 PS-4",
       "[P, D, V]",
       "G1 in balls (every fifth seed) and exact designs with F_r ≻ 0 on [2,2,1]; random λ0",
       "L along the three phases (every segment certified), L(end) − L(start)",
       "non-increasing on every segment and a strict final decrease",
       "proved",
       "rational or ball:256",
       "the certified decrease",
       20,
       2,
       [](const Context& c, std::uint32_t s) { return ps4(c, s); },
       {Mutation::PerturbPoint}});
  add({"lemma-k.tangent-in-kernel",
       "The tangent of a critical manifold lies in the Hessian's kernel (Lemma K), for the split "
       "manifold's tangent basis.",
       "math-spec §1.7 Lemma K",
       "[D]",
       "exact designs, random split with λ ∈ (0,1)",
       "∇²L_big · K",
       "= 0 exactly",
       "proved",
       "rational",
       "exact",
       20,
       2,
       [](const Context& c, std::uint32_t s) { return lemma_k(c, s); },
       {Mutation::PerturbPoint}});
  add({"fukumizu-amari.inactive-unit",
       "An inactive-unit embedding α_w(θ*) is critical iff Σ_i φ(wᵀx̃_i) e_i = 0; it is at w = "
       "u_r (FA-2).",
       "Fukumizu & Amari 2000 (embedding α); math-spec §2.3 FA-2",
       "[D]",
       "exact designs on [2,2,1]; a spare unit with outgoing 0 at w = u_0 and at a random w",
       "∇L at both points, Σ_i φ(wᵀx̃_i)e_i",
       "criticality ⇔ the sum vanishes, exactly",
       "proved",
       "rational",
       "|Σφ(wᵀx̃)e| at the random w",
       20,
       2,
       [](const Context& c, std::uint32_t s) { return fa2(c, s); },
       {Mutation::PerturbPoint}});
  add({"g1.sigmoid-split-table",
       "G1's split table: λ = 1/4, 1/2 → (6,0,1); λ = 0, 1 → (4,0,3); λ = −1/2, 3/2 → (4,2,1), "
       "for the true critical point (Krawczyk) and its splits.",
       "math-spec §8 G1 (Fukumizu-Amari / Petzka-Sminchisescu, sigmoid)",
       "[V]",
       "G1 refined to 100 digits, the six λ rows",
       "certified inertia of ∇²L_big over the box",
       "equal to the table",
       "proved",
       "ball:512",
       "exact",
       6,
       2,
       [](const Context& c, std::uint32_t s) { return g1_table(c, s); },
       {Mutation::PerturbPoint, Mutation::ShiftBound}});
  add({"split.always-minimum",
       "(False, kept as an expected refutation) Every split point θ_λ, λ ∈ (0,1), of a strict "
       "local minimum is a local minimum.",
       "math-spec §2.3 FA-3 (indefinite F_r)",
       "[D]",
       "exact designs with F_r indefinite on [2,2,1], random λ ∈ (0,1)",
       "locus classify on the split point",
       "must come out refuted (a certified saddle)",
       "refuted",
       "rational",
       "exact",
       20,
       2,
       [](const Context& c, std::uint32_t s) { return always_minimum(c, s); },
       {Mutation::PerturbPoint}});
  add({"yu-chen.no-suboptimal-minima",
       "(False, kept as an expected refutation) A one-hidden-layer sigmoid network with >= N−1 "
       "hidden units has no suboptimal local minimum.",
       "Yu & Chen 1995, refuted by Ding-Li-Sun 2019; math-spec §8 G7, §9 YC-0/DLS-1",
       "[A, V]",
       "G7: G1 split nine times (seeded units and λ ∈ [0.2, 0.8]) into 1-10-1 with N = 9",
       "locus classify (Morse-Bott with the 9-dimensional manifold) and a witness of lower loss",
       "must come out refuted, with the counterexample written",
       "refuted",
       "ball:512",
       "exact",
       10,
       1,
       [](const Context& c, std::uint32_t s) { return yu_chen(c, s); },
       {}});
  add({"li-ding-sun.no-strict-suboptimal",
       "Networks whose last hidden layer has >= N units have no suboptimal strict local minima: "
       "the suboptimal minima found are non-strict (nullity > 0).",
       "Li, Ding & Sun 2018; math-spec §9 LDS-1",
       "[A]",
       "G7 instances (seeded splits of G1 into 1-10-1, N = 9)",
       "nullity of the certified minimum",
       "> 0",
       "proved",
       "ball:512",
       "the nullity",
       10,
       1,
       [](const Context& c, std::uint32_t s) { return lds1(c, s); },
       {}});
  return out;
}

}  // namespace locus::claims
