// `locus eval FILE [--arithmetic A] [--quantities ...] [--json] [--npy DIR]`: the loss and its
// derivatives at the file's point, in any arithmetic (interfaces.md).
#include <filesystem>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "commands.hpp"

#include "locus/cli/reports.hpp"
#include "locus/core/derivatives.hpp"
#include "locus/io/npy.hpp"
#include "locus/io/problem.hpp"
#include "locus/scalar/arithmetic.hpp"
#include "locus/scalar/fmt.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace locus::cli {

namespace {

const std::vector<std::string> kQuantities = {"loss",
                                              "gradient",
                                              "hessian",
                                              "gauss-newton",
                                              "residual-hessian",
                                              "jacobian",
                                              "outputs",
                                              "residuals"};

struct EvalOptions {
  std::string file;
  std::string arithmetic = "double";
  std::string quantities = "loss,gradient,hessian";
  bool json = false;
  std::string npy_dir;
};

std::vector<std::string> split_quantities(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (item.empty()) continue;
    bool known = false;
    for (const auto& q : kQuantities) known = known || q == item;
    if (!known) {
      std::string list;
      for (const auto& q : kQuantities) list += (list.empty() ? "" : ", ") + q;
      throw InvalidArgument(
          fmt::format("unknown quantity '{}'; expected a comma-separated list of {}", item, list));
    }
    out.push_back(item);
  }
  if (out.empty()) throw InvalidArgument("--quantities is empty");
  return out;
}

using Quantity = EvaluatedQuantity;

template <class S>
Quantity from_matrix(const std::string& key, const Mat<S>& m, bool as_vector = false) {
  Quantity q;
  q.key = key;
  q.shape = as_vector ? std::vector<long>{static_cast<long>(m.size())}
                      : std::vector<long>{static_cast<long>(m.rows()), static_cast<long>(m.cols())};
  for (Eigen::Index i = 0; i < m.rows(); ++i) {
    for (Eigen::Index j = 0; j < m.cols(); ++j) {
      q.text.push_back(ScalarTraits<S>::to_string(m(i, j)));
      q.values.push_back(ScalarTraits<S>::to_double(m(i, j)));
    }
  }
  return q;
}

template <class S>
std::vector<Quantity> evaluate(const Problem& p, const std::vector<std::string>& wanted) {
  const LossFunction<S> fn(p.network, p.data);
  const Vec<S> theta = p.point_as<S>();
  std::vector<Quantity> out;
  for (const auto& w : wanted) {
    if (w == "loss") {
      const S l = fn.loss(theta);
      out.push_back({"loss", {}, {ScalarTraits<S>::to_string(l)}, {ScalarTraits<S>::to_double(l)}});
    } else if (w == "gradient") {
      out.push_back(from_matrix<S>("gradient", Mat<S>(fn.gradient(theta)), true));
    } else if (w == "hessian") {
      out.push_back(from_matrix<S>("hessian", fn.hessian(theta, HessianPart::Full)));
    } else if (w == "gauss-newton") {
      out.push_back(from_matrix<S>("gauss_newton", fn.hessian(theta, HessianPart::GaussNewton)));
    } else if (w == "residual-hessian") {
      out.push_back(from_matrix<S>("residual_hessian", fn.hessian(theta, HessianPart::Residual)));
    } else if (w == "jacobian") {
      out.push_back(from_matrix<S>("jacobian", fn.output_jacobian(theta)));
    } else if (w == "outputs") {
      out.push_back(from_matrix<S>("outputs", fn.outputs(theta)));
    } else if (w == "residuals") {
      out.push_back(from_matrix<S>("residuals", fn.residuals(theta)));
    }
  }
  return out;
}

nlohmann::json to_json(const Quantity& q) {
  if (q.shape.empty()) return q.text[0];
  if (q.shape.size() == 1) return q.text;
  nlohmann::json rows = nlohmann::json::array();
  const long cols = q.shape[1];
  for (long i = 0; i < q.shape[0]; ++i) {
    rows.push_back(
        std::vector<std::string>(q.text.begin() + i * cols, q.text.begin() + (i + 1) * cols));
  }
  return rows;
}

void print_text(const Problem& p, const std::string& arithmetic, const std::vector<Quantity>& qs) {
  fmt::print("network     {}\n", p.network.describe());
  fmt::print("data        N = {}, P = {}\n", p.data.size(), p.network.num_parameters());
  fmt::print("arithmetic  {}\n", arithmetic);
  for (const auto& q : qs) {
    if (q.shape.empty()) {
      fmt::print("{:<11} {}\n", q.key, q.text[0]);
      continue;
    }
    double max_abs = 0;
    for (double v : q.values) max_abs = std::max(max_abs, std::abs(v));
    const std::string shape = q.shape.size() == 1 ? fmt::format("{}", q.shape[0])
                                                  : fmt::format("{}x{}", q.shape[0], q.shape[1]);
    fmt::print("{:<11} {} entries, max |entry| {:.6g}\n", q.key, shape, max_abs);
    const long cols = q.shape.size() == 1 ? 1 : q.shape[1];
    const long rows = q.shape[0];
    if (q.values.size() > 400) {
      fmt::print("            (use --json or --npy DIR for every entry)\n");
      continue;
    }
    for (long i = 0; i < rows; ++i) {
      std::string line;
      for (long j = 0; j < cols; ++j)
        line += fmt::format(" {:>12.6g}", q.values[static_cast<std::size_t>(i * cols + j)]);
      fmt::print("           {}\n", line);
    }
  }
}

std::vector<Quantity> evaluate_checked(const Problem& p,
                                       const Arithmetic& a,
                                       const std::vector<std::string>& wanted,
                                       const std::string& where,
                                       std::string& name) {
  if (!p.point) {
    throw ParseError(
        fmt::format("{}: point: missing; `locus eval` needs the parameter vector θ "
                    "(P = {} numbers)",
                    where,
                    p.network.num_parameters()));
  }
  return dispatch(a, [&]<class S>(std::type_identity<S>) {
    name = ScalarTraits<S>::name();
    return evaluate<S>(p, wanted);
  });
}

int run(const EvalOptions& opt) {
  const Arithmetic a = parse_arithmetic(opt.arithmetic);
  const auto wanted = split_quantities(opt.quantities);
  const Problem p = read_problem_file(opt.file);
  std::string name;
  const auto qs = evaluate_checked(p, a, wanted, opt.file, name);
  if (!opt.npy_dir.empty()) {
    std::filesystem::create_directories(opt.npy_dir);
    for (const auto& q : qs) {
      write_npy(
          (std::filesystem::path(opt.npy_dir) / (q.key + ".npy")).string(), q.values, q.shape);
    }
  }
  if (opt.json) {
    nlohmann::json j;
    j["arithmetic"] = name;
    for (const auto& q : qs) j[q.key] = to_json(q);
    fmt::print("{}\n", j.dump(2));
  } else {
    print_text(p, name, qs);
  }
  return 0;
}

}  // namespace

std::vector<EvaluatedQuantity> evaluate_report(const Problem& p,
                                               const std::string& arithmetic,
                                               const std::string& quantities,
                                               std::string* arithmetic_name) {
  const Arithmetic a = parse_arithmetic(arithmetic);
  const auto wanted = split_quantities(quantities);
  std::string name;
  auto out = evaluate_checked(p, a, wanted, "problem", name);
  if (arithmetic_name) *arithmetic_name = name;
  return out;
}

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
  return [opt] { return run(*opt); };
}

}  // namespace locus::cli
