#include "locus/solve/certificate.hpp"

#include <algorithm>
#include <cstdint>
#include <fstream>

#include "locus/core/derivatives.hpp"
#include "locus/error.hpp"
#include "locus/io/json_number.hpp"
#include "locus/scalar/ball.hpp"
#include "locus/solve/existence.hpp"
#include "locus/version.hpp"

#include <fmt/format.h>

namespace locus {

using nlohmann::json;

namespace {

// FNV-1a (64 bits) of the compact JSON text of the problem: a checksum that ties the facts to
// their problem (detects an altered or exchanged problem; not a signature).
std::string problem_digest(const json& problem) {
  std::uint64_t h = 14695981039346656037ULL;
  for (const char ch : problem.dump()) {
    h ^= static_cast<unsigned char>(ch);
    h *= 1099511628211ULL;
  }
  return fmt::format("fnv1a64:{:016x}", h);
}

}  // namespace

std::optional<std::string> certificate_unsupported(const Problem& p) {
  if (p.data.population) {
    return std::string(
        "locus-certificate/1 has no form for a population loss (data.population), so no "
        "certificate is written; the result above stands without one");
  }
  if (!p.network.frozen.empty()) {
    return std::string(
        "locus-certificate/1 has no form for frozen parameters (network.frozen), so no "
        "certificate is written; the result above stands without one");
  }
  return std::nullopt;
}

json certificate_problem(const Problem& p) {
  if (!p.point) throw InvalidArgument("a certificate needs a problem with a point");
  if (const auto why = certificate_unsupported(p)) throw InvalidArgument(*why);
  const Network& net = p.network;
  json out;
  out["widths"] = net.widths;
  json activations = json::array();
  for (int l = 1; l < net.num_layers(); ++l) activations.push_back(net.activation_at(l).name());
  out["activations"] = activations;
  json biases = json::array();
  for (int l = 1; l <= net.num_layers(); ++l) biases.push_back(net.has_bias(l));
  out["biases"] = biases;
  out["loss"] = to_string(net.loss);
  out["reduction"] = to_string(net.reduction);
  out["loss_scale"] = to_string(net.loss_scale);
  out["l2"] = to_string(net.l2);
  out["l2_scope"] = to_string(net.l2_scope);
  out["inputs"] = number_matrix(p.data.inputs);
  out["targets"] = number_matrix(p.data.targets);
  out["point"] = number_array(*p.point);
  return out;
}

json kernel_fact(const Mat<Rational>& vectors) {
  // the columns, each a list (number_matrix writes rows)
  return json{{"kind", "kernel"},
              {"arithmetic", "rational"},
              {"vectors", number_matrix(vectors.transpose())}};
}

json critical_ball_fact(int bits) {
  return json{{"kind", "critical-ball"}, {"bits", bits}};
}

json hessian_zero_fact(int bits) {
  return json{{"kind", "hessian-zero"}, {"arithmetic", "ball"}, {"bits", bits}};
}

json loss_fact(const Rational& value) {
  return json{{"kind", "loss"}, {"arithmetic", "rational"}, {"value", to_string(value)}};
}

json matrix_ldlt_fact(const Mat<Rational>& a) {
  json f = ldlt_fact(exact_ldlt(a));
  f["matrix"] = number_matrix(a);
  return f;
}

json congruence_fact(const Mat<Rational>& transform, const std::vector<json>& blocks) {
  return json{{"kind", "congruence"}, {"transform", number_matrix(transform)}, {"blocks", blocks}};
}

json hessian_block(const Problem& p) {
  return json{{"problem", certificate_problem(p)}};
}

json matrix_block(const Mat<Rational>& m) {
  return json{{"matrix", number_matrix(m)}};
}

json critical_manifold_fact(const Mat<Rational>& directions) {
  // the columns, each a list (number_matrix writes rows)
  return json{{"kind", "critical-manifold"}, {"directions", number_matrix(directions.transpose())}};
}

json activation_rank_fact(int layer, Eigen::Index rank) {
  return json{{"kind", "activation-rank"}, {"layer", layer}, {"rank", rank}};
}

json third_order_fact(const Vec<Rational>& direction, int bits) {
  return json{{"kind", "third-order"}, {"bits", bits}, {"direction", number_array(direction)}};
}

json not_critical_fact() {
  return json{{"kind", "not-critical"}, {"arithmetic", "rational"}};
}

json critical_fact() {
  return json{{"kind", "critical"}, {"arithmetic", "rational"}};
}

json ldlt_fact(const ExactLdlt& f) {
  json l = json::array();
  for (Eigen::Index j = 0; j < f.l.cols(); ++j) {
    for (Eigen::Index i = j + 1; i < f.l.rows(); ++i) {
      if (f.l(i, j) != 0) l.push_back(json::array({i, j, to_string(f.l(i, j))}));
    }
  }
  json d = json::array();
  for (const auto& block : f.blocks) {
    json b = json::array();
    for (const Rational& x : block) b.push_back(to_string(x));
    d.push_back(std::move(b));
  }
  return json{{"kind", "inertia-ldlt"},
              {"matrix", "hessian"},
              {"inertia", {f.inertia.positive, f.inertia.negative, f.inertia.zero}},
              {"permutation", f.permutation},
              {"L", l},
              {"D", d}};
}

json krawczyk_fact(const Vec<Rational>& center,
                   const Rational& radius,
                   const Mat<Rational>& preconditioner,
                   int bits) {
  return json{{"kind", "krawczyk"},
              {"bits", bits},
              {"center", number_array(center)},
              {"radius", number_array(Vec<Rational>::Constant(center.size(), radius))},
              {"preconditioner", number_matrix(preconditioner)}};
}

json cluster_fact(const ClusterCertificate& c) {
  const Eigen::Index n = c.basis.rows();
  if (n == 0 || c.basis.cols() != n) {
    throw InvalidArgument("cluster_fact: the ball certificate has no basis (with_basis)");
  }
  json basis = json::array();
  for (Eigen::Index j = 0; j < n; ++j) {
    json col = json::array();
    for (Eigen::Index i = 0; i < n; ++i) col.push_back(to_string(c.basis(i, j).mid()));
    basis.push_back(std::move(col));
  }
  const Rational eps = c.basis_cluster > 0 ? Rational(16) * c.epsilon : Rational(0);
  return json{{"kind", "inertia-cluster"},
              {"matrix", "hessian"},
              {"bits", c.bits},
              {"inertia", {c.inertia.positive, c.inertia.negative, c.inertia.zero}},
              {"epsilon", to_string(eps)},
              {"delta", to_string(c.has_rest ? c.delta * Rational(3, 4) : Rational(0))},
              {"levels", c.basis_groups},
              {"cluster", c.basis_cluster},
              {"basis", basis}};
}

namespace {

// The "inertia-cluster" fact at "box" of a Hessian enclosed over a box, with its inertia; none
// (with *why_not) when the ball certificate does not decide it with a basis.
std::optional<json> box_cluster_fact(const Mat<Ball>& hessian,
                                     Inertia* inertia,
                                     std::string* why_not) {
  const ClusterCertificate cc = certify_cluster(hessian, true);
  if (!cc.decided || cc.basis_cluster != cc.inertia.zero) {
    if (why_not != nullptr) *why_not = "the inertia over the box is not certified: " + cc.reason;
    return std::nullopt;
  }
  *inertia = cc.inertia;
  json cluster = cluster_fact(cc);
  cluster["at"] = "box";
  return cluster;
}

}  // namespace

std::optional<BoxInertiaFacts> box_inertia_facts(const Problem& p, int bits, std::string* why_not) {
  BoxInertiaFacts out;
  Mat<Ball> box_hessian;
  out.existence = prove_critical_point(p.network, p.data, *p.point, bits, &box_hessian);
  if (!out.existence.proved || out.existence.radius == 0) {
    if (why_not != nullptr) *why_not = "no Krawczyk box: " + out.existence.reason;
    return std::nullopt;
  }
  const ScopedBallPrecision precision(bits);
  auto cluster = box_cluster_fact(box_hessian, &out.inertia, why_not);
  if (!cluster) return std::nullopt;
  out.facts = {krawczyk_fact(*p.point, out.existence.radius, out.existence.preconditioner, bits),
               std::move(*cluster)};
  return out;
}

std::optional<SplitStructure> split_structure(const Network& small,
                                              const Network& big,
                                              const Mat<Rational>& map) {
  const int L = big.num_layers();
  if (small.num_layers() != L || small.width(0) != big.width(0) || small.width(L) != big.width(L) ||
      map.rows() != big.num_parameters() || map.cols() != small.num_parameters()) {
    return std::nullopt;
  }
  for (int l = 1; l <= L; ++l) {
    if (small.has_bias(l) != big.has_bias(l)) return std::nullopt;
  }
  // the source of every unit (the identity on the input and output layers): the small unit whose
  // incoming row the map copies into the unit's first nonzero incoming coordinate
  std::vector<std::vector<int>> src(static_cast<std::size_t>(L + 1));
  for (int l = 0; l <= L; ++l) {
    for (int q = 0; q < big.width(l); ++q) {
      int found = (l == 0 || l == L) ? q : -1;
      for (int u = 0; u < small.width(l) && found < 0; ++u) {
        for (int c = 0; c < big.width(l - 1) + (big.has_bias(l) ? 1 : 0) && found < 0; ++c) {
          const bool bias = c == big.width(l - 1);
          const auto j =
              bias ? small.bias_index(l, u)
                   : small.weight_index(
                         l, u, src[static_cast<std::size_t>(l - 1)][static_cast<std::size_t>(c)]);
          if (map(big.augmented_index(l, q, c), j) != 0) found = u;
        }
      }
      if (found < 0) return std::nullopt;
      src[static_cast<std::size_t>(l)].push_back(found);
    }
  }
  SplitStructure out;
  for (int l = 1; l < L; ++l) {
    const auto& s = src[static_cast<std::size_t>(l)];
    out.source.push_back(s);
    std::vector<Rational> mu;
    std::vector<Rational> sum(static_cast<std::size_t>(small.width(l)), Rational(0));
    for (int i = 0; i < big.width(l); ++i) {
      const int q0 = src[static_cast<std::size_t>(l + 1)][0];
      mu.push_back(map(big.weight_index(l + 1, 0, i),
                       small.weight_index(l + 1, q0, s[static_cast<std::size_t>(i)])));
      sum[static_cast<std::size_t>(s[static_cast<std::size_t>(i)])] += mu.back();
    }
    for (const Rational& x : sum) {
      if (x != 1) return std::nullopt;
    }
    out.fraction.push_back(std::move(mu));
  }
  // the structure's own map, entry for entry against `map`
  if (split_map_of(small, big, out) != map) return std::nullopt;
  return out;
}

Mat<Rational> split_map_of(const Network& small, const Network& big, const SplitStructure& split) {
  const int L = big.num_layers();
  // the source of a unit of layer l (the identity on the input and output layers)
  const auto source = [&](int l, int q) {
    return (l == 0 || l == L)
               ? q
               : split.source[static_cast<std::size_t>(l - 1)][static_cast<std::size_t>(q)];
  };
  Mat<Rational> m = Mat<Rational>::Zero(big.num_parameters(), small.num_parameters());
  for (int l = 1; l <= L; ++l) {
    for (int q = 0; q < big.width(l); ++q) {
      for (int c = 0; c < big.input_columns(l); ++c) {
        const bool bias = c == big.width(l - 1);
        m(big.augmented_index(l, q, c),
          small.augmented_index(l, source(l, q), bias ? small.width(l - 1) : source(l - 1, c))) =
            (bias || l == 1)
                ? Rational(1)
                : split.fraction[static_cast<std::size_t>(l - 2)][static_cast<std::size_t>(c)];
      }
    }
  }
  return m;
}

std::optional<BoxInertiaFacts> image_inertia_facts(const Problem& p,
                                                   const ExistenceProof& existence,
                                                   int bits,
                                                   const Problem& image,
                                                   const Mat<Rational>& map,
                                                   std::string* why_not) {
  if (!p.point || !image.point || map.cols() != p.point->size() ||
      map.rows() != image.point->size() || Vec<Rational>(map * *p.point) != *image.point ||
      !existence.proved || existence.radius == 0) {
    if (why_not != nullptr) *why_not = "no Krawczyk box for p, or the image's point is not map·θ̃";
    return std::nullopt;
  }
  BoxInertiaFacts out;
  out.existence = existence;
  json fact = krawczyk_fact(*p.point, existence.radius, existence.preconditioner, bits);
  fact["problem"] = certificate_problem(p);
  const std::optional<SplitStructure> split = p.network.l2 == 0 && image.network.l2 == 0
                                                  ? split_structure(p.network, image.network, map)
                                                  : std::nullopt;
  if (split) {
    // Fukumizu–Amari: map·θ* is critical, on the affine family of the fractions; the family's
    // dimension counts the copies of units with an outgoing weight away from 0 over the box
    fact["kind"] = "krawczyk-split";
    fact["source"] = split->source;
    json fractions = json::array();
    for (const auto& row : split->fraction) {
      fractions.push_back(number_array(Vec<Rational>(
          Eigen::Map<const Vec<Rational>>(row.data(), static_cast<Eigen::Index>(row.size())))));
    }
    fact["fraction"] = fractions;
    out.critical = true;
    const Network& net = p.network;
    for (int l = 1; l < net.num_layers(); ++l) {
      const auto& src = split->source[static_cast<std::size_t>(l - 1)];
      for (int u = 0; u < net.width(l); ++u) {
        bool away = false;
        for (int q = 0; q < net.width(l + 1); ++q) {
          away = away || abs((*p.point)(net.weight_index(l + 1, q, u))) > existence.radius;
        }
        if (away) out.family += std::count(src.begin(), src.end(), u) - 1;
      }
    }
    out.kernel = out.family;
    for (int l = 1; l < net.num_layers(); ++l) {
      if (net.width(l + 1) != 1) continue;
      const auto& src = split->source[static_cast<std::size_t>(l - 1)];
      const auto& mu = split->fraction[static_cast<std::size_t>(l - 1)];
      for (std::size_t i = 0; i < src.size(); ++i) {
        if (mu[i] == 0 && abs((*p.point)(net.weight_index(l + 1, 0, src[i]))) > existence.radius) {
          out.kernel += image.network.input_columns(l);
        }
      }
    }
  } else {
    fact["kind"] = "krawczyk-image";
    fact["map"] = number_matrix(map);
  }
  // The box map·X: centre map·θ̃, radius Σ_j |map_ij| ρ per coordinate (as the checker forms it).
  const ScopedBallPrecision precision(bits);
  Vec<Ball> box(image.point->size());
  for (Eigen::Index i = 0; i < box.size(); ++i) {
    Rational r(0);
    for (Eigen::Index j = 0; j < map.cols(); ++j) r += abs(map(i, j)) * existence.radius;
    box(i) = Ball::from_mid_rad((*image.point)(i), r);
  }
  auto cluster = box_cluster_fact(
      LossFunction<Ball>(image.network, image.data).hessian(box), &out.inertia, why_not);
  if (!cluster) return std::nullopt;
  out.facts = {std::move(fact), std::move(*cluster)};
  return out;
}

std::optional<Certificate> morse_bott_certificate(const Problem& p,
                                                  const Mat<Rational>& k,
                                                  std::string* why_not) {
  const auto none = [&](std::string why) -> std::optional<Certificate> {
    if (why_not != nullptr) *why_not = std::move(why);
    return std::nullopt;
  };
  std::string detail;
  if (k.cols() == 0 || !verify_critical_family(p, k, &detail)) {
    return none(
        "a degenerate minimum needs an affine manifold of critical points verified over "
        "Q: " +
        detail);
  }
  const ExactLdlt gram = exact_ldlt(Mat<Rational>(k.transpose() * k));
  const ExactLdlt f = exact_ldlt(LossFunction<Rational>(p.network, p.data).hessian(*p.point));
  const Eigen::Index dims = k.cols();
  if (gram.inertia.positive != dims || f.inertia.zero != dims || f.inertia.negative != 0) {
    return none(
        fmt::format("the tangent basis has rank {} and the Hessian inertia {}: not a "
                    "Morse–Bott minimum (the manifold's dimension is not the nullity, or "
                    "a negative eigenvalue)",
                    gram.inertia.positive,
                    to_string(f.inertia)));
  }
  Certificate cert;
  cert.problem = certificate_problem(p);
  cert.produced_by = fmt::format("locus {}", kVersion);
  cert.facts = {critical_fact(), critical_manifold_fact(k), ldlt_fact(f)};
  cert.statement = fmt::format(
      "the point lies on a {}-dimensional affine manifold of critical points whose dimension is "
      "the Hessian's nullity, with no negative eigenvalue: a degenerate local minimum "
      "(Morse–Bott)",
      dims);
  cert.conclusion = "minimum";
  return cert;
}

std::optional<Certificate> classification_certificate(const Problem& p,
                                                      const Classification& c,
                                                      std::string* why_not) {
  const auto none = [&](std::string why) -> std::optional<Certificate> {
    if (why_not != nullptr) *why_not = std::move(why);
    return std::nullopt;
  };
  if (const auto why = certificate_unsupported(p)) return none(*why);
  if (!c.certified) return none("the classification is not certified");
  const auto P = static_cast<Eigen::Index>(p.network.num_parameters());
  const int bits = std::max(64, static_cast<int>(c.certificate.value("bits", 256)));
  if (c.stationarity == Stationarity::ProvedNearby && c.certificate.contains("reduction") &&
      (c.kind == PointKind::DegenerateMinimum || c.kind == PointKind::Saddle)) {
    // Proved through the merged network: its Krawczyk box, the split ("krawczyk-split") and
    // the inertia over the image box; a minimum by Morse–Bott on the split family
    const std::optional<MergedSplit> split = merged_split(p);
    if (!split) return none("the point's reduction is not a split of hidden units");
    std::string why;
    auto a = box_inertia_facts(split->merged, bits, &why);
    auto b = a ? image_inertia_facts(split->merged, a->existence, bits, p, split->map, &why)
               : std::nullopt;
    if (!b || !b->critical) {
      return none("the proof through the merged network did not repeat as a split: " + why);
    }
    Certificate cert;
    cert.problem = certificate_problem(p);
    cert.produced_by = fmt::format("locus {} classify -a {}", kVersion, c.arithmetic);
    cert.facts = std::move(b->facts);
    const Inertia& in = b->inertia;
    if (c.kind == PointKind::Saddle && in.positive > 0 && in.negative > 0) {
      cert.conclusion = "saddle";
    } else if (c.kind == PointKind::DegenerateMinimum && b->family > 0 && in.negative == 0 &&
               in.zero == b->family && in.positive == P - b->family) {
      cert.conclusion = "minimum";
    } else {
      return none(fmt::format("the inertia {} over the image box does not give the {}",
                              to_string(in),
                              to_string(c.kind)));
    }
    cert.statement = fmt::format(
        "the split of the merged network's critical point (unique within max-norm {} of the merged "
        "point) is a critical point next to this one, and a {}",
        format_bound(a->existence.radius, true, 4),
        cert.conclusion == "minimum" ? "degenerate local minimum (Morse–Bott on the split family)"
                                     : "saddle");
    return cert;
  }
  std::string conclusion;
  if (c.kind == PointKind::NotCritical) {
    Certificate cert;
    cert.problem = certificate_problem(p);
    cert.produced_by = fmt::format("locus {} classify -a {}", kVersion, c.arithmetic);
    cert.facts.push_back(json{{"kind", "not-critical"}, {"bits", bits}});
    cert.statement = "the point is not a critical point of the loss";
    cert.conclusion = "not-critical";
    return cert;
  }
  if (c.kind == PointKind::StrictMinimum && c.inertia.positive == P) {
    conclusion = "strict-minimum";
  } else if (c.kind == PointKind::Maximum && c.inertia.negative == P) {
    conclusion = "strict-maximum";
  } else if (c.kind == PointKind::Saddle && c.inertia.positive > 0 && c.inertia.negative > 0) {
    conclusion = "saddle";
  } else if (c.kind == PointKind::DegenerateMinimum && c.evidence.rigour() == Rigour::Exact &&
             c.stationarity == Stationarity::Exact) {
    const std::optional<Mat<Rational>> k = supplied_tangent_basis(p);
    if (!k) return none("a degenerate minimum needs the problem's tangent basis");
    std::string why;
    auto cert = morse_bott_certificate(p, *k, &why);
    if (!cert) return none(why);
    cert->produced_by = fmt::format("locus {} classify -a {}", kVersion, c.arithmetic);
    return cert;
  } else {
    return none(fmt::format(
        "a {} with inertia {} rests on more than the inertia at a critical point (higher-order "
        "or Morse–Bott arguments), which certificates do not cover yet",
        to_string(c.kind),
        to_string(c.inertia)));
  }
  Certificate cert;
  cert.problem = certificate_problem(p);
  cert.produced_by = fmt::format("locus {} classify -a {}", kVersion, c.arithmetic);
  if (c.evidence.rigour() == Rigour::Exact && c.stationarity == Stationarity::Exact) {
    const LossFunction<Rational> fn(p.network, p.data);
    const ExactLdlt f = exact_ldlt(fn.hessian(*p.point));
    if (!(f.inertia == c.inertia)) {
      throw Error(fmt::format("internal: the exact LDLT gives inertia {}, the classification {}",
                              to_string(f.inertia),
                              to_string(c.inertia)));
    }
    cert.facts.push_back(critical_fact());
    cert.facts.push_back(ldlt_fact(f));
    cert.statement = fmt::format("the point is a critical point of the loss and a {}", conclusion);
  } else if (c.stationarity == Stationarity::Exact) {
    // Exactly critical, proved in balls (a gradient enclosed by exact zeros), and the inertia of
    // the Hessian at the point from a ball certificate with its basis.
    const ScopedBallPrecision precision(bits);
    const LossFunction<Ball> fn(p.network, p.data);
    const ClusterCertificate cc = certify_cluster(fn.hessian(p.point_as<Ball>()), true);
    if (!cc.decided || cc.basis_cluster != cc.inertia.zero ||
        cc.inertia.positive != c.inertia.positive || cc.inertia.negative != c.inertia.negative) {
      return none("the inertia at the point did not repeat with a basis: " + cc.reason);
    }
    cert.facts.push_back(critical_ball_fact(bits));
    cert.facts.push_back(cluster_fact(cc));
    cert.statement = fmt::format("the point is a critical point of the loss and a {}", conclusion);
  } else if (c.stationarity == Stationarity::ProvedNearby) {
    // The existence proof again, with the box Hessian, and its inertia with the basis.
    std::string why;
    auto box = box_inertia_facts(p, bits, &why);
    if (!box) return none("the existence proof or the inertia over its box did not repeat: " + why);
    if (box->inertia.zero != 0) return none("the inertia over the box has a zero cluster");
    cert.facts = std::move(box->facts);
    cert.statement = fmt::format(
        "a unique critical point of the loss lies within max-norm {} of the point, and it is a {}",
        format_bound(box->existence.radius, true, 4),
        conclusion);
  } else {
    return none(
        "criticality was not proved in a form certificates carry (exactly over Q, or by "
        "a Krawczyk box)");
  }
  cert.conclusion = conclusion;
  return cert;
}

json to_json(const Certificate& c) {
  json out;
  out["format"] = kCertificateFormat;
  out["statement"] = c.statement;
  out["produced_by"] = c.produced_by;
  out["problem"] = c.problem;
  out["problem_digest"] = problem_digest(c.problem);
  out["facts"] = c.facts;
  if (!c.conclusion.empty()) out["conclusion"] = c.conclusion;
  return out;
}

void write_certificate(const Certificate& c, const std::string& path) {
  std::ofstream out(path);
  if (!out) throw Error(fmt::format("cannot write the certificate file '{}'", path));
  out << to_json(c).dump(1) << "\n";
  if (!out) throw Error(fmt::format("writing the certificate file '{}' failed", path));
}

}  // namespace locus
