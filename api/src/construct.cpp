// The construction jobs (locus/api/construct.hpp): Theorem S splits, inverse design, escape paths,
// path checks, star points, wide-network minima and the growth table (docs/math/,
// docs/constructions.md).
#include "locus/api/construct.hpp"

#include <string>

#include "locus/constructions/counterexamples.hpp"
#include "locus/core/derivatives.hpp"
#include "locus/error.hpp"
#include "locus/version.hpp"

#include <fmt/format.h>

namespace locus::api {

namespace lc = locus::constructions;

Arithmetic certified_arithmetic(const std::optional<Arithmetic>& chosen, const Network& net) {
  return chosen ? *chosen : lc::default_certified_arithmetic(net);
}

SplitOutcome construct_split(const Problem& small, const SplitRequest& request) {
  SplitOutcome out;
  out.spec.layer = request.layer;
  out.spec.unit = request.unit;
  out.spec.lambda = request.lambda;
  const Arithmetic a = certified_arithmetic(request.arithmetic, small.network);
  out.certificate = lc::certify_split(small, out.spec, a);
  out.big = lc::split_problem(small, out.spec);
  out.big.provenance = {{"command", "locus construct split"},
                        {"version", kVersion},
                        {"source", request.source},
                        {"arithmetic", out.certificate.arithmetic},
                        {"seed", nullptr}};
  out.big.certificate = lc::to_json(out.certificate);
  return out;
}

lc::DesignResult construct_inverse_design(const Problem& base,
                                          const DesignRequest& request,
                                          const std::string& where) {
  if (!base.point) {
    throw ParseError(fmt::format("{}: point: missing; inverse-design needs θ* (P = {} numbers)",
                                 where,
                                 base.network.num_parameters()));
  }
  lc::DesignSpec spec;
  spec.network = base.network;
  spec.inputs = base.data.inputs;
  spec.theta = *base.point;
  spec.epsilon = request.epsilon;
  spec.seed = request.seed;
  spec.tries = request.tries;
  spec.layer = request.layer;
  spec.unit = request.unit;
  spec.f_target = request.f_target;
  spec.b_target = request.b_target;
  spec.strict_minimum = request.strict_minimum;
  spec.bits = request.bits;
  lc::DesignResult r = lc::inverse_design(spec);
  r.problem.provenance["version"] = kVersion;
  r.problem.provenance["source"] = request.source;
  return r;
}

EscapeOutcome construct_escape_path(const Problem& small, const EscapeRequest& request) {
  lc::SplitSpec spec;
  spec.layer = request.layer;
  spec.unit = request.unit;
  spec.lambda = request.lambda;
  EscapeOutcome out;
  out.path = lc::escape_path(small, spec, request.seed);
  out.path.provenance = {{"command", "locus construct escape-path"},
                         {"version", kVersion},
                         {"source", request.source},
                         {"seed", request.seed}};
  out.check = lc::check_path(out.path, request.bits);
  out.path.certificate["check"] = lc::to_json(out.check);
  return out;
}

std::string_view to_string(PathExpectation e) noexcept {
  return e == PathExpectation::Constant ? "constant" : "decrease";
}

PathExpectation parse_path_expectation(std::string_view text) {
  if (text == "decrease") return PathExpectation::Decrease;
  if (text == "constant") return PathExpectation::Constant;
  throw InvalidArgument(fmt::format("--expect {}: expected decrease or constant", text));
}

PathOutcome check_path(const Problem& p, const PathRequest& request) {
  PathOutcome out;
  out.check = lc::check_path(p, request.bits);
  if (request.expect) {
    out.expect = *request.expect;
  } else if (p.certificate.is_object() && p.certificate.contains("expect")) {
    const nlohmann::json& e = p.certificate["expect"];
    if (!e.is_string()) {
      throw InvalidArgument(fmt::format(
          "certificate.expect: expected \"decrease\" or \"constant\", got {}", e.dump()));
    }
    out.expect = parse_path_expectation(e.get<std::string>());
  }
  out.pass = out.expect == PathExpectation::Constant
                 ? out.check.all_constant()
                 : out.check.non_increasing && out.check.strict_decrease;
  if (request.certificate) {
    out.certificate = lc::path_certificate(
        p,
        out.check,
        fmt::format("the loss never increases along the {} segment(s) of the path from the point{}",
                    out.check.segments.size(),
                    out.check.strict_decrease ? ", and is strictly lower at its end" : ""),
        &out.certificate_note);
    if (out.certificate) out.certificate->produced_by = fmt::format("locus {} path", kVersion);
  }
  return out;
}

nlohmann::json to_json(const PathOutcome& outcome) {
  nlohmann::json j = lc::to_json(outcome.check);
  j["expect"] = to_string(outcome.expect);
  j["pass"] = outcome.pass;
  return j;
}

StarOutcome construct_star(const Problem& base, const StarRequest& request) {
  const Arithmetic a = certified_arithmetic(request.arithmetic, base.network);
  StarOutcome out;
  out.certificate = lc::certify_star(base, request.zero_layers, a, request.seed);
  out.star = lc::star_problem(base, request.zero_layers);
  out.star.provenance = {{"command", "locus construct star"},
                         {"version", kVersion},
                         {"source", request.source},
                         {"arithmetic", out.certificate.arithmetic},
                         {"seed", request.seed}};
  out.star.certificate = lc::to_json(out.certificate);
  return out;
}

GlobalMinimumOutcome construct_global_minimum(const Problem& base,
                                              const std::optional<Arithmetic>& arithmetic,
                                              const std::string& source) {
  GlobalMinimumOutcome out;
  out.problem = lc::global_minimum(base, certified_arithmetic(arithmetic, base.network));
  out.problem.provenance = {
      {"command", "locus construct global-minimum"}, {"version", kVersion}, {"source", source}};
  out.holds = out.problem.certificate.value("prediction_holds", false);
  return out;
}

Wb1Outcome check_wb1(const Problem& p, const std::optional<Arithmetic>& arithmetic) {
  const Arithmetic a = certified_arithmetic(arithmetic, p.network);
  Wb1Outcome out;
  out.classification = classify_point(p, a);
  if (!out.classification.critical) {
    throw InvalidArgument(
        fmt::format("wb1-bound: the point is not critical ({}); WB-1 holds at critical points",
                    out.classification.criticality));
  }
  out.bound = lc::wb1_bound(p, a);
  if (out.classification.inertia_known) {
    out.holds = out.classification.inertia.zero >= out.bound.bound;
  }
  return out;
}

GrowthOutcome growth_table(const GrowthRequest& request) {
  GrowthOutcome out;
  out.rows = lc::growth_table(request.widths, request.layers, request.samples, request.seed);
  out.holds = true;
  for (const auto& r : out.rows) {
    out.holds = out.holds && r.global_min_nullity == r.global_min_predicted &&
                r.star_nullity == r.star_predicted && r.c_nullity == r.P &&
                r.global_min_nullity >= r.wb1_at_global_min;
  }
  return out;
}

nlohmann::json to_json(const GrowthOutcome& outcome) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& r : outcome.rows) {
    j.push_back({{"w", r.width},
                 {"L", r.layers},
                 {"P", r.P},
                 {"global_min_nullity", r.global_min_nullity},
                 {"global_min_predicted", r.global_min_predicted},
                 {"star_nullity", r.star_nullity},
                 {"star_predicted", r.star_predicted},
                 {"c_nullity", r.c_nullity},
                 {"wb1_at_global_min", r.wb1_at_global_min}});
  }
  return j;
}

