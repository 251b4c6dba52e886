#include "instances.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "locus/constructions/common.hpp"
#include "locus/constructions/counterexamples.hpp"
#include "locus/constructions/path.hpp"
#include "locus/core/derivatives.hpp"
#include "locus/error.hpp"
#include "locus/solve/classify.hpp"

#include <fmt/format.h>

namespace locus::claims::detail {

Activation exp5() {
  return constructions::exp_taylor5();
}

Problem random_base(std::uint32_t seed,
                    const std::vector<int>& widths,
                    const Activation& act,
                    bool bias) {
  Problem p;
  p.network.widths = widths;
  p.network.activation = act;
  p.network.bias = bias;
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> coin(-4, 4);
  const auto P = p.network.num_parameters();
  const int n0 = widths.front();
  const int nl = widths.back();
  const int N = static_cast<int>((P + 8 + nl - 1) / nl);
  // Distinct inputs: random points of a grid with spacing 1/3, offset by 1/7 (never 0).
  std::vector<std::vector<int>> seen;
  p.data.inputs.resize(N, n0);
  std::uniform_int_distribution<int> grid(-std::max(6, N), std::max(6, N));
  for (int i = 0; i < N; ++i) {
    std::vector<int> x(static_cast<std::size_t>(n0));
    do {
      for (auto& v : x) v = grid(rng);
    } while (std::find(seen.begin(), seen.end(), x) != seen.end());
    seen.push_back(x);
    for (int j = 0; j < n0; ++j) {
      p.data.inputs(i, j) = Rational(x[static_cast<std::size_t>(j)], 3) + Rational(1, 7);
    }
  }
  p.data.targets = Mat<Rational>::Zero(N, nl);
  Vec<Rational> theta(P);
  for (Eigen::Index i = 0; i < P; ++i) {
    int k = coin(rng);
    if (k == 0) k = 1;
    theta(i) = Rational(k, 4);
  }
  p.point = theta;
  return p;
}

Problem planted(const Context& ctx, Problem p, Eigen::Index index) {
  if (ctx.mutation == Mutation::PerturbPoint) (*p.point)(index) += tiny();
  return p;
}

std::optional<InstanceResult> unless_critical(const Problem& p) {
  if (constructions::exact_over_q(p.network)) {
    const Vec<Rational> g = LossFunction<Rational>(p.network, p.data).gradient(*p.point);
    for (Eigen::Index i = 0; i < g.size(); ++i) {
      if (g(i) != 0) {
        return undecided(fmt::format(
            "the hypothesis fails: the constructed point is not critical (dL/dθ[{}] = {} exactly)",
            i,
            locus::to_string(g(i))));
      }
    }
    return std::nullopt;
  }
  const Classification c = classify_point(p, Arithmetic::ball(256));
  if (c.stationarity == Stationarity::Exact || c.stationarity == Stationarity::ProvedNearby) {
    return std::nullopt;
  }
  return undecided(
      "the hypothesis fails: no critical point is proved at or next to the "
      "constructed point (" +
      locus::to_string(c.stationarity) + ": " + c.criticality + ")");
}

std::optional<constructions::DesignResult> design(const Context& ctx,
                                                  std::uint32_t seed,
                                                  const std::vector<int>& widths,
                                                  constructions::FTarget f,
                                                  constructions::BTarget b,
                                                  int layer,
                                                  int unit,
                                                  bool strict,
                                                  const Activation& act) {
  for (int attempt = 0; attempt < 6; ++attempt) {
    const std::uint32_t s = seed + 1000U * static_cast<std::uint32_t>(attempt);
    const Problem base = random_base(s, widths, act);
    constructions::DesignSpec d;
    d.network = base.network;
    d.inputs = base.data.inputs;
    d.theta = *base.point;
    d.seed = s;
    d.tries = 120;
    d.layer = layer;
    d.unit = unit;
    d.f_target = f;
    d.b_target = b;
    d.strict_minimum = strict;
    try {
      constructions::DesignResult r = constructions::inverse_design(d);
      r.problem = planted(ctx, std::move(r.problem));
      return r;
    } catch (const Error& e) {
      last_design_error() = e.what();
      continue;
    }
  }
  return std::nullopt;
}

std::string& last_design_error() {
  thread_local std::string e;
  return e;
}

Problem g1_refined(const Context& ctx) {
  static const Problem p = constructions::g1_critical_problem();
  return planted(ctx, p);
}

Rational lambda_inside(std::mt19937& rng) {
  std::uniform_int_distribution<int> k(1, 8);
  const int a = k(rng);
  return Rational(a, 9);
}

Rational lambda_outside(std::mt19937& rng) {
  std::uniform_int_distribution<int> k(1, 12);
  const int a = k(rng);
  return (a % 2 == 0) ? Rational(-a, 5) : Rational(1) + Rational(a, 5);
}

SampledPath sampled_path(const Problem& path) {
  std::vector<std::string> labels;
  const auto v = constructions::path_vertices(path, &labels);
  const LossFunction<double> f(path.network, path.data);
  double prev = f.loss(path.point_as<double>());
  const double start = prev;
  SampledPath out;
  out.non_increasing = true;
  for (std::size_t k = 0; k + 1 < v.size(); ++k) {
    for (int j = 1; j <= 100; ++j) {
      Vec<double> t(v[k].size());
      for (Eigen::Index i = 0; i < t.size(); ++i) {
        t(i) = to_double_nearest(v[k](i) + (v[k + 1](i) - v[k](i)) * Rational(j, 100));
      }
      const double l = f.loss(t);
      out.non_increasing = out.non_increasing && l <= prev + 1e-12;
      prev = l;
    }
  }
  out.decrease = start - prev;
  return out;
}

std::vector<Certificate> split_box_certificates(const Problem& small,
                                                const constructions::SplitSpec& spec,
                                                int bits,
                                                const Inertia& small_inertia,
                                                const Inertia& big_inertia,
                                                std::string* not_certified,
                                                Eigen::Index* known_nullity) {
  namespace lc = locus::constructions;
  std::string why;
  const Problem big = lc::split_problem(small, spec);
  auto a = box_inertia_facts(small, bits, &why);
  auto b = a ? image_inertia_facts(small, a->existence, bits, big, lc::split_map(small, spec), &why)
             : std::nullopt;
  if (!a || !b) {
    *not_certified = why;
    return {};
  }
  if (!(a->inertia == small_inertia) || !(b->inertia == big_inertia)) {
    *not_certified = fmt::format("the certificates' counts {} and {} differ from the claim's",
                                 to_string(a->inertia),
                                 to_string(b->inertia));
    return {};
  }
  Certificate s;
  s.statement = fmt::format(
      "the critical point θ* next to the small network's point (Krawczyk) has Hessian inertia "
      "{} (n₊, n₋, eigenvalues within ε of 0)",
      to_string(small_inertia));
  s.problem = certificate_problem(small);
  s.facts = std::move(a->facts);
  Certificate t;
  t.statement = fmt::format(
      "layer {}, unit {}, λ = {}: the split θ*_λ of the small network's critical point θ* has "
      "Hessian inertia {} (n₊, n₋, eigenvalues within ε of 0; small: {}, companion certificate)",
      spec.layer,
      spec.unit,
      locus::to_string(spec.lambda),
      to_string(big_inertia),
      to_string(small_inertia));
  t.problem = certificate_problem(big);
  t.facts = std::move(b->facts);
  const auto P = big.network.num_parameters();
  if (b->critical && big_inertia.positive > 0 && big_inertia.negative > 0) {
    t.conclusion = "saddle";
  } else if (b->family > 0 && big_inertia.negative == 0 && big_inertia.zero == b->family &&
             big_inertia.positive == P - b->family) {
    t.conclusion = "minimum";
  }
  if (known_nullity != nullptr) *known_nullity = b->kernel;
  return {s, t};
}

std::optional<Certificate> split_minimum_certificate(const Problem& small,
                                                     const Problem& big,
                                                     const Mat<Rational>& map,
                                                     int bits,
                                                     std::string* why_not) {
  std::string why;
  auto a = box_inertia_facts(small, bits, &why);
  auto b = a ? image_inertia_facts(small, a->existence, bits, big, map, &why) : std::nullopt;
  const auto P = big.network.num_parameters();
  if (b && (b->family == 0 || b->inertia.negative != 0 || b->inertia.zero != b->family ||
            b->inertia.positive != P - b->family)) {
    why = fmt::format(
        "the inertia {} over the image box is not (P − k, 0, k) for the split "
        "family's dimension k = {}",
        to_string(b->inertia),
        b->family);
    b.reset();
  }
  if (!b) {
    if (why_not != nullptr) *why_not = why;
    return std::nullopt;
  }
  Certificate c;
  c.problem = certificate_problem(big);
  c.facts = std::move(b->facts);
  c.statement = fmt::format(
      "the critical point next to the point (the split of the smaller network's critical point "
      "within max-norm {} of its point) lies on a {}-dimensional family of critical points whose "
      "dimension is the Hessian's nullity, with no negative eigenvalue: a degenerate local "
      "minimum (Morse–Bott)",
      format_bound(a->existence.radius, true, 4),
      b->family);
  c.conclusion = "minimum";
  return c;
}

double number(const std::string& s) {
  std::string t = s;
  if (!t.empty() && t[0] == '[') t = t.substr(1, t.find(' ') - 1);
  try {
    return to_double_nearest(parse_rational(t));
  } catch (const Error&) {
    return std::stod(t);
  }
}

Rational tiny() {
  Rational r(1);
  for (int i = 0; i < 20; ++i) r /= 10;
  return r;
}

InstanceResult result(bool holds, const Evidence& evidence, double margin, std::string detail) {
  InstanceResult r;
  r.decided = true;
  r.holds = holds;
  r.evidence = evidence;
  r.margin = margin;
  r.detail = std::move(detail);
  return r;
}

InstanceResult undecided(std::string detail) {
  InstanceResult r;
  r.decided = false;
  r.detail = std::move(detail);
  return r;
}

}  // namespace locus::claims::detail
