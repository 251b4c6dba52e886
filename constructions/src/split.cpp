// Unit replication and Theorem S (locus/constructions/split.hpp).
#include "locus/constructions/split.hpp"

#include <algorithm>
#include <tuple>

#include "locus/core/derivatives.hpp"
#include "locus/error.hpp"
#include "locus/linalg/spectrum.hpp"
#include "locus/scalar/rigour.hpp"
#include "locus/solve/existence.hpp"

#include <fmt/format.h>

namespace locus::constructions {
namespace {

using Index = Eigen::Index;

Network big_network(const Network& small, int l) {
  Network big = small;
  big.widths[static_cast<std::size_t>(l)] += 1;
  return big;
}

void check_spec(const Network& net, const SplitSpec& s) {
  const int L = net.num_layers();
  if (s.layer == L) {
    throw InvalidArgument(fmt::format(
        "split: layer {} is the output layer of {}; only hidden layers 1 to {} can be split "
        "(replicating an output would change the network function)",
        s.layer,
        net.describe(),
        L - 1));
  }
  if (s.layer < 1 || s.layer > L - 1) {
    throw InvalidArgument(
        fmt::format("split: layer {} is not a hidden layer of {} (expected 1 to {})",
                    s.layer,
                    net.describe(),
                    L - 1));
  }
  if (net.l2 != 0) {
    throw InvalidArgument(fmt::format(
        "split: the network has an L2 term {}·Σθ² over {}; the split construction (Fukumizu & "
        "Amari) needs an unregularised loss, since splitting unit {} of layer {} changes Σθ² and "
        "the split point of a critical point is then not critical",
        to_string(net.l2),
        to_string(net.l2_scope),
        s.unit,
        s.layer));
  }
  if (s.unit < 0 || s.unit >= net.width(s.layer)) {
    throw InvalidArgument(fmt::format("split: unit {} does not exist in hidden layer {} (0 to {})",
                                      s.unit,
                                      s.layer,
                                      net.width(s.layer) - 1));
  }
}

Rational power_of_two(int e) {
  Rational r(1);
  if (e >= 0) {
    mpq_mul_2exp(r.backend().data(), r.backend().data(), static_cast<mp_bitcnt_t>(e));
  } else {
    mpq_div_2exp(r.backend().data(), r.backend().data(), static_cast<mp_bitcnt_t>(-e));
  }
  return r;
}

template <class S>
std::string describe(const S& x) {
  if constexpr (ScalarTraits<S>::is_interval) {
    return x.to_string(10);
  } else {
    return ScalarTraits<S>::to_string(x);
  }
}

// The predicted kind for the sign s of λ(1−λ) (+1 inside (0,1), −1 outside [0,1], 0 at the ends).
std::pair<std::string, std::string> predicted_kind(
    const DecidedInertia& small, const DecidedInertia& f, bool b_zero, bool b_nonzero, int s) {
  if (small.decided && small.inertia.negative > 0) {
    return {"saddle",
            fmt::format(
                "∇²L_small has {} negative eigenvalue(s), and In(∇²L_big) contains In(∇²L_small)",
                small.inertia.negative)};
  }
  if (b_nonzero) {
    return {"saddle",
            "B_r ≠ 0: K_λ = [[λ(1−λ)F, Bᵀ], [B, 0]] has rank B_r negative eigenvalues for every λ "
            "(Corollary S1, PS-2)"};
  }
  if (!b_zero) return {"undecided", "B_r = 0 is not decided in this arithmetic"};
  if (s == 0) {
    return {"undecided",
            "λ ∈ {0, 1}: K_λ = 0 in the F block, n_{l-1}+β extra zero eigenvalues; second order "
            "decides nothing (math-spec pitfall 7)"};
  }
  if (!small.decided || !f.decided) return {"undecided", "an inertia is undecided"};
  const Inertia& fi = f.inertia;
  const Index pos = s > 0 ? fi.positive : fi.negative;  // positive eigenvalues of λ(1−λ)F
  const Index neg = s > 0 ? fi.negative : fi.positive;
  if (neg > 0) {
    return {"saddle", fmt::format("λ(1−λ)F_r has {} negative eigenvalue(s) (Corollary S2)", neg)};
  }
  if (small.inertia.zero == 0 && fi.zero == 0 && pos > 0) {
    return {"degenerate-minimum",
            "∇²L_small ≻ 0, B_r = 0 and λ(1−λ)F_r ≻ 0: n₀ = n_{l+1} = dim of the critical affine "
            "set (incoming rows equal, outgoing sum v), Morse–Bott (Corollary S2, PS-3)"};
  }
  return {"undecided", "λ(1−λ)F_r or ∇²L_small is singular: second order is inconclusive"};
}

// F_r and B_r of a population loss (docs/math/population.md, "Splitting a unit"). The networks
// there have one hidden layer, no biases and one output (population_form_error), so B_r =
// E[δ σ'(z_r) xᵀ] is ∂L/∂W_1[r, :] divided by the outgoing weight v, and F_r = E[(vδ) σ''(z_r) x xᵀ]
// is the curvature of the wide network at λ = 1/2 along the copies' opposite moves: with
// D u = (u on unit r, −u on the new unit), Dᵀ ∇²L_wide D = 4·(1/2)(1/2)·F_r = F_r, the terms with
// ∇f cancelling (the network function moves by σ'(z_r)(v/2)(u·x) − σ'(z_r)(v/2)(u·x) = 0).
// Both are evaluated over the box (balls enclose).
template <class S>
std::pair<Mat<S>, Mat<S>> split_terms_population(const Problem& small,
                                                 const SplitSpec& spec,
                                                 const LossFunction<S>& fs,
                                                 const Vec<S>& ts_box) {
  const Network& net = small.network;
  const int l = spec.layer, r = spec.unit;
  const Index m = net.input_columns(l);
  SplitSpec half = spec;
  half.lambda = Rational(1, 2);
  const Problem big = split_problem(small, half);
  const Mat<Rational> map = split_map(small, half);
  const Vec<S> tb = convert_matrix<S>(map) * ts_box;
  const LossFunction<S> fb(big.network, big.data);
  const Mat<S> h = fb.hessian(tb);
  const int n_new = net.width(l);
  Mat<S> F(m, m);
  for (Index a = 0; a < m; ++a) {
    const Index ra = big.network.augmented_index(l, r, static_cast<int>(a));
    const Index na = big.network.augmented_index(l, n_new, static_cast<int>(a));
    for (Index b = 0; b < m; ++b) {
      const Index rb = big.network.augmented_index(l, r, static_cast<int>(b));
      const Index nb = big.network.augmented_index(l, n_new, static_cast<int>(b));
      F(a, b) = h(ra, rb) - h(ra, nb) - h(na, rb) + h(na, nb);
    }
  }
  const Vec<S> g = fs.gradient(ts_box);
  const S v = ts_box(net.weight_index(l + 1, 0, r));
  Mat<S> B(1, m);
  for (Index a = 0; a < m; ++a) B(0, a) = g(net.augmented_index(l, r, static_cast<int>(a))) / v;
  return {F, B};
}

template <class S>
SplitCertificate certify(const Problem& small, const SplitSpec& spec, int bits) {
  SplitCertificate c;
  c.evidence = Evidence::of<S>();
  c.arithmetic = c.evidence.arithmetic();
  c.spec = spec;
  const Network& net = small.network;
  const int l = spec.layer;
  const int r = spec.unit;
  const Problem big = split_problem(small, spec);
  const LossFunction<S> fs(net, small.data);
  const Vec<S> ts = small.point_as<S>();
  // 1. The hypothesis: θ* is critical.
  const Vec<S> gs = fs.gradient(ts);
  const Rational tol = bits > 0 ? power_of_two(-bits / 4) : Rational(0);
  if constexpr (ScalarTraits<S>::is_exact) {
    for (Index i = 0; i < gs.size(); ++i) {
      if (gs(i) != 0) {
        throw InvalidArgument(fmt::format(
            "split: Theorem S needs a critical point of the small network, but dL/dθ[{}] = {} "
            "exactly (refine the point first)",
            i,
            to_string(gs(i))));
      }
    }
    c.small_gradient = "0 exactly";
    c.hypothesis_proved = true;
  } else {
    const Rational gn = norm_upper_bound(gs);
    if (gn > tol) {
      throw InvalidArgument(fmt::format(
          "split: Theorem S needs a critical point of the small network, but ‖∇L‖ <= {} is above "
          "the tolerance {} (balls, {} bits; refine the point first with `locus refine`)",
          format_bound(gn, true, 4),
          format_bound(tol, true, 4),
          bits));
    }
    c.small_gradient = format_bound(gn, true, 4);
  }
  // In balls the point θ̃ is critical only up to the gradient bound, and tiny eigenvalues of
  // ∇²L(θ̃) need not be those of the true critical point (docs/math/rigour.md). So: Krawczyk
  // proves a true critical point θ* in the box X = θ̃ + [−ρ, ρ]^P, and every quantity is enclosed
  // over X (for the big network over the exact linear image of X), so the enclosures contain the
  // values at the true critical point and its split.
  Vec<S> ts_box = ts;
  Rational rho(0);
  Mat<S> hs;
  if constexpr (ScalarTraits<S>::is_interval) {
    const ExistenceProof ex = prove_critical_point(net, small.data, *small.point, bits, &hs);
    c.existence = to_json(ex);
    c.hypothesis_proved = ex.proved;
    if (ex.proved) {
      rho = ex.radius;
      for (Index i = 0; i < ts.size(); ++i) {
        ts_box(i) = S::from_mid_rad((*small.point)(i), rho);
      }
    }
  }
  // The Krawczyk test already enclosed the Hessian over the box; otherwise evaluate it at θ̃.
  if (hs.size() == 0 || rho == 0) hs = fs.hessian(ts_box);
  c.small_inertia = decide_inertia(hs);
  // 2. F_r, B_r: sums over the samples of the layer terms; for a population (no samples) from
  //    the closed-form derivatives instead (split_terms_population).
  const Index n_next = net.width(l + 1);
  const Index m = net.input_columns(l);
  Mat<S> F, B;
  if (fs.is_population()) {
    std::tie(F, B) = split_terms_population<S>(small, spec, fs, ts_box);
  } else {
    const LayerTerms<S> t = fs.layer_terms(ts_box, l);
    Vec<S> v(n_next);
    for (Index j = 0; j < n_next; ++j) {
      v(j) = ts_box(net.weight_index(l + 1, static_cast<int>(j), r));
    }
    const Index N = t.z.rows();
    Mat<S> weighted_f = t.a_prev;  // rows ã_i scaled by (vᵀδ_i) σ''(z_i)
    Mat<S> weighted_b = t.a_prev;  // rows ã_i scaled by σ'(z_i)
    for (Index i = 0; i < N; ++i) {
      const S ci = t.delta_next.row(i).dot(v) * t.d2(i, r);
      weighted_f.row(i) *= ci;
      weighted_b.row(i) *= t.d1(i, r);
    }
    F = t.a_prev.transpose() * weighted_f;      // m x m
    B = t.delta_next.transpose() * weighted_b;  // n_next x m
  }
  c.f = matrix_json(F);
  c.b = matrix_json(B);
  c.f_inertia = decide_inertia(F);
  const S lam = ScalarTraits<S>::from_rational(spec.lambda);
  const S s = lam * (S(1) - lam);
  Mat<S> K = Mat<S>::Zero(m + n_next, m + n_next);
  K.topLeftCorner(m, m) = F * s;
  K.bottomLeftCorner(n_next, m) = B;
  K.topRightCorner(m, n_next) = B.transpose();
  c.k_inertia = decide_inertia(K);
  c.predicted = c.small_inertia.inertia + c.k_inertia.inertia;
  // 3. The big network, independently (over the image box: each big coordinate is one small
  //    coordinate times 1, λ or 1 − λ).
  const LossFunction<S> fb(big.network, big.data);
  Vec<S> tb = big.point_as<S>();
  if constexpr (ScalarTraits<S>::is_interval) {
    if (rho > 0) {
      const Rational factor =
          std::max({Rational(1), abs(spec.lambda), abs(Rational(1) - spec.lambda)});
      for (Index i = 0; i < tb.size(); ++i) {
        tb(i) = S::from_mid_rad((*big.point)(i), rho * factor);
      }
    }
  }
  // The gradient is reported at the split point itself (over the box it is only wider).
  const Vec<S> gb = fb.gradient(big.point_as<S>());
  if constexpr (ScalarTraits<S>::is_exact) {
    c.big_gradient = gb.isZero() ? "0 exactly" : "nonzero (exact)";
  } else {
    c.big_gradient = format_bound(norm_upper_bound(gb), true, 4);
  }
  const Mat<S> hb = fb.hessian(tb);
  c.big_inertia = decide_inertia(hb);
  c.prediction_holds = c.small_inertia.decided && c.k_inertia.decided && c.big_inertia.decided &&
                       c.predicted == c.big_inertia.inertia;
  // 4. The congruence identity Tᵀ ∇²L_big T = blockdiag(∇²L_small, K_λ).
  const Mat<Rational> T = split_coordinates(net, spec);
  const Mat<S> ts_mat = convert_matrix<S>(T);
  const Mat<S> lhs = ts_mat.transpose() * hb * ts_mat;
  const Index ps = hs.rows();
  Mat<S> rhs = Mat<S>::Zero(lhs.rows(), lhs.cols());
  rhs.topLeftCorner(ps, ps) = hs;
  rhs.bottomRightCorner(K.rows(), K.cols()) = K;
  Rational residual(0), scale(1);
  for (Index j = 0; j < lhs.cols(); ++j) {
    for (Index i = 0; i < lhs.rows(); ++i) {
      residual = std::max(residual, abs_upper(S(lhs(i, j) - rhs(i, j))));
      scale = std::max(scale, abs_upper(rhs(i, j)));
    }
  }
  if constexpr (ScalarTraits<S>::is_exact) {
    c.congruence_holds = residual == 0;
    c.congruence = c.congruence_holds
                       ? "Tᵀ∇²L_big T = blockdiag(∇²L_small, K_λ) exactly over Q"
                       : fmt::format("FAILS over Q: max residual {}", to_string(residual));
  } else if (rho > 0) {
    // Every enclosure contains the value at the true critical point, where the identity is
    // exact: each entry of the difference must contain 0 (a wrong T, F_r or B_r would not).
    bool all = true;
    for (Index j = 0; j < lhs.cols() && all; ++j) {
      for (Index i = 0; i < lhs.rows() && all; ++i) all = possibly_zero(S(lhs(i, j) - rhs(i, j)));
    }
    c.congruence_holds = all;
    c.congruence = fmt::format(
        "every entry of Tᵀ∇²L_big T − blockdiag(∇²L_small, K_λ), enclosed over the Krawczyk box, "
        "{} 0 (max |entry| <= {}; balls, {} bits)",
        all ? "contains" : "does NOT contain",
        format_bound(residual, true, 4),
        bits);
  } else {
    c.congruence_holds = residual <= tol * scale;
    c.congruence = fmt::format(
        "max |Tᵀ∇²L_big T − blockdiag(∇²L_small, K_λ)| <= {} at θ̃ (balls, {} bits; tolerance {} · "
        "max|entry|: no true critical point was proved, θ̃ is critical only to its gradient bound)",
        format_bound(residual, true, 4),
        bits,
        format_bound(tol, true, 4));
  }
  // 5. B_r = 0? Structural when n_{l+1} = 1: vᵀB_r = ∂L/∂W̃_l[r,:] = 0 at a critical point.
  bool b_nonzero = false;
  for (Index i = 0; i < B.rows(); ++i) {
    for (Index j = 0; j < B.cols(); ++j) {
      if constexpr (ScalarTraits<S>::is_exact) {
        b_nonzero = b_nonzero || B(i, j) != 0;
      } else if (rho > 0) {
        b_nonzero = b_nonzero || certainly_nonzero(B(i, j));  // at the true critical point
      } else {
        b_nonzero = b_nonzero || abs(B(i, j)).lower() > tol * scale;  // beyond θ̃'s tolerance
      }
    }
  }
  if constexpr (ScalarTraits<S>::is_exact) {
    c.b_zero = B.isZero();
    c.b_zero_reason = c.b_zero ? "B_r = 0 exactly" : "B_r ≠ 0 exactly";
  } else {
    if (n_next == 1 && !b_nonzero) {
      c.b_zero = true;
      c.b_zero_reason =
          "B_r = 0 structurally: unit r feeds a single unit, and vᵀB_r = ∂L/∂W̃_l[r,:] = 0 at a "
          "critical point";
    } else if (b_nonzero) {
      c.b_zero_reason = rho > 0 ? "B_r ≠ 0 (an entry certainly nonzero over the Krawczyk box)"
                                : "B_r ≠ 0 (an entry above the gradient tolerance at θ̃)";
    } else {
      c.b_zero_reason = "B_r = 0 is not decided in balls (every entry contains 0)";
    }
  }
  // rank B_r: exact over Q; in balls the number of eigenvalues of B_r B_rᵀ certified outside the
  // zero cluster (a certified lower bound; at a critical point vᵀB_r = 0 keeps it below n_{l+1},
  // which midpoints alone would miss).
  if constexpr (ScalarTraits<S>::is_exact) {
    c.rank_b = exact_rank(B);
  } else {
    const Mat<S> bbt = B * B.transpose();
    const DecidedInertia bi = decide_inertia(bbt);
    c.rank_b = bi.decided ? bi.inertia.positive : 0;
  }
  if (c.b_zero) c.rank_b = 0;
  // 6. The kind at λ and on the three λ regions.
  const int sign =
      spec.lambda == 0 || spec.lambda == 1 ? 0 : (spec.lambda > 0 && spec.lambda < 1 ? 1 : -1);
  std::tie(c.kind, c.kind_reason) =
      predicted_kind(c.small_inertia, c.f_inertia, c.b_zero, b_nonzero, sign);
  for (const auto& [label, sg] : {std::pair<const char*, int>{"lambda in (0,1)", 1},
                                  {"lambda outside [0,1]", -1},
                                  {"lambda in {0,1}", 0}}) {
    const auto [k, why] = predicted_kind(c.small_inertia, c.f_inertia, c.b_zero, b_nonzero, sg);
    c.regions[label] = {{"kind", k}, {"reason", why}};
  }
  // 7. The tangent basis of the critical manifold through θ_λ: all g-directions when B_r = 0
  //    (the affine set of equal incoming rows and outgoing sum v), otherwise the split line.
  const Index g0 = ps + m;
  const Vec<Rational> v_exact = [&] {
    Vec<Rational> out(n_next);
    for (Index j = 0; j < n_next; ++j) {
      out(j) = (*small.point)(net.weight_index(l + 1, static_cast<int>(j), r));
    }
    return out;
  }();
  if (c.b_zero) {
    c.tangent_basis = T.middleCols(g0, n_next);
  } else {
    c.tangent_basis = T.middleCols(g0, n_next) * v_exact;
  }
  // 8. PS-2: an explicit direction of negative curvature when B_r ≠ 0.
  if (b_nonzero) {
    const Mat<Rational> bm = midpoints(B);
    const Mat<Rational> fm = midpoints(F);
    Index k = 0;
    for (Index j = 1; j < m; ++j) {
      if (bm.col(j).squaredNorm() > bm.col(k).squaredNorm()) k = j;
    }
    const Vec<Rational> bd = bm.col(k);
    const Rational lam_s = spec.lambda * (1 - spec.lambda);
    const Rational q = lam_s * fm(k, k);
    const Rational tt = std::max(Rational(1), 2 * abs(q) / bd.squaredNorm() + 1);
    Vec<Rational> w = Vec<Rational>::Zero(T.cols());
    w(ps + k) = 1;
    w.segment(g0, n_next) = -tt * bd;
    const Vec<Rational> u = T * w;
    const Vec<S> us = convert_matrix<S>(Mat<Rational>(u));
    const S curv = us.dot(fb.hessian_vector_product(tb, us));
    c.descent_curvature = describe(curv);
    if (decide_negative(curv) == Certainty::True) {
      c.descent = u;
    } else {
      c.descent_curvature += " (not certainly negative)";
    }
  }
  // Without a proved critical point θ* every statement above is about θ̃ only.
  if (!c.hypothesis_proved) c.evidence = c.evidence.conditional();
  return c;
}

}  // namespace

Problem split_problem(const Problem& small, const SplitSpec& spec) {
  check_spec(small.network, spec);
  if (!small.point) throw InvalidArgument("split: the problem has no point to split");
  const Network& net = small.network;
  const int l = spec.layer;
  const int r = spec.unit;
  Problem big;
  big.network = big_network(net, l);
  big.data = small.data;
  const auto idx = embed_indices(net, spec);
  Vec<Rational> theta = Vec<Rational>::Zero(big.network.num_parameters());
  const Vec<Rational>& ts = *small.point;
  for (Index i = 0; i < ts.size(); ++i) theta(idx[static_cast<std::size_t>(i)]) = ts(i);
  const int n_new = net.width(l);  // index of the new unit
  const int cols = net.input_columns(l);
  for (int k = 0; k < cols; ++k) {
    theta(big.network.augmented_index(l, n_new, k)) = ts(net.augmented_index(l, r, k));
  }
  for (int j = 0; j < net.width(l + 1); ++j) {
    const Rational vj = ts(net.weight_index(l + 1, j, r));
    theta(big.network.weight_index(l + 1, j, r)) = spec.lambda * vj;
    theta(big.network.weight_index(l + 1, j, n_new)) = (1 - spec.lambda) * vj;
  }
  big.point = theta;
  return big;
}

Mat<Rational> split_map(const Problem& small, const SplitSpec& spec) {
  Problem unit = small;
  const Index p = small.network.num_parameters();
  Mat<Rational> map;
  for (Index j = 0; j < p; ++j) {
    unit.point = Vec<Rational>::Unit(p, j);
    const Vec<Rational> column = *split_problem(unit, spec).point;
    if (j == 0) map = Mat<Rational>::Zero(column.size(), p);
    map.col(j) = column;
  }
  return map;
}

std::vector<Index> embed_indices(const Network& small, const SplitSpec& spec) {
  check_spec(small, spec);
  const Network big = big_network(small, spec.layer);
  std::vector<Index> out(static_cast<std::size_t>(small.num_parameters()));
  for (Index i = 0; i < small.num_parameters(); ++i) {
    const Coordinate c = decode_index(small, i);
    const bool is_bias = c.k == small.width(c.m - 1);
    out[static_cast<std::size_t>(i)] =
        is_bias ? big.bias_index(c.m, c.j) : big.weight_index(c.m, c.j, c.k);
  }
  return out;
}

Mat<Rational> split_coordinates(const Network& small, const SplitSpec& spec) {
  const auto idx = embed_indices(small, spec);
  const Network big = big_network(small, spec.layer);
  const int l = spec.layer;
  const int r = spec.unit;
  const int n_new = small.width(l);
  const Index P = big.num_parameters();
  const Index ps = small.num_parameters();
  const int cols = small.input_columns(l);
  const int n_next = small.width(l + 1);
  Mat<Rational> T = Mat<Rational>::Zero(P, P);
  const Rational& lam = spec.lambda;
  for (Index i = 0; i < ps; ++i) {
    const Coordinate c = decode_index(small, i);
    const Index bi = idx[static_cast<std::size_t>(i)];
    if (c.m == l && c.j == r) {  // incoming row of r: both copies
      T(bi, i) = 1;
      T(big.augmented_index(l, n_new, c.k), i) = 1;
    } else if (c.m == l + 1 && c.k == r) {  // outgoing column of r: (λe, (1−λ)e)
      T(bi, i) = lam;
      T(big.weight_index(l + 1, c.j, n_new), i) = 1 - lam;
    } else {
      T(bi, i) = 1;
    }
  }
  for (int k = 0; k < cols; ++k) {  // δ
    T(big.augmented_index(l, r, k), ps + k) = 1 - lam;
    T(big.augmented_index(l, n_new, k), ps + k) = -lam;
  }
  for (int j = 0; j < n_next; ++j) {  // g
    T(big.weight_index(l + 1, j, r), ps + cols + j) = 1;
    T(big.weight_index(l + 1, j, n_new), ps + cols + j) = -1;
  }
  return T;
}

SplitCertificate certify_split(const Problem& small, const SplitSpec& spec, const Arithmetic& a) {
  check_spec(small.network, spec);
  if (!small.point) throw InvalidArgument("split: the problem has no point to split");
  return dispatch_certifying(a, "split", [&]<class S>(std::type_identity<S>) {
    return certify<S>(small, spec, ScalarTraits<S>::is_exact ? 0 : ball_precision());
  });
}

Arithmetic default_certified_arithmetic(const Network& network) {
  if (exact_over_q(network)) return Arithmetic{ScalarKind::Rational, 0};
  return Arithmetic::ball(256);
}

nlohmann::json to_json(const SplitCertificate& c) {
  const auto inertia_json = [](const DecidedInertia& d) {
    nlohmann::json j = {{"decided", d.decided}, {"method", d.method}};
    j["inertia"] = d.decided ? to_json(d.inertia) : nlohmann::json(nullptr);
    if (!d.reason.empty()) j["reason"] = d.reason;
    return j;
  };
  nlohmann::json j;
  j["kind"] = "split";
  j["source"] =
      "R2 and Theorem S (math-spec §2.4, §7 R2; Fukumizu-Amari 2000, Petzka-Sminchisescu 2021)";
  j["arithmetic"] = c.arithmetic;
  j["layer"] = c.spec.layer;
  j["unit"] = c.spec.unit;
  j["lambda"] = to_string(c.spec.lambda);
  j["small_gradient_norm"] = c.small_gradient;
  j["hypothesis_proved"] = c.hypothesis_proved;
  if (!c.existence.is_null()) j["small_existence"] = c.existence;
  j["big_gradient_norm"] = c.big_gradient;
  j["small_inertia"] = inertia_json(c.small_inertia);
  j["F_r"] = c.f;
  j["F_r_inertia"] = inertia_json(c.f_inertia);
  j["B_r"] = c.b;
  j["B_r_zero"] = c.b_zero;
  j["B_r_zero_reason"] = c.b_zero_reason;
  j["B_r_rank"] = c.rank_b;
  j["K_lambda_inertia"] = inertia_json(c.k_inertia);
  j["predicted_inertia"] = to_json(c.predicted);
  j["hessian_inertia"] = inertia_json(c.big_inertia);
  j["prediction_holds"] = c.prediction_holds;
  j["congruence"] = c.congruence;
  j["congruence_holds"] = c.congruence_holds;
  j["predicted_kind"] = c.kind;
  j["predicted_kind_reason"] = c.kind_reason;
  j["regions"] = c.regions;
  j["tangent_basis"] = columns_json(c.tangent_basis);
  if (c.descent) {
    j["descent_direction"] = columns_json(Mat<Rational>(*c.descent))[0];
  }
  if (!c.descent_curvature.empty()) j["descent_curvature"] = c.descent_curvature;
  return j;
}

}  // namespace locus::constructions
