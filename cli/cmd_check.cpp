// `locus check`: the regression suite of geometric claims (docs/interfaces.md). Prints a table and ends
// with "N passed, M failed"; exit 0 when every verdict is the expected one, 1 otherwise, 2 on bad
// input. --json FILE and --junit FILE write reports.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "commands.hpp"

#include "locus/api/jobs.hpp"
#include "locus/claims/claim.hpp"
#include "locus/error.hpp"
#include "locus/parallel/distributed.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

namespace locus::cli {
namespace {

namespace lk = locus::claims;

// The command's options: the report's (CheckRequest) plus listing and the report files.
struct CheckOptions : api::CheckRequest {
  std::string mutate_name = "none";
  bool list = false, markdown = false, progress = false;
  std::string json, junit;
};

int run(CheckOptions& o) {
  const std::vector<const lk::Claim*> selected = api::select(o.claims, o.source);
  if (o.markdown) {
    fmt::print("{}", lk::registry_markdown());
    return 0;
  }
  api::require_some(selected, o.claims, o.source);
  if (o.list) {
    for (const auto* c : selected) {
      fmt::print("{:<42} {:<9} {:<22} {}\n", c->id, c->expected, c->arithmetic, c->source);
    }
    fmt::print("{} claims\n", selected.size());
    return 0;
  }
  o.mutate = lk::parse_mutation(o.mutate_name);  // parsed once, here
  const lk::Context ctx = api::context_of(o);
  const int threads = api::thread_count(o.threads);
  const bool progress = o.progress || isatty(STDERR_FILENO) != 0;
  const auto t0 = std::chrono::steady_clock::now();
  const std::vector<lk::ClaimResult> results =
      api::run_selected(selected, ctx, threads, [&](std::size_t k, const lk::ClaimResult& r) {
        if (progress) {
          fmt::print(stderr,
                     "[{}/{}] {} {} ({:.1f} s)\n",
                     k,
                     selected.size(),
                     r.id,
                     lk::to_string(r.verdict),
                     r.seconds);
        }
      });
  const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  api::CheckRun info;
  info.seed = o.seed;
  info.quick = o.quick;
  info.float_only = o.float_only;
  info.mutation = ctx.mutation;
  info.threads = threads;
  info.seconds = total;
  fmt::print("{}", api::check_table(results, info));
  const bool writer = mpi_ranks().rank == 0;  // one writer under mpirun
  if (!o.json.empty() && writer) {
    std::ofstream(o.json) << api::results_json(results, o.seed, o.quick, total).dump(2) << "\n";
  }
  if (!o.junit.empty() && writer) {
    std::ofstream(o.junit) << api::check_junit(results, info, "locus check");
  }
  const bool all_pass =
      std::all_of(results.begin(), results.end(), [](const auto& r) { return r.pass; });
  return all_pass ? 0 : 1;
}

}  // namespace

Run add_check(CLI::App& app) {
  auto o = std::make_shared<CheckOptions>();
  app.add_option("--claim", o->claims, "claim id (a trailing * matches a prefix); repeatable");
  app.add_option("--source", o->source, "only claims whose source or id contains this text");
  app.add_flag("--list", o->list, "list the claims");
  app.add_flag("--markdown", o->markdown, "print docs/claims.md (the registry) and exit");
  app.add_flag("--quick", o->quick, "fewer instances per claim (the CI suite)");
  app.add_option("--seed", o->seed, "base seed; instance k uses seed + k")->capture_default_str();
  app.add_option("--threads", o->threads, "parallel claims (default: all cores)");
  app.add_option("--json", o->json, "write a JSON report to this file");
  app.add_option("--junit", o->junit, "write a JUnit XML report to this file");
  app.add_option("--certificates",
                 o->certificates,
                 "write locus-certificate/1 files of the proved claims into this directory (check "
                 "them with locus-verify DIR; docs/certificates.md)");
  app.add_option("--counterexamples",
                 o->counterexamples,
                 "folder for the problem files of refuting instances")
      ->capture_default_str();
  app.add_option("--mutate",
                 o->mutate_name,
                 "plant a fault: perturb-point, flip-residual, shift-bound (mutation tests)")
      ->capture_default_str();
  app.add_flag("--float-only",
               o->float_only,
               "run every instance in double (never proves anything; for testing)");
  app.add_flag("--progress", o->progress, "progress lines on stderr (default when a terminal)");
  return [o] { return run(*o); };
}

}  // namespace locus::cli
