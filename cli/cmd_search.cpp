// `locus search CLAIM`: a counterexample search in a registered claim's family (docs/search.md).
// Prints the budget, the outcome, the shrinking steps and the counterexample file with the
// command that re-checks it; --log FILE writes every try (JSONL), --json the whole outcome. Exit 0
// when a certified counterexample was found, 1 when none was within the budget, 2 on bad input.
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "commands.hpp"

#include "locus/api/search.hpp"
#include "locus/error.hpp"
#include "locus/parallel/distributed.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

namespace locus::cli {
namespace {

struct SearchCliOptions {
  std::string claim;
  api::SearchOptions search;
  bool no_shrink = false, progress = false, list = false;
  std::string out = "counterexamples", json, log;
};

int run(SearchCliOptions& o) {
  if (o.list || o.claim.empty()) {
    for (const auto& id : api::searchable_claims()) {
      const auto s = api::builtin_search_space(id);
      fmt::print("{:<34} {}\n", id, s->family);
    }
    if (o.claim.empty() && !o.list) {
      throw InvalidArgument("locus search: which claim? (the ids above have a search space)");
    }
    return 0;
  }
  const auto space = api::builtin_search_space(o.claim);
  if (!space) {
    std::string ids;
    for (const auto& id : api::searchable_claims()) ids += (ids.empty() ? "" : ", ") + id;
    throw InvalidArgument(fmt::format(
        "claim '{}' has no search space; searchable: {} (claims of your own: locus.search in "
        "Python)",
        o.claim,
        ids));
  }
  o.search.shrink = !o.no_shrink;
  const bool writer = mpi_ranks().rank == 0;  // one writer under mpirun
  const bool progress = o.progress || isatty(STDERR_FILENO) != 0;
  const api::SearchOutcome s = api::search(*space, o.search, [&](const std::string& line) {
    if (progress) fmt::print(stderr, "{}\n", line);
  });
  const auto& b = o.search;
  fmt::print("claim       {}\n  {}\n", s.claim, space->statement);
  fmt::print("family      {}\n", space->family);
  fmt::print(
      "budget      seed {}, {} restarts, {} s, {} optimiser runs x {} evaluations (Sbplx), "
      "shrink {} ({} s, denominators <= {})\n",
      b.seed,
      b.restarts,
      b.max_seconds,
      b.optimiser_runs,
      b.optimiser_evaluations,
      b.shrink ? "on" : "off",
      b.shrink_seconds,
      b.max_denominator);
  fmt::print("tried       {} restarts, {} margin evaluations, {} certifications, best margin {}\n",
             s.restarts,
             s.evaluations,
             s.certifications,
             std::isfinite(s.best_margin) ? fmt::format("{:.4g}", s.best_margin) : "-");
  if (mpi_ranks().size > 1)
    fmt::print(
        "ranks       {} MPI ranks, restarts, optimiser runs and shrinking moves spread over them\n",
        mpi_ranks().size);
  if (!s.found) {
    fmt::print("result      no certified counterexample within the budget ({:.1f} s)\n", s.seconds);
  } else {
    fmt::print(
        "result      certified counterexample ({}), found in {} after {:.1f} s (seed {}, "
        "{})\n",
        s.certificate.evidence.arithmetic(),
        s.found_in,
        s.seconds_to_find,
        s.found_seed,
        s.origin);
    fmt::print("violation   {}\n", s.certificate.detail);
    fmt::print(
        "shrunk      {} -> {} samples, {} -> {} parameters{}\n",
        s.samples_before,
        s.samples_after,
        s.parameters_before,
        s.parameters_after,
        s.shrink_steps.empty() ? "" : ": " + fmt::format("{}", fmt::join(s.shrink_steps, "; ")));
    const std::string file =
        (std::filesystem::path(o.out) / fmt::format("{}.search{}.json", s.claim, b.seed)).string();
    if (writer) {
      std::filesystem::create_directories(o.out);
      Problem p = *s.counterexample;
      p.provenance["recheck"] = fmt::format("locus classify {}", file);
      write_problem_file(p, file);
    }
    fmt::print("written     {}\nre-check    locus classify {}\n", file, file);
  }
  fmt::print("seconds     {:.1f}\n", s.seconds);
  const nlohmann::json report = api::to_json(s, o.search);
  if (!writer) return s.found ? 0 : 1;
  if (!o.log.empty()) {
    std::ofstream f(o.log);
    for (const auto& line : report["log"]) f << line.dump() << "\n";
  }
  if (!o.json.empty()) std::ofstream(o.json) << report.dump(2) << "\n";
  return s.found ? 0 : 1;
}

}  // namespace

Run add_search(CLI::App& app) {
  auto o = std::make_shared<SearchCliOptions>();
  app.add_option("claim", o->claim, "a registered claim with a search space (--list)");
  app.add_flag("--list", o->list, "list the claims that have a search space");
  app.add_option("--seed", o->search.seed, "base seed; restart k uses seed + k")
      ->capture_default_str();
  app.add_option("--restarts", o->search.restarts, "candidates drawn (phase 1)")
      ->capture_default_str();
  app.add_option("--max-seconds", o->search.max_seconds, "wall clock for restarts and optimiser")
      ->capture_default_str();
  app.add_option(
         "--optimiser-runs", o->search.optimiser_runs, "Sbplx runs from the best candidates")
      ->capture_default_str();
  app.add_option("--evaluations", o->search.optimiser_evaluations, "margin evaluations per run")
      ->capture_default_str();
  app.add_flag("--no-shrink", o->no_shrink, "keep the counterexample as found");
  app.add_option("--shrink-seconds", o->search.shrink_seconds, "wall clock for shrinking")
      ->capture_default_str();
  app.add_option(
         "--max-denominator", o->search.max_denominator, "rounding denominators 1, 2, 4, ...")
      ->capture_default_str();
  app.add_option("--out", o->out, "folder for the counterexample problem file")
      ->capture_default_str();
  app.add_option("--json", o->json, "write the outcome (with the log) as JSON to this file");
  app.add_option("--log", o->log, "write the log of every try (JSON lines) to this file");
  app.add_flag("--progress", o->progress, "progress lines on stderr (default when a terminal)");
  return [o] { return run(*o); };
}

}  // namespace locus::cli
