// Global minima and wide-network nullity bounds (locus/constructions/wide.hpp).
#include "locus/constructions/wide.hpp"

#include <random>

#include "locus/constructions/star.hpp"
#include "locus/core/derivatives.hpp"
#include "locus/error.hpp"
#include "locus/io/dataset.hpp"
#include "locus/linalg/spectrum.hpp"

#include <fmt/format.h>

namespace locus::constructions {
namespace {

using Index = Eigen::Index;

template <class S>
Index rank_of(const Mat<S>& m) {
  if constexpr (ScalarTraits<S>::is_exact) {
    return exact_rank(m);
  } else {
    const Mat<S> gram = m.transpose() * m;
    const DecidedInertia d = decide_inertia(gram);
    return d.decided ? d.inertia.positive : 0;
  }
}

template <class S>
WideBound bound(const Problem& p, const std::string& method) {
  const Network& net = p.network;
  const int L = net.num_layers();
  const LossFunction<S> f(net, p.data);
  const Vec<S> theta = p.point_as<S>();
  WideBound b;
  b.method = method;
  b.evidence = Evidence::of<S>();
  b.rank_a.assign(static_cast<std::size_t>(L + 1), 0);
  b.rank_delta.assign(static_cast<std::size_t>(L + 1), 0);
  // Ã_{l−1} for l = 1..L: the inputs of layer l (with the ones column).
  const Mat<S> jac = f.output_jacobian(theta);
  const Index N = p.data.size();
  const Index nl = net.width(L);
  for (int l = 1; l <= L; ++l) {
    Mat<S> a;
    if (l <= L - 1) {
      a = f.layer_terms(theta, l).a_prev;
    } else {  // ã_{L−1}: ∂f_0/∂W̃_L[0, k]
      a.resize(N, net.input_columns(L));
      for (Index i = 0; i < N; ++i) {
        for (int k = 0; k < net.input_columns(L); ++k) {
          a(i, k) = jac(i * nl, net.augmented_index(L, 0, k));
        }
      }
    }
    b.rank_a[static_cast<std::size_t>(l)] = rank_of<S>(a);
  }
  for (int l = 2; l <= L; ++l) {
    const Mat<S> d = f.layer_terms(theta, l - 1).delta_next;  // Δ_l
    b.rank_delta[static_cast<std::size_t>(l)] = rank_of<S>(d);
  }
  Index total = static_cast<Index>(net.width(1)) * (net.input_columns(1) - b.rank_a[1]);
  for (int l = 2; l <= L; ++l) {
    total += (net.width(l) - b.rank_delta[static_cast<std::size_t>(l)]) *
             (net.input_columns(l) - b.rank_a[static_cast<std::size_t>(l)]);
  }
  b.bound = total;
  return b;
}

Activation odd_cubic() {
  return Activation::polynomial({Rational(0), Rational(1), Rational(0), Rational(1, 3)});
}

}  // namespace

WideBound wb1_bound(const Problem& p, const Arithmetic& a) {
  if (!p.point) throw InvalidArgument("wb1: the problem has no point");
  if (p.network.l2 != 0) {
    throw InvalidArgument(fmt::format(
        "wb1: the network has an L2 term {}·Σθ²; the WB-1 nullity bound is stated for the "
        "unregularised loss (the L2 Hessian 2c·I shifts every eigenvalue)",
        to_string(p.network.l2)));
  }
  return dispatch_certifying(a, "wb1", [&]<class S>(std::type_identity<S>) {
    return bound<S>(p,
                    ScalarTraits<S>::is_exact
                        ? std::string("exact ranks over Q")
                        : fmt::format("ranks from Gram eigenvalues certified outside the zero "
                                      "cluster (balls, {} bits)",
                                      ball_precision()));
  });
}

nlohmann::json to_json(const WideBound& b) {
  return {{"bound", b.bound},
          {"rank_A", std::vector<Index>(b.rank_a.begin() + 1, b.rank_a.end())},
          {"rank_Delta", std::vector<Index>(b.rank_delta.begin() + 2, b.rank_delta.end())},
          {"method", b.method},
          {"source", "WB-1 (math-spec §4.3)"}};
}

Problem global_minimum(const Problem& base, const Arithmetic& a) {
  if (!base.point) throw InvalidArgument("global-minimum: the problem has no point θ");
  if (base.network.loss != LossKind::Squared) {
    throw InvalidArgument("global-minimum: needs the squared loss (interpolation, L = 0)");
  }
  if (base.network.l2 != 0) {
    throw InvalidArgument(fmt::format(
        "global-minimum: the network has an L2 term {}·Σθ²; an interpolating point is a global "
        "minimum only of the unregularised loss",
        to_string(base.network.l2)));
  }
  Problem p = base;
  const Network& net = p.network;
  const Index N = p.data.size();
  const Index nl = net.width(net.num_layers());
  const Index P = net.num_parameters();
  nlohmann::json cert;
  cert["kind"] = "global-minimum";
  cert["source"] = "CO-0 (math-spec §4.1, Cooper 2018), G4, WB-1/WB-2";
  const auto fill = [&]<class S>(std::type_identity<S>) {
    const LossFunction<S> f0(net, p.data);
    p.data.targets = midpoints(f0.outputs(p.point_as<S>()));
    const LossFunction<S> f(net, p.data);
    const Vec<S> t = p.point_as<S>();
    const Index rank_j = rank_of<S>(f.output_jacobian(t));
    const DecidedInertia in = decide_inertia(f.hessian(t));
    cert["rank_J"] = rank_j;
    cert["N_nL"] = N * nl;
    cert["P"] = P;
    if (rank_j == N * nl) cert["predicted_nullity"] = P - N * nl;
    cert["hessian_inertia"] = in.decided ? to_json(in.inertia) : nlohmann::json(nullptr);
    cert["method"] = in.method;
    cert["prediction_holds"] =
        rank_j == N * nl && in.decided && in.inertia.zero == P - N * nl && in.inertia.negative == 0;
  };
  dispatch_certifying(a, "wide", [&]<class S>(std::type_identity<S> t) {
    fill(t);
    const std::string name = Evidence::of<S>().arithmetic();
    cert["arithmetic"] =
        ScalarTraits<S>::is_exact ? name : name + " (targets: midpoints, so L = 0 up to rounding)";
  });
  cert["wb1"] = to_json(wb1_bound(p, a));
  p.certificate = cert;
  return p;
}

std::vector<GrowthRow> growth_table(const std::vector<int>& widths,
                                    const std::vector<int>& layers,
                                    int samples,
                                    std::uint32_t seed) {
  std::vector<GrowthRow> rows;
  const auto q = Arithmetic{ScalarKind::Rational, 0};
  for (const int L : layers) {
    if (L < 4) {
      throw InvalidArgument(fmt::format(
          "growth table: L = {} weight layers; the star rows need hidden-hidden zero layers "
          "{{2, 3}} and a free layer, so L >= 4",
          L));
    }
    for (const int w : widths) {
      Problem p;
      p.network.widths.assign(static_cast<std::size_t>(L + 1), w);
      p.network.widths.front() = 1;
      p.network.widths.back() = 1;
      p.network.activation = odd_cubic();
      p.network.bias = false;
      std::mt19937 rng(seed);
      std::uniform_int_distribution<int> coin(-4, 4);
      p.data.inputs.resize(samples, 1);
      for (int i = 0; i < samples; ++i) p.data.inputs(i, 0) = Rational(i + 1, samples);
      p.data.targets = Mat<Rational>::Zero(samples, 1);
      Vec<Rational> theta(p.network.num_parameters());
      for (Index i = 0; i < theta.size(); ++i) theta(i) = Rational(coin(rng), 4);
      p.point = theta;
      GrowthRow r;
      r.width = w;
      r.layers = L;
      r.P = p.network.num_parameters();
      const Problem gm = global_minimum(p, q);
      r.global_min_predicted = r.P - samples;
      r.global_min_nullity = gm.certificate["hessian_inertia"]["zero"].get<Index>();
      r.wb1_at_global_min = gm.certificate["wb1"]["bound"].get<Index>();
      // Star component S_{2,3} and C component {1, 2, 3} on data with nonzero targets.
      Problem sp = p;
      for (int i = 0; i < samples; ++i) sp.data.targets(i, 0) = Rational(coin(rng) + 5, 3);
      const StarCertificate s2 = certify_star(sp, {2, 3}, q, seed);
      r.star_nullity = s2.hessian_inertia.inertia.zero;
      r.star_predicted = s2.predicted ? s2.predicted->zero : -1;
      const StarCertificate s3 = certify_star(sp, {1, 2, 3}, q, seed);
      r.c_nullity = s3.hessian_inertia.inertia.zero;
      rows.push_back(r);
    }
  }
  return rows;
}

std::string growth_markdown(const std::vector<GrowthRow>& rows) {
  std::string out =
      "| w | L | P | global min: nullity (P − N) | star S_{2,3}: nullity (ST-2) | C_{1,2,3}: "
      "nullity | WB-1 bound at the global min |\n|---:|---:|---:|---|---|---:|---:|\n";
  for (const auto& r : rows) {
    out += fmt::format("| {} | {} | {} | {} ({}) | {} ({}) | {} | {} |\n",
                       r.width,
                       r.layers,
                       r.P,
                       r.global_min_nullity,
                       r.global_min_predicted,
                       r.star_nullity,
                       r.star_predicted,
                       r.c_nullity,
                       r.wb1_at_global_min);
  }
  return out;
}

}  // namespace locus::constructions
