// Classification of a point with a certificate (locus/solve/classify.hpp).
#include "locus/solve/classify.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "solve/interval_newton.hpp"

#include "locus/core/derivatives.hpp"
#include "locus/error.hpp"
#include "locus/io/json_number.hpp"
#include "locus/linalg/decide.hpp"
#include "locus/linalg/dense.hpp"
#include "locus/linalg/spectrum.hpp"
#include "locus/scalar/all.hpp"
#include "locus/solve/existence.hpp"
#include "locus/solve/higher_order.hpp"
#include "locus/solve/symmetry.hpp"
#include "locus/solve/third_order.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

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
  return columns_from_json(*src, static_cast<Index>(p.network.num_parameters()), where);
}

// The seeded integer coefficients in {-3, ..., 4} of the third-order test's directions (a fixed
// LCG, so a classification is reproducible).
long next_coefficient(std::uint64_t& state) {
  state = state * 6364136223846793005ULL + 1442695040888963407ULL;
  return static_cast<long>(state >> 61) - 3;
}

// ---- verifying a critical manifold -------------------------------------------------------------
// A tangent basis K in a problem file is a hypothesis. Over Q it can be verified when the loss is a
// polynomial in θ (identity or polynomial activations, squared loss): ∇L(θ + K t) is then a
// polynomial in t ∈ Q^k of degree at most D = deg L in each variable, and it vanishes identically
// iff it vanishes on the grid {0, ..., D}^k. A nonzero value refutes the hypothesis exactly.
struct FamilyCheck {
  enum Verdict { Verified, Refuted, NotApplicable } verdict = NotApplicable;
  std::string detail;
};

FamilyCheck check_critical_family(const Problem& p, const Mat<Rational>& k) {
  FamilyCheck r;
  const Network& net = p.network;
  const std::optional<int> degree = polynomial_loss_degree(net);
  if (!degree) {
    r.detail =
        "the loss is not a polynomial in θ (only identity or polynomial activations with "
        "the squared loss can be checked exactly)";
    return r;
  }
  const int D = *degree;
  const Index dims = k.cols();
  double grid = 1;
  for (Index j = 0; j < dims; ++j) grid *= D + 1;
  if (grid > 4096) {
    r.detail =
        fmt::format("the exact check needs ({} + 1)^{} gradient evaluations (limit 4096)", D, dims);
    return r;
  }
  const LossFunction<Rational> f(net, p.data);
  std::vector<int> t(static_cast<std::size_t>(dims), 0);
  const auto total = static_cast<long>(grid);
  for (long n = 0; n < total; ++n) {
    long rest = n;
    Vec<Rational> x = *p.point;
    for (Index j = 0; j < dims; ++j) {
      t[static_cast<std::size_t>(j)] = static_cast<int>(rest % (D + 1));
      rest /= D + 1;
      if (t[static_cast<std::size_t>(j)] != 0) {
        x += k.col(j) * Rational(t[static_cast<std::size_t>(j)]);
      }
    }
    const Vec<Rational> g = f.gradient(x);
    for (Index i = 0; i < g.size(); ++i) {
      if (g(i) != 0) {
        r.verdict = FamilyCheck::Refuted;
        r.detail = fmt::format(
            "the supplied directions do not span a manifold of critical points: at θ + K t with "
            "t = ({}), dL/dθ[{}] = {} != 0 exactly",
            fmt::join(t, ", "),
            i,
            to_string(g(i)));
        return r;
      }
    }
  }
  r.verdict = FamilyCheck::Verified;
  r.detail = fmt::format(
      "∇L(θ + K t) = 0 for every t ∈ Q^{}: a polynomial of degree <= {} in each t_j that vanishes "
      "exactly on the grid {{0..{}}}^{} (checked over Q)",
      dims,
      D,
      D,
      dims);
  return r;
}

// ---- duplicated hidden units --------------------------------------------------------------------
// Hidden units of one layer with exactly equal incoming rows (weights and bias) and proportional
// outgoing columns a_j = λ_j s (s = Σ a_j ≠ 0) are the split of one unit (Fukumizu & Amari 2000):
// θ = lift(θ_small) for the network with each group merged. If θ*_small is a critical point of
// the merged network, lift(θ*_small) is a critical point of the big one for all fractions λ with
// Σ λ_j = 1, so it lies on a manifold of critical points of dimension Σ (|group| − 1).
struct UnitReduction {
  Problem small;
  Mat<Rational> lift;    ///< P_big × P_small, exact: θ = lift · θ_small + offset
  Vec<Rational> offset;  ///< empty: zero
  Index manifold_dim = 0;
  std::string description;
  /// max-norm distance from the given θ to lift · θ_small + offset (entries set to 0).
  Rational moved{0};
};

