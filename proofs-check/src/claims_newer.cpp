// Claims from newer work on neuron splitting (docs/claims.md): the embedding principle (Zhang et
// al. 2022) and the inner Hessian of split plateaus (arXiv 2606.04327). Their instances are not
// exact designs: random sigmoid or tanh networks on teacher data, descent and Newton from a random
// initialisation, MPFR refinement; every inertia is certified in Arb balls over the Krawczyk box
// of the true critical point (constructions::certify_split, classify_point).
#include <algorithm>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <type_traits>
#include <utility>

#include "instances.hpp"

#include "locus/constructions/path.hpp"
#include "locus/constructions/random.hpp"
#include "locus/constructions/split.hpp"
#include "locus/core/derivatives.hpp"
#include "locus/error.hpp"
#include "locus/linalg/dense.hpp"
#include "locus/linalg/spectrum.hpp"
#include "locus/scalar/all.hpp"
#include "locus/scalar/arithmetic.hpp"
#include "locus/scalar/mpfr.hpp"
#include "locus/scalar/rigour.hpp"
#include "locus/solve/classify.hpp"
#include "locus/solve/refine.hpp"

#include <Eigen/Eigenvalues>
#include <Eigen/LU>

#include <fmt/format.h>

namespace locus::claims {

namespace {

namespace lc = locus::constructions;
using detail::result;
using detail::undecided;

// A critical point of a random [n0, h, 1] sigmoid or tanh network (n0, h in {1, 2}) on 4-6
// teacher samples, refined in MPFR; the first of seeds seed, seed + 1000, ... where descent and
// Newton converge to a finite point whose double Hessian looks nonsingular (or, for
// StrictMinimum, positive definite). `why` collects the failures.
enum class Want { Nondegenerate, StrictMinimum };

std::optional<Problem> random_critical(std::uint32_t seed, Want want, std::string& why) {
  for (int attempt = 0; attempt < 400; ++attempt) {
    std::mt19937 rng(seed + 1000U * static_cast<std::uint32_t>(attempt));
    std::uniform_int_distribution<int> one_two(1, 2), samples(4, 6);
    const int n0 = one_two(rng), h = one_two(rng);
    const std::string act = one_two(rng) == 1 ? "sigmoid" : "tanh";
    try {
      Problem p = lc::teacher_problem(rng, {n0, h, 1}, act, samples(rng));
      p.point = lc::exact_point(lc::polish_double(p));
      const LossFunction<double> f(p.network, p.data);
      const Eigen::SelfAdjointEigenSolver<Mat<double>> es(f.hessian(lc::point_double(p)),
                                                          Eigen::EigenvaluesOnly);
      const auto& ev = es.eigenvalues();
      const double cut = 1e-8 * ev.cwiseAbs().maxCoeff();
      if (want == Want::StrictMinimum ? ev(0) <= cut : ev.cwiseAbs().minCoeff() <= cut) {
        why = "a degenerate critical point (an interpolating fit?)";
        continue;
      }
      if (auto r = lc::refine_to_critical(p)) return r;
      why = "MPFR Newton did not converge";
    } catch (const Error& e) {
      why = e.what();
    }
  }
  return std::nullopt;
}

InstanceResult embedding_inertia(const Context& ctx, std::uint32_t seed) {
  // "Embedding a critical point into a wider network by splitting a neuron never decreases the
  // numbers of positive and negative Hessian eigenvalues."
  std::string why;
  for (int attempt = 0; attempt < 10; ++attempt) {
    const std::uint32_t s0 = seed + 100000U * static_cast<std::uint32_t>(attempt);
    const auto small = random_critical(s0, Want::Nondegenerate, why);
    if (!small) continue;
    std::mt19937 rng(s0);
    lc::SplitSpec s;
    s.layer = 1;
    s.unit = static_cast<int>(rng() % static_cast<unsigned>(small->network.width(1)));
    s.lambda = rng() % 2 == 0 ? detail::lambda_inside(rng) : detail::lambda_outside(rng);
    const lc::SplitCertificate c =
        lc::certify_split(*small, s, ctx.arithmetic(Arithmetic::ball(256)));
    const auto& a = c.small_inertia;
    const auto& b = c.big_inertia;
    // the statement is about a true critical point: Krawczyk must prove one (a degenerate small
    // point, e.g. an interpolating fit, is skipped), and both counts must be proved
    if (!c.hypothesis_proved) {
      why = "Krawczyk proved no critical point next to the refined one (degenerate?)";
      continue;
    }
    if (!(a.counts_proved || a.decided) || !(b.counts_proved || b.decided)) {
      why = fmt::format(
          "inertia not decided: small {}, big {}", to_string(a.inertia), to_string(b.inertia));
      continue;
    }
    const Inertia& before = a.inertia;
    const long dp = static_cast<long>(b.inertia.positive) - static_cast<long>(before.positive);
    const long dn = static_cast<long>(b.inertia.negative) - static_cast<long>(before.negative);
    InstanceResult r =
        result(dp >= 0 && dn >= 0,
               c.evidence,
               static_cast<double>(std::min(dp, dn)),
               fmt::format("{}, split of unit {} at λ = {}: (n₊, n₋, cluster) {} -> {}",
                           small->network.describe(),
                           s.unit,
                           locus::to_string(s.lambda),
                           to_string(a.inertia),
                           to_string(b.inertia)));
    if (!ctx.certificate_dir.empty() && r.holds) {
      r.certificates =
          detail::split_box_certificates(*small, s, 256, a.inertia, b.inertia, &r.not_certified);
    }
    return r;
  }
  return undecided("no proved critical point with decided counts: " + why);
}

InstanceResult inner_hessian(const Context& ctx, std::uint32_t seed) {
  // "At a split point θ_λ, λ ∈ (0,1), of a strict local minimum, the plateau is a local minimum
  // when the inner Hessian F_r is positive definite and a saddle when F_r has a negative
  // eigenvalue."
  std::string why;
  for (int attempt = 0; attempt < 10; ++attempt) {
    const std::uint32_t s0 = seed + 100000U * static_cast<std::uint32_t>(attempt);
    std::optional<Problem> small;
    if (seed % 2 == 0) {
      small = random_critical(s0, Want::StrictMinimum, why);
    } else {
      // odd seeds: exact strict minima designed with F_r ≻ 0 or ≺ 0 (docs/constructions.md, R1),
      // where random teacher data rarely lead (their F_r is mostly indefinite)
      const auto target = (seed / 2) % 2 == 0 ? lc::FTarget::Positive : lc::FTarget::Negative;
      const auto d = detail::design(ctx, s0, {2, 2, 1}, target, lc::BTarget::Any, 1, 0, true);
      if (d) {
        small = d->problem;
      } else {
        why = "no exact design: " + detail::last_design_error();
      }
    }
    if (!small) continue;
    std::mt19937 rng(s0);
    lc::SplitSpec s;
    s.layer = 1;
    s.unit = seed % 2 == 0
                 ? static_cast<int>(rng() % static_cast<unsigned>(small->network.width(1)))
                 : 0;  // the designed unit
    s.lambda = detail::lambda_inside(rng);
    // even seeds in balls, odd ones over Q
    const Arithmetic by_balls = Arithmetic::ball(256);
    const Arithmetic over_q{ScalarKind::Rational, 0};
    const Arithmetic a = ctx.arithmetic(seed % 2 == 0 ? by_balls : over_q);
    const lc::SplitCertificate c = lc::certify_split(*small, s, a);
    const auto& si = c.small_inertia;
    const bool strict =
        si.decided && si.zero_exact && si.inertia.negative == 0 && si.inertia.zero == 0;
    if (!strict) {
      why = "the small critical point is not a certified strict minimum";
      continue;
    }
    Inertia f = c.f_inertia.inertia;
    if (ctx.mutation == Mutation::FlipResidual) std::swap(f.positive, f.negative);  // F ↦ −F
    const bool f_definite = c.f_inertia.decided && f.negative == 0 && f.zero == 0;
    const bool f_negative = (c.f_inertia.decided || c.f_inertia.counts_proved) && f.negative > 0;
    if (!f_definite && !f_negative) {
      why = fmt::format("F_r = {} is singular or undecided", to_string(f));
      continue;
    }
    // classify in balls (through the merged units) for both kinds of instance: over Q a
    // degenerate minimum needs a tangent basis, and the question here is the kind alone
    const Problem big = lc::split_problem(*small, s);
    const Classification k = classify_point(big, ctx.arithmetic(Arithmetic::ball(256)));
    const bool as_predicted =
        f_definite ? k.kind == PointKind::DegenerateMinimum : k.kind == PointKind::Saddle;
    InstanceResult r =
        result(as_predicted,
               weakest(c.evidence, k.evidence),
               std::numeric_limits<double>::infinity(),
               fmt::format("{} at a strict minimum, unit {} split at λ = {}: In(F_r) = {}, "
                           "classify says {}{}",
                           small->network.describe(),
                           s.unit,
                           locus::to_string(s.lambda),
                           to_string(f),
                           to_string(k.kind),
                           k.certified ? " (certified)" : ""));
    if (!ctx.certificate_dir.empty() && r.holds) {
      const Eigen::Index g0 = small->network.num_parameters() + small->network.input_columns(1);
      const Mat<Rational> line = lc::split_coordinates(small->network, s).middleCols(g0, 1);
      std::string no_minimum;
      std::optional<Certificate> minimum;
      if (c.evidence.rigour() == Rigour::Exact && f_definite) {
        // the split line through θ_λ is the manifold of critical points (Morse–Bott)
        minimum = morse_bott_certificate(big, line, &no_minimum);
      }
      if (minimum) {
        minimum->statement =
            fmt::format("the split point (λ = {}) of a strict minimum, F_r ≻ 0: {}",
                        locus::to_string(s.lambda),
                        minimum->statement);
        r.certificates = {*minimum};
      } else if (c.evidence.rigour() == Rigour::Exact) {
        // θ_λ is exactly critical: its inertia by an exact LDLᵀ; a saddle follows from it.
        Certificate cert;
        cert.problem = certificate_problem(big);
        cert.facts = {critical_fact(),
                      ldlt_fact(exact_ldlt(
                          LossFunction<Rational>(big.network, big.data).hessian(*big.point)))};
        cert.statement = fmt::format("the split point (λ = {}) of a strict minimum is a {}",
                                     locus::to_string(s.lambda),
                                     f_definite ? "degenerate critical point with no negative "
                                                  "eigenvalue"
                                                : "saddle");
        if (!f_definite) cert.conclusion = "saddle";
        r.certificates = {cert};
      } else {
        r.certificates = detail::split_box_certificates(
            *small, s, 256, si.inertia, c.big_inertia.inertia, &r.not_certified);
        // without L2, the split's certificate proves θ*_λ critical and concludes
        if (r.not_certified.empty() && r.certificates.size() == 2 &&
            r.certificates[1].conclusion == (f_definite ? "minimum" : "saddle")) {
          return r;
        }
      }
      if (f_definite && !minimum) {
        r.not_certified = "that the degenerate point is a minimum (a Morse–Bott argument)" +
                          (no_minimum.empty() ? std::string() : ": " + no_minimum);
      } else if (c.evidence.rigour() != Rigour::Exact && r.not_certified.empty()) {
        r.not_certified =
            "that the split of the critical point θ* is critical (FA-1), which makes the "
            "certified negative eigenvalue a saddle";
      }
    }
    return r;
  }
  return undecided("no strict minimum with a definite or indefinite F_r: " + why);
}

// ---- Şimşek et al. 2021: symmetry-induced critical subspaces ----------------------------------

// r!·S(m, r): the surjections of m neurons onto r groups, by inclusion–exclusion.
long surjections(int m, int r) {
  long total = 0;
  long binom = 1;  // C(r, j)
  for (int j = 0; j <= r; ++j) {
    long power = 1;
    for (int k = 0; k < m; ++k) power *= (r - j);
    total += (j % 2 == 0 ? 1 : -1) * binom * power;
    binom = binom * (r - j) / (j + 1);
  }
  return total;
}

InstanceResult symmetry_subspaces(const Context& ctx, std::uint32_t seed) {
  // "From a critical point of width r with distinct neurons and nonzero outgoing weights, the
  // affine subspaces of symmetry-induced critical points of width m (each neuron copies the
  // incoming weights of one of the r neurons, the outgoing weights of each copy group sum to the
  // original) number r!·S(m, r), have dimension m − r, and consist of critical points whose
  // Hessian kernel contains the subspace."
  const int r = 2 + static_cast<int>(seed % 2);  // 2 or 3
  const int m = r + 1 + static_cast<int>((seed / 2) % 2);
  std::optional<constructions::DesignResult> d;
  Problem small;
  for (int attempt = 0; attempt < 20 && !d; ++attempt) {
    d = detail::design(ctx,
                       seed + 1000U * static_cast<std::uint32_t>(attempt),
                       {2, r, 1},
                       lc::FTarget::Any,
                       lc::BTarget::Any,
                       1,
                       0,
                       false);
    if (!d) continue;
    small = d->problem;
    const Network& net = small.network;
    const Vec<Rational>& t = *small.point;
    bool ok = true;  // distinct incoming rows, nonzero outgoing weights
    for (int j = 0; j < r && ok; ++j) {
      ok = t(net.weight_index(2, 0, j)) != 0;
      for (int k = 0; k < j && ok; ++k) {
        bool same = true;
        for (int c = 0; c < net.input_columns(1); ++c) {
          same = same && t(net.augmented_index(1, j, c)) == t(net.augmented_index(1, k, c));
        }
        ok = !same;
      }
    }
    if (!ok) d.reset();
  }
  if (!d)
    return undecided("no exact critical point with distinct neurons: " +
                     detail::last_design_error());
  if (auto u = detail::unless_critical(small)) return *u;
  const Network& sn = small.network;
  const Vec<Rational>& st = *small.point;
  Network big = sn;
  big.widths = {sn.width(0), m, 1};
  const Arithmetic arithmetic = ctx.arithmetic(Arithmetic{ScalarKind::Rational, 0});
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> part(1, 7);
  long counted = 0, critical = 0, kernel_ok = 0;
  std::vector<int> f(static_cast<std::size_t>(m), 0);
  std::string failure;
  std::vector<Certificate> certificates;
  for (long code = 0;; ++code) {
    // the map f: [m] → [r] with digits of `code` in base r
    long c = code;
    for (int i = 0; i < m; ++i) {
      f[static_cast<std::size_t>(i)] = static_cast<int>(c % r);
      c /= r;
    }
    if (c > 0) break;
    std::vector<int> size(static_cast<std::size_t>(r), 0);
    for (int i = 0; i < m; ++i) ++size[static_cast<std::size_t>(f[static_cast<std::size_t>(i)])];
    if (std::count(size.begin(), size.end(), 0) > 0) continue;  // not onto
    ++counted;
    // a point of the subspace: copies of incoming rows, outgoing weights a seeded split of a_j
    Problem p;
    p.network = big;
    p.data = small.data;
    Vec<Rational> t = Vec<Rational>::Zero(big.num_parameters());
    std::vector<Rational> left(static_cast<std::size_t>(r));
    std::vector<int> seen(static_cast<std::size_t>(r), 0);
    for (int j = 0; j < r; ++j) left[static_cast<std::size_t>(j)] = st(sn.weight_index(2, 0, j));
    Mat<Rational> tangent = Mat<Rational>::Zero(big.num_parameters(), m - r);
    std::vector<int> first(static_cast<std::size_t>(r), -1);
    int tcol = 0;
    for (int i = 0; i < m; ++i) {
      const int j = f[static_cast<std::size_t>(i)];
      const auto uj = static_cast<std::size_t>(j);
      for (int k = 0; k < sn.input_columns(1); ++k) {
        t(big.augmented_index(1, i, k)) = st(sn.augmented_index(1, j, k));
      }
      ++seen[uj];
      Rational a = left[uj];
      if (seen[uj] < size[uj]) a = left[uj] * Rational(part(rng), 8);  // the last takes the rest
      t(big.weight_index(2, 0, i)) = a;
      left[uj] -= a;
      if (first[uj] < 0) {
        first[uj] = i;
      } else {  // moving weight from the group's first neuron to this one stays in the subspace
        tangent(big.weight_index(2, 0, i), tcol) = 1;
        tangent(big.weight_index(2, 0, first[uj]), tcol) = -1;
        ++tcol;
      }
    }
    t(big.bias_index(2, 0)) = st(sn.bias_index(2, 0));
    p.point = t;
    // in the claim's arithmetic (rational; double under --float-only: evidence only, zero to
    // 1e-12 there)
    const auto [is_critical, in_kernel] = dispatch(arithmetic, [&]<class S>(std::type_identity<S>) {
      const LossFunction<S> lf(big, p.data);
      const Vec<S> ts = p.point_as<S>();
      const Vec<S> g = lf.gradient(ts);
      const Mat<S> ht = lf.hessian(ts) * convert_matrix<S>(tangent);
      if constexpr (ScalarTraits<S>::is_exact || ScalarTraits<S>::is_interval) {
        const auto zero = [](const S& x) { return decide_zero(x) == Certainty::True; };
        return std::pair<bool, bool>(std::all_of(g.begin(), g.end(), zero),
                                     std::all_of(ht.reshaped().begin(), ht.reshaped().end(), zero));
      } else {
        return std::pair<bool, bool>(g.cwiseAbs().maxCoeff() <= 1e-12,
                                     ht.cwiseAbs().maxCoeff() <= 1e-12);
      }
    });
    if (!ctx.certificate_dir.empty() && is_critical && in_kernel) {
      Certificate cert;
      cert.statement = fmt::format(
          "r = {}, m = {}, subspace {} of {}: a point of the symmetry-induced subspace is critical "
          "and the subspace's {} directions lie in the Hessian's kernel",
          r,
          m,
          counted,
          surjections(m, r),
          m - r);
      cert.problem = certificate_problem(p);
      cert.facts = {critical_fact(), kernel_fact(tangent)};
      certificates.push_back(std::move(cert));
    }
    if (is_critical) {
      ++critical;
    } else if (failure.empty()) {
      failure = fmt::format("the subspace of map {} has a non-critical point", code);
    }
    if (in_kernel) ++kernel_ok;
  }
  long expected = surjections(m, r);
  if (ctx.mutation == Mutation::ShiftBound) expected += 1;
  const bool holds = counted == expected && critical == counted && kernel_ok == counted;
  const Evidence evidence =
      dispatch(arithmetic, []<class S>(std::type_identity<S>) { return Evidence::of<S>(); });
  InstanceResult out =
      result(holds,
             evidence,
             std::numeric_limits<double>::infinity(),
             fmt::format("r = {}, m = {}: {} subspaces enumerated (r!·S(m, r) = {}), {} "
                         "critical, {} with the (m − r)-dimensional tangent in ker ∇²L{}",
                         r,
                         m,
                         counted,
                         expected,
                         critical,
                         kernel_ok,
                         failure.empty() ? "" : "; " + failure));
  // (exact facts: only when the arithmetic was exact, not under --float-only)
  if (out.holds && evidence.rigour() == Rigour::Exact) out.certificates = std::move(certificates);
  return out;
}

// ---- Petzka & Sminchisescu 2021 (PS-5): suboptimal minima of wide networks are not attracting ----

// Targets for which a suboptimal strict minimum of the merged [n0, 1, ...] network with a
// positive definite inner Hessian exists (R1 in double, the recipe of golden case G1): at the
// random point θ of `p`, a residual r in ker Jᵀ (so θ stays critical for y = f(θ) − εr) whose
// F_r = Σ_i r_i ∇²_u f_i (u: the unit's incoming row) is positive definite, ε halved until
// ∇²L(θ) ≻ 0, targets rounded to 1/1024. Random teacher data almost never give F_r ≻ 0 (none in
// 2400 searches); descent must still find the minimum.
bool design_targets(std::mt19937& rng, Problem& p, std::string& why) {
  const Network& net = p.network;
  const Vec<double> theta = lc::point_double(p);
  const Mat<double> f = LossFunction<double>(net, p.data).outputs(theta);
  const Mat<double> j = LossFunction<double>(net, p.data).output_jacobian(theta);
  const Mat<double> kernel = Eigen::FullPivLU<Mat<double>>(j.transpose()).kernel();
  if (kernel.cols() == 0 || kernel.isZero()) {
    why = "ker Jᵀ = {0}";
    return false;
  }
  std::vector<Eigen::Index> row;
  for (int c = 0; c < net.input_columns(1); ++c) row.push_back(net.augmented_index(1, 0, c));
  const auto with_targets = [&](const Mat<double>& y) {
    Problem q = p;
    for (Eigen::Index i = 0; i < y.rows(); ++i) q.data.targets(i, 0) = Rational(y(i, 0));
    return q;
  };
  const auto hessian = [&](const Problem& q) {
    return LossFunction<double>(q.network, q.data).hessian(lc::point_double(q));
  };
  // F_r is linear in r: its value on each kernel vector, then the best of 2000 seeded
  // combinations by λ_min(F_r)/‖F_r‖
  const Mat<double> h0 = hessian(with_targets(f));
  std::vector<Mat<double>> basis;
  for (Eigen::Index k = 0; k < kernel.cols(); ++k) {
    const Mat<double> h1 = hessian(with_targets(f - Mat<double>(kernel.col(k))));
    Mat<double> fr(row.size(), row.size());
    for (std::size_t a = 0; a < row.size(); ++a) {
      for (std::size_t b = 0; b < row.size(); ++b) {
        fr(a, b) = h1(row[a], row[b]) - h0(row[a], row[b]);
      }
    }
    basis.push_back(fr);
  }
  std::normal_distribution<double> g(0, 1);
  Vec<double> best;
  double best_score = 0;
  for (int attempt = 0; attempt < 2000; ++attempt) {
    Vec<double> c(kernel.cols());
    for (Eigen::Index k = 0; k < c.size(); ++k) c(k) = g(rng);
    Mat<double> fr = Mat<double>::Zero(static_cast<Eigen::Index>(row.size()),
                                       static_cast<Eigen::Index>(row.size()));
    for (Eigen::Index k = 0; k < c.size(); ++k) fr += c(k) * basis[static_cast<std::size_t>(k)];
    const Eigen::SelfAdjointEigenSolver<Mat<double>> ef(fr, Eigen::EigenvaluesOnly);
    const auto& e = ef.eigenvalues();
    const double scale = e.cwiseAbs().maxCoeff();
    if (scale == 0) continue;
    // F_{−r} = −F_r: a negative definite F_r gives a positive definite one
    const double score = std::max(e(0), -e(e.size() - 1)) / scale;
    if (score > best_score) {
      best_score = score;
      best = (e(0) > 0 ? 1.0 : -1.0) * c;
    }
  }
  if (best_score > 1e-3) {
    Vec<double> r = kernel * best;
    r /= r.norm();
    for (double eps = 1; eps > 1e-3; eps /= 2) {
      Mat<double> y = f - eps * Mat<double>(r);
      for (Eigen::Index i = 0; i < y.rows(); ++i) y(i, 0) = std::round(1024 * y(i, 0)) / 1024;
      const Eigen::SelfAdjointEigenSolver<Mat<double>> eh(hessian(with_targets(y)),
                                                          Eigen::EigenvaluesOnly);
      if (eh.eigenvalues()(0) > 1e-6 * eh.eigenvalues().cwiseAbs().maxCoeff()) {
        p = with_targets(y);
        return true;
      }
    }
  }
  why = "no residual in ker Jᵀ with a definite inner Hessian";
  return false;
}

// One candidate of the search: a wide problem whose point is a critical point found by descent
// from a symmetric initialisation, rebuilt exactly: the small problem (one unit per group) refined
// in MPFR and re-split into the groups. `pre` and `last` are the problem before the last split and
// that split, so that escape_path(pre, last) starts at `wide`'s point.
struct WideCandidate {
  Problem wide, pre;
  lc::SplitSpec last;
  Problem merged;          // the refined merged problem (one unit per group)
  Mat<Rational> map;       // the composite split: wide's point = map · merged's point
  std::vector<int> sizes;  // group sizes in the wide layer
  std::string shape;
};

// Gradient descent in the wide network from an initialisation that repeats `sizes.size()`
// random units (incoming rows equal within a group, outgoing columns a_j / |group|). Descent keeps
// the repetition (two units with the same incoming row and outgoing column get the same
// gradient), so it explores the rank-deficient set where NH-1 allows suboptimal critical points;
// generic initialisations reach zero loss there (NH-2).
std::optional<WideCandidate> wide_candidate(std::mt19937& rng,
                                            const Problem& wide,
                                            const std::vector<int>& sizes,
                                            std::string& why) {
  const Network& net = wide.network;
  const int groups = static_cast<int>(sizes.size());
  const int n1 = net.width(1);
  std::normal_distribution<double> g(0, 1);
  Vec<double> x(net.num_parameters());
  for (Eigen::Index i = 0; i < x.size(); ++i) x(i) = g(rng);
  std::vector<int> group_of;
  for (int j = 0; j < groups; ++j) {
    for (int k = 0; k < sizes[static_cast<std::size_t>(j)]; ++k) group_of.push_back(j);
  }
  const int cols = net.input_columns(1);
  for (int i = 0; i < n1; ++i) {
    const int j = group_of[static_cast<std::size_t>(i)];
    const int first =
        static_cast<int>(std::find(group_of.begin(), group_of.end(), j) - group_of.begin());
    for (int c = 0; c < cols; ++c) {
      x(net.augmented_index(1, i, c)) = x(net.augmented_index(1, first, c));
    }
    for (int o = 0; o < net.width(2); ++o) {
      x(net.weight_index(2, o, i)) = x(net.weight_index(2, o, first));
    }
  }
  for (int i = 0; i < n1; ++i) {
    const double share =
        1.0 / sizes[static_cast<std::size_t>(group_of[static_cast<std::size_t>(i)])];
    for (int o = 0; o < net.width(2); ++o) x(net.weight_index(2, o, i)) *= share;
  }
  x = lc::descend(wide, x, 4000, 1e-10);
  if (!x.allFinite() || x.cwiseAbs().maxCoeff() > 1e3) {
    why = "descent ran off";
    return std::nullopt;
  }
  // merge each group into one unit: its incoming row and the sum of its outgoing columns
  Problem small = wide;
  small.network.widths[1] = groups;
  const Network& sn = small.network;
  Vec<double> y = Vec<double>::Zero(sn.num_parameters());
  for (int i = 0; i < n1; ++i) {
    const int j = group_of[static_cast<std::size_t>(i)];
    for (int c = 0; c < cols; ++c) {
      const double a = x(net.augmented_index(1, i, c));
      if (std::abs(a -
                   x(net.augmented_index(
                       1, std::find(group_of.begin(), group_of.end(), j) - group_of.begin(), c))) >
          1e-9 * (1 + std::abs(a))) {
        why = "descent broke the repetition";
        return std::nullopt;
      }
      y(sn.augmented_index(1, j, c)) = a;
    }
    for (int o = 0; o < net.width(2); ++o) {
      y(sn.weight_index(2, o, j)) += x(net.weight_index(2, o, i));
    }
  }
  for (int l = 2; l <= net.num_layers(); ++l) {
    for (int o = 0; o < net.width(l); ++o) {
      if (net.has_bias(l)) y(sn.bias_index(l, o)) = x(net.bias_index(l, o));
      if (l == 2) continue;
      for (int c = 0; c < net.width(l - 1); ++c) {
        y(sn.weight_index(l, o, c)) = x(net.weight_index(l, o, c));
      }
    }
  }
  small.point = lc::exact_point(y);
  small.extra = nlohmann::json::object();
  try {
    small.point = lc::exact_point(lc::polish_double(small));
  } catch (const Error& e) {
    why = e.what();
    return std::nullopt;
  }
  // a suboptimal strict minimum of the merged network, in double (a cheap filter: the kind of the
  // wide point is certified below)
  const LossFunction<double> f(small.network, small.data);
  const Vec<double> ys = lc::point_double(small);
  const Eigen::SelfAdjointEigenSolver<Mat<double>> es(f.hessian(ys), Eigen::EigenvaluesOnly);
  if (es.eigenvalues()(0) <= 1e-8 * es.eigenvalues().cwiseAbs().maxCoeff() || f.loss(ys) < 1e-6) {
    why = "the merged critical point is not a suboptimal strict minimum";
    return std::nullopt;
  }
  // re-split: group j's outgoing column a_j shared equally (as descent kept it), unit j split with
  // λ = 1/s, then the newest unit with 1/(s−1), ...
  const auto resplit = [&](const Problem& merged) {
    WideCandidate out;
    out.sizes = sizes;
    out.merged = merged;
    Problem p = merged;
    const auto P = merged.network.num_parameters();
    out.map = Mat<Rational>::Identity(P, P);
    for (int j = 0; j < groups; ++j) {
      const int s = sizes[static_cast<std::size_t>(j)];
      for (int k = 0; k + 1 < s; ++k) {
        lc::SplitSpec spec;
        spec.layer = 1;
        spec.unit = k == 0 ? j : p.network.width(1) - 1;
        spec.lambda = Rational(1, s - k);
        out.pre = p;
        out.last = spec;
        out.map = Mat<Rational>(lc::split_map(p, spec) * out.map);
        p = lc::split_problem(p, spec);
      }
    }
    out.wide = std::move(p);
    out.shape = out.wide.network.describe();
    return out;
  };
  // the wide point in double: no clearly negative curvature (a cheap filter before MPFR; the
  // kind is certified by the caller)
  {
    const WideCandidate rough = resplit(small);
    const LossFunction<double> fw(rough.wide.network, rough.wide.data);
    const Eigen::SelfAdjointEigenSolver<Mat<double>> ew(fw.hessian(lc::point_double(rough.wide)),
                                                        Eigen::EigenvaluesOnly);
    if (ew.eigenvalues()(0) < -1e-8 * ew.eigenvalues().cwiseAbs().maxCoeff()) {
      why = "a saddle of the wide network (the split's inner Hessian is not positive definite)";
      return std::nullopt;
    }
  }
  const auto refined = lc::refine_to_critical(small);
  if (!refined) {
    why = "MPFR Newton did not converge on the merged network";
    return std::nullopt;
  }
  return resplit(*refined);
}

InstanceResult wide_non_attracting(const Context& ctx, std::uint32_t seed) {
  // "In a network whose first hidden layer has at least N units (non-increasing widths after it),
  // every suboptimal local minimum lies in a non-attracting region: a path along which the loss
  // never increases leads from it to a lower loss."
  std::string why = "no candidate";
  int tried = 0;
  for (int attempt = 0; attempt < 400; ++attempt) {
    std::seed_seq sequence{seed, static_cast<std::uint32_t>(attempt)};
    std::mt19937 rng(sequence);
    std::uniform_int_distribution<int> one_two(1, 2), extra(0, 1), samples(5, 7);
    const int d = one_two(rng);
    const std::string act = one_two(rng) == 1 ? "sigmoid" : "tanh";
    const int n = samples(rng);
    const int n1 = n + extra(rng);
    const std::vector<int> widths = {d, n1, 1};
    // one group of n1 units: the merged network [n0, 1, 1]
    const std::vector<int> sizes = {n1};
    Problem wide;
    try {
      // inputs and a random point of the merged network, targets designed at that point
      std::vector<int> merged = widths;
      merged[1] = 1;
      Problem small = lc::teacher_problem(rng, merged, act, n);
      if (!design_targets(rng, small, why)) continue;
      wide = small;
      wide.network.widths = widths;
      wide.point.reset();
      wide.extra = nlohmann::json::object();
    } catch (const Error& e) {
      why = e.what();
      continue;
    }
    ++tried;
    const auto c = wide_candidate(rng, wide, sizes, why);
    if (!c) continue;
    const Problem& w = c->wide;
    // hypothesis NH-wide: n1 >= N
    if (w.network.width(1) < static_cast<int>(w.data.size())) {
      why = "narrow";
      continue;
    }
    const Classification k = classify_point(w, ctx.arithmetic(Arithmetic::ball(256)));
    if (k.kind == PointKind::StrictMinimum && k.certified) {
      // a strict local minimum has no non-increasing path out of it: if its loss is above a
      // lower one reached elsewhere, the statement is refuted (decided below by the descent
      // witness); this is what the check would report
      const ScopedBallPrecision precision(256);
      const LossFunction<Ball> f(w.network, w.data);
      const Ball at = f.loss(w.point_as<Ball>());
      std::normal_distribution<double> g(0, 1);
      Vec<double> z(w.network.num_parameters());
      for (Eigen::Index i = 0; i < z.size(); ++i) z(i) = g(rng);
      z = lc::descend(w, z, 4000, 0);
      const Ball below = f.loss(convert_matrix<Ball>(Mat<Rational>(lc::exact_point(z))));
      if (certainly_less(below, at) == Certainty::True) {
        InstanceResult r = result(false,
                                  k.evidence,
                                  0,
                                  fmt::format("{}, N = {}: a certified strict local minimum at "
                                              "loss {} above the loss {} of another point",
                                              c->shape,
                                              w.data.size(),
                                              at.to_string(8),
                                              below.to_string(8)));
        r.counterexample = w;
        return r;
      }
      why = "a strict minimum at the lowest loss found";
      continue;
    }
    if (ctx.force_float) {
      // double only (--float-only): the wide point passed the double curvature filter; the path
      // is sampled, evidence at most
      const detail::SampledPath sp = detail::sampled_path(lc::escape_path(c->pre, c->last, seed));
      return result(
          sp.non_increasing && sp.decrease > 0,
          Evidence::of<double>(),
          sp.decrease,
          fmt::format("{} ({}), path sampled in double", to_string(k.kind), k.criticality));
    }
    if (k.kind != PointKind::DegenerateMinimum || !k.certified) {
      why = fmt::format(
          "the candidate is {}{}", to_string(k.kind), k.certified ? "" : " (not certified)");
      continue;
    }
    const Problem path = lc::escape_path(c->pre, c->last, seed);
    const lc::PathCheck pc = lc::check_path(path, 256);
    // the path starts at the rounded point; the true critical point is within Krawczyk's radius
    // of it: the path's end must lie below the loss over that whole box
    const Ball at_min = lc::loss_over_box(w, k.critical_point_radius);
    const ScopedBallPrecision precision(256);
    const LossFunction<Ball> f(w.network, w.data);
    std::vector<std::string> labels;
    const auto vertices = lc::path_vertices(path, &labels);
    const Ball at_end = f.loss(convert_matrix<Ball>(Mat<Rational>(vertices.back())));
    const bool below = certainly_less(at_end, at_min) == Certainty::True;
    std::string segments;
    for (const auto& s : pc.segments) {
      segments += fmt::format(
          "{}{} ({})", segments.empty() ? "" : ", ", to_string(s.verdict), to_string(s.method));
    }
    const std::string detail =
        fmt::format("{}, N = {}, groups {}: certified degenerate minimum, loss {} -> {} along {}",
                    c->shape,
                    w.data.size(),
                    fmt::join(c->sizes, "+"),
                    at_min.to_string(8),
                    at_end.to_string(8),
                    segments);
    if (!(pc.non_increasing && pc.strict_decrease && below)) {
      // the R3 path is one construction: its failure is not a counterexample (math-spec R4)
      why = "the escape path was not certified: " + detail;
      continue;
    }
    InstanceResult r =
        result(true, weakest(k.evidence, pc.evidence), detail::number(pc.decrease), detail);
    if (!ctx.certificate_dir.empty()) {
      // the path from the true critical point: the merged network's Krawczyk box, its split into
      // the groups (a minimum by Morse–Bott) and every segment re-derived over that box
      std::string no_split_path;
      if (auto cert = lc::split_path_certificate(
              c->merged,
              c->map,
              path,
              256,
              fmt::format("{}: from the degenerate minimum next to the point (the split of the "
                          "merged network's critical point) the loss never increases along the "
                          "escape path and is strictly lower at its end",
                          c->shape),
              &no_split_path);
          cert && cert->conclusion == "minimum") {
        r.certificates = {*cert};
        return r;
      }
      std::string no_path;
      if (auto cert = lc::path_certificate(
              path,
              pc,
              fmt::format("{}: from the rounded degenerate minimum the loss never increases along "
                          "the escape path and is strictly lower at its end",
                          c->shape),
              &no_path)) {
        r.certificates = {*cert};
      }
      r.not_certified =
          "the path from the true critical point next to the rounded one: " + no_split_path +
          (no_path.empty() ? std::string() : "; the path: " + no_path);
    }
    return r;
  }
  return undecided(
      fmt::format("no certified suboptimal minimum found in {} searches: {}", tried, why));
}

// ---- Saad & Solla's symmetric plateau ------------------------------------------------------------

// An exact orthogonal N × N matrix: the Cayley transform (I − S)(I + S)⁻¹ of a random
// skew-symmetric S with entries k/4 (I + S is invertible for every real skew S).
Mat<Rational> cayley_orthogonal(std::mt19937& rng, int n) {
  std::uniform_int_distribution<int> d(-4, 4);
  Mat<Rational> s = Mat<Rational>::Zero(n, n);
  for (int i = 0; i < n; ++i) {
    for (int j = i + 1; j < n; ++j) {
      s(i, j) = Rational(d(rng), 4);
      s(j, i) = -s(i, j);
    }
  }
  const Mat<Rational> id = Mat<Rational>::Identity(n, n);
  // Gauss–Jordan on [I + S | I − S]: X = (I + S)⁻¹(I − S) = (I − S)(I + S)⁻¹ (they commute)
  Mat<Rational> a = id + s, b = id - s;
  for (int c = 0; c < n; ++c) {
    int piv = c;
    while (a(piv, c) == 0) ++piv;
    a.row(c).swap(a.row(piv));
    b.row(c).swap(b.row(piv));
    const Rational inv = Rational(1) / a(c, c);
    a.row(c) *= inv;
    b.row(c) *= inv;
    for (int r = 0; r < n; ++r) {
      if (r == c || a(r, c) == 0) continue;
      const Rational f = a(r, c);
      a.row(r) -= f * a.row(c);
      b.row(r) -= f * b.row(c);
    }
  }
  return b;
}

InstanceResult saad_solla_plateau(const Context& ctx, std::uint32_t seed) {
  // "The soft committee machine's symmetric fixed point is a saddle of the population loss."
  std::mt19937 rng(seed);
  const int m = 2 + static_cast<int>(seed % 3);        // teacher units M = student units K
  const int n = m + static_cast<int>((seed / 3) % 2);  // input dimension N in {M, M + 1}
  const Mat<Rational> q = cayley_orthogonal(rng, n);
  if (q.transpose() * q != Mat<Rational>::Identity(n, n)) {
    return undecided("the Cayley transform is not orthogonal (internal error)");
  }
  Problem p;
  p.network.widths = {n, m, 1};
  p.network.activation = Activation::erf();
  p.network.bias = false;
  p.network.reduction = Reduction::Mean;
  for (int i = 0; i < m; ++i) {
    p.network.frozen.push_back({static_cast<std::ptrdiff_t>(m) * n + i, Rational(1)});
  }
  Dataset::Population pop;
  pop.teacher_width = m;
  pop.teacher = Vec<Rational>(static_cast<Eigen::Index>(m) * n + m);
  for (int j = 0; j < m; ++j) {
    for (int k = 0; k < n; ++k) pop.teacher(static_cast<Eigen::Index>(j) * n + k) = q(j, k);
    pop.teacher(static_cast<Eigen::Index>(m) * n + j) = 1;
  }
  p.data.inputs = Mat<Rational>(0, n);
  p.data.targets = Mat<Rational>(0, 1);
  p.data.population = std::move(pop);
  // the symmetric line w_i = a·Σ_j v_j: its loss minimum in a (golden section, double)
  Vec<double> sum = Vec<double>::Zero(n);
  for (int j = 0; j < m; ++j) {
    for (int k = 0; k < n; ++k) sum(k) += to_double_nearest(q(j, k));
  }
  const LossFunction<double> f(p.network, p.data);
  const auto at = [&](double a) {
    Vec<double> t(static_cast<Eigen::Index>(m) * n);
    for (int i = 0; i < m; ++i) t.segment(static_cast<Eigen::Index>(i) * n, n) = a * sum;
    return t;
  };
  double lo = 0.01, hi = 3.0;
  const double g = (std::sqrt(5.0) - 1) / 2;
  for (int it = 0; it < 120; ++it) {
    const double x1 = hi - g * (hi - lo), x2 = lo + g * (hi - lo);
    if (f.loss(at(x1)) < f.loss(at(x2))) {
      hi = x2;
    } else {
      lo = x1;
    }
  }
  const double a_star = (lo + hi) / 2;
  if (ctx.force_float) {
    // double only (--float-only): the Hessian's eigenvalues at the line's minimum, evidence
    const Vec<double> ev = symmetric_eigen<double>(f.hessian(at(a_star)), false).values;
    return result(
        ev(0) < 0,
        Evidence::of<double>(),
        -ev(0),
        fmt::format("M = K = {}, N = {}, a* ≈ {:.6f}: smallest eigenvalue {:.4g} (double)",
                    m,
                    n,
                    a_star,
                    ev(0)));
  }
  // The proof (docs/math/population.md, "The symmetric plateau"). L is invariant under the group
  // G of permutations of the student units combined with the orthogonal maps of the inputs that
  // permute the teacher units (the output weights are all 1, the teacher rows orthonormal, the
  // Gaussian rotation invariant). Its fixed points are θ(a) = (a·s, …, a·s), s = Σ_j v_j, and at
  // a fixed point ∇L is fixed too, so ∇L(θ(a)) = g'(a)·d/|d|², d = (s, …, s), g(a) = L(θ(a)).
  // Hence θ(a*) is a critical point exactly when g'(a*) = 0: a one-dimensional Krawczyk test
  // proves such an a* in an interval A, and the Hessian enclosed over θ(A) gives its inertia.
  const ScopedBallPrecision precision(256);
  const LossFunction<Ball> fb(p.network, p.data);
  Vec<Ball> d(static_cast<Eigen::Index>(m) * n);
  for (int i = 0; i < m; ++i) {
    for (int k = 0; k < n; ++k) {
      Rational sk(0);
      for (int j = 0; j < m; ++j) sk += q(j, k);
      d(static_cast<Eigen::Index>(i) * n + k) = Ball(sk);
    }
  }
  const auto line = [&](const Ball& a) { return Vec<Ball>(d * a); };
  const auto g1 = [&](const Ball& a) { return Ball(fb.gradient(line(a)).dot(d)); };
  const auto g2 = [&](const Ball& a) {
    const Vec<Ball> x = line(a);
    return Ball(d.dot(fb.hessian_vector_product(x, d)));
  };
  Rational a(a_star);
  for (int it = 0; it < 8; ++it) {  // Newton on g' (midpoints): far below the box radius
    const Ball ab(a);
    a = (ab - g1(ab) / g2(ab)).mid();
  }
  const Ball at_a(a);
  const Rational c = g2(at_a).mid();
  if (c == 0) return undecided("g''(a*) has a zero midpoint");
  const Ball step = g1(at_a) / Ball(c);
  Rational tiny(1);  // 2^-200: a box of positive width even when g'(ã) encloses 0 tightly
  for (int i = 0; i < 200; ++i) tiny /= 2;
  const Rational r = Rational(4) * (abs(step.mid()) + step.rad()) + tiny;
  const Ball box = Ball::from_mid_rad(a, r);
  const Ball contraction = abs(Ball(1) - g2(box) / Ball(c));
  // K(A) ⊂ int A: |g'(ã)/c| + |1 − g''(A)/c|·r < r
  const Ball lhs = abs(step) + contraction * Ball(r);
  if (certainly_less(lhs, Ball(r)) != Certainty::True) {
    return undecided(
        fmt::format("M = K = {}, N = {}: the one-dimensional Krawczyk test failed", m, n));
  }
  const ClusterCertificate cc = certify_cluster(fb.hessian(line(box)));
  const std::string detail = fmt::format(
      "M = K = {}, N = {}: a critical point θ(a*) with a* within {} of {:.12f} (Krawczyk on g', "
      "ball:256); the Hessian over that segment has {} (n₊, n₋, cluster)",
      m,
      n,
      format_bound(r, true),
      to_double_nearest(a),
      cc.proved ? to_string(cc.inertia) : "no certified inertia");
  if (!cc.proved) return undecided(detail + ": " + cc.reason);
  // a negative eigenvalue at a critical point: a saddle; none: the statement fails there
  InstanceResult out = result(cc.inertia.negative > 0,
                              Evidence::of<Ball>(),
                              static_cast<double>(cc.inertia.negative),
                              detail);
  if (!ctx.certificate_dir.empty()) {
    out.not_certified =
        "population losses and the symmetric one-dimensional Krawczyk test have no "
        "locus-certificate/1 form yet";
  }
  return out;
}

// ---- Şimşek et al.'s symmetry-induced critical lines on a population loss --------------------------

// A nondegenerate critical point of a small erf population problem (free output weights), found
// by gradient descent with backtracking in double and Newton in MPFR-128, certified by classify
// (Krawczyk box, no zero eigenvalue). Empty with `why` set when the attempt does not get there.
std::optional<Problem> population_critical(
    std::mt19937& rng, int n, int t, int r, std::string& why) {
  std::uniform_int_distribution<int> entry(-4, 4), sign(0, 1), scale(2, 6);
  Problem p;
  p.network.widths = {n, r, 1};
  p.network.activation = Activation::erf();
  p.network.bias = false;
  p.network.reduction = Reduction::Mean;
  Dataset::Population pop;
  pop.teacher_width = t;
  pop.teacher = Vec<Rational>(static_cast<Eigen::Index>(t) * n + t);
  for (Eigen::Index i = 0; i < pop.teacher.size(); ++i) {
    pop.teacher(i) = i < static_cast<Eigen::Index>(t) * n
                         ? Rational(entry(rng), 4)
                         : Rational(sign(rng) == 0 ? -scale(rng) : scale(rng), 4);
  }
  p.data.inputs = Mat<Rational>(0, n);
  p.data.targets = Mat<Rational>(0, 1);
  p.data.population = std::move(pop);
  const LossFunction<double> f(p.network, p.data);
  std::normal_distribution<double> g(0, 1);
  Vec<double> x(f.num_parameters());
  for (Eigen::Index i = 0; i < x.size(); ++i) x(i) = g(rng) / std::sqrt(static_cast<double>(n));
  try {
    double value = 0;
    Vec<double> grad = f.gradient(x, &value);
    for (int it = 0; it < 4000 && grad.norm() > 1e-10; ++it) {
      double step = 1;
      for (;;) {
        const Vec<double> y = x - step * grad;
        const double v = f.loss(y);
        if (v <= value - 0.25 * step * grad.squaredNorm() || step < 1e-12) {
          x = y;
          break;
        }
        step /= 2;
      }
      grad = f.gradient(x, &value);
    }
    using M = Mpfr<128>;
    NewtonOptions no;
    no.digits = 30;
    const NewtonResult<M> nr =
        newton_refine<M>(p.network, p.data, convert_matrix<M>(Mat<double>(x)), no);
    if (nr.status != NewtonStatus::Converged) {
      why = "Newton did not converge: " + nr.reason;
      return std::nullopt;
    }
    Vec<Rational> theta(nr.theta.size());
    for (Eigen::Index i = 0; i < theta.size(); ++i) {
      theta(i) = ScalarTraits<M>::to_rational(nr.theta(i));
    }
    p.point = theta;
  } catch (const Error& e) {
    why = e.what();
    return std::nullopt;
  }
  return p;
}

InstanceResult simsek_population_line(const Context& ctx, std::uint32_t seed) {
  // "Splitting a unit of a nondegenerate critical point (distinct units, nonzero outgoing
  // weights) into copies whose outgoing weights sum to the original gives, for every λ, a critical
  // point of the wider network, and the line of them lies in the Hessian's kernel."
  std::string why;
  for (int attempt = 0; attempt < 10; ++attempt) {
    std::seed_seq sequence{seed, static_cast<std::uint32_t>(attempt), 7u};
    std::mt19937 rng(sequence);
    // a teacher wider than the student: the small point is not a zero-loss fit, whose split
    // points have more zero eigenvalues than the line explains (their kind stays undecided)
    const int n = 2 + static_cast<int>(rng() % 2), r = 1 + static_cast<int>(rng() % 2);
    const int t = r + 1 + static_cast<int>(rng() % 2);
    const auto small = population_critical(rng, n, t, r, why);
    if (!small) continue;
    const Arithmetic a = ctx.arithmetic(Arithmetic::ball(256));
    const Classification ks = classify_point(*small, a);
    if (ks.stationarity != Stationarity::ProvedNearby && !ctx.force_float) {
      why = "no Krawczyk proof at the small point: " + ks.reason;
      continue;
    }
    if (!ks.inertia_known || ks.inertia.zero != 0) {
      why = "the small critical point is degenerate";
      continue;
    }
    const Network& sn = small->network;
    const Vec<Rational>& th = *small->point;
    // hypotheses: nonzero outgoing weights, distinct incoming vectors
    bool ok = true;
    for (int u = 0; u < r; ++u) ok = ok && th(sn.weight_index(2, 0, u)) != 0;
    if (r == 2) {
      bool same = true;
      for (int k = 0; k < n; ++k)
        same = same && th(sn.weight_index(1, 0, k)) == th(sn.weight_index(1, 1, k));
      ok = ok && !same;
    }
    if (!ok) {
      why = "a zero outgoing weight or two equal units";
      continue;
    }
    const int unit = static_cast<int>(rng() % static_cast<unsigned>(r));
    const std::vector<Rational> lambdas = {
        Rational(-1, 2), Rational(1, 3), Rational(1, 2), Rational(3, 4), Rational(3, 2)};
    const Rational lambda = lambdas[rng() % lambdas.size()];
    Problem wide = *small;
    wide.network.widths = {n, r + 1, 1};
    const Network& wn = wide.network;
    Vec<Rational> w(wn.num_parameters());
    for (int u = 0; u <= r; ++u) {
      const int src = u < r ? u : unit;
      for (int k = 0; k < n; ++k) w(wn.weight_index(1, u, k)) = th(sn.weight_index(1, src, k));
      const Rational out = th(sn.weight_index(2, 0, src));
      w(wn.weight_index(2, 0, u)) =
          u == unit ? lambda * out : (u == r ? (Rational(1) - lambda) * out : out);
    }
    wide.point = w;
    const Classification k = classify_point(wide, a);
    const std::string detail = fmt::format(
        "[{}, {}, 1] erf against a teacher of width {}: small point {} {}, unit {} split at λ = "
        "{}: {} ({}), inertia {} (n₊, n₋, cluster)",
        n,
        r,
        t,
        to_string(ks.kind),
        to_string(ks.inertia),
        unit,
        locus::to_string(lambda),
        to_string(k.kind),
        to_string(k.stationarity),
        k.inertia_known ? to_string(k.inertia) : "unknown");
    if (k.stationarity == Stationarity::NotCritical) {
      return result(false, k.evidence, -1, detail);
    }
    const bool critical = k.stationarity == Stationarity::ProvedNearby ||
                          k.stationarity == Stationarity::Exact ||
                          (ctx.force_float && k.stationarity == Stationarity::EpsilonStationary);
    if (!critical || !k.inertia_known) return undecided(detail + ": " + k.reason);
    InstanceResult out =
        result(k.inertia.zero >= 1, k.evidence, static_cast<double>(k.inertia.zero) - 1, detail);
    if (!ctx.certificate_dir.empty()) {
      out.not_certified = "population losses have no locus-certificate/1 form yet";
    }
    return out;
  }
  return undecided("no certified nondegenerate small critical point: " + why);
}

}  // namespace

std::vector<Claim> newer_claims() {
  std::vector<Claim> out;
  out.push_back(
      {"saad-solla.symmetric-plateau",
       "In the soft committee machine (erf(z/√2) units, output weights 1) learning an orthonormal "
       "teacher of M units with K = M student units under Gaussian inputs, the symmetric fixed "
       "point, where every student vector is the same multiple a*·Σ_j v_j of the teachers' sum, "
       "is a critical point of the population loss and a saddle: the plateau of on-line learning "
       "is left along a direction of negative curvature.",
       "Saad & Solla 1995 (Phys. Rev. E 52, on-line learning in soft committee machines: the "
       "symmetric fixed point and its escape); docs/math/population.md",
       "[P, V]",
       "M = K in {2, 3, 4}, input dimension N in {M, M + 1}, teacher rows of an exact orthogonal "
       "matrix (Cayley transform of a seeded skew-symmetric one), output weights frozen at 1; a* "
       "minimises the loss on the symmetric line (golden section, double), then Newton on g' in "
       "balls",
       "a* with g'(a*) = 0 for g(a) = L(a·s, …, a·s) proved by a one-dimensional Krawczyk test "
       "(a critical point of L by the symmetry G), and the certified inertia of ∇²L over the "
       "segment θ(A) (balls)",
       "n₋ >= 1 (a saddle)",
       "proved",
       "ball:256",
       "n₋, the certified number of negative eigenvalues",
       12,
       3,
       [](const Context& c, std::uint32_t s) { return saad_solla_plateau(c, s); },
       // no planted fault applies: the point is built and refined inside the check, and no
       // residual sign or bound enters the verdict
       {}});
  out.push_back(
      {"simsek.population-split-line",
       "On the population loss of an erf network (Gaussian inputs, a teacher of the same form, "
       "output weights trained), splitting a unit of a nondegenerate critical point with distinct "
       "units and nonzero outgoing weights into two copies whose outgoing weights sum to the "
       "original gives a critical point of the wider network for every λ, on a line of critical "
       "points: its Hessian has an eigenvalue at 0 (the symmetry-induced critical subspace of "
       "dimension m − r = 1).",
       "Şimşek et al. 2021 (symmetry-induced critical subspaces), Fukumizu & Amari 2000 (the "
       "line of critical points), on the population loss of docs/math/population.md",
       "[P, V]",
       "[n, r, 1] erf students, n in {2, 3}, r in {1, 2}, against seeded teachers of width r + 1 "
       "or r + 2 (exact weights k/4); a critical point by gradient descent and Newton in MPFR-128, "
       "certified nondegenerate by classify; a random unit split at λ in {−1/2, 1/3, 1/2, 3/4, "
       "3/2}",
       "classify's stationarity of the split point (Krawczyk through the merged units, balls) and "
       "the certified inertia over the box",
       "critical (proved) and at least one eigenvalue in the certified zero cluster",
       "proved",
       "ball:256",
       "cluster size − 1",
       10,
       2,
       [](const Context& c, std::uint32_t s) { return simsek_population_line(c, s); },
       // perturb-point and the others do not apply: the points are built inside the check
       {}});
  out.push_back(
      {"zhang.embedding-inertia",
       "Embedding a critical point into a wider network by splitting a neuron (any λ) never "
       "decreases the number of positive or of negative Hessian eigenvalues.",
       "Zhang, Zhang, Luo & Xu 2022 (embedding principle); math-spec §2.4 Theorem S",
       "[P, V]",
       "random [n0, h, 1] sigmoid or tanh networks (n0, h in {1, 2}) on 4-6 samples of a random "
       "teacher, descent and Newton from a random initialisation to a nondegenerate critical "
       "point (Krawczyk-proved), a random unit split at λ inside or outside [0, 1]",
       "certified (n₊, n₋) of ∇²L at the small and the split point, over the Krawczyk box",
       "n₊(big) >= n₊(small) and n₋(big) >= n₋(small)",
       "proved",
       "ball:256",
       "min(Δn₊, Δn₋)",
       10,
       2,
       [](const Context& c, std::uint32_t s) { return embedding_inertia(c, s); },
       // No planted fault applies: the inequality is slack wherever the split adds positive
       // eigenvalues (shift-bound keeps it), a 1e-20 move keeps Krawczyk's critical point
       // (perturb-point), and no residual sign enters (flip-residual).
       {}});
  out.push_back(
      {"inner-hessian.plateau-kind",
       "A split point θ_λ, λ ∈ (0,1), of a strict local minimum lies on a stationary plateau that "
       "is a local minimum when the inner Hessian F_r is positive definite and a saddle when F_r "
       "has a negative eigenvalue.",
       "arXiv 2606.04327 (2026), inner Hessian of split neurons; Fukumizu & Amari 2000 (FA-3)",
       "[P, V]",
       "even seeds: random [n0, h, 1] sigmoid or tanh networks on teacher data, a strict minimum "
       "reached by descent and Newton (certified in balls), a random unit split at λ in (0, 1); "
       "odd seeds: exact R1 designs on [2, 2, 1] (degree-5 exp polynomial) with F_r ≻ 0 or ≺ 0 "
       "(rational), unit 0 split at λ in (0, 1)",
       "In(F_r) (certified) and classify's kind of the split point (Krawczyk through the merged "
       "units, certified inertia over the box)",
       "F_r ≻ 0 ⇒ degenerate-minimum, F_r with a negative eigenvalue ⇒ saddle",
       "proved",
       "ball:256 or rational",
       "exact",
       10,
       4,
       [](const Context& c, std::uint32_t s) { return inner_hessian(c, s); },
       {Mutation::FlipResidual, Mutation::PerturbPoint}});
  out.push_back(
      {"simsek.symmetry-subspaces",
       "From a critical point of width r with distinct neurons and nonzero outgoing weights, the "
       "affine subspaces of symmetry-induced critical points of width m (every neuron copies one "
       "of the r incoming weight vectors, each copy group's outgoing weights sum to the original) "
       "number r!·S(m, r); each has dimension m − r, consists of critical points, and lies in the "
       "Hessian's kernel directions.",
       "Şimşek et al. 2021 (symmetry-induced critical subspaces, the count G(r, m) as "
       "reconstructed here: zero-outgoing neurons copy an incoming vector at a non-global critical "
       "point); math-spec §9 SI-1",
       "[R, D, V]",
       "exact R1 designs on [2, r, 1] (degree-5 exp polynomial), r in {2, 3}, m in {r + 1, r + 2}; "
       "every map of the m neurons onto the r groups, with seeded outgoing splits",
       "the enumerated subspaces, ∇L at a point of each, ∇²L times the subspace's tangent",
       "count = r!·S(m, r), ∇L = 0 and ∇²L T = 0 exactly on every subspace",
       "proved",
       "rational",
       "exact",
       10,
       2,
       [](const Context& c, std::uint32_t s) { return symmetry_subspaces(c, s); },
       {Mutation::PerturbPoint, Mutation::ShiftBound}});
  out.push_back(
      {"petzka-sminchisescu.wide-non-attracting",
       "In a network with squared loss, an analytic increasing activation and bias, whose first "
       "hidden layer has at least N units and whose widths do not increase after it, every "
       "suboptimal local minimum lies in a non-attracting region: a path along which the loss "
       "never increases leads from it to a lower loss.",
       "Petzka & Sminchisescu 2021 (JMLR 22, wide networks; Nguyen & Hein 2017 for the rank "
       "conditions); math-spec §3.6 PS-5, recipe R4",
       "[A, P, D]",
       "[n0, n1, 1] and [n0, n1, 1, 1] sigmoid or tanh networks (n0 in {1, 2}), N = 3..5 "
       "samples of a random [n0, 2, 1] teacher, n1 in {N, N + 1}; minima found by gradient "
       "descent in the wide network from initialisations that repeat one or two random units "
       "(the rank-deficient set NH-1 leaves for suboptimal critical points), merged, refined in "
       "MPFR and rebuilt exactly; the first certified suboptimal minimum of up to 40 searches",
       "classify's certified kind of the minimum (Krawczyk box, ball inertia), the R3 escape "
       "path certified segment by segment, L(end) against L over the Krawczyk box",
       "a certified degenerate minimum with a certified non-increasing path to a loss below it; a "
       "certified strict minimum above a lower loss refutes",
       "proved",
       "ball:256",
       "the certified decrease",
       10,
       2,
       [](const Context& c, std::uint32_t s) { return wide_non_attracting(c, s); },
       // No planted fault applies: the minimum is the one Krawczyk proves next to the rebuilt
       // point (perturb-point keeps it), and no count or residual sign is predicted.
       {}});
  return out;
}

}  // namespace locus::claims
