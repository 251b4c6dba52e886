// locus-verify: points of a wider network written as a split of a smaller network's point
// (Fukumizu & Amari 2000, §2), θ_big = M_μ θ with some entries fixed, and the tests that a path
// between such points keeps the loss constant for every θ in a box (docs/certificates.md,
// "krawczyk-split" and "path" from a split).
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "model.hpp"
#include "numbers.hpp"

namespace verify {

/// A split: each hidden unit's source unit in the smaller network and its fraction; the input
/// and output layers map to themselves with fraction 1. `small`'s point is known to lie in the
/// box c ± r (Krawczyk).
struct Split {
  Model small;
  std::vector<Q> c, r;
  std::vector<std::vector<int>> src;  // [l][q], l = 0..L
  std::vector<std::vector<Q>> mu;     // [l][q]
};

/// One entry of a point M_μ θ (with fixed entries): either a fixed rational, or coef · θ[index].
struct Term {
  bool fixed = false;
  Q value;  // fixed
  Q coef;   // otherwise
  std::size_t index = 0;
  bool operator==(const Term& o) const {
    return fixed == o.fixed && (fixed ? value == o.value : coef == o.coef && index == o.index);
  }
  [[nodiscard]] bool zero() const { return fixed ? value.sign() == 0 : coef.sign() == 0; }
};

/// The entries of M_μ θ: a copy q of source s in layer l has s's bias, and from a copy i of
/// source t in layer l − 1 the weight μ_i · W_small[s, t]. Then the listed entries are fixed.
inline std::vector<Term> split_terms(const Model& big,
                                     const Split& split,
                                     const std::vector<std::vector<Q>>& mu,
                                     const std::vector<std::pair<std::size_t, Q>>& fixed) {
  std::vector<Term> out(big.parameters());
  for (int l = 1; l <= big.layers(); ++l) {
    for (int q = 0; q < big.width(l); ++q) {
      const int s = split.src[static_cast<std::size_t>(l)][static_cast<std::size_t>(q)];
      for (int i = 0; i < big.columns(l); ++i) {
        const bool bias = i == big.width(l - 1);
        const auto iu = static_cast<std::size_t>(i);
        const int t =
            bias ? split.small.width(l - 1) : split.src[static_cast<std::size_t>(l - 1)][iu];
        Term& e = out[big.index(l, q, i)];
        e.coef = bias ? Q(1) : mu[static_cast<std::size_t>(l - 1)][iu];
        e.index = split.small.index(l, s, t);
      }
    }
  }
  for (const auto& [k, value] : fixed) {
    if (k >= out.size()) throw Reject("fixed: index out of range");
    out[k].fixed = true;
    out[k].value = value;
  }
  return out;
}

/// The entry's exact value at θ = c (the box's centre) and its radius over the box.
inline Q term_center(const Term& e, const Split& s) {
  return e.fixed ? e.value : e.coef * s.c[e.index];
}
inline Q term_radius(const Term& e, const Split& s) {
  return e.fixed ? Q(0) : (e.coef.sign() < 0 ? -e.coef : e.coef) * s.r[e.index];
}

/// The ball of every θ_big = terms(θ), θ in the box.
inline std::vector<B> term_balls(const std::vector<Term>& terms, const Split& s) {
  std::vector<B> out;
  for (const Term& e : terms) {
    B x(term_center(e, s));
    arb_add_error(x.raw(), B(term_radius(e, s)).abs_upper().raw());
    out.push_back(x);
  }
  return out;
}

/// The ball of terms_b(θ) − terms_a(θ) over the box, entry by entry, exact where both entries are
/// multiples of the same coordinate (or both fixed).
inline std::vector<B> difference_balls(const std::vector<Term>& a,
                                       const std::vector<Term>& b,
                                       const Split& s) {
  std::vector<B> out;
  for (std::size_t k = 0; k < a.size(); ++k) {
    if (a[k].fixed && b[k].fixed) {
      out.emplace_back(b[k].value - a[k].value);
    } else if (!a[k].fixed && !b[k].fixed && a[k].index == b[k].index) {
      Term d = a[k];
      d.coef = b[k].coef - a[k].coef;
      B x(term_center(d, s));
      arb_add_error(x.raw(), B(term_radius(d, s)).abs_upper().raw());
      out.push_back(x);
    } else {
      std::vector<B> x = term_balls({a[k], b[k]}, s);
      out.push_back(x[1] - x[0]);
    }
  }
  return out;
}

/// The reason the loss is constant from terms a to terms b for every θ in the box (the same two
/// reasons as function_preserving, shown for the whole family), or "" when neither applies.
/// (a) Only entries of one hidden unit's incoming row differ, and that unit's outgoing weights
/// are 0 in both. (b) Only the fractions of two copies u, v of one source differ, by opposite
/// amounts, and u's and v's incoming rows are the same terms: then W[q,u] a_u + W[q,v] a_v =
/// (μ_u + μ_v) W_small[·, s] a_s is unchanged. The loss has no L2 term (a split requires that).
inline std::string family_preserving(const Model& m,
                                     const std::vector<Term>& a,
                                     const std::vector<Term>& b) {
  struct Where {
    int l, j, c;
  };
  std::vector<Where> moved;
  for (int l = 1; l <= m.layers(); ++l) {
    for (int j = 0; j < m.width(l); ++j) {
      for (int c = 0; c < m.columns(l); ++c) {
        const std::size_t k = m.index(l, j, c);
        if (!(a[k] == b[k])) moved.push_back({l, j, c});
      }
    }
  }
  if (moved.empty()) return "";
  const Where first = moved.front();
  bool one_row = first.l < m.layers();
  for (const Where& w : moved) one_row = one_row && w.l == first.l && w.j == first.j;
  if (one_row) {
    bool dead = true;
    for (int q = 0; q < m.width(first.l + 1); ++q) {
      const std::size_t k = m.index(first.l + 1, q, first.j);
      dead = dead && a[k].zero() && b[k].zero();
    }
    if (dead) {
      return "only the incoming row of unit " + std::to_string(first.j) + " of hidden layer " +
             std::to_string(first.l) +
             " moves, and its outgoing weights are 0, for every point "
             "of the box";
    }
  }
  const int l = first.l;
  if (l < 2) return "";
  std::vector<int> columns;
  for (const Where& w : moved) {
    if (w.l != l || w.c >= m.width(l - 1)) return "";
    if (std::find(columns.begin(), columns.end(), w.c) == columns.end()) columns.push_back(w.c);
  }
  if (columns.size() != 2) return "";
  const int u = columns[0], v = columns[1];
  for (int q = 0; q < m.width(l); ++q) {
    const Term &au = a[m.index(l, q, u)], &bu = b[m.index(l, q, u)];
    const Term &av = a[m.index(l, q, v)], &bv = b[m.index(l, q, v)];
    if (au.fixed || bu.fixed || av.fixed || bv.fixed || au.index != bu.index ||
        av.index != bv.index || au.index != av.index || !(bu.coef - au.coef == av.coef - bv.coef)) {
      return "";
    }
  }
  for (int c = 0; c < m.columns(l - 1); ++c) {
    if (!(a[m.index(l - 1, u, c)] == a[m.index(l - 1, v, c)])) return "";
  }
  return "only the fractions of units " + std::to_string(u) + " and " + std::to_string(v) +
         " of hidden layer " + std::to_string(l - 1) +
         " change, by opposite amounts, and their incoming rows are the same, for every point "
         "of the box";
}

}  // namespace verify
