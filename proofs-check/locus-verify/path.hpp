// locus-verify: the loss along a segment θ(t) = θ_0 + t d, t ∈ [0, 1], and the three arguments
// a path certificate uses to show that it never increases (docs/certificates.md, "path").
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "model.hpp"
#include "numbers.hpp"

namespace verify {

/// Where parameter k sits: weight layer l (1..L), row j, column c (c = n_{l-1}: the bias).
struct Place {
  int l = 0, j = 0, c = 0;
};

inline std::vector<Place> places(const Model& m) {
  std::vector<Place> out(m.parameters());
  for (int l = 1; l <= m.layers(); ++l) {
    for (int j = 0; j < m.width(l); ++j) {
      for (int c = 0; c < m.columns(l); ++c) out[m.index(l, j, c)] = {l, j, c};
    }
  }
  return out;
}

/// The reason the loss is constant along θ_0 + t d without computing it, or "" when neither
/// reason applies. (a) Only the incoming row (weights and bias) of one hidden unit moves, and
/// its outgoing weights are 0: the unit's output is multiplied by 0 everywhere. (b) Only the
/// outgoing weights of two units u, v of one hidden layer move, by opposite amounts, and their
/// incoming rows are equal: both units compute the same function, so W[j,u] a_u + W[j,v] a_v is
/// unchanged. Either way the network function, hence the data term, is the same for every t;
/// the loss is constant only when no moved parameter is in the L2 term.
inline std::string function_preserving(const Model& m,
                                       const std::vector<Q>& theta,
                                       const std::vector<Q>& d) {
  const std::vector<Place> at = places(m);
  std::vector<std::size_t> moved;
  for (std::size_t k = 0; k < d.size(); ++k) {
    if (d[k].sign() == 0) continue;
    moved.push_back(k);
    if (m.l2.sign() != 0 && !(m.l2_weights_only && m.is_bias(k))) return "";
  }
  if (moved.empty()) return "";
  const Place first = at[moved.front()];
  // (a) one unit's incoming row; the unit is row first.j of weight layer first.l, a hidden unit
  // when first.l < L; its outgoing weights are column first.j of layer first.l + 1.
  bool one_row = first.l < m.layers();
  for (std::size_t k : moved) one_row = one_row && at[k].l == first.l && at[k].j == first.j;
  if (one_row) {
    bool dead = true;
    for (int j = 0; j < m.width(first.l + 1); ++j) {
      dead = dead && theta[m.index(first.l + 1, j, first.j)].sign() == 0;
    }
    if (dead) {
      return "only the incoming row of unit " + std::to_string(first.j) + " of hidden layer " +
             std::to_string(first.l) + " moves, and its outgoing weights are 0";
    }
  }
  // (b) outgoing weights of two units of hidden layer l − 1 (columns u, v of weight layer l)
  const int l = first.l;
  if (l < 2) return "";
  std::vector<int> columns;
  for (std::size_t k : moved) {
    if (at[k].l != l || at[k].c >= m.width(l - 1)) return "";  // another layer, or a bias
    if (std::find(columns.begin(), columns.end(), at[k].c) == columns.end()) {
      columns.push_back(at[k].c);
    }
  }
  if (columns.size() != 2) return "";
  const int u = columns[0], v = columns[1];
  for (int j = 0; j < m.width(l); ++j) {
    if (!(d[m.index(l, j, u)] == -d[m.index(l, j, v)])) return "";
  }
  for (int c = 0; c < m.columns(l - 1); ++c) {
    if (!(theta[m.index(l - 1, u, c)] == theta[m.index(l - 1, v, c)])) return "";
  }
  return "only outgoing weight moves, by opposite amounts, between units " + std::to_string(u) +
         " and " + std::to_string(v) + " of hidden layer " + std::to_string(l - 1) +
         ", whose incoming rows are equal";
}

/// A bound D on the degree of t ↦ L(θ_0 + t d) when the loss is squared and every activation a
/// polynomial (identity included); -1 otherwise. Layer by layer, with e the degree of a unit's
/// output (0 for the inputs): a pre-activation has degree e + 1 (weights are linear in t), a
/// polynomial σ of degree k gives k(e + 1); the output has degree e + 1 and ½(f − y)² twice
/// that; the L2 term has degree 2.
inline long polynomial_degree(const Model& m) {
  if (m.loss != "squared") return -1;
  long e = 0;
  for (const Activation& a : m.activations) {
    long k = 1;
    if (a.kind == "polynomial") {
      k = 0;
      for (std::size_t i = 0; i < a.coefficients.size(); ++i) {
        if (a.coefficients[i].sign() != 0) k = static_cast<long>(i);
      }
    } else if (a.kind != "identity") {
      return -1;
    }
    e = k * (e + 1);
  }
  return std::max(2 * (e + 1), 2L);
}

/// θ_0 + t d over Q.
inline std::vector<Q> along(const std::vector<Q>& theta, const std::vector<Q>& d, const Q& t) {
  std::vector<Q> out;
  for (std::size_t k = 0; k < theta.size(); ++k) out.push_back(theta[k] + t * d[k]);
  return out;
}

/// The coefficients (lowest degree first) of φ(t) = L(θ_0 + t d), a polynomial of degree at most
/// D: interpolated exactly through t = 0, 1/D, …, 1 (Newton's divided differences), then
/// compared with the loss at t = −1 as a check that the degree bound holds.
inline std::vector<Q> loss_polynomial(const Model& m,
                                      const std::vector<Q>& theta,
                                      const std::vector<Q>& d,
                                      long degree) {
  const auto n = static_cast<std::size_t>(degree) + 1;
  std::vector<Q> t, y;
  for (std::size_t i = 0; i < n; ++i) {
    t.push_back(Q(static_cast<long>(i)) / Q(degree));
    y.push_back(loss_and_gradient<Q>(m, along(theta, d, t.back()), nullptr));
  }
  for (std::size_t j = 1; j < n; ++j) {
    for (std::size_t i = n - 1; i >= j; --i) {
      y[i] = (y[i] - y[i - 1]) / (t[i] - t[i - j]);
    }
  }
  std::vector<Q> c(n, Q(0));  // Σ y_j Π_{i<j} (x − t_i), expanded by Horner from the top
  for (std::size_t j = n; j-- > 0;) {
    std::vector<Q> next(n, Q(0));
    for (std::size_t i = 0; i + 1 < n; ++i) next[i + 1] = next[i + 1] + c[i];
    for (std::size_t i = 0; i < n; ++i) next[i] = next[i] - c[i] * t[j];
    next[0] = next[0] + y[j];
    c = next;
  }
  Q at(0);
  for (std::size_t i = n; i-- > 0;) at = at * Q(-1) + c[i];
  if (!(at == loss_and_gradient<Q>(m, along(theta, d, Q(-1)), nullptr))) {
    throw Reject("the loss along the segment is not a polynomial of degree <= " +
                 std::to_string(degree) + " (checked at t = -1)");
  }
  return c;
}

/// Bernstein coefficients of q (degree n = q.size() − 1) on [a, b]: q(a + (b − a) s) = Σ c_k s^k
/// by a Taylor shift, then β_i = Σ_{k <= i} C(i, k) / C(n, k) c_k. q = Σ β_i C(n,i) s^i (1−s)^{n−i}
/// with nonnegative basis functions on [0, 1], so all β_i <= 0 gives q <= 0 on [a, b].
inline std::vector<Q> bernstein(std::vector<Q> c, const Q& a, const Q& b) {
  const std::size_t n = c.size() - 1;
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = n; j-- > i;) c[j] = c[j] + a * c[j + 1];
  }
  Q h(1);
  for (std::size_t k = 0; k <= n; ++k) {
    c[k] = c[k] * h;
    h = h * (b - a);
  }
  const auto binomial = [](std::size_t top, std::size_t k) {
    Q r(1);
    for (std::size_t i = 1; i <= k; ++i) {
      r = r * Q(static_cast<long>(top - k + i)) / Q(static_cast<long>(i));
    }
    return r;
  };
  std::vector<Q> beta(n + 1, Q(0));
  for (std::size_t i = 0; i <= n; ++i) {
    for (std::size_t k = 0; k <= i; ++k) beta[i] = beta[i] + binomial(i, k) / binomial(n, k) * c[k];
  }
  return beta;
}

