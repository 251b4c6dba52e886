// The check job (locus/api/jobs.hpp): selecting claims and running them on worker threads
// (docs/claims.md, docs/checking.md).
#include <atomic>
#include <chrono>
#include <cmath>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "locus/api/jobs.hpp"
#include "locus/claims/claim.hpp"
#include "locus/error.hpp"
#include "locus/parallel/distributed.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

namespace locus::api {

namespace lk = locus::claims;

namespace {

bool matches(const std::string& id, const std::string& pattern) {
  if (!pattern.empty() && pattern.back() == '*') {
    return id.rfind(pattern.substr(0, pattern.size() - 1), 0) == 0;
  }
  return id == pattern;
}

}  // namespace

std::vector<const lk::Claim*> select(const std::vector<std::string>& claims,
                                     const std::string& source) {
  std::vector<const lk::Claim*> selected;
  for (const lk::Claim& c : lk::registry()) {
    bool keep = claims.empty();
    for (const auto& p : claims) keep = keep || matches(c.id, p);
    if (!source.empty() && c.source.find(source) == std::string::npos &&
        c.id.find(source) == std::string::npos) {
      keep = false;
    }
    if (keep) selected.push_back(&c);
  }
  return selected;
}

void require_some(const std::vector<const lk::Claim*>& selected,
                  const std::vector<std::string>& claims,
                  const std::string& source) {
  if (selected.empty()) {
    std::string ids;
    for (const auto& p : claims) ids += (ids.empty() ? "" : ", ") + p;
    throw InvalidArgument(
        fmt::format("no claim matches --claim {} --source {}; `locus check --list` shows the ids",
                    ids.empty() ? "(any)" : ids,
                    source.empty() ? "(any)" : source));
  }
}

lk::Context context_of(const CheckRequest& r) {
  lk::Context ctx;
  ctx.seed = r.seed;
  ctx.quick = r.quick;
  ctx.force_float = r.float_only;
  ctx.mutation = r.mutate;
  ctx.counterexample_dir = r.counterexamples;
  ctx.certificate_dir = r.certificates;
  return ctx;
}

namespace {

// A claim's result as exchanged between ranks: every field, the doubles to the last bit. The
// verdict was decided on the rank that ran the claim, from its instances' typed evidence.
nlohmann::json to_wire(const lk::ClaimResult& r) {
  return {{"id", r.id},
          {"source", r.source},
          {"expected", r.expected},
          {"verdict", lk::to_string(r.verdict)},
          {"pass", r.pass},
          {"margin", fmt::format("{:a}", r.margin)},
          {"arithmetic", r.arithmetic},
          {"seed", r.seed},
          {"instances", r.instances},
          {"seconds", fmt::format("{:a}", r.seconds)},
          {"detail", r.detail},
          {"counterexample_file", r.counterexample_file},
          {"certificate_files", r.certificate_files},
          {"instances_without_certificate", r.instances_without_certificate},
          {"instances_partly_certified", r.instances_partly_certified},
          {"certificate_gaps", r.certificate_gaps}};
}

lk::ClaimResult from_wire(const nlohmann::json& j) {
  lk::ClaimResult r;
  r.id = j.at("id");
  r.source = j.at("source");
  r.expected = j.at("expected");
  for (const lk::Verdict v : {lk::Verdict::Proved,
                              lk::Verdict::Refuted,
                              lk::Verdict::Evidence,
                              lk::Verdict::Inconclusive}) {
    if (lk::to_string(v) == j.at("verdict").get<std::string>()) r.verdict = v;
  }
  r.pass = j.at("pass");
  r.margin = std::strtod(j.at("margin").get<std::string>().c_str(), nullptr);
  r.arithmetic = j.at("arithmetic");
  r.seed = j.at("seed");
  r.instances = j.at("instances");
  r.seconds = std::strtod(j.at("seconds").get<std::string>().c_str(), nullptr);
  r.detail = j.at("detail");
  r.counterexample_file = j.at("counterexample_file");
  r.certificate_files = j.at("certificate_files").get<std::vector<std::string>>();
  r.instances_without_certificate = j.at("instances_without_certificate");
  r.instances_partly_certified = j.at("instances_partly_certified");
  r.certificate_gaps = j.at("certificate_gaps").get<std::vector<std::string>>();
  return r;
}

}  // namespace

// Runs the selected claims on `threads` workers; `progress` (serialised) after each. Under
// mpirun with several ranks, rank k runs the claims k, k + R, k + 2R, ... of the selection and
// the ranks exchange their results, so that every rank returns all of them in order.
std::vector<lk::ClaimResult> run_selected(
    const std::vector<const lk::Claim*>& selected,
    const lk::Context& ctx,
    int threads,
    const std::function<void(std::size_t, const lk::ClaimResult&)>& progress) {
  const Ranks ranks = mpi_ranks();
  const auto size = static_cast<std::size_t>(ranks.size);
  const auto rank = static_cast<std::size_t>(ranks.rank);
  std::vector<std::size_t> mine;
  for (std::size_t i = rank; i < selected.size(); i += size) mine.push_back(i);
  std::vector<lk::ClaimResult> results(selected.size());
  std::atomic<std::size_t> next{0};
  std::atomic<std::size_t> done{0};
  std::mutex print;
  std::string failure;
  const auto work = [&] {
    for (std::size_t m = next++; m < mine.size(); m = next++) {
      const std::size_t i = mine[m];
      try {
        results[i] = lk::run_claim(*selected[i], ctx, 1);
      } catch (const std::exception& e) {
        const std::lock_guard<std::mutex> lock(print);
        failure = fmt::format("claim {}: {}", selected[i]->id, e.what());
        continue;
      }
      const std::size_t k = ++done;
      if (progress) {
        const std::lock_guard<std::mutex> lock(print);
        progress(k, results[i]);
      }
    }
  };
  lk::run_workers(threads, work);
  if (size == 1) {
    if (!failure.empty()) throw Error(failure);
    return results;
  }
  nlohmann::json sent = {{"failure", failure}, {"results", nlohmann::json::array()}};
  for (const std::size_t i : mine)
    sent["results"].push_back({{"index", i}, {"result", to_wire(results[i])}});
  for (const std::string& text : all_gather(sent.dump())) {
    const nlohmann::json got = nlohmann::json::parse(text);
    if (!got.at("failure").get<std::string>().empty())
      throw Error(got.at("failure").get<std::string>());
    for (const auto& item : got.at("results")) {
      results[item.at("index").get<std::size_t>()] = from_wire(item.at("result"));
    }
  }
  return results;
}

int thread_count(int requested) {
  return requested > 0 ? requested
                       : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

nlohmann::json results_json(const std::vector<lk::ClaimResult>& results,
                            unsigned seed,
                            bool quick,
                            double seconds) {
  long passed = 0;
  for (const auto& r : results) passed += r.pass ? 1 : 0;
  nlohmann::json j = {{"seed", seed},
                      {"quick", quick},
                      {"passed", passed},
                      {"failed", static_cast<long>(results.size()) - passed},
                      {"seconds", fmt::format("{:.3f}", seconds)}};
  j["claims"] = nlohmann::json::array();
  for (const auto& r : results) j["claims"].push_back(lk::to_json(r));
  return j;
}

namespace {

std::string xml_escape(const std::string& s) {
  std::string out;
  for (const char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string margin_text(double m) {
  return std::isinf(m) ? "exact" : fmt::format("{:.3g}", m);
}

}  // namespace

std::string check_table(const std::vector<lk::ClaimResult>& results, const CheckRun& run) {
  std::string out = fmt::format(
      "seed {}{}{}{}\n\n",
      run.seed,
      run.quick ? ", quick" : "",
      run.float_only ? ", float-only" : "",
      run.mutation != lk::Mutation::None ? ", mutation " + lk::to_string(run.mutation) : "");
  out += fmt::format("| {:<42} | {:<12} | {:<8} | {:<4} | {:>8} | {:<14} | {:>4} | {:>7} |\n",
                     "claim",
                     "verdict",
                     "expected",
                     "pass",
                     "margin",
                     "arithmetic",
                     "inst",
                     "seconds");
  out += fmt::format("|{:-<44}|{:-<14}|{:-<10}|{:-<6}|{:-<10}|{:-<16}|{:-<6}|{:-<9}|\n",
                     "",
                     "",
                     "",
                     "",
                     "",
                     "",
                     "",
                     "");
  int passed = 0, failed = 0;
  for (const auto& r : results) {
    (r.pass ? passed : failed)++;
    out += fmt::format("| {:<42} | {:<12} | {:<8} | {:<4} | {:>8} | {:<14} | {:>4} | {:>7.2f} |\n",
                       r.id,
                       lk::to_string(r.verdict),
                       r.expected,
                       r.pass ? "yes" : "NO",
                       r.verdict == lk::Verdict::Refuted ? "-" : margin_text(r.margin),
                       r.arithmetic.substr(0, 14),
                       r.instances,
                       r.seconds);
  }
  for (const auto& r : results) {
    if (!r.pass || r.verdict == lk::Verdict::Refuted) {
      out += fmt::format(
          "\n{}: {} (expected {})\n  {}\n", r.id, lk::to_string(r.verdict), r.expected, r.detail);
      if (!r.counterexample_file.empty()) {
        out += fmt::format("  counterexample written to {}\n", r.counterexample_file);
      }
    }
  }
  std::size_t files = 0;
  std::vector<std::string> without;
  for (const auto& r : results) {
    files += r.certificate_files.size();
    if (r.instances_without_certificate > 0 || r.instances_partly_certified > 0) {
      without.push_back(r.instances_partly_certified > 0
                            ? fmt::format("{} ({}, {} partly)",
                                          r.id,
                                          r.instances_without_certificate,
                                          r.instances_partly_certified)
                            : fmt::format("{} ({})", r.id, r.instances_without_certificate));
    }
  }
  if (files > 0 || !without.empty()) {
    out += fmt::format("\ncertificates: {} files (check them with locus-verify DIR)\n", files);
    if (!without.empty()) {
      out +=
          "proved instances without a (complete) certificate (what is left out: "
          "certificate_gaps in --json): ";
      for (std::size_t k = 0; k < without.size(); ++k) out += (k > 0 ? ", " : "") + without[k];
      out += "\n";
    }
  }
  out += fmt::format(
      "\n{:.1f} s on {} threads{}\n{} passed, {} failed\n",
      run.seconds,
      run.threads,
      mpi_ranks().size > 1 ? fmt::format(" in each of {} MPI ranks", mpi_ranks().size) : "",
      passed,
      failed);
  return out;
}

std::string check_junit(const std::vector<lk::ClaimResult>& results,
                        const CheckRun& run,
                        const std::string& suite) {
  long failed = 0;
  for (const auto& r : results) failed += r.pass ? 0 : 1;
  std::string x = fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"{}\" tests=\"{}\" "
      "failures=\"{}\" time=\"{:.3f}\">\n",
      xml_escape(suite),
      results.size(),
      failed,
      run.seconds);
  for (const auto& r : results) {
    x += fmt::format("  <testcase classname=\"claims\" name=\"{}\" time=\"{:.3f}\">",
                     xml_escape(r.id),
                     r.seconds);
    if (!r.pass) {
      x += fmt::format("<failure message=\"verdict {} (expected {})\">{}</failure>",
                       lk::to_string(r.verdict),
                       r.expected,
                       xml_escape(r.detail));
    }
    x += fmt::format("<system-out>verdict {}, margin {}, arithmetic {}, seed {}</system-out>",
                     lk::to_string(r.verdict),
                     margin_text(r.margin),
                     xml_escape(r.arithmetic),
                     r.seed);
    x += "</testcase>\n";
  }
  x += "</testsuite>\n";
  return x;
}

nlohmann::json check_report(const CheckRequest& request,
                            const std::function<void(const std::string&)>& progress) {
  const std::vector<const lk::Claim*> selected = select(request.claims, request.source);
  require_some(selected, request.claims, request.source);
  const lk::Context ctx = context_of(request);
  const auto t0 = std::chrono::steady_clock::now();
  const std::vector<lk::ClaimResult> results = run_selected(
      selected, ctx, thread_count(request.threads), [&](std::size_t k, const lk::ClaimResult& r) {
        if (progress) {
          progress(fmt::format("[{}/{}] {} {} ({:.1f} s)",
                               k,
                               selected.size(),
                               r.id,
                               lk::to_string(r.verdict),
                               r.seconds));
        }
      });
  const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return results_json(results, request.seed, request.quick, total);
}

}  // namespace locus::api
