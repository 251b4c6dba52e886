// Network descriptions: names, parameter layout, validation.
#include "locus/core/network.hpp"

#include <algorithm>

#include "locus/error.hpp"

#include <fmt/format.h>

namespace locus {

std::string Activation::name() const {
  switch (kind) {
    case ActivationKind::Sigmoid:
      return "sigmoid";
    case ActivationKind::Tanh:
      return "tanh";
    case ActivationKind::Softplus:
      return "softplus";
    case ActivationKind::Identity:
      return "identity";
    case ActivationKind::Relu:
      return "relu";
    case ActivationKind::Polynomial: {
      std::string s = "polynomial[";
      for (std::size_t k = 0; k < coefficients.size(); ++k) {
        s += (k ? ", " : "") + locus::to_string(coefficients[k]);
      }
      return s + "]";
    }
  }
  return "?";
}

bool Activation::vanishes_at_zero() const {
  switch (kind) {
    case ActivationKind::Tanh:
    case ActivationKind::Identity:
    case ActivationKind::Relu:
      return true;
    case ActivationKind::Polynomial:
      return coefficients.empty() || coefficients[0] == 0;
    default:
      return false;
  }
}

Activation Activation::polynomial(std::vector<Rational> coefficients) {
  if (coefficients.empty()) {
    throw InvalidArgument("a polynomial activation needs at least one coefficient");
  }
  return {ActivationKind::Polynomial, std::move(coefficients)};
}

Activation Activation::from_name(const std::string& name) {
  if (name == "sigmoid") return sigmoid();
  if (name == "tanh") return tanh();
  if (name == "softplus") return softplus();
  if (name == "identity" || name == "linear") return identity();
  if (name == "relu") return relu();
  throw InvalidArgument(
      fmt::format("unknown activation '{}'; expected sigmoid, tanh, softplus, identity, relu or "
                  "{{\"polynomial\": [\"c0\", \"c1\", ...]}}",
                  name));
}

std::string to_string(LossKind loss) {
  return loss == LossKind::Squared ? "squared" : "cross_entropy";
}
std::string to_string(Reduction reduction) {
  return reduction == Reduction::Sum ? "sum" : "mean";
}

std::ptrdiff_t Network::num_parameters() const {
  return layer_offset(num_layers() + 1);
}

std::ptrdiff_t Network::layer_offset(int l) const {
  std::ptrdiff_t o = 0;
  for (int m = 1; m < l; ++m) {
    o += static_cast<std::ptrdiff_t>(width(m)) * (width(m - 1) + (bias ? 1 : 0));
  }
  return o;
}

void Network::validate() const {
  if (widths.size() < 2) {
    throw InvalidArgument(
        fmt::format("network.widths has {} entries; expected at least 2 (input and output widths)",
                    widths.size()));
  }
  for (std::size_t l = 0; l < widths.size(); ++l) {
    if (widths[l] < 1) {
      throw InvalidArgument(
          fmt::format("network.widths[{}] = {}; expected a positive integer", l, widths[l]));
    }
    if (widths[l] > 1000000) {
      throw InvalidArgument(
          fmt::format("network.widths[{}] = {}; expected at most 1000000", l, widths[l]));
    }
  }
  if (activation.kind == ActivationKind::Polynomial && activation.coefficients.empty()) {
    throw InvalidArgument(
        "network.activation.polynomial is empty; expected coefficients c0, c1, ...");
  }
  if (!(loss_scale > 0)) {
    throw InvalidArgument(fmt::format("network.loss_scale is {}; expected a positive rational",
                                      to_string(loss_scale)));
  }
  if (loss == LossKind::CrossEntropy && widths.back() < 2) {
    throw InvalidArgument(fmt::format(
        "network.loss cross_entropy needs at least 2 outputs (classes); widths end in {}",
        widths.back()));
  }
}

std::optional<int> polynomial_loss_degree(const Network& net) {
  const bool polynomial = net.activation.kind == ActivationKind::Identity ||
                          net.activation.kind == ActivationKind::Polynomial;
  if (!polynomial || net.loss != LossKind::Squared) return std::nullopt;
  const int k = net.activation.kind == ActivationKind::Identity
                    ? 1
                    : std::max(1, static_cast<int>(net.activation.coefficients.size()) - 1);
  int d = 1;
  for (int m = 2; m <= net.num_layers(); ++m) d = k * d + 1;
  return 2 * d;
}

std::string Network::describe() const {
  std::string w;
  for (std::size_t l = 0; l < widths.size(); ++l) w += (l ? ", " : "") + std::to_string(widths[l]);
  return fmt::format("[{}] {}, {}, {}/{}{}",
                     w,
                     activation.name(),
                     bias ? "bias" : "no bias",
                     to_string(loss),
                     to_string(reduction),
                     loss_scale == 1 ? std::string() : ", loss scale " + to_string(loss_scale));
}

}  // namespace locus