std::optional<UnitReduction> merge_duplicate_units(const Problem& p) {
  // the reduced network would need its own frozen set: not offered (a route to a proof, not one)
  if (!p.network.frozen.empty()) return std::nullopt;
  const Network& net = p.network;
  const Vec<Rational>& th = *p.point;
  const int L = net.num_layers();
  for (int l = 1; l < L; ++l) {
    const int n = net.width(l), cols = net.input_columns(l);
    const int next = net.width(l + 1);
    std::vector<int> group(static_cast<std::size_t>(n), -1);  // representative of each unit
    std::vector<Rational> lambda(static_cast<std::size_t>(n), Rational(1));
    Index merged = 0;
    std::vector<std::string> groups_text;
    for (int u = 0; u < n; ++u) {
      if (group[static_cast<std::size_t>(u)] >= 0) continue;
      std::vector<int> members{u};
      for (int v = u + 1; v < n; ++v) {
        if (group[static_cast<std::size_t>(v)] >= 0) continue;
        bool equal = true;
        for (int k = 0; k < cols && equal; ++k) {
          equal = th(net.augmented_index(l, u, k)) == th(net.augmented_index(l, v, k));
        }
        if (equal) members.push_back(v);
      }
      group[static_cast<std::size_t>(u)] = u;
      if (members.size() < 2) continue;
      // Outgoing columns proportional to their sum s ≠ 0.
      Vec<Rational> s = Vec<Rational>::Zero(next);
      for (const int v : members) {
        for (int i = 0; i < next; ++i) s(i) += th(net.weight_index(l + 1, i, v));
      }
      int i0 = -1;
      for (int i = 0; i < next && i0 < 0; ++i) {
        if (s(i) != 0) i0 = i;
      }
      if (i0 < 0) continue;
      bool proportional = true;
      std::vector<Rational> lam;
      for (const int v : members) {
        const Rational lv = th(net.weight_index(l + 1, i0, v)) / s(i0);
        for (int i = 0; i < next && proportional; ++i) {
          proportional = th(net.weight_index(l + 1, i, v)) == lv * s(i);
        }
        lam.push_back(lv);
      }
      if (!proportional) continue;
      for (std::size_t m = 0; m < members.size(); ++m) {
        group[static_cast<std::size_t>(members[m])] = u;
        lambda[static_cast<std::size_t>(members[m])] = lam[m];
      }
      merged += static_cast<Index>(members.size()) - 1;
      groups_text.push_back(fmt::format("{{{}}}", fmt::join(members, ", ")));
    }
    if (merged == 0) continue;
    // The merged network: one unit per group, in the order of the representatives.
    std::vector<int> small_of(static_cast<std::size_t>(n), -1);
    int count = 0;
    for (int u = 0; u < n; ++u) {
      if (group[static_cast<std::size_t>(u)] == u) small_of[static_cast<std::size_t>(u)] = count++;
    }
    for (int u = 0; u < n; ++u) {
      small_of[static_cast<std::size_t>(u)] =
          small_of[static_cast<std::size_t>(group[static_cast<std::size_t>(u)])];
    }
    UnitReduction r;
    r.small.network = net;
    r.small.network.widths[static_cast<std::size_t>(l)] = count;
    r.small.data = p.data;
    const Network& sn = r.small.network;
    Vec<Rational> st = Vec<Rational>::Zero(sn.num_parameters());
    Mat<Rational> lift = Mat<Rational>::Zero(net.num_parameters(), sn.num_parameters());
    for (int m = 1; m <= L; ++m) {
      const int in = net.input_columns(m);
      for (int j = 0; j < net.width(m); ++j) {
        for (int k = 0; k < in; ++k) {
          const Index big = net.augmented_index(m, j, k);
          Index small = 0;
          Rational coef(1);
          if (m == l) {
            const int sj = small_of[static_cast<std::size_t>(j)];
            const int sk = k < net.width(m - 1) ? k : sn.width(m - 1);
            small = sn.augmented_index(m, sj, sk);
            if (group[static_cast<std::size_t>(j)] == j) st(small) = th(big);
          } else if (m == l + 1 && k < net.width(l)) {
            small = sn.augmented_index(m, j, small_of[static_cast<std::size_t>(k)]);
            coef = lambda[static_cast<std::size_t>(k)];
            st(small) += th(big);
          } else {
            const int sk = k < net.width(m - 1) ? k : sn.width(m - 1);
            small = sn.augmented_index(m, j, sk);
            st(small) = th(big);
          }
          lift(big, small) = coef;
        }
      }
    }
    if (Vec<Rational>(lift * st) != th) return std::nullopt;  // not a lift after all
    r.small.point = st;
    r.lift = lift;
    r.manifold_dim = merged;
    r.description = fmt::format(
        "hidden layer {}: units {} have equal incoming rows and "
        "proportional outgoing columns (a split of {})",
        l,
        fmt::join(groups_text, ", "),
        sn.describe());
    // Further duplicates (another layer, or units equal only after merging).
    if (auto more = merge_duplicate_units(r.small)) {
      r.lift = Mat<Rational>(r.lift * more->lift);
      r.manifold_dim += more->manifold_dim;
      r.description += "; then " + more->description;
      r.small = std::move(more->small);
    }
    return r;
  }
  return std::nullopt;
}

