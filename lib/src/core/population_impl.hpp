// The population loss of a one-hidden-layer network under Gaussian inputs against a teacher of the
// same form (locus/core/data.hpp, Dataset::Population; docs/math/population.md). Private to
// lib/src/core: included by derivatives_impl.hpp, instantiated with LossFunction per scalar.
//
// With f(x) = Σ_i a_i σ(w_i·x), y(x) = Σ_j b_j σ(v_j·x) and K(u, v) = E[σ(u·x) σ(v·x)],
//
//   E[(f − y)²] = Σ_i a_i² K(w_i, w_i) + 2 Σ_{i<i'} a_i a_i' K(w_i, w_i')
//                 − 2 Σ_{i,j} a_i b_j K(w_i, v_j) + Σ_{j,j'} b_j b_j' K(v_j, v_j'),
//
// and the loss is c·½·E[(f − y)²] (+ the L2 term). K has closed forms for two activations:
//   relu:          K = (1/2π)·(√(|u|²|v|² − (u·v)²) + (π − arccos(u·v/(|u||v|)))·u·v)
//                  (Cho & Saul 2009), K(w, w) = |w|²/2;
//   erf(z/√2):     K = (2/π)·arcsin(u·v/√((1 + |u|²)(1 + |v|²))), K(w, w) the same with u = v.
// Each term's value, gradient and Hessian in its own few parameters come from second-order jets
// (forward-mode differentiation of the closed form, in the scalar itself), so balls enclose
// them and rationals are refused (arcsin, arccos and √ have no exact values).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "locus/core/network.hpp"
#include "locus/error.hpp"
#include "locus/scalar/eigen.hpp"
#include "locus/scalar/rigour.hpp"
#include "locus/scalar/traits.hpp"

#include <fmt/format.h>

