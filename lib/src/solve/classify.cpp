// Classification of a point with a certificate (locus/solve/classify.hpp).
#include "locus/solve/classify.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "locus/core/derivatives.hpp"
#include "locus/error.hpp"
#include "locus/io/json_number.hpp"
#include "locus/linalg/dense.hpp"
#include "locus/linalg/spectrum.hpp"
#include "locus/scalar/all.hpp"
#include "locus/solve/existence.hpp"

#include <fmt/format.h>

namespace locus {
namespace {

using Index = Eigen::Index;

bool has_tangent_basis(const Problem& p) {
  return (p.extra.is_object() && p.extra.contains("tangent_basis")) ||
         (p.certificate.is_object() && p.certificate.contains("tangent_basis"));
}

// The tangent basis K (P x k) of the critical manifold, if the problem supplies one.
std::optional<Mat<Rational>> tangent_basis(const Problem& p) {
  const nlohmann::json* src = nullptr;
  std::string where;
  if (p.extra.is_object() && p.extra.contains("tangent_basis")) {
    src = &p.extra["tangent_basis"];
    where = "tangent_basis";
  } else if (p.certificate.is_object() && p.certificate.contains("tangent_basis")) {
    src = &p.certificate["tangent_basis"];
    where = "certificate.tangent_basis";
  }
  if (src == nullptr) return std::nullopt;
  const auto P = static_cast<Index>(p.network.num_parameters());
  if (!src->is_array()) {
    throw InvalidArgument(fmt::format("{}: expected a list of P-vectors (P = {})", where, P));
  }
  Mat<Rational> k(P, static_cast<Index>(src->size()));
  for (std::size_t j = 0; j < src->size(); ++j) {
    const auto& col = (*src)[j];
    if (!col.is_array() || static_cast<Index>(col.size()) != P) {
      throw InvalidArgument(fmt::format(
          "{}[{}]: {} entries, expected P = {}", where, j, col.is_array() ? col.size() : 0, P));
    }
    for (Index i = 0; i < P; ++i) {
      k(i, static_cast<Index>(j)) = rational_from_json(col[static_cast<std::size_t>(i)],
                                                       fmt::format("{}[{}][{}]", where, j, i));
    }
  }
  return k;
}

// The seeded integer coefficients in {-3, ..., 4} of the third-order test's directions (a fixed
// LCG, so a classification is reproducible).
long next_coefficient(std::uint64_t& state) {
  state = state * 6364136223846793005ULL + 1442695040888963407ULL;
  return static_cast<long>(state >> 61) - 3;
}

void kind_from_inertia(Classification& c) {
  const Inertia& in = c.inertia;
  if (in.zero == 0) {
    c.kind = in.negative == 0 ? PointKind::StrictMinimum
                              : (in.positive == 0 ? PointKind::Maximum : PointKind::Saddle);
    return;
  }
  if (in.negative > 0 && in.positive > 0) {
    c.kind = PointKind::Saddle;
    return;
  }
  c.kind = PointKind::Undecided;
  if (in.negative > 0) {
    c.reason = fmt::format(
        "not a minimum (n- = {}), but with n0 = {} and n+ = 0 second order cannot tell a "
        "degenerate maximum from a saddle",
        in.negative,
        in.zero);
  } else if (in.positive == 0) {
    c.reason = fmt::format("the Hessian is 0 (n0 = {}): second order decides nothing", in.zero);
  } else {
    c.reason = fmt::format(
        "positive semidefinite and degenerate (n0 = {}): second order is inconclusive", in.zero);
  }
}

// Morse–Bott (R6) with the supplied basis; the kernel count n0 is already certified.
void morse_bott(Classification& c,
                const Mat<Rational>& k,
                const std::string& residual_note,
                bool residual_ok) {
  const Index rank = exact_rank(k);
  c.certificate["tangent_basis_rank"] = rank;
  if (!residual_ok) {
    throw InvalidArgument(fmt::format(
        "tangent_basis is not in the Hessian's kernel: {}; expected H K = 0", residual_note));
  }
  c.certificate["tangent_residual"] = residual_note;
  if (rank != k.cols()) {
    throw InvalidArgument(
        fmt::format("tangent_basis: {} vectors of rank {}, expected linearly independent vectors",
                    k.cols(),
                    rank));
  }
  if (rank == c.inertia.zero) {
    c.kind = PointKind::DegenerateMinimum;
    c.reason.clear();
    c.certificate["morse_bott"] = fmt::format(
        "the Hessian is positive semidefinite with n0 = {} = dim of the supplied critical "
        "manifold, whose tangent basis spans ker H: the complement is positive definite "
        "(Lemma MB, math-spec R6)",
        rank);
  } else {
    c.kind = PointKind::Undecided;
    c.reason = fmt::format(
        "n0 = {} > {} = dim of the supplied manifold: Morse–Bott is inconclusive at second order",
        c.inertia.zero,
        rank);
  }
}

// ---- exact (rational) ----------------------------------------------------------------------
Classification classify_rational(const Problem& p, const ClassifyOptions&) {
  Classification c;
  c.arithmetic = "rational";
  const LossFunction<Rational> f(p.network, p.data);
  const Vec<Rational> theta = *p.point;
  const Vec<Rational> g = f.gradient(theta);
  for (Index i = 0; i < g.size(); ++i) {
    if (g(i) != 0) {
      c.kind = PointKind::NotCritical;
      c.certified = true;
      c.criticality = fmt::format("exact: dL/dθ[{}] = {} != 0", i, to_string(g(i)));
      c.certificate["method"] = "exact rational gradient";
      return c;
    }
  }
  c.critical = true;
  c.criticality = "exact: ∇L = 0 over Q";
  const Mat<Rational> h = f.hessian(theta);
  const ExactInertia ex = exact_inertia(h, true);
  c.inertia = ex.inertia;
  c.inertia_known = true;
  c.certified = true;
  c.certificate["method"] = "exact-ldlt";
  kind_from_inertia(c);
  if (c.kind != PointKind::Undecided || c.inertia.negative > 0) return c;
  // PSD degenerate (or H = 0): Morse–Bott with a supplied basis, else the third-order test.
  if (const auto k = tangent_basis(p)) {
    const Mat<Rational> hk = h * *k;
    morse_bott(c, *k, hk.isZero() ? "H K = 0 exactly" : "H K != 0 exactly", hk.isZero());
    if (c.kind == PointKind::DegenerateMinimum) return c;
  }
  // Third order along exact kernel vectors and their pairwise sums: L(θ + t u) − L(θ) =
  // D³L[u,u,u] t³/6 + O(t⁴) for u ∈ ker H (∇L = 0), so a nonzero value means not a minimum.
  std::vector<Vec<Rational>> dirs;
  const Index n0 = ex.null_basis.cols();
  for (Index j = 0; j < n0 && dirs.size() < 64; ++j) dirs.emplace_back(ex.null_basis.col(j));
  for (Index i = 0; i < n0 && dirs.size() < 64; ++i) {
    for (Index j = i + 1; j < n0 && dirs.size() < 64; ++j) {
      dirs.emplace_back(ex.null_basis.col(i) + ex.null_basis.col(j));
    }
  }
  // The cubic form can vanish on every basis vector and pair yet not identically (e.g. u1 u2 u3):
  // also the sum of all basis vectors and seeded pseudo-random integer combinations.
  if (n0 > 2) {
    dirs.emplace_back(ex.null_basis.rowwise().sum());
    std::uint64_t state = 0x9E3779B97F4A7C15ULL;
    for (int r = 0; r < 8; ++r) {
      Vec<Rational> u = Vec<Rational>::Zero(ex.null_basis.rows());
      for (Index j = 0; j < n0; ++j) {
        u += ex.null_basis.col(j) * Rational(next_coefficient(state));
      }
      dirs.push_back(u);
    }
  }
  for (const auto& u : dirs) {
    const Rational d3 = f.third_derivative(theta, u);
    if (d3 != 0) {
      c.kind = PointKind::Saddle;
      c.reason.clear();
      c.certificate["third_order"] = fmt::format(
          "D³L[u,u,u] = {} != 0 along an exact kernel vector u of the Hessian: "
          "L(θ+tu) − L(θ) = D³L[u,u,u] t³/6 + O(t⁴) takes both signs, so θ is not a local "
          "minimum (nor a maximum)",
          to_string(d3));
      return c;
    }
  }
  c.certificate["third_order"] =
      fmt::format("D³L[u,u,u] = 0 on {} tested kernel directions", dirs.size());
  if (c.reason.empty()) c.reason = "second and third order vanish on the kernel";
  c.reason += "; third order vanishes on the tested kernel directions too";
  return c;
}

// ---- balls (ball:BITS, and mpfr:BITS certified through balls) -------------------------------
Classification classify_balls(const Problem& p,
                              int bits,
                              const ClassifyOptions& opt,
                              const std::string& name) {
  Classification c;
  c.arithmetic = name;
  const ScopedBallPrecision precision(bits);
  const LossFunction<Ball> f(p.network, p.data);
  const Vec<Ball> theta = p.point_as<Ball>();
  const Vec<Ball> g = f.gradient(theta);
  Rational tol;
  if (opt.gradient_tolerance) {
    tol = *opt.gradient_tolerance;
  } else {
    tol = 1;
    mpq_div_2exp(tol.backend().data(), tol.backend().data(), static_cast<mp_bitcnt_t>(bits / 4));
  }
  const Rational gn = norm_upper_bound(g);
  c.certificate["gradient_norm_bound"] = format_bound(gn, true, 4);
  c.certificate["gradient_tolerance"] = format_bound(tol, true, 4);
  for (Index i = 0; i < g.size(); ++i) {
    const Rational lower = abs(g(i)).lower();
    if (lower > tol) {
      c.kind = PointKind::NotCritical;
      c.certified = true;
      c.criticality = fmt::format("|dL/dθ[{}]| >= {} > tolerance {} (balls, {} bits)",
                                  i,
                                  format_bound(lower, false, 4),
                                  format_bound(tol, true, 4),
                                  bits);
      c.certificate["method"] = "ball enclosure of the gradient";
      return c;
    }
  }
  if (gn > tol) {
    c.kind = PointKind::Undecided;
    c.reason = fmt::format(
        "‖∇L‖ <= {} is above the tolerance {} but no component is certainly nonzero at {} bits",
        format_bound(gn, true, 4),
        format_bound(tol, true, 4),
        bits);
    return c;
  }
  c.critical = true;
  c.criticality = fmt::format("‖∇L‖ <= {} (Arb balls, {} bits) <= tolerance {}",
                              format_bound(gn, true, 4),
                              bits,
                              format_bound(tol, true, 4));
  // The Morse–Bott check needs the Hessian at the deciding precision: keep the last one rather
  // than evaluate it again (only when the problem supplies a tangent basis).
  const bool keep_hessian = has_tangent_basis(p);
  Mat<Ball> last_hessian;
  const BallMatrixAt at = [&](long b) {
    const ScopedBallPrecision pr(static_cast<int>(b));
    const LossFunction<Ball> fb(p.network, p.data);
    Mat<Ball> h = fb.hessian(p.point_as<Ball>());
    if (keep_hessian) last_hessian = h;
    return h;
  };
  const ClusterCertificate cc = certify_cluster(at, bits, opt.max_bits);
  c.certificate["method"] = "ball-cluster";
  c.certificate["bits"] = cc.bits;
  c.certificate["epsilon"] = format_bound(cc.epsilon, true);
  c.certificate["delta"] = cc.has_rest ? format_bound(cc.delta, false) : "none";
  if (!cc.decided) {
    c.kind = PointKind::Undecided;
    c.reason = "the inertia is undecided: " + cc.reason;
    return c;
  }
  c.inertia = cc.inertia;
  c.inertia_known = true;
  c.certified = true;
  kind_from_inertia(c);
  if (c.inertia.zero == 0) {
    // A nondegenerate point: prove that a true critical point lies next to θ̃ (Krawczyk) and
    // certify the inertia over the whole box, which holds the Hessian at that point.
    Mat<Ball> box_hessian;
    const ExistenceProof ex =
        prove_critical_point(p.network, p.data, *p.point, cc.bits, &box_hessian);
    c.certificate["existence"] = to_json(ex);
    if (ex.proved) {
      const ScopedBallPrecision pr(cc.bits);
      const ClusterCertificate bc = certify_cluster(box_hessian);
      if (bc.decided && bc.inertia.zero == 0 && bc.inertia.positive == c.inertia.positive &&
          bc.inertia.negative == c.inertia.negative) {
        c.certificate["true_critical_point"] = fmt::format(
            "the unique critical point within max-norm {} of θ̃ is a {} (inertia ({}, {}, 0) "
            "certified for every Hessian over that box)",
            format_bound(ex.radius, true, 4),
            to_string(c.kind),
            c.inertia.positive,
            c.inertia.negative);
      }
    }
  }
  if (c.kind == PointKind::Undecided && c.inertia.negative == 0) {
    if (const auto k = tangent_basis(p)) {
      const Mat<Ball> hk = last_hessian * convert_matrix<Ball>(*k);
      const Rational res = norm_upper_bound(hk);
      // In the kernel up to the cluster's own size: ‖HK‖ <= ε_cluster-scale tolerance.
      Rational kn(0);
      for (Index j = 0; j < k->cols(); ++j) kn += k->col(j).squaredNorm();
      const Rational limit = (cc.epsilon + tol) * (kn + 1);
      morse_bott(c, *k, fmt::format("‖H K‖_F <= {}", format_bound(res, true, 4)), res <= limit);
    } else {
      c.reason += "; no tangent basis of the critical manifold supplied (Morse–Bott needs one)";
    }
  }
  // Third order in balls where it is rigorous: ∇L and ∇²L exactly zero (every enclosure an exact
  // 0, e.g. C-locus points), so L(θ+tu) − L(θ) = D³L[u,u,u] t³/6 + O(t⁴) and a certainly nonzero
  // D³L means not a minimum.
  if (c.kind == PointKind::Undecided && c.inertia.positive == 0 && c.inertia.negative == 0) {
    const auto exact_zero = [](const Ball& x) {
      return x.is_exact() && certainly_zero(x) == Certainty::True;
    };
    const Mat<Ball> h = f.hessian(theta);
    const bool zero = std::all_of(g.begin(), g.end(), exact_zero) &&
                      std::all_of(h.reshaped().begin(), h.reshaped().end(), exact_zero);
    if (zero) {
      std::uint64_t state = 0x9E3779B97F4A7C15ULL;
      for (int r = 0; r < 16; ++r) {
        Vec<Ball> u(theta.size());
        for (Index j = 0; j < u.size(); ++j) {
          u(j) = Ball(next_coefficient(state));
        }
        const Ball d3 = f.third_derivative(theta, u);
        if (!possibly_zero(d3)) {
          c.kind = PointKind::Saddle;
          c.reason.clear();
          c.certificate["third_order"] = fmt::format(
              "∇L = 0 and ∇²L = 0 exactly (exact zero balls), and D³L[u,u,u] = {} ≠ 0 along a "
              "seeded integer direction: L(θ+tu) − L(θ) takes both signs, θ is not a local "
              "minimum (nor a maximum)",
              d3.to_string(10));
          break;
        }
      }
    }
  }
  return c;
}

// ---- floating point: evidence only ----------------------------------------------------------
template <class S>
Classification classify_float(const Problem& p, const ClassifyOptions& opt) {
  Classification c;
  c.arithmetic = ScalarTraits<S>::name();
  const LossFunction<S> f(p.network, p.data);
  const Vec<S> theta = p.point_as<S>();
  const S gn = f.gradient(theta).norm();
  const double tol = opt.gradient_tolerance
                         ? opt.gradient_tolerance->convert_to<double>()
                         : std::sqrt(ScalarTraits<S>::to_double(ScalarTraits<S>::epsilon()));
  c.certificate["method"] = "float-gap (evidence only)";
  c.certificate["gradient_norm"] = ScalarTraits<S>::to_string(gn);
  if (ScalarTraits<S>::to_double(gn) > tol) {
    c.kind = PointKind::NotCritical;
    c.criticality = fmt::format("‖∇L‖ = {:.3e} > tolerance {:.3e} (floating point, evidence)",
                                ScalarTraits<S>::to_double(gn),
                                tol);
    return c;
  }
  c.critical = true;
  c.criticality = fmt::format("‖∇L‖ = {:.3e} <= tolerance {:.3e} (floating point, evidence)",
                              ScalarTraits<S>::to_double(gn),
                              tol);
  const Mat<S> h = f.hessian(theta);
  const auto es = symmetric_eigen<S>(h, false);
  const NumericalNullity nn = float_gap<S>(es.values, h.norm());
  c.inertia = nn.inertia;
  if (nn.decided && nn.inertia.zero == 0) {
    c.inertia_known = true;
    kind_from_inertia(c);
  } else if (nn.inertia.negative > 0 && nn.inertia.positive > 0) {
    c.kind = PointKind::Saddle;  // n₋ > 0 and n₊ > 0 whatever the cluster holds
  } else {
    c.kind = PointKind::Undecided;
    c.reason = fmt::format(
        "{} eigenvalue(s) below the {} resolution: floating point cannot decide a degenerate "
        "point; classify with ball:BITS, mpfr:BITS or rational",
        nn.inertia.zero,
        ScalarTraits<S>::name());
  }
  return c;
}

}  // namespace

std::string to_string(PointKind kind) {
  switch (kind) {
    case PointKind::NotCritical:
      return "not-critical";
    case PointKind::StrictMinimum:
      return "strict-minimum";
    case PointKind::DegenerateMinimum:
      return "degenerate-minimum";
    case PointKind::Saddle:
      return "saddle";
    case PointKind::Maximum:
      return "maximum";
    case PointKind::Undecided:
      return "undecided";
  }
  return "?";
}

Classification classify_point(const Problem& p, const Arithmetic& a, const ClassifyOptions& opt) {
  if (!p.point) throw InvalidArgument("classify: the problem has no point");
  switch (a.kind) {
    case ScalarKind::Rational:
      return classify_rational(p, opt);
    case ScalarKind::Ball:
      return classify_balls(p, a.bits, opt, a.name());
    case ScalarKind::Mpfr:
      return classify_balls(p, a.bits, opt, a.name() + " (certified with balls)");
    default:
      return dispatch(a, [&]<class S>(std::type_identity<S>) -> Classification {
        if constexpr (std::is_same_v<S, Rational> || std::is_same_v<S, Ball> ||
                      ScalarTraits<S>::kind == ScalarKind::Mpfr) {
          return {};
        } else {
          return classify_float<S>(p, opt);
        }
      });
  }
}

}  // namespace locus
