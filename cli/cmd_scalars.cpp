// `locus scalars [--arithmetic A] [--json]`: the arithmetics built into this binary.
#include <memory>
#include <string>

#include "commands.hpp"

#include "locus/scalar/arithmetic.hpp"
#include "locus/scalar/fmt.hpp"
#include "locus/scalar/parse.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace locus::cli {

namespace {

struct ScalarsOptions {
  std::string arithmetic;
  bool json = false;
};

/// Facts about one arithmetic, computed in that arithmetic (not from a table).
struct Probe {
  std::string name;
  int digits = 0;
  std::string epsilon;
  std::string tolerance;
  std::string one_tenth;  // "0.1" parsed, printed back
  bool exact = false;
  bool rigorous = false;
  bool transcendentals = false;
};

Probe probe(const Arithmetic& a) {
  return dispatch(a, []<class S>(std::type_identity<S>) {
    using T = ScalarTraits<S>;
    Probe p;
    p.name = T::name();
    p.digits = T::digits();
    p.epsilon = T::to_string(T::epsilon());
    p.tolerance = T::to_string(T::default_tolerance());
    p.one_tenth = T::to_string(parse_scalar<S>("0.1"));
    p.exact = T::is_exact;
    p.rigorous = T::is_rigorous;
    p.transcendentals = T::has_transcendentals;
    return p;
  });
}

int run(const ScalarsOptions& opt) {
  std::vector<ArithmeticInfo> infos;
  std::vector<Arithmetic> arithmetics;
  if (opt.arithmetic.empty()) {
    for (const auto& info : builtin_arithmetics()) {
      infos.push_back(info);
      arithmetics.push_back(info.arithmetic);
    }
  } else {
    const Arithmetic a = parse_arithmetic(opt.arithmetic);
    arithmetics.push_back(a);
    for (const auto& info : builtin_arithmetics()) {
      // One line per scalar type: every ball precision is the one Ball line.
      if (same_scalar_type(info.arithmetic, a)) {
        infos.push_back(info);
      }
    }
  }

  nlohmann::json json = nlohmann::json::array();
  if (!opt.json) {
    fmt::print("{:<12} {:<18} {:>6}  {:<9} {:<26} {}\n",
               "arithmetic",
               "scalar type",
               "bits",
               "kind",
               "epsilon",
               "0.1 is stored as");
  }
  for (std::size_t i = 0; i < arithmetics.size(); ++i) {
    const Probe p = probe(arithmetics[i]);
    const ArithmeticInfo& info = infos[i];
    const std::string kind = p.exact ? "exact" : (p.rigorous ? "rigorous" : "rounding");
    if (opt.json) {
      json.push_back({{"arithmetic", info.name},
                      {"name", p.name},
                      {"scalar_type", info.scalar_type},
                      {"bits", std::to_string(p.digits)},
                      {"exact", p.exact},
                      {"rigorous", p.rigorous},
                      {"transcendentals", p.transcendentals},
                      {"epsilon", p.epsilon},
                      {"default_tolerance", p.tolerance},
                      {"one_tenth", p.one_tenth},
                      {"description", info.description}});
    } else {
      const std::string bits = p.exact ? "exact" : std::to_string(p.digits);
      std::string tenth = p.one_tenth;
      if (tenth.size() > 48) tenth = tenth.substr(0, 45) + "...";
      std::string eps = p.epsilon;
      if (eps.size() > 26) eps = eps.substr(0, 23) + "...";
      const std::string shown = opt.arithmetic.empty() ? info.name : p.name;
      fmt::print("{:<12} {:<18} {:>6}  {:<9} {:<26} {}\n",
                 shown,
                 info.scalar_type,
                 bits,
                 kind,
                 eps,
                 tenth);
    }
  }
  if (opt.json) {
    fmt::print("{}\n", json.dump(2));
  } else if (opt.arithmetic.empty()) {
    fmt::print(
        "\n{} arithmetics built in. Balls take any precision at run time: ball:BITS, BITS "
        "from 2 to {}.\n",
        arithmetics.size(),
        kBallMaxBits);
  }
  return 0;
}

}  // namespace

Run add_scalars(CLI::App& app) {
  auto opt = std::make_shared<ScalarsOptions>();
  app.add_option(
      "-a,--arithmetic", opt->arithmetic, "show one arithmetic: " + accepted_arithmetic_forms());
  app.add_flag("--json", opt->json, "JSON output (numbers as strings)");
  return [opt] { return run(*opt); };
}

}  // namespace locus::cli