namespace locus::detail {

// A second-order jet in m local variables: a value, its gradient and (when `second`) its Hessian.
template <class S>
struct Jet {
  S v;
  Vec<S> g;
  Mat<S> h;  // empty unless second derivatives are carried
};

template <class S>
Jet<S> jet_constant(const S& value, Eigen::Index m, bool second) {
  return {value, Vec<S>::Zero(m), second ? Mat<S>(Mat<S>::Zero(m, m)) : Mat<S>()};
}

template <class S>
Jet<S> operator+(Jet<S> a, const Jet<S>& b) {
  a.v += b.v;
  a.g += b.g;
  if (a.h.size() > 0) a.h += b.h;
  return a;
}

template <class S>
Jet<S> operator-(Jet<S> a, const Jet<S>& b) {
  a.v -= b.v;
  a.g -= b.g;
  if (a.h.size() > 0) a.h -= b.h;
  return a;
}

template <class S>
Jet<S> operator*(const Jet<S>& a, const Jet<S>& b) {
  Jet<S> c;
  c.v = a.v * b.v;
  c.g = a.v * b.g + b.v * a.g;
  if (a.h.size() > 0) {
    c.h = a.v * b.h + b.v * a.h + a.g * b.g.transpose() + b.g * a.g.transpose();
  }
  return c;
}

template <class S>
Jet<S> scaled(Jet<S> a, const S& c) {
  a.v *= c;
  a.g *= c;
  if (a.h.size() > 0) a.h *= c;
  return a;
}

// φ(a) for a function with φ(a.v) = f0, φ' = f1, φ'' = f2 there (the chain rule to second order).
template <class S>
Jet<S> chain(const Jet<S>& a, const S& f0, const S& f1, const S& f2) {
  Jet<S> c;
  c.v = f0;
  c.g = f1 * a.g;
  if (a.h.size() > 0) c.h = f1 * a.h + f2 * (a.g * a.g.transpose());
  return c;
}

template <class S>
Jet<S> jet_sqrt(const Jet<S>& a) {
  using std::sqrt;
  const S r = sqrt(a.v);
  return chain(a, r, S(1) / (S(2) * r), S(-1) / (S(4) * r * a.v));
}

template <class S>
Jet<S> jet_reciprocal(const Jet<S>& a) {
  const S r = S(1) / a.v;
  return chain(a, r, -(r * r), S(2) * r * r * r);
}

// arcsin (sign +1) or arccos (sign −1): derivative ±1/√(1 − x²), second ±x/(1 − x²)^{3/2}.
template <class S>
Jet<S> jet_arc(const Jet<S>& a, bool arccos) {
  using std::acos;
  using std::asin;
  using std::sqrt;
  const S q = S(1) - a.v * a.v;
  const S r = sqrt(q);
  const S sign(arccos ? -1 : 1);
  return chain(a, arccos ? acos(a.v) : asin(a.v), sign / r, sign * a.v / (q * r));
}

template <class S>
S pi_value() {
  using std::atan;
  return S(4) * atan(S(1));  // an enclosure of π in balls
}

// The three inner products of one term, as jets in its local variables: |u|², |v|², u·v, with
// u's entries local variables iu..iu+d−1 (or constants when iu < 0), the same for v.
template <class S>
struct Products {
  Jet<S> uu, vv, uv;
};

template <class S>
Products<S> products(
    const Vec<S>& u, long iu, const Vec<S>& v, long iv, Eigen::Index m, bool second) {
  const Eigen::Index d = u.size();
  Products<S> p{jet_constant<S>(u.squaredNorm(), m, second),
                jet_constant<S>(v.squaredNorm(), m, second),
                jet_constant<S>(u.dot(v), m, second)};
  for (Eigen::Index k = 0; k < d; ++k) {
    if (iu >= 0) {
      p.uu.g(iu + k) = S(2) * u(k);
      p.uv.g(iu + k) = v(k);
      if (second) p.uu.h(iu + k, iu + k) = S(2);
    }
    if (iv >= 0) {
      p.vv.g(iv + k) = S(2) * v(k);
      p.uv.g(iv + k) += u(k);
      if (second) p.vv.h(iv + k, iv + k) = S(2);
    }
    if (second && iu >= 0 && iv >= 0) {
      p.uv.h(iu + k, iv + k) += S(1);
      p.uv.h(iv + k, iu + k) += S(1);
    }
  }
  return p;
}

// K(u, v) (or K(w, w) when `same`) as a jet, for the activation's closed form.
// \throws InvalidArgument when the ReLU kernel is not twice differentiable at (u, v): u and v
//   parallel or one of them zero, decided by the scalar (balls: the enclosure of
//   |u|²|v|² − (u·v)² reaches 0; floating point: it is below the default tolerance times
//   |u|²|v|²).
template <class S>
Jet<S> kernel(ActivationKind kind, const Products<S>& p, bool same, const std::string& where) {
  const S pi = pi_value<S>();
  if (kind == ActivationKind::Relu) {
    if (same) return scaled(p.uu, S(1) / S(2));
    const Jet<S> s = p.uu * p.vv - p.uv * p.uv;  // |u|²|v|² sin²θ
    bool smooth = true;
    if (s.g.size() > 0) {  // only derivatives need it: a constant term has its value anyway
      if constexpr (ScalarTraits<S>::is_interval) {
        smooth = decide_positive(s.v) == Certainty::True;
      } else {
        smooth = s.v > ScalarTraits<S>::default_tolerance() * p.uu.v * p.vv.v;
      }
    }
    if (!smooth) {
      throw InvalidArgument(fmt::format(
          "population loss (relu): {} are parallel or zero (|u|²|v|² − (u·v)² = {} is not "
          "certainly positive in {}): the arc-cosine kernel is not twice differentiable there",
          where,
          ScalarTraits<S>::to_string(s.v),
          ScalarTraits<S>::name()));
    }
    const Jet<S> cosine = p.uv * jet_reciprocal(jet_sqrt(p.uu * p.vv));
    const Jet<S> angle = jet_arc(cosine, true);
    const Jet<S> rest = (jet_constant<S>(pi, p.uv.g.size(), p.uv.h.size() > 0) - angle) * p.uv;
    return scaled(jet_sqrt(s) + rest, S(1) / (S(2) * pi));
  }
  // erf(z/√2)
  const Jet<S> one = jet_constant<S>(S(1), p.uu.g.size(), p.uu.h.size() > 0);
  const Jet<S> argument = same ? p.uu * jet_reciprocal(one + p.uu)
                               : p.uv * jet_reciprocal(jet_sqrt((one + p.uu) * (one + p.vv)));
  return scaled(jet_arc(argument, false), S(2) / pi);
}

// The population loss, its gradient and (when H is given) its Hessian at θ; `teacher` in the
// layout of `teacher_net`. The caller checked the networks' form (check_population).
template <class S>
S population_derivatives(const Network& net,
                         const Network& teacher_net,
                         const Vec<S>& theta,
                         const Vec<S>& teacher,
                         Vec<S>* gradient,
                         Mat<S>* hessian) {
  const int d = net.width(0), k = net.width(1), n = teacher_net.width(1);
  const ActivationKind kind = net.activation_at(1).kind;
  const bool second = hessian != nullptr;
  const auto row = [](const Network& nw, const Vec<S>& t, int i, int d0) {
    Vec<S> w(d0);
    for (int c = 0; c < d0; ++c) w(c) = t(nw.weight_index(1, i, c));
    return w;
  };
  const auto out = [](const Network& nw, const Vec<S>& t, int i) {
    return t(nw.weight_index(2, 0, i));
  };
  if (gradient != nullptr) *gradient = Vec<S>::Zero(theta.size());
  if (second) *hessian = Mat<S>::Zero(theta.size(), theta.size());
  S expectation(0);
  // Adds coefficient·(a-factors)·K for a term whose local variables are [w_i, a_i] (and
  // [w_i', a_i'] for a student pair): global index of local variable r.
  const auto add = [&](const Jet<S>& term, const std::vector<std::ptrdiff_t>& global) {
    expectation += term.v;
    if (gradient == nullptr) return;
    for (std::size_t r = 0; r < global.size(); ++r)
      (*gradient)(global[r]) += term.g(static_cast<Eigen::Index>(r));
    if (!second) return;
    for (std::size_t r = 0; r < global.size(); ++r) {
      for (std::size_t q = 0; q < global.size(); ++q) {
        (*hessian)(global[r], global[q]) +=
            term.h(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(q));
      }
    }
  };
  const auto locals = [&](int i) {
    std::vector<std::ptrdiff_t> g;
    for (int c = 0; c < d; ++c) g.push_back(net.weight_index(1, i, c));
    g.push_back(net.weight_index(2, 0, i));
    return g;
  };
  const auto output_jet = [&](int i, Eigen::Index at, Eigen::Index m) {
    Jet<S> a = jet_constant<S>(out(net, theta, i), m, second);
    a.g(at) = S(1);
    return a;
  };
  for (int i = 0; i < k; ++i) {
    const Vec<S> wi = row(net, theta, i, d);
    const Eigen::Index m1 = d + 1;
    // a_i² K(w_i, w_i)
    {
      const Products<S> p = products<S>(wi, 0, wi, -1, m1, second);
      Products<S> self{p.uu, p.uu, p.uu};
      const Jet<S> ai = output_jet(i, d, m1);
      add(ai * ai * kernel(kind, self, true, fmt::format("unit {}", i)), locals(i));
    }
    // 2 a_i a_i' K(w_i, w_i'), i < i'
    for (int i2 = i + 1; i2 < k; ++i2) {
      const Vec<S> wj = row(net, theta, i2, d);
      const Eigen::Index m2 = 2 * (d + 1);
      const Products<S> p = products<S>(wi, 0, wj, d + 1, m2, second);
      const Jet<S> ai = output_jet(i, d, m2), aj = output_jet(i2, 2 * d + 1, m2);
      std::vector<std::ptrdiff_t> g = locals(i);
      const std::vector<std::ptrdiff_t> g2 = locals(i2);
      g.insert(g.end(), g2.begin(), g2.end());
      add(scaled(ai * aj * kernel(kind, p, false, fmt::format("student units {} and {}", i, i2)),
                 S(2)),
          g);
    }
    // −2 a_i b_j K(w_i, v_j)
    for (int j = 0; j < n; ++j) {
      const Vec<S> vj = row(teacher_net, teacher, j, d);
      const Products<S> p = products<S>(wi, 0, vj, -1, m1, second);
      const Jet<S> ai = output_jet(i, d, m1);
      add(scaled(
              ai * kernel(kind, p, false, fmt::format("student unit {} and teacher unit {}", i, j)),
              S(-2) * out(teacher_net, teacher, j)),
          locals(i));
    }
  }
  // Σ_{j,j'} b_j b_j' K(v_j, v_j'): a constant
  for (int j = 0; j < n; ++j) {
    const Vec<S> vj = row(teacher_net, teacher, j, d);
    for (int j2 = j; j2 < n; ++j2) {
      const Vec<S> vk = row(teacher_net, teacher, j2, d);
      const Products<S> p = products<S>(vj, -1, vk, -1, 0, false);
      const S weight =
          (j == j2 ? S(1) : S(2)) * out(teacher_net, teacher, j) * out(teacher_net, teacher, j2);
      const Jet<S> kv = j == j2
                            ? kernel(kind, Products<S>{p.uu, p.uu, p.uu}, true, "")
                            : kernel(kind, p, false, fmt::format("teacher units {} and {}", j, j2));
      expectation += weight * kv.v;
    }
  }
  // c·½·E[(f − y)²]
  const S c = net.loss_scale == 1 ? S(1) : ScalarTraits<S>::from_rational(net.loss_scale);
  const S factor = c / S(2);
  if (gradient != nullptr) *gradient *= factor;
  if (second) *hessian *= factor;
  return expectation * factor;
}

}  // namespace locus::detail