// ---- dead hidden units ---------------------------------------------------------------------------
// A hidden unit j of layer l whose incoming weights W_l[j, :] and outgoing column W_{l+1}[:, j]
// are (numerically) zero computes the constant σ(b_j) and contributes nothing. With those entries
// set to exactly 0, every component of ∇L at the lift of a critical point of the network without
// the unit vanishes: ∂L/∂W_l[j, :] and ∂L/∂b_j carry the factor W_{l+1}[:, j] = 0 (the L2 term
// adds 2c·0), and ∂L/∂W_{l+1}[m, j] = σ(b_j)·Σ_i δ_{l+1,m,i} = σ(b_j)·∂L/∂b_{l+1,m} = 0 when layer
// l+1 has a bias outside the L2 term. Then b_j is free when it is outside the L2 term (a line of
// critical points per unit: weight decay drives unused units there); inside it, b_j must be 0.
std::optional<UnitReduction> remove_dead_units(const Problem& p) {
  // the reduced network would need its own frozen set: not offered (a route to a proof, not one)
  if (!p.network.frozen.empty()) return std::nullopt;
  const Network& net = p.network;
  const Vec<Rational>& th = *p.point;
  const int L = net.num_layers();
  Rational scale(1);
  for (Index i = 0; i < th.size(); ++i) scale = std::max(scale, Rational(abs(th(i))));
  Rational tiny = scale;
  for (int i = 0; i < 20; ++i) tiny /= 10;
  const auto in_l2 = [&](Index k) { return net.l2 != 0 && net.in_l2_scope(k); };
  std::vector<std::vector<bool>> dead(static_cast<std::size_t>(L + 1));
  Index count = 0, free_biases = 0;
  for (int l = 1; l < L; ++l) {
    dead[static_cast<std::size_t>(l)].assign(static_cast<std::size_t>(net.width(l)), false);
    // The outgoing gradient vanishes through the next layer's free bias.
    if (!net.has_bias(l + 1) || in_l2(net.bias_index(l + 1, 0))) continue;
    int kept = net.width(l);
    for (int j = 0; j < net.width(l); ++j) {
      bool zero = true;
      for (int k = 0; k < net.width(l - 1) && zero; ++k) {
        zero = abs(th(net.weight_index(l, j, k))) <= tiny;
      }
      for (int m = 0; m < net.width(l + 1) && zero; ++m) {
        zero = abs(th(net.weight_index(l + 1, m, j))) <= tiny;
      }
      if (zero && net.has_bias(l) && in_l2(net.bias_index(l, j))) {
        zero = abs(th(net.bias_index(l, j))) <= tiny;
      }
      if (!zero || kept == 1) continue;  // keep at least one unit per layer
      dead[static_cast<std::size_t>(l)][static_cast<std::size_t>(j)] = true;
      --kept;
      ++count;
      if (net.has_bias(l) && !in_l2(net.bias_index(l, j))) ++free_biases;
    }
  }
  if (count == 0) return std::nullopt;
  UnitReduction r;
  r.small.network = net;
  r.small.data = p.data;
  std::vector<std::vector<int>> small_of(static_cast<std::size_t>(L + 1));
  std::vector<std::string> removed;
  for (int l = 0; l <= L; ++l) {
    const int n = net.width(l);
    small_of[static_cast<std::size_t>(l)].assign(static_cast<std::size_t>(n), -1);
    int c = 0;
    for (int j = 0; j < n; ++j) {
      const bool d =
          l >= 1 && l < L && dead[static_cast<std::size_t>(l)][static_cast<std::size_t>(j)];
      if (d) {
        removed.push_back(fmt::format("layer {} unit {}", l, j));
      } else {
        small_of[static_cast<std::size_t>(l)][static_cast<std::size_t>(j)] = c++;
      }
    }
    r.small.network.widths[static_cast<std::size_t>(l)] = c;
  }
  const Network& sn = r.small.network;
  Vec<Rational> st = Vec<Rational>::Zero(sn.num_parameters());
  r.lift = Mat<Rational>::Zero(net.num_parameters(), sn.num_parameters());
  r.offset = Vec<Rational>::Zero(net.num_parameters());
  for (int m = 1; m <= L; ++m) {
    const int in = net.input_columns(m);
    for (int j = 0; j < net.width(m); ++j) {
      const int sj = small_of[static_cast<std::size_t>(m)][static_cast<std::size_t>(j)];
      for (int k = 0; k < in; ++k) {
        const Index big = net.augmented_index(m, j, k);
        const bool bias = k >= net.width(m - 1);
        const int sk = bias
                           ? sn.width(m - 1)
                           : small_of[static_cast<std::size_t>(m - 1)][static_cast<std::size_t>(k)];
        if (sj < 0 || sk < 0) {
          // A dead unit's row or column: 0, except a free bias, kept as it is.
          if (sj < 0 && bias && !in_l2(big)) r.offset(big) = th(big);
          r.moved = std::max(r.moved, Rational(abs(th(big) - r.offset(big))));
          continue;
        }
        const Index small = sn.augmented_index(m, sj, sk);
        st(small) = th(big);
        r.lift(big, small) = 1;
      }
    }
  }
  r.small.point = st;
  r.manifold_dim = free_biases;
  r.description = fmt::format(
      "{} dead: incoming and outgoing weights below 1e-20·max|θ| (set to 0); the network "
      "without them is {}",
      fmt::join(removed, ", "),
      sn.describe());
  return r;
}

