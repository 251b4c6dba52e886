// The registry of claims, in a fixed order, and its Markdown documentation.
#include <map>

#include "instances.hpp"

#include "locus/claims/claim.hpp"
#include "locus/error.hpp"

#include <fmt/format.h>

namespace locus::claims {

namespace {

std::string faults_text(const std::vector<Mutation>& faults) {
  std::string out;
  for (const Mutation m : faults) out += (out.empty() ? "" : ", ") + to_string(m);
  return out.empty() ? "none" : out;
}

}  // namespace

const std::vector<Claim>& registry() {
  static const std::vector<Claim> all = [] {
    std::vector<Claim> out = split_claims();
    for (auto& c : other_claims()) out.push_back(std::move(c));
    return out;
  }();
  return all;
}

std::string to_string(Verdict v) {
  switch (v) {
    case Verdict::Proved:
      return "proved";
    case Verdict::Refuted:
      return "refuted";
    case Verdict::Evidence:
      return "evidence";
    case Verdict::Inconclusive:
      return "inconclusive";
  }
  return "?";
}

Mutation parse_mutation(const std::string& s) {
  if (s == "none") return Mutation::None;
  if (s == "perturb-point") return Mutation::PerturbPoint;
  if (s == "flip-residual") return Mutation::FlipResidual;
  if (s == "shift-bound") return Mutation::ShiftBound;
  throw InvalidArgument(
      fmt::format("--mutate {}: expected none, perturb-point, flip-residual or shift-bound", s));
}

std::string to_string(Mutation m) {
  switch (m) {
    case Mutation::None:
      return "none";
    case Mutation::PerturbPoint:
      return "perturb-point";
    case Mutation::FlipResidual:
      return "flip-residual";
    case Mutation::ShiftBound:
      return "shift-bound";
  }
  return "?";
}

std::string registry_markdown() {
  std::string out =
      "# Claims\n\n"
      "Generated from the registry by `locus check --markdown > docs/claims.md` (a test keeps this "
      "file in "
      "step with the code). `locus check` runs them all; `--claim ID` one; `--quick` fewer "
      "instances. Verdicts: `proved` (every instance decided exactly or in balls), `refuted` (a "
      "certified counterexample, written with `--counterexamples DIR`), `evidence` (floating point "
      "only, never reported as proved), `inconclusive` (some instance undecided). A claim passes "
      "when its verdict is the expected one. Status tags are the math spec's: [A] abstract, [P] "
      "paper as cited, [R] reconstructed, [D] derived, [V] verified.\n\n";
  out += fmt::format("{} claims.\n\n", registry().size());
  out += "| id | expected | arithmetic | instances (quick) | source |\n|---|---|---|---|---|\n";
  for (const Claim& c : registry()) {
    out += fmt::format("| `{}` | {} | {} | {} ({}) | {} {} |\n",
                       c.id,
                       c.expected,
                       c.arithmetic,
                       c.instances,
                       c.quick_instances,
                       c.source,
                       c.status);
  }
  for (const Claim& c : registry()) {
    out += fmt::format(
        "\n## `{}`\n\n{}\n\n- **Source:** {} {}\n- **Instances:** {} ({} by default, {} with "
        "`--quick`; instance k uses seed + k)\n- **Quantity:** {}\n- **Check:** {}\n- "
        "**Expected:** {}\n- **Arithmetic:** {}\n- **Margin:** {}\n- **Planted faults** "
        "(`--mutate`, each must change the verdict): {}\n",
        c.id,
        c.statement,
        c.source,
        c.status,
        c.family,
        c.instances,
        c.quick_instances,
        c.quantity,
        c.check,
        c.expected,
        c.arithmetic,
        c.margin_meaning,
        faults_text(c.faults));
  }
  return out;
}

}  // namespace locus::claims
