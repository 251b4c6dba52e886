// The directional test of any order (locus/solve/higher_order.hpp, docs/math/higher-order.md):
// truncated power series through the network.
#include "locus/solve/higher_order.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include "locus/core/activation.hpp"
#include "locus/core/frozen.hpp"
#include "locus/error.hpp"
#include "locus/scalar/rigour.hpp"

#include <fmt/format.h>

namespace locus {

namespace {

template <class S>
using Series = std::vector<S>;  // coefficients 0..K of a truncated power series in t

template <class S>
S rational(const Rational& r) {
  return ScalarTraits<S>::from_rational(r);
}

template <class S>
Series<S> mul(const Series<S>& a, const Series<S>& b) {
  const std::size_t n = a.size();
  Series<S> c(n, S(0));
  for (std::size_t i = 0; i < n; ++i) {
    if (decide_zero(a[i]) == Certainty::True) continue;
    for (std::size_t j = 0; i + j < n; ++j) c[i + j] += a[i] * b[j];
  }
  return c;
}

// y with y' = w·x' and y_0 given, where w is computed from y's coefficients so far:
// k y_k = Σ_{j=1..k} j x_j w_{k−j}. `w_of(y, m)` returns w_m from y_0..y_m.
template <class S, class W>
Series<S> ode_series(const Series<S>& x, S y0, W&& w_of) {
  const std::size_t n = x.size();
  Series<S> y(n, S(0)), w(n, S(0));
  y[0] = std::move(y0);
  w[0] = w_of(y, 0);
  for (std::size_t k = 1; k < n; ++k) {
    S sum(0);
    for (std::size_t j = 1; j <= k; ++j) sum += S(static_cast<long>(j)) * x[j] * w[k - j];
    y[k] = sum / S(static_cast<long>(k));
    w[k] = w_of(y, k);
  }
  return y;
}

// (y²)_m from y_0..y_m.
template <class S>
S square_coefficient(const Series<S>& y, std::size_t m) {
  S s(0);
  for (std::size_t i = 0; i <= m; ++i) s += y[i] * y[m - i];
  return s;
}

template <class S>
Series<S> sigmoid_series(const Series<S>& x, const Activation& sig) {
  S y0 = activation_derivatives<S>(sig, x[0], 0)[0];
  // σ' = σ(1 − σ)
  return ode_series<S>(x, std::move(y0), [](const Series<S>& y, std::size_t m) {
    S w = y[m] - square_coefficient(y, m);
    return w;
  });
}

template <class S>
Series<S> activation_series(const Activation& act, const Series<S>& x) {
  switch (act.kind) {
    case ActivationKind::Identity:
      return x;
    case ActivationKind::Polynomial: {
      Series<S> y(x.size(), S(0));
      for (auto c = act.coefficients.rbegin(); c != act.coefficients.rend(); ++c) {
        y = mul(y, x);
        y[0] += rational<S>(*c);
      }
      return y;
    }
    case ActivationKind::Tanh: {
      S y0 = activation_derivatives<S>(act, x[0], 0)[0];
      // tanh' = 1 − tanh²
      return ode_series<S>(x, std::move(y0), [](const Series<S>& y, std::size_t m) {
        S w = -square_coefficient(y, m);
        if (m == 0) w += S(1);
        return w;
      });
    }
    case ActivationKind::Sigmoid:
      return sigmoid_series(x, act);
    case ActivationKind::Silu:
      return mul(x, sigmoid_series(x, Activation::sigmoid()));
    case ActivationKind::Softplus: {
      // softplus_β' (z) = σ(βz)
      Series<S> bx = x;
      const S beta = rational<S>(act.parameter);
      for (auto& v : bx) v *= beta;
      const Series<S> s = sigmoid_series(bx, Activation::sigmoid());
      S y0 = activation_derivatives<S>(act, x[0], 0)[0];
      Series<S> y(x.size(), S(0));
      y[0] = std::move(y0);
      for (std::size_t k = 1; k < x.size(); ++k) {
        S sum(0);
        for (std::size_t j = 1; j <= k; ++j) sum += S(static_cast<long>(j)) * x[j] * s[k - j];
        y[k] = sum / S(static_cast<long>(k));
      }
      return y;
    }
    case ActivationKind::Erf: {
      // y = erf(x/√2): y' = √(2/π) e^{−x²/2} x' = σ'(x_0) e^{−(x² − x_0²)/2} x'
      const auto d = activation_derivatives<S>(act, x[0], 1);
      Series<S> g = mul(x, x);
      for (auto& v : g) v = -v / S(2);
      g[0] = S(0);  // exp(g − g_0): its constant term is exactly 1
      const Series<S> e = ode_series<S>(g, S(1), [](const Series<S>& y, std::size_t m) {
        return y[m];  // exp' = exp
      });
      Series<S> y(x.size(), S(0));
      y[0] = d[0];
      for (std::size_t k = 1; k < x.size(); ++k) {
        S sum(0);
        for (std::size_t j = 1; j <= k; ++j) sum += S(static_cast<long>(j)) * x[j] * e[k - j];
        y[k] = d[1] * sum / S(static_cast<long>(k));
      }
      return y;
    }
    case ActivationKind::Relu:
    case ActivationKind::LeakyRelu: {
      // linear off the kink: σ(x) = x or a·x, decided by the sign of x_0
      const auto d = activation_derivatives<S>(act, x[0], 1);  // throws at the kink
      Series<S> y = x;
      for (auto& v : y) v *= d[1];
      return y;
    }
    case ActivationKind::Gelu:
    case ActivationKind::GeluTanh:
    case ActivationKind::Elu:
      break;
  }
  throw UnsupportedScalar(fmt::format(
      "the directional test of higher order has no power series for the activation {} (it has "
      "identity, polynomials, tanh, sigmoid, softplus, silu, erf, relu and leaky_relu off the "
      "kink)",
      act.name()));
}

// Seeded integer coefficients in {−3, ..., 4} (the generator of the third-order test).
long next_coefficient(std::uint64_t& state) {
  state = state * 6364136223846793005ULL + 1442695040888963407ULL;
  return static_cast<long>(state >> 61) - 3;
}

template <class S>
std::string show(const S& x) {
  if constexpr (ScalarTraits<S>::is_exact) {
    return to_string(x);
  } else if constexpr (ScalarTraits<S>::is_interval) {
    return x.to_string(10);
  } else {
    return fmt::format("{}", static_cast<double>(x));
  }
}

}  // namespace

template <class S>
std::vector<S> directional_taylor(
    const Network& net, const Dataset& data, const Vec<S>& theta, const Vec<S>& u, int order) {
  if (!net.frozen.empty()) {  // the same line in θ_all: frozen entries fixed, direction 0 there
    return directional_taylor<S>(
        net.layout(), data, expand_free<S>(net, theta), expand_free<S>(net, u, true), order);
  }
  const auto P = static_cast<Eigen::Index>(net.num_parameters());
  if (theta.size() != P || u.size() != P || order < 1) {
    throw InvalidArgument(fmt::format(
        "directional_taylor: θ has {} and u {} entries (expected P = {}), order {} (>= 1)",
        theta.size(),
        u.size(),
        P,
        order));
  }
  if (net.loss != LossKind::Squared) {
    throw UnsupportedScalar(
        fmt::format("the directional test of higher order is built for the squared loss, not {}",
                    to_string(net.loss)));
  }
  const auto n = static_cast<std::size_t>(order) + 1;
  const int L = net.num_layers();
  Series<S> total(n, S(0));
  for (Eigen::Index i = 0; i < data.size(); ++i) {
    std::vector<Series<S>> a;
    for (Eigen::Index k = 0; k < data.inputs.cols(); ++k) {
      Series<S> s(n, S(0));
      s[0] = rational<S>(data.inputs(i, k));
      a.push_back(std::move(s));
    }
    for (int l = 1; l <= L; ++l) {
      std::vector<Series<S>> z;
      for (int j = 0; j < net.width(l); ++j) {
        Series<S> s(n, S(0));
        for (int k = 0; k < net.width(l - 1); ++k) {
          const auto idx = net.weight_index(l, j, k);
          const Series<S>& ak = a[static_cast<std::size_t>(k)];
          // (θ_idx + t u_idx) · a_k(t)
          for (std::size_t m = 0; m < n; ++m) {
            s[m] += theta(idx) * ak[m];
            if (m + 1 < n) s[m + 1] += u(idx) * ak[m];
          }
        }
        if (net.has_bias(l)) {
          const auto idx = net.bias_index(l, j);
          s[0] += theta(idx);
          if (n > 1) s[1] += u(idx);
        }
        z.push_back(l < L ? activation_series(net.activation_at(l), s) : std::move(s));
      }
      a = std::move(z);
    }
    for (Eigen::Index c = 0; c < data.targets.cols(); ++c) {
      Series<S> e = a[static_cast<std::size_t>(c)];
      e[0] -= rational<S>(data.targets(i, c));
      const Series<S> e2 = mul(e, e);
      for (std::size_t m = 0; m < n; ++m) total[m] += e2[m] / S(2);
    }
  }
  S factor = rational<S>(net.loss_scale);
  if (net.reduction == Reduction::Mean) factor = factor / S(static_cast<long>(data.size()));
  for (auto& v : total) v *= factor;
  if (net.l2 != 0) {  // c Σ (θ_k + t u_k)² over the scope
    const S c = rational<S>(net.l2);
    for (Eigen::Index k = 0; k < P; ++k) {
      if (!net.in_l2_scope(k)) continue;
      total[0] += c * theta(k) * theta(k);
      if (n > 1) total[1] += S(2) * c * theta(k) * u(k);
      if (n > 2) total[2] += c * u(k) * u(k);
    }
  }
  return total;
}

template <class S>
HigherOrderResult higher_order_test(const Network& net,
                                    const Dataset& data,
                                    const Vec<S>& theta,
                                    int count,
                                    int max_order,
                                    std::uint64_t seed,
                                    const std::vector<Vec<S>>& given) {
  HigherOrderResult r;
  std::uint64_t state = seed ^ 0x9E3779B97F4A7C15ULL;
  const auto P = static_cast<Eigen::Index>(net.num_parameters());
  const int total = static_cast<int>(given.size()) + count;
  for (int d = 0; d < total && !(r.not_minimum && r.not_maximum); ++d) {
    Vec<S> u;
    if (d < static_cast<int>(given.size())) {
      u = given[static_cast<std::size_t>(d)];
    } else {
      u = Vec<S>(P);
      for (Eigen::Index j = 0; j < P; ++j) u(j) = S(next_coefficient(state));
    }
    ++r.directions;
    const std::vector<S> c = directional_taylor<S>(net, data, theta, u, max_order);
    // the first coefficient that is not exactly zero must be certainly nonzero
    int k = 0;
    for (int m = 1; m <= max_order; ++m) {
      const Certainty z = decide_zero(c[static_cast<std::size_t>(m)]);
      if (z == Certainty::True) continue;
      if (z == Certainty::False) k = m;
      break;  // Unknown: this direction decides nothing
    }
    if (k == 0) continue;
    r.highest_order = std::max(r.highest_order, k);
    const S& ck = c[static_cast<std::size_t>(k)];
    const bool odd = k % 2 == 1;
    const bool down = odd || decide_negative(ck) == Certainty::True;
    const bool up = odd || decide_positive(ck) == Certainty::True;
    if ((down && !r.not_minimum) || (up && !r.not_maximum)) {
      r.witnesses.push_back(fmt::format(
          "direction {}: c_1 = ... = c_{} = 0 exactly, c_{} = {}", d, k - 1, k, show(ck)));
    }
    if (down && !r.not_minimum) {
      r.not_minimum = true;
      r.order_down = k;
    }
    if (up && !r.not_maximum) {
      r.not_maximum = true;
      r.order_up = k;
    }
  }
  if (r.not_minimum || r.not_maximum) {
    std::string what = r.not_minimum && r.not_maximum ? "neither a local minimum nor a maximum"
                       : r.not_minimum                ? "not a local minimum"
                                                      : "not a local maximum";
    r.detail = fmt::format(
        "along a line θ + t u, L − L(θ) = c_k t^k + O(t^(k+1)) with k the first nonzero order "
        "(Taylor mode, {}): {}; so θ is {}",
        ScalarTraits<S>::name(),
        fmt::format("{}", fmt::join(r.witnesses, "; ")),
        what);
  } else {
    r.detail = fmt::format(
        "every coefficient up to order {} is zero (or undecided) along the {} directions tried",
        max_order,
        r.directions);
  }
  return r;
}

#define LOCUS_HIGHER_ORDER(S)                                             \
  template std::vector<S> directional_taylor<S>(                          \
      const Network&, const Dataset&, const Vec<S>&, const Vec<S>&, int); \
  template HigherOrderResult higher_order_test<S>(const Network&,         \
                                                  const Dataset&,         \
                                                  const Vec<S>&,          \
                                                  int,                    \
                                                  int,                    \
                                                  std::uint64_t,          \
                                                  const std::vector<Vec<S>>&);
LOCUS_HIGHER_ORDER(Rational)
LOCUS_HIGHER_ORDER(Ball)
LOCUS_HIGHER_ORDER(double)
#undef LOCUS_HIGHER_ORDER

}  // namespace locus