// Proves a true critical point near θ through the merged network (Krawczyk there, lifted), and
// classifies it from the Hessian enclosed over the lifted box. True when the kind is proved.
bool prove_through_reduction(Classification& c, const Problem& p, int bits) {
  auto red = merge_duplicate_units(p);
  if (!red) red = remove_dead_units(p);
  if (!red) return false;
  const ExistenceProof ex =
      prove_critical_point(red->small.network, red->small.data, *red->small.point, bits);
  nlohmann::json& rj = c.certificate["reduction"];
  rj["merged"] = red->description;
  rj["manifold_dimension"] = red->manifold_dim;
  rj["existence"] = to_json(ex);
  if (!ex.proved) return false;
  const ScopedBallPrecision pr(bits);
  const Index ps = red->small.point->size();
  Vec<Ball> box(ps);
  for (Index i = 0; i < ps; ++i) box(i) = Ball::from_mid_rad((*red->small.point)(i), ex.radius);
  Vec<Ball> big = convert_matrix<Ball>(red->lift) * box;
  if (red->offset.size() == big.size()) {
    for (Index i = 0; i < big.size(); ++i) big(i) += Ball(red->offset(i));
  }
  const LossFunction<Ball> f(p.network, p.data);
  const ClusterCertificate bc = certify_cluster(f.hessian(big));
  rj["box_cluster"] = {{"proved", bc.proved},
                       {"positive", bc.inertia.positive},
                       {"negative", bc.inertia.negative},
                       {"cluster", bc.inertia.zero},
                       {"epsilon", format_bound(bc.epsilon, true, 4)}};
  if (!bc.proved) return false;
  const std::string where = fmt::format(
      "the lift of the merged network's critical point (unique within max-norm {} of the merged "
      "point, Krawczyk) is a true critical point next to θ",
      format_bound(ex.radius, true, 4));
  if (bc.inertia.negative == 0 && bc.inertia.zero == red->manifold_dim) {
    c.kind = bc.inertia.zero == 0 ? PointKind::StrictMinimum : PointKind::DegenerateMinimum;
    c.inertia = bc.inertia;
    c.zeros_exact = true;
    c.certificate["morse_bott"] = fmt::format(
        "{}; it lies on a manifold of critical points of dimension {} (every split fraction, "
        "every bias of a dead unit), "
        "and the Hessian over the lifted box has exactly {} eigenvalue(s) in the cluster and all "
        "others >= {} > 0: the kernel is the manifold's tangent, the complement positive "
        "definite (Lemma MB)",
        where,
        red->manifold_dim,
        bc.inertia.zero,
        format_bound(bc.delta, false, 4));
  } else if (bc.inertia.negative > 0 && bc.inertia.positive > 0) {
    c.kind = PointKind::Saddle;
    c.inertia = bc.inertia;
    // The kernel at θ* holds the manifold's tangent: a cluster of that size is exact zeros.
    c.zeros_exact = bc.inertia.zero == red->manifold_dim;
    c.cluster_epsilon = bc.epsilon;
    c.certificate["true_critical_point"] =
        where + fmt::format("; its Hessian has {} eigenvalue(s) <= -{} and {} >= {}: a saddle",
                            bc.inertia.negative,
                            format_bound(bc.delta, false, 4),
                            bc.inertia.positive,
                            format_bound(bc.delta, false, 4));
  } else {
    return false;
  }
  c.reason.clear();
  c.stationarity = Stationarity::ProvedNearby;
  // The box in the big network's coordinates: lift · (θ_small ± r), max-norm <= max row sum · r.
  c.critical_point_radius = detail::max_row_sum(red->lift) * ex.radius + red->moved;
  c.inertia_known = true;
  c.certified = true;
  return true;
}

