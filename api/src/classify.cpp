// The classify job (locus/api/jobs.hpp): is the point critical, and of what kind (docs/refine-classify.md).
#include "locus/solve/classify.hpp"

#include <chrono>
#include <memory>
#include <string>

#include "locus/api/jobs.hpp"
#include "locus/io/problem.hpp"
#include "locus/linalg/spectrum.hpp"
#include "locus/scalar/arithmetic.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace locus::api {

Classification classify(const Problem& p,
                        const ClassifyRequest& request,
                        const std::string& where) {
  const Arithmetic& a = request.arithmetic;
  require_point(p, where, "`locus classify` needs the parameter vector θ");
  ClassifyOptions co;
  co.max_bits = request.max_bits;
  if (request.gradient_tolerance) {
    if (*request.gradient_tolerance < 0) {
      throw InvalidArgument(fmt::format("--gradient-tolerance {}: expected a nonnegative number",
                                        locus::to_string(*request.gradient_tolerance)));
    }
    co.gradient_tolerance = request.gradient_tolerance;
  }
  return classify_point(p, a, co);
}

nlohmann::json to_json(const Classification& c, double seconds) {
  nlohmann::json j;
  j["arithmetic"] = c.arithmetic;
  j["critical"] = c.critical;
  j["criticality"] = c.criticality;
  j["kind"] = to_string(c.kind);
  j["certified"] = c.certified;
  j["stationarity"] = to_string(c.stationarity);
  if (c.critical_point_radius) {
    j["critical_point_radius"] = format_bound(*c.critical_point_radius, true, 4);
  }
  if (!c.conditional_on.empty()) j["conditional_on"] = c.conditional_on;
  // "inertia" only when n0 counts exact zeros; an ε-cluster is reported as a cluster.
  if (c.inertia_known && c.zeros_exact) {
    j["inertia"] = {{"positive", c.inertia.positive},
                    {"negative", c.inertia.negative},
                    {"zero", c.inertia.zero}};
  } else {
    j["inertia"] = nullptr;
  }
  if (c.inertia_known && !c.zeros_exact) {
    j["cluster"] = {{"positive", c.inertia.positive},
                    {"negative", c.inertia.negative},
                    {"size", c.inertia.zero},
                    {"epsilon", format_bound(c.cluster_epsilon, true, 4)}};
  }
  j["certificate"] = c.certificate;
  if (!c.reason.empty()) j["reason"] = c.reason;
  j["seconds"] = fmt::format("{:.3f}", seconds);
  return j;
}

nlohmann::json classify_report(const Problem& p, const ClassifyRequest& request) {
  const auto t0 = std::chrono::steady_clock::now();
  const Classification c = classify(p, request, "problem");
  return to_json(c, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
}

}  // namespace locus::api
