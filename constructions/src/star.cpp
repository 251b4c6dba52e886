// Star-locus points (locus/constructions/star.hpp).
#include "locus/constructions/star.hpp"

#include <algorithm>
#include <optional>
#include <random>

#include "locus/core/derivatives.hpp"
#include "locus/error.hpp"
#include "locus/scalar/rigour.hpp"
#include "locus/solve/third_order.hpp"

#include <fmt/format.h>

namespace locus::constructions {
namespace {

using Index = Eigen::Index;

template <class S>
bool exact_zero(const S& x) {
  return decide_zero(x) == Certainty::True;  // exact over Q; the exact ball {0} in balls
}

template <class S>
std::string describe(const S& x) {
  if constexpr (ScalarTraits<S>::is_interval) {
    return x.to_string(10);
  } else {
    return ScalarTraits<S>::to_string(x);
  }
}

template <class S>
Mat<S> layer_weights(const Network& net, const Vec<S>& theta, int m) {
  Mat<S> w(net.width(m), net.width(m - 1));
  for (int j = 0; j < net.width(m); ++j) {
    for (int k = 0; k < net.width(m - 1); ++k) w(j, k) = theta(net.weight_index(m, j, k));
  }
  return w;
}

template <class S>
StarCertificate certify(const Problem& p, std::vector<int> zs, std::uint32_t seed) {
  StarCertificate c;
  c.evidence = Evidence::of<S>();
  c.arithmetic = c.evidence.arithmetic();
  std::sort(zs.begin(), zs.end());
  c.zero_layers = zs;
  const Network& net = p.network;
  const int L = net.num_layers();
  const LossFunction<S> f(net, p.data);
  const Vec<S> theta = p.point_as<S>();
  const Vec<S> g = f.gradient(theta);
  c.gradient_zero = std::all_of(g.begin(), g.end(), [](const S& x) { return exact_zero(x); });
  c.gradient = c.gradient_zero ? "0 exactly (every component an exact zero)" : "not exactly 0";
  const Mat<S> h = f.hessian(theta);
  c.hessian_inertia = decide_inertia(h);
  const Index P = net.num_parameters();
  if (zs.size() == 2) {
    // ST-2 over Q: M_i needs a_{i-1}; exact when i = 1 (the inputs) or in rational arithmetic.
    const int i = zs[0];
    const int j = zs[1];
    const Vec<Rational>& tq = *p.point;
    Mat<Rational> pj = Mat<Rational>::Identity(net.width(L), net.width(L));
    for (int m = L; m > j; --m) pj = pj * layer_weights<Rational>(net, tq, m);
    Mat<Rational> qij = Mat<Rational>::Identity(net.width(i), net.width(i));
    for (int m = i + 1; m < j; ++m) qij = layer_weights<Rational>(net, tq, m) * qij;
    const Mat<S> e = f.residuals(theta);  // g_r = ∇_f ℓ(0, y_r): f ≡ 0 here
    // a_{i-1}: the input of layer i (no bias column: β = 0); i <= L-1 as i < j <= L.
    const Mat<S> a_prev = f.layer_terms(theta, i).a_prev;
    const Mat<S> mi = e.transpose() * a_prev;  // n_L x n_{i-1}
    const Mat<Rational> mq = midpoints(mi);
    const Mat<Rational> pm = pj.transpose() * mq;
    const Index rank_pm = exact_rank(pm);
    const Index rank_q = exact_rank(qij);
    const Index neg = rank_pm * rank_q;
    c.predicted = Inertia{neg, neg, P - 2 * neg};
    c.prediction_method =
        ScalarTraits<S>::is_exact || i == 1
            ? "ranks exact over Q"
            : "rank of P_jᵀM_i from the midpoints of its balls (evidence for that rank)";
    c.prediction_holds = c.hessian_inertia.decided && *c.predicted == c.hessian_inertia.inertia;
    c.kind = neg > 0 ? "saddle" : "undecided";
  } else {
    c.hessian_zero = std::all_of(
        h.reshaped().begin(), h.reshaped().end(), [](const S& x) { return exact_zero(x); });
    c.prediction_holds = c.hessian_zero;
    // Third order along seeded random integer directions: with ∇L = 0 and ∇²L = 0 exactly,
    // L(θ+tu) − L(θ) = D³L[u,u,u] t³/6 + O(t⁴), so D³L ≠ 0 means not a local minimum.
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> coin(-3, 3);
    c.third_order = "D³L[u,u,u] = 0 along 16 seeded directions";
    c.kind = "undecided";
    // ∇L = 0 and ∇²L = 0 exactly: every direction is in the kernel.
    std::vector<Vec<Rational>> tried;
    const auto witness = c.gradient_zero && c.hessian_zero
                             ? third_order_witness(f,
                                                   theta,
                                                   16,
                                                   [&](std::size_t) {
                                                     Vec<S> u(P);
                                                     Vec<Rational> q(P);
                                                     for (Index k = 0; k < P; ++k) {
                                                       const int x = coin(rng);
                                                       u(k) = S(x);
                                                       q(k) = Rational(x);
                                                     }
                                                     tried.push_back(q);
                                                     return u;
                                                   })
                             : std::nullopt;
    if (witness) {
      c.not_a_minimum = true;
      c.third_order_direction = tried[witness->index];
      c.kind = "saddle";
      c.third_order = fmt::format(
          "D³L[u,u,u] = {} ≠ 0 along a seeded integer direction (seed {}, trial {}): with ∇L = 0 "
          "and ∇²L = 0 exactly, L(θ+tu) − L(θ) changes sign with t, so θ is not a local minimum",
          describe(witness->value),
          seed,
          witness->index);
    }
  }
  return c;
}

}  // namespace

Problem star_problem(const Problem& base, const std::vector<int>& zero_layers) {
  const Network& net = base.network;
  for (int l = 1; l <= net.num_layers(); ++l) {
    if (net.has_bias(l)) {
      throw InvalidArgument(fmt::format(
          "star: layer {} has a bias; the star locus needs bias: false in every layer (with biases "
          "a "
          "zero layer gives a constant output, and criticality needs that constant to be "
          "optimal, math-spec ST-4)",
          l));
    }
  }
  for (int l = 1; l < net.num_layers(); ++l) {
    if (!net.activation_at(l).vanishes_at_zero()) {
      throw InvalidArgument(fmt::format(
          "star: σ(0) ≠ 0 for the activation {} of hidden layer {}; zero layers then do not zero "
          "the signal (math-spec ST-4, pitfall 12). Use an activation with σ(0) = 0 (tanh, "
          "identity, odd polynomials, relu, gelu, silu, erf, ...) in every hidden layer",
          net.activation_at(l).name(),
          l));
    }
  }
  if (net.l2 != 0) {
    throw InvalidArgument(fmt::format(
        "star: the network has an L2 term {}·Σθ²; the star locus is critical only for the "
        "unregularised loss (the L2 gradient 2cθ does not vanish on the nonzero layers)",
        to_string(net.l2)));
  }
  if (zero_layers.size() < 2) {
    throw InvalidArgument(
        fmt::format("star: {} zero layer(s) given; the star locus needs at least two (ST-1)",
                    zero_layers.size()));
  }
  std::vector<int> zs = zero_layers;
  std::sort(zs.begin(), zs.end());
  if (std::adjacent_find(zs.begin(), zs.end()) != zs.end()) {
    throw InvalidArgument("star: a zero layer is listed twice");
  }
  for (const int m : zs) {
    if (m < 1 || m > net.num_layers()) {
      throw InvalidArgument(fmt::format(
          "star: layer {} does not exist (weight layers 1 to {})", m, net.num_layers()));
    }
  }
  Problem out = base;
  Vec<Rational> theta =
      base.point ? *base.point : Vec<Rational>(Vec<Rational>::Zero(net.num_parameters()));
  for (const int m : zs) {
    for (int j = 0; j < net.width(m); ++j) {
      for (int k = 0; k < net.width(m - 1); ++k) theta(net.weight_index(m, j, k)) = 0;
    }
  }
  out.point = theta;
  return out;
}

StarCertificate certify_star(const Problem& base,
                             const std::vector<int>& zero_layers,
                             const Arithmetic& a,
                             std::uint32_t seed) {
  const Problem p = star_problem(base, zero_layers);
  return dispatch_certifying(
      a, "star", [&]<class S>(std::type_identity<S>) { return certify<S>(p, zero_layers, seed); });
}

nlohmann::json to_json(const StarCertificate& c) {
  nlohmann::json j;
  j["kind"] = "star";
  j["source"] =
      "R5, ST-1..ST-3 (math-spec §4.2; Cooper's star locus S and sublocus C, definitions "
      "reconstructed)";
  j["arithmetic"] = c.arithmetic;
  j["zero_layers"] = c.zero_layers;
  j["gradient"] = c.gradient;
  j["gradient_zero"] = c.gradient_zero;
  j["hessian_inertia"] = {{"decided", c.hessian_inertia.decided},
                          {"method", c.hessian_inertia.method}};
  if (c.hessian_inertia.decided)
    j["hessian_inertia"]["inertia"] = to_json(c.hessian_inertia.inertia);
  if (c.predicted) {
    j["predicted_inertia"] = to_json(*c.predicted);
    j["prediction_method"] = c.prediction_method;
  } else {
    j["hessian_zero"] = c.hessian_zero;
    j["third_order"] = c.third_order;
    j["not_a_minimum"] = c.not_a_minimum;
  }
  j["prediction_holds"] = c.prediction_holds;
  j["predicted_kind"] = c.kind;
  return j;
}

}  // namespace locus::constructions