// A degenerate point whose degeneracy comes from the continuous symmetries of L (ReLU and linear
// layers): a true critical manifold next to θ, proved on a slice transversal to the orbit
// (docs/math/symmetry-slices.md), and its kind from the Hessian enclosed over the box.
bool prove_through_symmetry(Classification& c, const Problem& p, int bits) {
  if (!has_continuous_symmetry(p.network)) return false;
  const SliceProof sp = prove_critical_orbit(p.network, p.data, *p.point, bits);
  nlohmann::json& sj = c.certificate["symmetry_slice"];
  sj = to_json(sp);
  if (!sp.proved) return false;
  const ScopedBallPrecision pr(bits);
  const DecidedInertia bc = decide_inertia(sp.box_hessian);
  sj["box_cluster"] = {{"proved", bc.counts_proved},
                       {"positive", bc.inertia.positive},
                       {"negative", bc.inertia.negative},
                       {"cluster", bc.inertia.zero}};
  if (!bc.counts_proved || bc.inertia.zero != sp.dimension) return false;
  // The k orbit directions are in the kernel of ∇²L(θ*) and the cluster holds exactly k
  // eigenvalues: they are its zeros, and the inertia at θ* is exact.
  c.inertia = bc.inertia;
  c.zeros_exact = true;
  c.inertia_known = true;
  const std::string where = fmt::format(
      "a true critical point θ* lies within max-norm {} of θ (Krawczyk on a slice transversal to "
      "the symmetry orbit), and its whole orbit, a manifold of dimension {}, consists of critical "
      "points",
      format_bound(sp.radius, true, 4),
      sp.dimension);
  if (bc.inertia.negative == 0) {
    c.kind = PointKind::DegenerateMinimum;
    c.certificate["morse_bott"] = fmt::format(
        "{}; the Hessian over the box has exactly {} eigenvalue(s) in the cluster, the orbit's "
        "tangent, and all others > 0: a local minimum (Lemma MB)",
        where,
        bc.inertia.zero);
  } else {
    c.kind = bc.inertia.positive == 0 ? PointKind::Maximum : PointKind::Saddle;
    c.certificate["true_critical_point"] =
        fmt::format("{}; its Hessian has {} negative and {} positive eigenvalue(s)",
                    where,
                    bc.inertia.negative,
                    bc.inertia.positive);
  }
  c.reason.clear();
  c.stationarity = Stationarity::ProvedNearby;
  c.critical_point_radius = sp.radius;
  c.certified = true;
  return true;
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

// The supplied basis: linearly independent (exact rank), in the Hessian's kernel as far as the
// caller could check (`residual_ok`). Malformed bases are errors.
void check_basis(Classification& c,
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
}

constexpr const char* kManifoldHypothesis =
    "the supplied tangent_basis spans a manifold of critical points through θ (not verified)";

// Morse–Bott (R6) at a PSD point whose kernel count n0 is certified. With `verified` (the basis
// is proved to span a manifold of critical points) the verdict is proved; otherwise it is
// conditional on that hypothesis and not certified.
void morse_bott(Classification& c, const Mat<Rational>& k, bool verified) {
  const Index rank = k.cols();
  if (rank != c.inertia.zero) {
    c.kind = PointKind::Undecided;
    c.reason = fmt::format(
        "n0 = {} != {} = dim of the supplied manifold: Morse–Bott is inconclusive at second order",
        c.inertia.zero,
        rank);
    return;
  }
  c.kind = PointKind::DegenerateMinimum;
  c.reason.clear();
  c.certificate["morse_bott"] = fmt::format(
      "the Hessian is positive semidefinite with n0 = {} = dim of the {} critical manifold, whose "
      "tangent basis lies in ker H: the complement is positive definite (Lemma MB, math-spec R6)",
      rank,
      verified ? "verified" : "supplied");
  if (verified) {
    c.zeros_exact = true;
  } else {
    c.certified = false;
    c.conditional_on = kManifoldHypothesis;
  }
}

// The supplied basis at a PSD degenerate point where third order found nothing: checked as a
// critical family (check_critical_family), then Morse–Bott on it. A verified family includes
// t = 0, so it also proves ∇L(θ) = 0 exactly.
void morse_bott_with_basis(Classification& c, const Problem& p, const Mat<Rational>& k) {
  const FamilyCheck fc = check_critical_family(p, k);
  c.certificate["tangent_basis_check"] = fc.detail;
  if (fc.verdict == FamilyCheck::Refuted) {
    c.certificate["tangent_basis_contradiction"] = fc.detail;
    return;
  }
  const bool verified = fc.verdict == FamilyCheck::Verified;
  if (verified && c.stationarity != Stationarity::Exact) {
    c.stationarity = Stationarity::Exact;
    c.criticality = "exact: " + fc.detail;
  }
  morse_bott(c, k, verified);
  if (verified && c.kind == PointKind::DegenerateMinimum) c.certified = true;
}

// The third-order test proved θ not a local minimum: a saddle, with `why` as the certificate's
// "third_order". A certified saddle from third order wins over a supplied basis; say so when
// they disagree.
void mark_third_order_saddle(Classification& c, std::string why, bool has_basis) {
  c.kind = PointKind::Saddle;
  c.reason.clear();
  c.certificate["third_order"] = std::move(why);
  if (has_basis) {
    c.certificate["tangent_basis_contradiction"] =
        "third order proves a saddle, so the supplied tangent_basis cannot span a manifold of "
        "critical points whose normal Hessian is positive definite: the basis is ignored";
  }
}

// The directional test of higher order (docs/math/higher-order.md) where second and third order
// said nothing at an exactly critical point with a PSD Hessian: a saddle when it proves "not a
// local minimum" and either the Hessian has a positive eigenvalue (not a maximum) or the test
// also proves "not a local maximum". Records what it found; returns true when it decided.
template <class S>
bool higher_order_saddle(Classification& c,
                         const Problem& p,
                         const Vec<S>& theta,
                         const std::vector<Vec<S>>& kernel_directions,
                         bool hessian_zero,
                         bool has_basis) {
  HigherOrderResult r;
  try {
    // kernel directions first; seeded lines through θ too when ∇²L = 0 (every line is then one
    // along which the second order vanishes)
    r = higher_order_test<S>(
        p.network, p.data, theta, hessian_zero ? 32 : 0, 6, 0, kernel_directions);
  } catch (const Error& e) {
    c.certificate["higher_order"] = fmt::format("not applied: {}", e.what());
    return false;
  }
  c.certificate["higher_order"] = r.detail;
  const bool not_max = r.not_maximum || !hessian_zero;
  if (r.not_minimum && not_max) {
    mark_third_order_saddle(c, c.certificate.value("third_order", std::string()), has_basis);
    c.certificate["higher_order"] =
        hessian_zero ? r.detail
                     : r.detail + "; the Hessian is PSD with a positive eigenvalue (not a maximum)";
    return true;
  }
  if (r.not_minimum) {
    c.reason = fmt::format(
        "not a local minimum (order {}), and no order found that excludes a "
        "maximum",
        r.order_down);
  }
  return false;
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
      c.stationarity = Stationarity::NotCritical;
      c.certified = true;
      c.criticality = fmt::format("exact: dL/dθ[{}] = {} != 0", i, to_string(g(i)));
      c.certificate["method"] = "exact rational gradient";
      return c;
    }
  }
  c.critical = true;
  c.stationarity = Stationarity::Exact;
  c.criticality = "exact: ∇L = 0 over Q";
  const Mat<Rational> h = f.hessian(theta);
  const DecidedInertia ex = decide_inertia(h, /*with_kernel=*/true);
  c.inertia = ex.inertia;
  c.inertia_known = true;
  c.zeros_exact = true;
  c.certified = true;
  c.certificate["method"] = "exact-ldlt";
  kind_from_inertia(c);
  if (c.kind != PointKind::Undecided || c.inertia.negative > 0) return c;
  const auto basis = tangent_basis(p);
  if (basis) {
    const Mat<Rational> hk = h * *basis;
    check_basis(c, *basis, hk.isZero() ? "H K = 0 exactly" : "H K != 0 exactly", hk.isZero());
  }
  // PSD degenerate (or H = 0). Third order first, along exact kernel vectors and their sums:
  // L(θ + t u) − L(θ) = D³L[u,u,u] t³/6 + O(t⁴) for u ∈ ker H (∇L = 0), so a nonzero value means
  // not a minimum, whatever basis is supplied.
  std::vector<Vec<Rational>> dirs;
  const Index n0 = ex.kernel.cols();
  for (Index j = 0; j < n0 && dirs.size() < 64; ++j) dirs.emplace_back(ex.kernel.col(j));
  for (Index i = 0; i < n0 && dirs.size() < 64; ++i) {
    for (Index j = i + 1; j < n0 && dirs.size() < 64; ++j) {
      dirs.emplace_back(ex.kernel.col(i) + ex.kernel.col(j));
    }
  }
  // The cubic form can vanish on every basis vector and pair yet not identically (e.g. u1 u2 u3):
  // also the sum of all basis vectors and seeded pseudo-random integer combinations.
  if (n0 > 2) {
    dirs.emplace_back(ex.kernel.rowwise().sum());
    std::uint64_t state = 0x9E3779B97F4A7C15ULL;
    for (int r = 0; r < 8; ++r) {
      Vec<Rational> u = Vec<Rational>::Zero(ex.kernel.rows());
      for (Index j = 0; j < n0; ++j) {
        u += ex.kernel.col(j) * Rational(next_coefficient(state));
      }
      dirs.push_back(u);
    }
  }
  // ∇L = 0 exactly (above) and every direction is in the exact kernel of the Hessian.
  const auto witness =
      third_order_witness(f, theta, dirs.size(), [&](std::size_t i) { return dirs[i]; });
  if (witness) {
    mark_third_order_saddle(
        c,
        fmt::format("D³L[u,u,u] = {} != 0 along an exact kernel vector u of the Hessian: "
                    "L(θ+tu) − L(θ) = D³L[u,u,u] t³/6 + O(t⁴) takes both signs, so θ is not a "
                    "local minimum (nor a maximum)",
                    to_string(witness->value)),
        basis.has_value());
    return c;
  }
  c.certificate["third_order"] =
      fmt::format("D³L[u,u,u] = 0 on {} tested kernel directions", dirs.size());
  if (higher_order_saddle<Rational>(c, p, theta, dirs, h.isZero(), basis.has_value())) return c;
  if (basis) {
    morse_bott_with_basis(c, p, *basis);
    if (c.kind == PointKind::DegenerateMinimum) return c;
  }
  if (c.reason.empty()) c.reason = "second and third order vanish on the kernel";
  c.reason += "; third order vanishes on the tested kernel directions too";
  return c;
}

