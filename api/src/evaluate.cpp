// Quantity names (locus/api/evaluate.hpp).
#include "locus/api/evaluate.hpp"

#include <algorithm>
#include <array>
#include <string>

#include <fmt/format.h>

namespace locus::api {

namespace {
struct QuantityName {
  Quantity quantity;
  std::string_view name;
  std::string_view key;
};
constexpr std::array<QuantityName, 8> kNames = {{
    {Quantity::Loss, "loss", "loss"},
    {Quantity::Gradient, "gradient", "gradient"},
    {Quantity::Hessian, "hessian", "hessian"},
    {Quantity::GaussNewton, "gauss-newton", "gauss_newton"},
    {Quantity::ResidualHessian, "residual-hessian", "residual_hessian"},
    {Quantity::Jacobian, "jacobian", "jacobian"},
    {Quantity::Outputs, "outputs", "outputs"},
    {Quantity::Residuals, "residuals", "residuals"},
}};
}  // namespace

std::string_view to_string(Quantity q) noexcept {
  for (const auto& n : kNames) {
    if (n.quantity == q) return n.name;
  }
  return "loss";
}

std::string_view json_key(Quantity q) noexcept {
  for (const auto& n : kNames) {
    if (n.quantity == q) return n.key;
  }
  return "loss";
}

const std::vector<Quantity>& all_quantities() {
  static const std::vector<Quantity> all = [] {
    std::vector<Quantity> v;
    for (const auto& n : kNames) v.push_back(n.quantity);
    return v;
  }();
  return all;
}

Quantity parse_quantity(std::string_view text) {
  for (const auto& n : kNames) {
    if (n.name == text) return n.quantity;
  }
  std::string list;
  for (const auto& n : kNames) list += fmt::format("{}{}", list.empty() ? "" : ", ", n.name);
  throw InvalidArgument(
      fmt::format("unknown quantity '{}'; expected a comma-separated list of {}", text, list));
}

std::vector<Quantity> parse_quantities(std::string_view text) {
  std::vector<Quantity> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = text.find(',', start);
    const std::size_t end = comma == std::string_view::npos ? text.size() : comma;
    const std::string_view item = text.substr(start, end - start);
    if (!item.empty()) {
      const Quantity q = parse_quantity(item);
      if (std::find(out.begin(), out.end(), q) == out.end()) out.push_back(q);  // "loss,loss"
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  if (out.empty()) throw InvalidArgument("--quantities is empty");
  return out;
}

}  // namespace locus::api
