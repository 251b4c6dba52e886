#include "locus/api/certificate.hpp"

#include <fstream>

#include "locus/error.hpp"

#include <fmt/format.h>

namespace locus::api {

using nlohmann::json;

namespace {

json rows(const Mat<Rational>& m) {
  json out = json::array();
  for (Eigen::Index i = 0; i < m.rows(); ++i) {
    json row = json::array();
    for (Eigen::Index j = 0; j < m.cols(); ++j) row.push_back(to_string(m(i, j)));
    out.push_back(std::move(row));
  }
  return out;
}

}  // namespace

json certificate_problem(const Problem& p) {
  if (!p.point) throw InvalidArgument("a certificate needs a problem with a point");
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
  out["inputs"] = rows(p.data.inputs);
  out["targets"] = rows(p.data.targets);
  json point = json::array();
  for (Eigen::Index k = 0; k < p.point->size(); ++k) point.push_back(to_string((*p.point)(k)));
  out["point"] = point;
  return out;
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
  json c = json::array();
  json r = json::array();
  for (Eigen::Index i = 0; i < center.size(); ++i) {
    c.push_back(to_string(center(i)));
    r.push_back(to_string(radius));
  }
  return json{{"kind", "krawczyk"},
              {"bits", bits},
              {"center", c},
              {"radius", r},
              {"preconditioner", rows(preconditioner)}};
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

json to_json(const Certificate& c) {
  json out;
  out["format"] = kCertificateFormat;
  out["statement"] = c.statement;
  out["produced_by"] = c.produced_by;
  out["problem"] = c.problem;
  out["facts"] = c.facts;
  return out;
}

void write_certificate(const Certificate& c, const std::string& path) {
  std::ofstream out(path);
  if (!out) throw Error(fmt::format("cannot write the certificate file '{}'", path));
  out << to_json(c).dump(1) << "\n";
  if (!out) throw Error(fmt::format("writing the certificate file '{}' failed", path));
}

}  // namespace locus::api
