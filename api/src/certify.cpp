// The certify job (locus/api/certify.hpp): flow, refine, classify.
#include "locus/api/certify.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include "locus/error.hpp"
#include "locus/scalar/rational.hpp"
#include "locus/solve/refine.hpp"
#include "locus/version.hpp"

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
  const auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };
  CertifyOutcome out;
  FlowResult& all = out.flow;
  Vec<double> theta = p.point_as<double>();
  double target = request.flow.target_gradient;
  constexpr int kMaxStages = 8;
  bool runs_off = false;  // Newton in double ran off: the flow goes on with no target
  for (int k = 0; k < kMaxStages; ++k) {
    // Each leg gets what is left of the budgets of the whole flow.
    FlowOptions o = request.flow;
    o.target_gradient = target;
    o.max_time = request.flow.max_time - all.end.time;
    o.max_steps = request.flow.max_steps - all.end.steps;
    o.max_seconds = request.flow.max_seconds - elapsed();
    if (k > 0 && (!(o.max_time > 0) || o.max_steps < 1 || !(o.max_seconds > 0))) break;
    if (!(o.max_seconds > 0)) o.max_seconds = 1e-3;
    // The leg's samples with flow time, steps and seconds counted from the start of the whole
    // flow (for the progress display and the combined history).
    const auto shift =
        [time0 = all.end.time, steps0 = all.end.steps, seconds0 = elapsed()](FlowSample s) {
          s.time += time0;
          s.steps += steps0;
          s.seconds += seconds0;
          return s;
        };
    if (o.progress) {
      o.progress = [&request, shift](const FlowSample& s) { request.flow.progress(shift(s)); };
    }
    FlowResult leg = gradient_flow(p.network, p.data, theta, o);
    if (k == 0) all.start = leg.start;
    for (std::size_t i = (k == 0 ? 0 : 1); i < leg.history.size(); ++i) {
      all.history.push_back(shift(leg.history[i]));
      all.history_theta.push_back(leg.history_theta[i]);
    }
    all.status = leg.status;
    all.theta = leg.theta;
    all.end = shift(leg.end);
    all.rhs_evaluations += leg.rhs_evaluations;
    all.jacobian_evaluations += leg.jacobian_evaluations;
    all.message = leg.message;
    theta = leg.theta;

    CertifyStage stage;
    stage.target_gradient = target;
    stage.status = leg.status;
    stage.start = shift(leg.start);
    stage.end = all.end;
    // A cheap look first: Newton in double. When its steps stop shrinking while ‖θ‖ grows, θ runs
    // off along a flat region: no critical point is within reach, and the MPFR refine is skipped;
    // the flow then goes on with no target, to show where it goes.
    {
      NewtonOptions quick;
      quick.digits = 12;
      quick.max_iterations = 30;
      quick.max_seconds = std::max(1.0, request.flow.max_seconds - elapsed());
      const NewtonResult<double> q = newton_refine<double>(p.network, p.data, theta, quick);
      if (q.runs_off) {
        stage.refine_status = "runs-off";
        stage.refine_reason = "Newton in double: " + q.reason;
        out.refine = {{"status", "stagnated"},
                      {"arithmetic", "double"},
                      {"reason", stage.refine_reason},
                      {"stop", "no-critical-point-within-reach"}};
        out.stages.push_back(stage);
        if (leg.status != FlowStatus::Converged || runs_off) break;
        runs_off = true;
        target = std::numeric_limits<double>::min();
        continue;
      }
    }
    // Refine from where the leg ended (its end point is exact in binary).
    Problem flowed = p;
    flowed.point = Vec<Rational>(theta.cast<Rational>());
    // Newton gets what is left of the budget, but at least a few seconds.
    RefineRequest rr = request.refine;
    rr.max_seconds = std::min(rr.max_seconds, std::max(3.0, request.flow.max_seconds - elapsed()));
    RefineOutcome r = refine_checked(flowed, rr, source);
    out.refine = std::move(r.report);
    stage.refine_status = out.refine.value("status", std::string());
    stage.refine_reason = out.refine.value("reason", std::string());
    out.stages.push_back(stage);
    if (r.refined) {
      out.point = std::move(r.refined);
      break;
    }
    // No critical point where the leg ended. A leg that reached its target may have stopped on a
    // plateau: go on with a smaller target. A leg that ran out of a budget ends the flow.
    if (leg.status != FlowStatus::Converged) break;
    target = std::min(target, leg.end.gradient_norm) / 100;
  }

  const nlohmann::json flow_json = {{"status", to_string(all.status)},
                                    {"time", all.end.time},
                                    {"steps", all.end.steps},
                                    {"legs", static_cast<long>(out.stages.size())}};
  if (out.point) {
    const Vec<double> start = p.point_as<double>();
    const Vec<double> refined = out.point->point_as<double>();
    out.distance = (refined - start).cwiseAbs().maxCoeff();
    const LossFunction<double> f(p.network, p.data);
    out.loss_change = f.loss(refined) - f.loss(start);
    out.point->provenance["command"] = "locus certify";
    out.point->provenance["flow"] = flow_json;
    const bool exists =
        out.refine.contains("existence") && out.refine["existence"].value("proved", false);
    Classification c = classify(*out.point, request.classify, source);
    out.critical_point_proved = exists || c.stationarity == Stationarity::Exact ||
                                c.stationarity == Stationarity::ProvedNearby;
    out.classification = std::move(c);
    if (request.certificate) {
      out.certificate =
          classification_certificate(*out.point, *out.classification, &out.certificate_note);
      if (out.certificate) {
        out.certificate->produced_by = fmt::format("locus {} certify", kVersion);
      }
    }
  } else {
    if (request.certificate) {
      out.certificate_note = "no critical point was reached, so there is nothing to certify";
    }
    // No critical point: read the flow's last stretch, and keep where it ended.
    out.divergence = analyse_divergence(p.network, p.data, all);
    Problem q = p;
    q.point = Vec<Rational>(all.theta.cast<Rational>());
    q.certificate = nullptr;
    q.provenance = {{"command", "locus certify"},
                    {"version", kVersion},
                    {"source", source},
                    {"status", "no critical point reached"},
                    {"note", "where the gradient flow ended: NOT a critical point; no certificate"},
                    {"flow", flow_json},
                    {"seed", nullptr}};
    out.stopped = std::move(q);
  }
  out.seconds = elapsed();

  const FlowSample& e = out.flow.end;
  const std::string where = fmt::format(
      "the flow ended ({}{}) at t = {:.4g} after {} steps with L = {:.10g}, ‖∇L‖ = {:.3e}, ‖θ‖ = "
      "{:.4g}",
      to_string(out.flow.status),
      out.stages.size() > 1 ? fmt::format(", {} legs", out.stages.size()) : std::string(),
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
        !d.logarithmic                        ? ""
        : p.network.loss == LossKind::Squared ? ", units saturating"
                                              : ", the signature of separable data",
        units.empty() ? std::string("no single unit") : units,
        d.loss_limit_estimate,
        d.decrease_certified
            ? fmt::format("; L strictly decreases along the final ray for a length "
                          "{:.3g} (certified)",
                          d.ray_length)
            : std::string());
  } else if (!out.point) {
    out.verdict = fmt::format("no critical point reached: {}; Newton from there: {}{}",
                              where,
                              out.refine.value("reason", std::string("did not converge")),
                              out.divergence && !out.divergence->reason.empty()
                                  ? "; the flow's last stretch: " + out.divergence->reason
                                  : std::string());
  } else if (!out.critical_point_proved) {
    out.verdict = fmt::format(
        "no critical point proved: Newton converged in floating point, but neither the existence "
        "proof nor classify proved a true critical point ({}); kind {} as evidence only",
        out.refine.contains("existence") ? out.refine["existence"].value("reason", std::string())
                                         : std::string(),
        to_string(out.classification->kind));
  } else {
    const Classification& c = *out.classification;
    // Where the critical point was proved: the existence box of refine, or classify's proof.
    std::string where_proved;
    const nlohmann::json ex = out.refine.value("existence", nlohmann::json::object());
    if (ex.value("proved", false)) {
      where_proved = fmt::format("; a critical point exists within max-norm {} (Krawczyk)",
                                 ex.value("radius", std::string("?")));
    } else if (c.stationarity == Stationarity::Exact) {
      where_proved = "; ∇L = 0 exactly at the refined point";
    } else if (c.critical_point_radius) {
      where_proved = fmt::format("; a critical point exists within max-norm {} ({})",
                                 format_bound(*c.critical_point_radius, true, 4),
                                 c.criticality);
    }
    out.verdict = fmt::format(
        "{} ({}), {}{}",
        to_string(c.kind),
        c.certified ? "certified by " + c.arithmetic : "evidence only",
        c.inertia_known
            ? fmt::format(
                  "inertia ({}, {}, {})", c.inertia.positive, c.inertia.negative, c.inertia.zero)
            : std::string("inertia not decided"),
        where_proved);
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
  nlohmann::json stages = nlohmann::json::array();
  for (const CertifyStage& st : o.stages) {
    stages.push_back({{"target_gradient", st.target_gradient},
                      {"status", to_string(st.status)},
                      {"start", sample_json(st.start)},
                      {"end", sample_json(st.end)},
                      {"refine_status", st.refine_status},
                      {"refine_reason", st.refine_reason}});
  }
  j["stages"] = stages;
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
