// Claims from newer work on neuron splitting (docs/claims.md): the embedding principle (Zhang et
// al. 2022) and the inner Hessian of split plateaus (arXiv 2606.04327). Their instances are not
// exact designs: random sigmoid or tanh networks on teacher data, descent and Newton from a random
// initialisation, MPFR refinement; every inertia is certified in Arb balls over the Krawczyk box
// of the true critical point (constructions::certify_split, classify_point).
#include <algorithm>
#include <limits>
#include <random>
#include <string>
#include <type_traits>
#include <utility>

#include "instances.hpp"

#include "locus/constructions/random.hpp"
#include "locus/constructions/split.hpp"
#include "locus/core/derivatives.hpp"
#include "locus/error.hpp"
#include "locus/scalar/arithmetic.hpp"
#include "locus/scalar/rigour.hpp"
#include "locus/solve/classify.hpp"

#include <Eigen/Eigenvalues>

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
  for (int attempt = 0; attempt < 40; ++attempt) {
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
        lc::certify_split(*small, s, parse_arithmetic(ctx.arithmetic("ball:256")));
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
    return result(dp >= 0 && dn >= 0,
                  c.evidence,
                  static_cast<double>(std::min(dp, dn)),
                  fmt::format("{}, split of unit {} at λ = {}: (n₊, n₋, cluster) {} -> {}",
                              small->network.describe(),
                              s.unit,
                              locus::to_string(s.lambda),
                              to_string(a.inertia),
                              to_string(b.inertia)));
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
    const Arithmetic a = parse_arithmetic(ctx.arithmetic(seed % 2 == 0 ? "ball:256" : "rational"));
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
    const Classification k = classify_point(big, parse_arithmetic(ctx.arithmetic("ball:256")));
    const bool as_predicted =
        f_definite ? k.kind == PointKind::DegenerateMinimum : k.kind == PointKind::Saddle;
    return result(as_predicted,
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
  const Arithmetic arithmetic = parse_arithmetic(ctx.arithmetic("rational"));
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> part(1, 7);
  long counted = 0, critical = 0, kernel_ok = 0;
  std::vector<int> f(static_cast<std::size_t>(m), 0);
  std::string failure;
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
  return result(holds,
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
}

}  // namespace

std::vector<Claim> newer_claims() {
  std::vector<Claim> out;
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
  return out;
}

}  // namespace locus::claims
