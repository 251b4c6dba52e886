// `locus construct NAME ...`: the paper constructions, written as problem files with their
// certificates (docs/interfaces.md). Each output re-checks with `locus classify` from the file alone.
//
//   locus construct split FILE --layer L --unit R --lambda X --out FILE2 [-a rational|ball:BITS]
//   locus construct inverse-design FILE --out FILE2 [--f-target positive] [--b-target zero] ...
//   locus construct star FILE --zero I,J[,K...] --out FILE2 [-a ...] [--seed S]
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "commands.hpp"

#include "locus/api/construct.hpp"
#include "locus/io/problem.hpp"
#include "locus/scalar/arithmetic.hpp"
#include "locus/scalar/parse.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace locus::cli {
namespace {

namespace lc = locus::constructions;

struct SplitCli {
  std::string file, out, arithmetic, lambda = "1/2";
  int layer = 1, unit = 0;
  bool json = false;
};

struct DesignCli {
  std::string file, out, epsilon = "1", f_target = "any", b_target = "any";
  int layer = 1, unit = 0, tries = 200, bits = 256;
  unsigned seed = 0;
  bool strict_minimum = false, json = false;
};

struct EscapeCli {
  std::string file, out, lambda = "1/2";
  int layer = 1, unit = 0, bits = 256;
  unsigned seed = 0;
  bool json = false;
};

struct PathCli {
  std::string file;
  std::string expect;  // decrease (default) or constant; else certificate.expect
  int bits = 256;
  bool json = false;
  std::string certificate;  // --certificate FILE
};

struct StarCli {
  std::string file, out, arithmetic;
  std::vector<int> zero;
  unsigned seed = 0;
  bool json = false;
};

// An empty --arithmetic means the default certified arithmetic of the network.
std::optional<Arithmetic> arithmetic_option(const std::string& name) {
  if (name.empty()) return std::nullopt;
  return parse_arithmetic(name);
}

std::string inertia_text(const DecidedInertia& d) {
  return d.decided ? to_string(d.inertia) : "undecided (" + d.reason + ")";
}

int run_split(const SplitCli& o) {
  const Problem small = read_problem_file(o.file);
  api::SplitRequest request;
  request.layer = o.layer;
  request.unit = o.unit;
  request.lambda = parse_rational(o.lambda);
  request.arithmetic = arithmetic_option(o.arithmetic);
  request.source = o.file;
  const api::SplitOutcome s = api::construct_split(small, request);
  const lc::SplitSpec& spec = s.spec;
  const lc::SplitCertificate& c = s.certificate;
  const Problem& big = s.big;
  write_problem_file(big, o.out);
  if (o.json) {
    nlohmann::json j = big.certificate;
    j["out"] = o.out;
    fmt::print("{}\n", j.dump(2));
  } else {
    fmt::print("split       layer {}, unit {}, λ = {} of {} -> {}\n",
               spec.layer,
               spec.unit,
               to_string(spec.lambda),
               small.network.describe(),
               big.network.describe());
    fmt::print("arithmetic  {}\n", c.arithmetic);
    fmt::print("small       ‖∇L‖ {}; In(∇²L_small) = {}\n",
               c.small_gradient,
               inertia_text(c.small_inertia));
    fmt::print("hypothesis  {}\n",
               c.hypothesis_proved
                   ? "θ* is a proved critical point (exact, or Krawczyk: every quantity enclosed "
                     "over the box)"
                   : "NOT proved: θ̃ is critical only to its gradient bound, so every line below "
                     "is evidence about θ̃");
    fmt::print("F_r         In = {}\n", inertia_text(c.f_inertia));
    fmt::print("B_r         {} (rank {})\n", c.b_zero_reason, c.rank_b);
    fmt::print("K_λ         In = {}\n", inertia_text(c.k_inertia));
    fmt::print("predicted   In(∇²L_big) = {} (Theorem S)\n", to_string(c.predicted));
    fmt::print("computed    In(∇²L_big) = {} -> prediction {}\n",
               inertia_text(c.big_inertia),
               c.prediction_holds ? "holds" : "FAILS or undecided");
    fmt::print("congruence  {} -> {}\n", c.congruence, c.congruence_holds ? "holds" : "FAILS");
    fmt::print("big         ‖∇L‖ {}\n", c.big_gradient);
    fmt::print("kind        {} ({})\n", c.kind, c.kind_reason);
    for (const auto& [region, v] : c.regions.items()) {
      fmt::print("  {:<22} {}\n", region, v["kind"].get<std::string>());
    }
    if (c.descent)
      fmt::print("descent     uᵀ∇²L u = {} (PS-2 direction in the file)\n", c.descent_curvature);
    fmt::print("tangent     {} vector(s) of the critical manifold in certificate.tangent_basis\n",
               c.tangent_basis.cols());
    fmt::print("wrote       {}\n", o.out);
  }
  return s.holds() ? 0 : 1;
}

int run_design(const DesignCli& o) {
  const Problem base = read_problem_file(o.file);
  api::DesignRequest request;
  request.epsilon = parse_rational(o.epsilon);
  request.seed = o.seed;
  request.tries = o.tries;
  request.layer = o.layer;
  request.unit = o.unit;
  request.f_target = lc::parse_f_target(o.f_target);
  request.b_target = lc::parse_b_target(o.b_target);
  request.strict_minimum = o.strict_minimum;
  request.bits = o.bits;
  request.source = o.file;
  const lc::DesignResult r = api::construct_inverse_design(base, request, o.file);
  write_problem_file(r.problem, o.out);
  if (o.json) {
    nlohmann::json j = r.certificate;
    j["out"] = o.out;
    fmt::print("{}\n", j.dump(2));
  } else {
    fmt::print("design      {} with N = {} (seed {})\n",
               base.network.describe(),
               base.data.inputs.rows(),
               o.seed);
    for (const auto& [k, v] : r.certificate.items()) {
      if (k == "residual") continue;
      fmt::print("  {:<18} {}\n", k, v.is_string() ? v.get<std::string>() : v.dump());
    }
    fmt::print("wrote       {}\n", o.out);
  }
  return 0;
}

void print_path(const lc::PathCheck& c) {
  for (const auto& s : c.segments) {
    fmt::print("  {:<15} {:<20} {}\n    {}\n",
               lc::to_string(s.verdict),
               lc::to_string(s.method),
               s.label,
               s.detail);
  }
  fmt::print("loss        {} -> {} (decrease {})\n", c.start_loss, c.end_loss, c.decrease);
  fmt::print("verdict     {}; {} ({})\n",
             c.non_increasing ? "non-increasing on every segment (certified)"
                              : "NOT certified non-increasing",
             c.strict_decrease ? "strict final decrease (certified)" : "NO certified decrease",
             c.arithmetic);
}

int run_escape(const EscapeCli& o) {
  const Problem small = read_problem_file(o.file);
  api::EscapeRequest request;
  request.layer = o.layer;
  request.unit = o.unit;
  request.lambda = parse_rational(o.lambda);
  request.bits = o.bits;
  request.seed = o.seed;
  request.source = o.file;
  const api::EscapeOutcome e = api::construct_escape_path(small, request);
  const Problem& p = e.path;
  const lc::PathCheck& c = e.check;
  write_problem_file(p, o.out);
  if (o.json) {
    nlohmann::json j = p.certificate;
    j["out"] = o.out;
    fmt::print("{}\n", j.dump(2));
  } else {
    fmt::print("escape path from the split (layer {}, unit {}, λ0 = {}) of {} (seed {})\n",
               o.layer,
               o.unit,
               o.lambda,
               small.network.describe(),
               o.seed);
    fmt::print("w̃*         {}, ‖g*‖ = {}, η = {}\n",
               p.certificate["w_star"].dump(),
               p.certificate["g_star_norm"].get<std::string>(),
               p.certificate["eta"].get<std::string>());
    print_path(c);
    fmt::print("wrote       {}\n", o.out);
  }
  return e.holds() ? 0 : 1;
}

int run_star(const StarCli& o) {
  const Problem base = read_problem_file(o.file);
  api::StarRequest request;
  request.zero_layers = o.zero;
  request.arithmetic = arithmetic_option(o.arithmetic);
  request.seed = o.seed;
  request.source = o.file;
  const api::StarOutcome out = api::construct_star(base, request);
  const Problem& p = out.star;
  const lc::StarCertificate& c = out.certificate;
  write_problem_file(p, o.out);
  if (o.json) {
    nlohmann::json j = p.certificate;
    j["out"] = o.out;
    fmt::print("{}\n", j.dump(2));
  } else {
    std::string zs;
    for (const int z : c.zero_layers) zs += (zs.empty() ? "" : ",") + std::to_string(z);
    fmt::print("star        zero layers {{{}}} of {}\n", zs, base.network.describe());
    fmt::print("arithmetic  {} (seed {})\n", c.arithmetic, o.seed);
    fmt::print("gradient    {}\n", c.gradient);
    fmt::print("hessian     In = {}\n", inertia_text(c.hessian_inertia));
    if (c.predicted) {
      fmt::print("predicted   In = {} (ST-2; {})\n", to_string(*c.predicted), c.prediction_method);
    } else {
      fmt::print("hessian     {} (ST-3)\n", c.hessian_zero ? "exactly 0" : "NOT exactly 0");
      fmt::print("third order {}\n", c.third_order);
    }
    fmt::print("prediction  {}\n", c.prediction_holds ? "holds" : "FAILS or undecided");
    fmt::print("kind        {}\n", c.kind);
    fmt::print("wrote       {}\n", o.out);
  }
  return out.holds() ? 0 : 1;
}

}  // namespace