// ---- balls (ball:BITS, and mpfr:BITS certified through balls) -------------------------------

// The significand bits that hold every entry of θ exactly in binary (dyadic rationals), or 0 when
// some entry is not dyadic (1/3) and no precision holds it.
long exact_binary_bits(const Vec<Rational>& theta) {
  long need = 0;
  for (Index i = 0; i < theta.size(); ++i) {
    const Integer num = numerator(theta(i));
    const Integer den = denominator(theta(i));
    if (num == 0) continue;
    if ((den & (den - 1)) != 0) return 0;
    const Integer a = num < 0 ? Integer(-num) : num;
    need = std::max(need, static_cast<long>(msb(a) - lsb(a) + 1));
  }
  return need;
}

Classification classify_balls(const Problem& p,
                              int bits,
                              const ClassifyOptions& opt,
                              const std::string& name) {
  Classification c;
  c.arithmetic = name;
  const ScopedBallPrecision precision(bits);
  const LossFunction<Ball> f(p.network, p.data);
  const Vec<Ball> theta = p.point_as<Ball>();
  // The gradient at the file's exact point: when θ needs more bits than the working precision
  // (a point refined in mpfr:512 classified in ball:256), the gradient is evaluated with θ held
  // exactly, so its bound is about θ itself rather than about the ball that encloses it.
  const long point_bits = exact_binary_bits(*p.point);
  const int gradient_bits =
      point_bits > bits && point_bits <= 16384 ? static_cast<int>(point_bits + 64) : bits;
  Vec<Ball> g;
  if (gradient_bits > bits) {
    const ScopedBallPrecision raised(gradient_bits);
    g = LossFunction<Ball>(p.network, p.data).gradient(p.point_as<Ball>());
    c.certificate["gradient_bits"] = gradient_bits;
  } else {
    g = f.gradient(theta);
  }
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
      c.stationarity = Stationarity::NotCritical;
      c.certified = true;
      c.criticality = fmt::format("|dL/dθ[{}]| >= {} > tolerance {} (balls, {} bits)",
                                  i,
                                  format_bound(lower, false, 4),
                                  format_bound(tol, true, 4),
                                  gradient_bits);
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
        gradient_bits);
    return c;
  }
  const auto exact_zero = [](const Ball& x) {
    return x.is_exact() && certainly_zero(x) == Certainty::True;
  };
  c.critical = true;
  if (std::all_of(g.begin(), g.end(), exact_zero)) {
    c.stationarity = Stationarity::Exact;
    c.criticality = fmt::format("exact: every ball of ∇L is an exact 0 ({} bits)", gradient_bits);
  } else {
    c.stationarity = Stationarity::EpsilonStationary;
    c.criticality = fmt::format("‖∇L‖ <= {} (Arb balls, {} bits) <= tolerance {}",
                                format_bound(gn, true, 4),
                                gradient_bits,
                                format_bound(tol, true, 4));
  }
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
  const DecidedInertia decision = decide_inertia(cc);
  c.certificate["method"] = "ball-cluster";
  c.certificate["bits"] = cc.bits;
  c.certificate["epsilon"] = format_bound(cc.epsilon, true);
  c.certificate["delta"] = cc.has_rest ? format_bound(cc.delta, false) : "none";
  if (!decision.decided) {
    c.kind = PointKind::Undecided;
    c.reason = "the inertia is undecided: " + decision.reason;
    return c;
  }
  c.inertia = decision.inertia;
  c.inertia_known = true;
  c.zeros_exact = decision.zero_exact;
  c.cluster_epsilon = cc.epsilon;
  // The kind below is proved only for an exactly critical θ; otherwise it is promoted to proved
  // only by an existence proof (then it is the kind of the proved critical point).
  c.certified = c.stationarity == Stationarity::Exact;
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
      const DecidedInertia bc = decide_inertia(box_hessian);
      if (bc.decided && bc.zero_exact && bc.inertia.zero == 0 &&
          bc.inertia.positive == c.inertia.positive && bc.inertia.negative == c.inertia.negative) {
        c.certified = true;
        if (c.stationarity != Stationarity::Exact) {
          c.stationarity = Stationarity::ProvedNearby;
          c.critical_point_radius = ex.radius;
          c.criticality += fmt::format("; a unique true critical point lies within max-norm {}",
                                       format_bound(ex.radius, true, 4));
        }
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
  const auto basis = tangent_basis(p);
  const bool psd_degenerate = c.kind == PointKind::Undecided && c.inertia.negative == 0;
  if (basis && psd_degenerate) {
    const Mat<Ball> hk = last_hessian * convert_matrix<Ball>(*basis);
    const Rational res = norm_upper_bound(hk);
    // In the kernel up to the cluster's own size: ‖HK‖ <= ε_cluster-scale tolerance.
    Rational kn(0);
    for (Index j = 0; j < basis->cols(); ++j) kn += basis->col(j).squaredNorm();
    const Rational limit = (cc.epsilon + tol) * (kn + 1);
    check_basis(c, *basis, fmt::format("‖H K‖_F <= {}", format_bound(res, true, 4)), res <= limit);
  }
  // Not yet proved (degenerate, or Krawczyk failed next to a manifold of critical points: the
  // Hessian at θ̃ can be nonsingular by O(‖∇L‖) while the one at θ* is singular).
  const bool unproved =
      c.stationarity != Stationarity::Exact && c.stationarity != Stationarity::ProvedNearby;
  if (unproved && prove_through_reduction(c, p, cc.bits)) {
    // A degenerate point that is a split of a nondegenerate one, or has dead units: proved
    // through the reduction.
    c.criticality += fmt::format(
        "; a true critical point lies next to θ (proved through the smaller network: {})",
        c.certificate["reduction"].value("merged", std::string()));
    return c;
  }
  if (unproved && prove_through_symmetry(c, p, static_cast<int>(cc.bits))) {
    c.criticality += "; a true critical manifold lies next to θ (proved on a symmetry slice)";
    return c;
  }
  // Third order in balls where it is rigorous: ∇L and ∇²L exactly zero (every enclosure an exact
  // 0, e.g. C-locus points), so L(θ+tu) − L(θ) = D³L[u,u,u] t³/6 + O(t⁴) and a certainly nonzero
  // D³L means not a minimum, whatever basis is supplied.
  if (c.kind == PointKind::Undecided && c.inertia.positive == 0 && c.inertia.negative == 0 &&
      c.stationarity == Stationarity::Exact) {
    const Mat<Ball> h = f.hessian(theta);
    const bool zero = std::all_of(h.reshaped().begin(), h.reshaped().end(), exact_zero);
    if (zero) {
      std::uint64_t state = 0x9E3779B97F4A7C15ULL;
      const auto witness = third_order_witness(f, theta, 16, [&](std::size_t) {
        Vec<Ball> u(theta.size());
        for (Index j = 0; j < u.size(); ++j) u(j) = Ball(next_coefficient(state));
        return u;
      });
      if (witness) {
        mark_third_order_saddle(
            c,
            fmt::format("∇L = 0 and ∇²L = 0 exactly (exact zero balls), and D³L[u,u,u] = {} ≠ 0 "
                        "along a seeded integer direction: L(θ+tu) − L(θ) takes both signs, θ is "
                        "not a local minimum (nor a maximum)",
                        witness->value.to_string(10)),
            basis.has_value());
      } else {
        c.certificate["third_order"] =
            "∇L = 0 and ∇²L = 0 exactly; D³L[u,u,u] = 0 along 16 seeded integer directions";
        // higher order along seeded lines; a coefficient counts only as an exact zero ball
        (void)higher_order_saddle<Ball>(c, p, theta, {}, true, basis.has_value());
      }
    }
  }
  if (c.kind == PointKind::Undecided && c.inertia.negative == 0) {
    if (basis) {
      morse_bott_with_basis(c, p, *basis);
    } else {
      c.reason += "; no tangent basis of the critical manifold supplied (Morse–Bott needs one)";
    }
  }
  if (c.stationarity == Stationarity::EpsilonStationary) {
    c.criticality += "; a small gradient does not prove a critical point nearby";
    c.certified = false;
    const std::string hyp = "a critical point next to θ (only ‖∇L‖ <= tolerance is proved)";
    c.conditional_on = c.conditional_on.empty() ? hyp : c.conditional_on + "; and " + hyp;
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
    c.stationarity = Stationarity::NotCritical;
    c.criticality = fmt::format("‖∇L‖ = {:.3e} > tolerance {:.3e} (floating point, evidence)",
                                ScalarTraits<S>::to_double(gn),
                                tol);
    return c;
  }
  c.critical = true;
  c.stationarity = Stationarity::EpsilonStationary;
  c.criticality = fmt::format("‖∇L‖ = {:.3e} <= tolerance {:.3e} (floating point, evidence)",
                              ScalarTraits<S>::to_double(gn),
                              tol);
  const DecidedInertia nn = decide_inertia(f.hessian(theta));
  c.inertia = nn.inertia;
  if (nn.decided && nn.zero_exact) {
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

std::optional<MergedSplit> merged_split(const Problem& p) {
  if (!p.point) return std::nullopt;
  auto red = merge_duplicate_units(p);
  if (!red || red->offset.size() != 0) return std::nullopt;
  return MergedSplit{std::move(red->small), std::move(red->lift)};
}

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

std::string to_string(Stationarity s) {
  switch (s) {
    case Stationarity::Unknown:
      return "unknown";
    case Stationarity::NotCritical:
      return "not-critical";
    case Stationarity::Exact:
      return "exact";
    case Stationarity::ProvedNearby:
      return "proved-nearby";
    case Stationarity::EpsilonStationary:
      return "epsilon-stationary";
  }
  return "?";
}

namespace {

Classification classify_dispatch(const Problem& p,
                                 const Arithmetic& a,
                                 const ClassifyOptions& opt) {
  // Rational and balls classify with proofs; an MPFR request is certified with balls of the
  // same precision (certifying_arithmetic); the other floating-point types classify numerically.
  if (const std::optional<Arithmetic> rigorous = certifying_arithmetic(a)) {
    return dispatch(*rigorous, [&]<class S>(std::type_identity<S>) -> Classification {
      Classification c;
      if constexpr (ScalarTraits<S>::is_exact) {
        c = classify_rational(p, opt);
      } else if constexpr (ScalarTraits<S>::is_rigorous) {
        c = classify_balls(p,
                           ball_precision(),
                           opt,
                           *rigorous == a ? a.name() : a.name() + " (certified with balls)");
      }
      c.evidence = Evidence::of<S>();
      return c;
    });
  }
  return dispatch(a, [&]<class S>(std::type_identity<S>) -> Classification {
    if constexpr (ScalarTraits<S>::is_rigorous || ScalarTraits<S>::is_multiprecision) {
      return {};  // not reached: these have a certifying arithmetic
    } else {
      Classification c = classify_float<S>(p, opt);
      c.evidence = Evidence::of<S>();
      return c;
    }
  });
}

}  // namespace

Classification classify_point(const Problem& p, const Arithmetic& a, const ClassifyOptions& opt) {
  if (!p.point) throw InvalidArgument("classify: the problem has no point");
  Classification c = classify_dispatch(p, a, opt);
  // The evidence is about the kind: an undecided kind proves nothing (even when its inertia is
  // certified), so a check comparing kinds can never take "undecided" for "not a saddle".
  if (!c.certified || c.kind == PointKind::Undecided) c.evidence = c.evidence.conditional();
  return c;
}

std::optional<Mat<Rational>> supplied_tangent_basis(const Problem& p) {
  return tangent_basis(p);
}

bool verify_critical_family(const Problem& p, const Mat<Rational>& k, std::string* detail) {
  const FamilyCheck r = check_critical_family(p, k);
  if (detail != nullptr) *detail = r.detail;
  return r.verdict == FamilyCheck::Verified;
}

}  // namespace locus
