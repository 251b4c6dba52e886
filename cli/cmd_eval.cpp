// `locus eval FILE [--arithmetic A] [--quantities ...] [--json] [--npy DIR]`: the loss and its
// derivatives at the file's point, in any arithmetic (docs/interfaces.md). The library computes
// (locus::evaluate, core/evaluate.hpp); this file parses, calls and writes. Numbers are written
// from the matrices: .npy from the buffer, JSON entry by entry, and the text summary formats only
// what it prints.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "commands.hpp"

#include "locus/api/evaluate.hpp"
#include "locus/api/jobs.hpp"
#include "locus/io/npy.hpp"
#include "locus/io/problem.hpp"
#include "locus/parallel/distributed.hpp"
#include "locus/scalar/arithmetic.hpp"

#include <fmt/format.h>

namespace locus::cli {

namespace {

struct EvalOptions {
  std::string file;
  std::string arithmetic = "double";
  std::string quantities = "loss,gradient,hessian";
  bool json = false;
  std::string npy_dir;
  double memory_budget_mb = 0;  ///< > 0: refuse a rank's share above this many MB
};

// Buffered stdout: one fwrite per ~1 MB.
class Out {
 public:
  ~Out() { flush(); }
  void put(std::string_view s) {
    buffer_.append(s);
    if (buffer_.size() > (1u << 20)) flush();
  }
  void flush() {
    std::fwrite(buffer_.data(), 1, buffer_.size(), stdout);
    buffer_.clear();
  }