Run add_construct(CLI::App& app) {
  app.require_subcommand(1);
  auto split = std::make_shared<SplitCli>();
  auto* s = app.add_subcommand("split", "replicate a hidden unit (R2) and certify Theorem S");
  s->add_option("FILE", split->file, "problem file with a critical point of the small network")
      ->required();
  s->add_option("--layer", split->layer, "hidden layer l (1-based)")->required();
  s->add_option("--unit", split->unit, "unit r (0-based)")->required();
  s->add_option("--lambda", split->lambda, "ratio λ (exact: \"1/2\", \"-0.5\")")
      ->capture_default_str();
  s->add_option("-o,--out", split->out, "problem file to write")->required();
  s->add_option("-a,--arithmetic",
                split->arithmetic,
                "rational or ball:BITS (default: rational where exact, else ball:256)");
  s->add_flag("--json", split->json, "JSON report (the certificate)");
  auto design = std::make_shared<DesignCli>();
  auto* d = app.add_subcommand("inverse-design",
                               "targets that make the file's point an exact critical point (R1)");
  d->add_option("FILE", design->file, "problem file: network, inputs (targets ignored), point θ*")
      ->required();
  d->add_option("-o,--out", design->out, "problem file to write")->required();
  d->add_option("--epsilon", design->epsilon, "residual scale ε (exact)")->capture_default_str();
  d->add_option("--seed", design->seed, "seed of the residual search")->capture_default_str();
  d->add_option("--tries", design->tries, "seeded candidates when steering")->capture_default_str();
  d->add_option("--layer", design->layer, "hidden layer of the steered unit")
      ->capture_default_str();
  d->add_option("--unit", design->unit, "steered unit (0-based)")->capture_default_str();
  d->add_option("--f-target", design->f_target, "F_r: any, positive, negative, indefinite")
      ->capture_default_str();
  d->add_option("--b-target", design->b_target, "B_r: any, zero, nonzero")->capture_default_str();
  d->add_flag("--strict-minimum", design->strict_minimum, "halve ε until ∇²L(θ*) ≻ 0");
  d->add_option("--bits", design->bits, "ball precision for non-exact activations")
      ->capture_default_str();
  d->add_flag("--json", design->json, "JSON report");
  auto escape = std::make_shared<EscapeCli>();
  auto* e = app.add_subcommand(
      "escape-path", "the non-increasing three-phase path out of a split minimum (R3, PS-4)");
  e->add_option("FILE", escape->file, "problem file with a critical point of the small network")
      ->required();
  e->add_option("--layer", escape->layer, "hidden layer l (1-based)")->capture_default_str();
  e->add_option("--unit", escape->unit, "unit r (0-based)")->capture_default_str();
  e->add_option("--lambda", escape->lambda, "start λ0 in (0, 1)")->capture_default_str();
  e->add_option("-o,--out", escape->out, "problem file with the path to write")->required();
  e->add_option("--seed", escape->seed, "seed of the w̃* search")->capture_default_str();
  e->add_option("--bits", escape->bits, "ball precision of the check")->capture_default_str();
  e->add_flag("--json", escape->json, "JSON report");
  auto cx_dir = std::make_shared<std::string>();
  auto cx_seed = std::make_shared<unsigned>(0);
  auto* x = app.add_subcommand("counterexamples",
                               "regenerate every construction and counterexample into a folder");
  x->add_option("-o,--out", *cx_dir, "folder to write")->required();
  x->add_option("--seed", *cx_seed, "seed of the random choices")->capture_default_str();
  struct GmCli {
    std::string file, out, arithmetic;
    bool json = false;
  };
  auto gm = std::make_shared<GmCli>();
  auto* g = app.add_subcommand(
      "global-minimum", "an interpolating point: targets Φ(θ), nullity P − N·n_L (CO-0), WB-1");
  g->add_option("FILE", gm->file, "problem file: network, inputs (targets replaced), point θ")
      ->required();
  g->add_option("-o,--out", gm->out, "problem file to write")->required();
  g->add_option("-a,--arithmetic",
                gm->arithmetic,
                "rational or ball:BITS (default: rational "
                "where exact, else ball:256)");
  g->add_flag("--json", gm->json, "JSON report");
  auto wb_file = std::make_shared<std::string>();
  auto wb_arith = std::make_shared<std::string>();
  auto* w = app.add_subcommand(
      "wb1-bound",
      "WB-1: the nullity lower bound at a critical point, against the certified nullity");
  w->add_option("FILE", *wb_file, "problem file with a critical point")->required();
  w->add_option("-a,--arithmetic",
                *wb_arith,
                "rational or ball:BITS (default: rational where "
                "exact, else ball:256)");
  struct GrowthCli {
    std::vector<int> widths{2, 3, 4}, layers{4, 5};
    int samples = 3;
    unsigned seed = 0;
    bool json = false;
  };
  auto gr = std::make_shared<GrowthCli>();
  auto* h = app.add_subcommand(
      "growth-table",
      "nullities of global minima, star and C components by width and depth (§4.4)");
  h->add_option("--widths", gr->widths, "hidden widths w")->delimiter(',')->capture_default_str();
  h->add_option("--layers", gr->layers, "numbers of weight layers L (>= 4)")
      ->delimiter(',')
      ->capture_default_str();
  h->add_option("--samples", gr->samples, "N")->capture_default_str();
  h->add_option("--seed", gr->seed, "seed of the weights and targets")->capture_default_str();
  h->add_flag("--json", gr->json, "JSON rows");
  auto star = std::make_shared<StarCli>();
  auto* t = app.add_subcommand("star", "a star-locus / C-locus point (R5) with ST-1..ST-3");
  t->add_option("FILE", star->file, "problem file: network (no biases, σ(0) = 0), data, point")
      ->required();
  t->add_option("--zero", star->zero, "zero weight layers (1-based), at least two")
      ->delimiter(',')
      ->required();
  t->add_option("-o,--out", star->out, "problem file to write")->required();
  t->add_option("-a,--arithmetic",
                star->arithmetic,
                "rational or ball:BITS (default: rational where exact, else ball:256)");
  t->add_option("--seed", star->seed, "seed of the third-order directions")->capture_default_str();
  t->add_flag("--json", star->json, "JSON report (the certificate)");
  return [s,
          t,
          d,
          e,
          x,
          g,
          h,
          w,
          gm,
          gr,
          wb_file,
          wb_arith,
          split,
          star,
          design,
          escape,
          cx_dir,
          cx_seed]() -> int {
    if (w->parsed()) {
      const Problem p = read_problem_file(*wb_file);
      const api::Wb1Outcome r = api::check_wb1(p, arithmetic_option(*wb_arith));
      const Classification& c = r.classification;
      fmt::print("WB-1 bound  nullity >= {} ({})\n", r.bound.bound, r.bound.method);
      fmt::print("nullity     {} ({}, {})\n",
                 c.inertia_known ? std::to_string(c.inertia.zero) : "undecided",
                 c.arithmetic,
                 c.criticality);
      fmt::print("WB-1        {}\n", !r.holds ? "undecided" : *r.holds ? "holds" : "FAILS");
      return r.holds.value_or(false) ? 0 : 1;
    }
    if (g->parsed()) {
      const Problem base = read_problem_file(gm->file);
      const api::GlobalMinimumOutcome r =
          api::construct_global_minimum(base, arithmetic_option(gm->arithmetic), gm->file);
      const Problem& p = r.problem;
      write_problem_file(p, gm->out);
      if (gm->json) {
        fmt::print("{}\n", p.certificate.dump(2));
      } else {
        for (const auto& [k, v] : p.certificate.items()) {
          fmt::print("  {:<18} {}\n", k, v.is_string() ? v.get<std::string>() : v.dump());
        }
        fmt::print("wrote       {}\n", gm->out);
      }
      return r.holds ? 0 : 1;
    }
    if (h->parsed()) {
      api::GrowthRequest request;
      request.widths = gr->widths;
      request.layers = gr->layers;
      request.samples = gr->samples;
      request.seed = gr->seed;
      const api::GrowthOutcome r = api::growth_table(request);
      if (gr->json) {
        fmt::print("{}\n", api::to_json(r).dump(2));
      } else {
        fmt::print(
            "Nullities decided exactly over Q (β = 0, n_0 = n_L = 1, N = {}, σ(z) = z + "
            "z³/3, seed {}); predictions in parentheses.\n\n{}",
            gr->samples,
            gr->seed,
            lc::growth_markdown(r.rows));
        fmt::print("\nevery prediction {}\n", r.holds ? "holds" : "does NOT hold");
      }
      return r.holds ? 0 : 1;
    }
    if (x->parsed()) {
      const auto files = api::construct_counterexamples(*cx_dir, *cx_seed);
      fmt::print("wrote {} files to {} (seed {}):\n", files.size(), *cx_dir, *cx_seed);
      for (const auto& f : files) fmt::print("  {:<34} re-check: {}\n", f.name, f.recheck);
      return 0;
    }
    if (e->parsed()) return run_escape(*escape);
    if (s->parsed()) return run_split(*split);
    if (d->parsed()) return run_design(*design);
    if (t->parsed()) return run_star(*star);
    return 2;
  };
}