/// On the piece J = [a, b]: φ'(t) ∈ φ'(m) + φ''(J)·[−h/2, h/2] (mean value theorem, m the
/// midpoint, h = b − a), with φ'(m) = ∇L(θ(m))·d in balls at the point θ(m) and
/// φ''(J) = dᵀ∇²L(X)d over the box X = θ(m) ± |d| h/2 ⊇ θ(J) (dual numbers along d). Returns the
/// upper bound's two candidates φ'(m) ± φ''(J)·h/2, both certainly <= 0 when φ' <= 0 on J. The
/// start θ_0 and the direction d are balls: the bound then holds for every segment they contain.
inline std::vector<B> derivative_bound(
    const Model& m, const std::vector<B>& theta, const std::vector<B>& d, const Q& a, const Q& b) {
  const Q mid = (a + b) / Q(2), half = (b - a) / Q(2);
  std::vector<B> at, g;
  for (std::size_t k = 0; k < theta.size(); ++k) at.push_back(theta[k] + d[k] * B(mid));
  loss_and_gradient(m, at, &g);
  B slope(0);
  for (std::size_t k = 0; k < d.size(); ++k) slope = slope + g[k] * d[k];
  std::vector<Dual<B>> box;
  for (std::size_t k = 0; k < at.size(); ++k) {
    B x = at[k];
    arb_add_error(x.raw(), (d[k].abs_upper() * B(half)).abs_upper().raw());
    box.emplace_back(x, d[k]);
  }
  std::vector<Dual<B>> gd;
  loss_and_gradient(m, box, &gd);
  B curvature(0);
  for (std::size_t k = 0; k < d.size(); ++k) curvature = curvature + gd[k].b * d[k];
  const B step = curvature * B(half);
  return {slope + step, slope - step};
}

/// The same for an exact start and direction.
inline std::vector<B> derivative_bound(
    const Model& m, const std::vector<Q>& theta, const std::vector<Q>& d, const Q& a, const Q& b) {
  std::vector<B> tb, db;
  for (const Q& x : theta) tb.emplace_back(x);
  for (const Q& x : d) db.emplace_back(x);
  return derivative_bound(m, tb, db, a, b);
}

}  // namespace verify
