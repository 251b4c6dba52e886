// The certify job (locus/api/certify.hpp): flow, refine, classify.
#include "locus/api/certify.hpp"

#include <chrono>
#include <cmath>
#include <limits>

#include "locus/error.hpp"
#include "locus/scalar/rational.hpp"

#include <fmt/format.h>

namespace locus::api {

namespace {

nlohmann::json sample_json(const FlowSample& s) {
  return {{"time", s.time},
          {"loss", s.loss},
          {"gradient_norm", s.gradient_norm},
          {"theta_norm", s.theta_norm},
          {"steps", s.steps},
          {"seconds", s.seconds}};
}

}  // namespace

CertifyOutcome certify(const Problem& p, const CertifyRequest& request, const std::string& source) {
  require_point(p, "certify", "a starting point (P numbers) to flow from");
  checked_arithmetic(request.refine);
  const auto t0 = std::chrono::steady_clock::now();
  CertifyOutcome out;
  out.flow = gradient_flow(p.network, p.data, p.point_as<double>(), request.flow);

  // Refine from where the flow ended (its end point is exact in binary).
  Problem flowed = p;
  Vec<Rational> end(out.flow.theta.size());
  for (Eigen::Index i = 0; i < end.size(); ++i) end(i) = Rational(out.flow.theta(i));
  flowed.point = end;
  RefineOutcome r = refine_checked(flowed, request.refine, source);
  out.refine = std::move(r.report);
  if (r.refined) {
    const Vec<double> start = p.point_as<double>();
    const Vec<double> refined = r.refined->point_as<double>();
    out.distance = (refined - start).cwiseAbs().maxCoeff();
    const LossFunction<double> f(p.network, p.data);
    out.loss_change = f.loss(refined) - f.loss(start);
    r.refined->provenance["command"] = "locus certify";
    r.refined->provenance["flow"] = {{"status", to_string(out.flow.status)},
                                     {"time", out.flow.end.time},
                                     {"steps", out.flow.end.steps}};
    out.point = std::move(r.refined);
    const bool exists =
        out.refine.contains("existence") && out.refine["existence"].value("proved", false);
    Classification c = classify(*out.point, request.classify, source);
    out.critical_point_proved = exists || c.stationarity == Stationarity::Exact ||
                                c.stationarity == Stationarity::ProvedNearby;
    out.classification = std::move(c);
  }
  if (!out.point) {
    // No critical point near where the flow stopped. If it stopped on its gradient target, follow
    // it further with no target (same budgets) to see where it goes; then read the last stretch.
    const FlowResult* last = &out.flow;
    if (out.flow.status == FlowStatus::Converged) {
      FlowOptions more = request.flow;
      more.target_gradient = std::numeric_limits<double>::min();
      out.continued = gradient_flow(p.network, p.data, out.flow.theta, more);
      last = &*out.continued;
    }
    out.divergence = analyse_divergence(p.network, p.data, *last);
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  const FlowSample& e = out.flow.end;
  const std::string where = fmt::format(
      "the flow ended ({}) at t = {:.4g} after {} steps with L = {:.10g}, ‖∇L‖ = {:.3e}, ‖θ‖ = "
      "{:.4g}",
      to_string(out.flow.status),
      e.time,
      e.steps,
      e.loss,
      e.gradient_norm,
      e.theta_norm);
  if (!out.point && out.divergence && out.divergence->diverging) {
    const FlowDivergence& d = *out.divergence;
    std::string units;
    for (std::size_t i = 0; i < d.units.size() && i < 3; ++i) {
      const GrowingUnit& u = d.units[i];
      units += fmt::format(
          "{}layer {}, unit {}{}",
          i ? "; " : "",
          u.layer,
          u.unit,
          u.saturated >= 0 ? fmt::format(" (saturated on {} of {} samples)", u.saturated, u.samples)
                           : std::string());
    }
    out.verdict = fmt::format(
        "no critical point: the flow runs to infinity ({} growth of ‖θ‖{}; growing: {}); L "
        "decreases towards about {:.6g}{}",
        d.logarithmic ? std::string("logarithmic") : fmt::format("t^{:.2f}", d.growth_exponent),
        d.logarithmic ? ", the signature of separable data" : "",
        units.empty() ? std::string("no single unit") : units,
        d.loss_limit_estimate,
        d.decrease_certified
            ? fmt::format("; L strictly decreases along the final ray for a length "
                          "{:.3g} (certified)",
                          d.ray_length)
            : std::string());
  } else if (!out.point) {
    out.verdict = fmt::format("no critical point reached: {}; Newton from there: {}",
                              where,
                              out.refine.value("reason", std::string("did not converge")));
  } else if (!out.critical_point_proved) {
    out.verdict = fmt::format(
        "no critical point proved: Newton converged in floating point, but neither the existence "
        "proof nor classify proved a true critical point ({}); kind {} as evidence only",
        out.refine.contains("existence") ? out.refine["existence"].value("reason", std::string())
                                         : std::string(),
        to_string(out.classification->kind));
  } else {
    const Classification& c = *out.classification;
    out.verdict = fmt::format(
        "{} ({}), {}",
        to_string(c.kind),
        c.certified ? "certified by " + c.arithmetic : "evidence only",
        c.inertia_known
            ? fmt::format(
                  "inertia ({}, {}, {})", c.inertia.positive, c.inertia.negative, c.inertia.zero)
            : std::string("inertia not decided"));
  }
  return out;
}

nlohmann::json to_json(const CertifyOutcome& o) {
  nlohmann::json flow = {{"status", to_string(o.flow.status)},
                         {"start", sample_json(o.flow.start)},
                         {"end", sample_json(o.flow.end)},
                         {"rhs_evaluations", o.flow.rhs_evaluations},
                         {"jacobian_evaluations", o.flow.jacobian_evaluations}};
  if (!o.flow.message.empty()) flow["message"] = o.flow.message;
  nlohmann::json history = nlohmann::json::array();
  for (const auto& s : o.flow.history) history.push_back(sample_json(s));
  flow["history"] = history;
  nlohmann::json j = {{"verdict", o.verdict},
                      {"critical_point_proved", o.critical_point_proved},
                      {"flow", flow},
                      {"refine", o.refine},
                      {"seconds", fmt::format("{:.3f}", o.seconds)}};
  j["classify"] = o.classification ? to_json(*o.classification, 0) : nlohmann::json(nullptr);
  if (o.continued) {
    j["continued_flow"] = {{"status", to_string(o.continued->status)},
                           {"start", sample_json(o.continued->start)},
                           {"end", sample_json(o.continued->end)}};
  }
  if (o.divergence) {
    const FlowDivergence& d = *o.divergence;
    nlohmann::json units = nlohmann::json::array();
    for (const GrowingUnit& u : d.units) {
      units.push_back({{"layer", u.layer},
                       {"unit", u.unit},
                       {"norm_before", u.norm_before},
                       {"norm_after", u.norm_after},
                       {"saturated", u.saturated >= 0 ? nlohmann::json(u.saturated) : nullptr},
                       {"samples", u.samples}});
    }
    j["divergence"] = {{"diverging", d.diverging},
                       {"reason", d.reason},
                       {"growth_exponent", d.growth_exponent},
                       {"growth_per_log_time", d.growth_per_log_time},
                       {"logarithmic", d.logarithmic},
                       {"loss_limit_estimate", d.loss_limit_estimate},
                       {"units", units},
                       {"decrease_certified", d.decrease_certified},
                       {"ray_length", d.ray_length},
                       {"ray_method", d.ray_method}};
  }
  j["distance"] = o.distance ? nlohmann::json(*o.distance) : nlohmann::json(nullptr);
  j["loss_change"] = o.loss_change ? nlohmann::json(*o.loss_change) : nlohmann::json(nullptr);
  return j;
}

}  // namespace locus::api