Run add_path(CLI::App& app) {
  auto o = std::make_shared<PathCli>();
  app.add_option("FILE", o->file, "problem file with a \"path\" member")->required();
  app.add_option("--bits", o->bits, "ball precision (non-polynomial activations)")
      ->capture_default_str();
  app.add_option("--expect",
                 o->expect,
                 "decrease (non-increasing with a strict final decrease) or constant (default: "
                 "the file's certificate.expect, else decrease)");
  app.add_flag("--json", o->json, "JSON report");
  app.add_option(
      "--certificate",
      o->certificate,
      "also write a locus-certificate/1 of the check to this file (the vertices and each "
      "segment's proof; check it with locus-verify, docs/certificates.md)");
  return [o]() -> int {
    const Problem p = read_problem_file(o->file);
    api::PathRequest request;
    request.bits = o->bits;
    request.certificate = !o->certificate.empty();
    if (!o->expect.empty()) request.expect = api::parse_path_expectation(o->expect);
    const api::PathOutcome r = api::check_path(p, request);
    const lc::PathCheck& c = r.check;
    if (o->json) {
      fmt::print("{}\n", api::to_json(r).dump(2));
    } else {
      fmt::print(
          "path        {} ({} segments) of {}\n", o->file, c.segments.size(), p.network.describe());
      print_path(c);
      fmt::print("expect      {}: {}\n", api::to_string(r.expect), r.pass ? "pass" : "FAIL");
    }
    if (request.certificate) {
      if (!r.certificate) {
        fmt::print(stderr, "locus: --certificate: no certificate: {}\n", r.certificate_note);
        return 2;
      }
      write_certificate(*r.certificate, o->certificate);
      if (!o->json) fmt::print("certificate {}\n", o->certificate);
    }
    return r.pass ? 0 : 1;
  };
}

}  // namespace locus::cli
