// Running claims (locus/claims/claim.hpp).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <mutex>
#include <thread>

#include "instances.hpp"

#include "locus/claims/claim.hpp"
#include "locus/error.hpp"
#include "locus/version.hpp"

#include <fmt/format.h>

#include <flint/flint.h>

namespace locus::claims {

void run_workers(int threads, const std::function<void()>& work) {
  std::vector<std::thread> pool;
  for (int k = 1; k < threads; ++k) {
    pool.emplace_back([&] {
      work();
      flint_cleanup();  // FLINT/Arb keep per-thread caches; free them before the thread exits
    });
  }
  work();
  for (auto& t : pool) t.join();
}

ClaimResult run_claim(const Claim& claim, const Context& ctx, int threads) {
  const auto t0 = std::chrono::steady_clock::now();
  const int n = ctx.quick ? claim.quick_instances : claim.instances;
  std::vector<InstanceResult> results(static_cast<std::size_t>(n));
  std::atomic<int> next{0};
  const auto work = [&] {
    for (int i = next++; i < n; i = next++) {
      const std::uint32_t seed = ctx.seed + static_cast<std::uint32_t>(i);
      InstanceResult r;
      try {
        r = claim.run(ctx, seed);
      } catch (const std::exception& e) {
        r = detail::undecided(fmt::format("instance {} (seed {}): {}", i, seed, e.what()));
      }
      results[static_cast<std::size_t>(i)] = std::move(r);
    }
  };
  run_workers(std::max(1, std::min(threads, n)), work);

  ClaimResult out;
  out.id = claim.id;
  out.source = claim.source;
  out.expected = claim.expected;
  out.seed = ctx.seed;
  out.instances = n;
  bool any_refuted = false, any_undecided = false, any_float = false;
  int refuting = -1;
  double margin = std::numeric_limits<double>::infinity();
  std::vector<std::string> arithmetics;
  for (int i = 0; i < n; ++i) {
    const InstanceResult& r = results[static_cast<std::size_t>(i)];
    if (!r.decided) {
      any_undecided = true;
      if (out.detail.empty()) out.detail = r.detail;
      continue;
    }
    const std::string& name = r.evidence.arithmetic();
    if (std::find(arithmetics.begin(), arithmetics.end(), name) == arithmetics.end()) {
      arithmetics.push_back(name);
    }
    const bool cert = r.evidence.proves();  // from the scalar type, not from the name
    any_float = any_float || !cert;
    if (!r.holds && cert && refuting < 0) {
      any_refuted = true;
      refuting = i;
    }
    if (r.holds) margin = std::min(margin, r.margin);
  }
  if (any_refuted) {
    out.verdict = Verdict::Refuted;
    const InstanceResult& r = results[static_cast<std::size_t>(refuting)];
    out.detail = fmt::format("instance {} (seed {}): {}",
                             refuting,
                             ctx.seed + static_cast<std::uint32_t>(refuting),
                             r.detail);
    out.margin = 0;
    if (r.counterexample && !ctx.counterexample_dir.empty()) {
      std::filesystem::create_directories(ctx.counterexample_dir);
      Problem p = *r.counterexample;
      out.counterexample_file =
          (std::filesystem::path(ctx.counterexample_dir) /
           fmt::format("{}.seed{}.json", claim.id, ctx.seed + static_cast<std::uint32_t>(refuting)))
              .string();
      p.provenance = {{"command", ctx.command},
                      {"claim", claim.id},
                      {"statement", claim.statement},
                      {"violation", r.detail},
                      {"arithmetic", r.evidence.arithmetic()},
                      {"recheck", fmt::format("locus classify {}", out.counterexample_file)},
                      {"version", kVersion},
                      {"seed", ctx.seed + static_cast<std::uint32_t>(refuting)}};
      write_problem_file(p, out.counterexample_file);
    }
  } else if (any_undecided) {
    out.verdict = Verdict::Inconclusive;
  } else if (any_float) {
    out.verdict = Verdict::Evidence;
    out.margin = margin;
  } else {
    out.verdict = Verdict::Proved;
    out.margin = margin;
    if (out.detail.empty() && n > 0) out.detail = results[0].detail;
    if (!ctx.certificate_dir.empty()) {
      std::filesystem::create_directories(ctx.certificate_dir);
      for (int i = 0; i < n; ++i) {
        const auto& certs = results[static_cast<std::size_t>(i)].certificates;
        const std::string& gap = results[static_cast<std::size_t>(i)].not_certified;
        if (!gap.empty() &&
            std::find(out.certificate_gaps.begin(), out.certificate_gaps.end(), gap) ==
                out.certificate_gaps.end()) {
          out.certificate_gaps.push_back(gap);
        }
        if (certs.empty()) {
          ++out.instances_without_certificate;
        } else if (!results[static_cast<std::size_t>(i)].not_certified.empty()) {
          ++out.instances_partly_certified;
        }
        for (std::size_t k = 0; k < certs.size(); ++k) {
          const std::string file =
              (std::filesystem::path(ctx.certificate_dir) /
               fmt::format(
                   "{}.seed{}.{}.json", claim.id, ctx.seed + static_cast<std::uint32_t>(i), k))
                  .string();
          Certificate c = certs[k];
          c.produced_by = fmt::format("locus {} {}, claim {}, seed {}",
                                      kVersion,
                                      ctx.command,
                                      claim.id,
                                      ctx.seed + static_cast<std::uint32_t>(i));
          write_certificate(c, file);
          out.certificate_files.push_back(file);
        }
      }
    }
  }
  for (std::size_t k = 0; k < arithmetics.size(); ++k) {
    if (k > 0) out.arithmetic += ',';
    out.arithmetic += arithmetics[k];
  }
  out.pass = to_string(out.verdict) == claim.expected;
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

nlohmann::json to_json(const ClaimResult& r) {
  nlohmann::json j = {
      {"id", r.id},
      {"source", r.source},
      {"verdict", to_string(r.verdict)},
      {"expected", r.expected},
      {"pass", r.pass},
      {"margin", std::isinf(r.margin) ? std::string("exact") : fmt::format("{:.6g}", r.margin)},
      {"arithmetic", r.arithmetic},
      {"seed", r.seed},
      {"instances", r.instances},
      {"seconds", fmt::format("{:.3f}", r.seconds)},
      {"detail", r.detail}};
  if (!r.counterexample_file.empty()) j["counterexample"] = r.counterexample_file;
  if (!r.certificate_files.empty() || r.instances_without_certificate > 0) {
    j["certificates"] = r.certificate_files;
    j["instances_without_certificate"] = r.instances_without_certificate;
    j["instances_partly_certified"] = r.instances_partly_certified;
    j["certificate_gaps"] = r.certificate_gaps;
  }
  return j;
}

}  // namespace locus::claims