 private:
  std::string buffer_;
};

template <class S>
void write_npy_file(const std::string& path, const api::EvaluatedQuantity<S>& q) {
  if constexpr (std::is_convertible_v<const S*, const double*>) {  // the buffer itself, no copy
    write_npy(path, q.values.data(), q.shape, NpyOrder::ColumnMajor);
  } else {
    const Mat<double> d =
        q.values.unaryExpr([](const S& x) { return ScalarTraits<S>::to_double(x); });
    write_npy(path, d.data(), q.shape, NpyOrder::ColumnMajor);
  }
}

// The JSON of `locus eval --json`, streamed in the layout of nlohmann::json::dump(2): keys sorted,
// every number exact text (p/q, round-trip decimals, balls "[m +/- r]").
template <class S>
void print_json(const api::Evaluation<S>& r) {
  std::map<std::string, const api::EvaluatedQuantity<S>*> by_key;
  for (const auto& q : r.items) by_key[std::string(api::json_key(q.quantity))] = &q;
  Out out;
  out.put(fmt::format("{{\n  \"arithmetic\": \"{}\"", r.evidence.arithmetic()));
  const auto str = [](const S& x) { return fmt::format("\"{}\"", ScalarTraits<S>::to_string(x)); };
  // A JSON array of `count` items at nesting `depth` (dump(2) layout: "[]" when empty).
  const auto array = [&](Eigen::Index count, int depth, const auto& item) {
    if (count == 0) {
      out.put("[]");
      return;
    }
    const std::string indent(static_cast<std::size_t>(2 * depth + 2), ' ');
    out.put("[");
    for (Eigen::Index i = 0; i < count; ++i) {
      out.put(i == 0 ? "\n" : ",\n");
      out.put(indent);
      item(i);
    }
    out.put("\n" + indent.substr(2) + "]");
  };
  for (const auto& [key, q] : by_key) {
    out.put(fmt::format(",\n  \"{}\": ", key));
    const Mat<S>& m = q->values;
    if (q->shape.empty()) {
      out.put(str(m(0, 0)));
    } else if (q->shape.size() == 1) {
      array(m.rows(), 1, [&](Eigen::Index i) { out.put(str(m(i, 0))); });
    } else {
      array(m.rows(), 1, [&](Eigen::Index i) {
        array(m.cols(), 2, [&](Eigen::Index j) { out.put(str(m(i, j))); });
      });
    }
  }
  out.put("\n}\n");
}

constexpr Eigen::Index kPrintedEntries = 400;

template <class S>
void print_text(const Problem& p, const api::Evaluation<S>& r) {
  fmt::print("network     {}\n", p.network.describe());
  if (p.data.population) {
    fmt::print("data        population: x ~ N(0, I), teacher of width {}; P = {}\n",
               p.data.population->teacher_width,
               p.network.num_parameters());
  } else {
    fmt::print("data        N = {}, P = {}\n", p.data.size(), p.network.num_parameters());
  }
  fmt::print("arithmetic  {}\n", r.evidence.arithmetic());
  for (const auto& q : r.items) {
    const std::string_view key = api::json_key(q.quantity);
    const Mat<S>& m = q.values;
    if (q.shape.empty()) {
      fmt::print("{:<11} {}\n", key, ScalarTraits<S>::to_string(m(0, 0)));
      continue;
    }
    double max_abs = 0;
    for (Eigen::Index j = 0; j < m.cols(); ++j) {
      for (Eigen::Index i = 0; i < m.rows(); ++i) {
        max_abs = std::max(max_abs, std::abs(ScalarTraits<S>::to_double(m(i, j))));
      }
    }
    const std::string shape = q.shape.size() == 1 ? fmt::format("{}", q.shape[0])
                                                  : fmt::format("{}x{}", q.shape[0], q.shape[1]);
    fmt::print("{:<11} {} entries, max |entry| {:.6g}\n", key, shape, max_abs);
    if (m.size() > kPrintedEntries) {
      fmt::print("            (use --json or --npy DIR for every entry)\n");
      continue;
    }
    for (Eigen::Index i = 0; i < m.rows(); ++i) {
      std::string line;
      for (Eigen::Index j = 0; j < m.cols(); ++j) {
        line += fmt::format(" {:>12.6g}", ScalarTraits<S>::to_double(m(i, j)));
      }
      fmt::print("           {}\n", line);
    }
  }
}

int run(const EvalOptions& opt) {
  const Arithmetic a = parse_arithmetic(opt.arithmetic);
  api::EvaluateOptions request;
  request.quantities = api::parse_quantities(opt.quantities);
  if (opt.memory_budget_mb > 0) {
    request.memory_budget = static_cast<std::size_t>(opt.memory_budget_mb * 1e6);
  }
  const Problem p = read_problem_file(opt.file);
  api::require_point(p, opt.file, "`locus eval` needs the parameter vector θ");
  dispatch(a, [&]<class S>(std::type_identity<S>) {
    const api::Evaluation<S> r = api::evaluate<S>(p, request);
    if (!opt.npy_dir.empty() && mpi_ranks().rank == 0) {  // one writer under mpirun
      std::filesystem::create_directories(opt.npy_dir);
      for (const auto& q : r.items) {
        const auto path =
            std::filesystem::path(opt.npy_dir) / (std::string(api::json_key(q.quantity)) + ".npy");
        write_npy_file<S>(path.string(), q);
      }
    }
    if (opt.json) {
      print_json(r);
    } else {
      print_text(p, r);
    }
  });
  return 0;
}

}  // namespace

Run add_eval(CLI::App& app) {
  auto opt = std::make_shared<EvalOptions>();
  app.add_option("FILE", opt->file, "problem file (locus-problem/1) with a point")->required();
  app.add_option("-a,--arithmetic", opt->arithmetic, "arithmetic: " + accepted_arithmetic_forms())
      ->capture_default_str();
  app.add_option("-q,--quantities",
                 opt->quantities,
                 "comma-separated: loss, gradient, hessian, gauss-newton, residual-hessian, "
                 "jacobian, outputs, residuals")
      ->capture_default_str();
  app.add_flag(
      "--json", opt->json, "JSON output (numbers as strings: p/q, round-trip decimals, balls)");
  app.add_option("--npy", opt->npy_dir, "also write each quantity as a float64 .npy file into DIR");
  app.add_option("--memory-budget",
                 opt->memory_budget_mb,
                 "refuse when one rank's share of the samples needs more than this many MB for "
                 "its derivatives (run more ranks under mpirun, docs/scaling.md)")
      ->check(CLI::PositiveNumber);
  return [opt] { return run(*opt); };
}

}  // namespace locus::cli