namespace {

// True when every quantity at the problem's point is exact over Q (each activation value it meets
// is rational), decided by computing the gradient there over Q, not by the file's name.
bool exact_at_point(const Problem& p) {
  if (!p.point) return false;
  try {
    (void)LossFunction<Rational>(p.network, p.data).gradient(*p.point);
    return true;
  } catch (const UnsupportedScalar&) {
    return false;
  } catch (const NotDifferentiable&) {
    return false;
  }
}

}  // namespace

std::vector<CounterexampleFile> construct_counterexamples(const std::string& dir,
                                                          std::uint32_t seed) {
  std::vector<CounterexampleFile> out;
  for (const std::string& f : lc::write_counterexamples(dir, seed)) {
    // Read back: a path file re-checks with `locus path`; a problem exact at its point over Q,
    // otherwise in balls.
    const Problem p = read_problem_file(dir + "/" + f);
    const bool is_path = p.extra.is_object() && p.extra.contains("path");
    const bool exact = !is_path && exact_at_point(p);
    out.push_back({f,
                   fmt::format("locus {} {}/{}{}",
                               is_path ? "path" : "classify",
                               dir,
                               f,
                               is_path ? ""
                               : exact ? " -a rational"
                                       : " -a ball:512")});
  }
  return out;
}

}  // namespace locus::api
