// Network descriptions: names, parameter layout, validation.
#include "locus/core/network.hpp"

#include <algorithm>

#include "locus/core/population.hpp"
#include "locus/error.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace locus {

std::string Activation::name() const {
  switch (kind) {
    case ActivationKind::Sigmoid:
      return "sigmoid";
    case ActivationKind::Tanh:
      return "tanh";
    case ActivationKind::Softplus:
      return parameter == 1 ? "softplus" : "softplus(" + locus::to_string(parameter) + ")";
    case ActivationKind::Identity:
      return "identity";
    case ActivationKind::Relu:
      return "relu";
    case ActivationKind::Gelu:
      return "gelu";
    case ActivationKind::GeluTanh:
      return "gelu_tanh";
    case ActivationKind::Erf:
      return "erf";
    case ActivationKind::Silu:
      return "silu";
    case ActivationKind::LeakyRelu:
      return "leaky_relu(" + locus::to_string(parameter) + ")";
    case ActivationKind::Elu:
      return parameter == 1 ? "elu" : "elu(" + locus::to_string(parameter) + ")";
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
    case ActivationKind::Sigmoid:
    case ActivationKind::Softplus:
      return false;
    case ActivationKind::Polynomial:
      return coefficients.empty() || coefficients[0] == 0;
    default:
      return true;
  }
}

bool Activation::has_kink() const {
  return kind == ActivationKind::Relu || kind == ActivationKind::LeakyRelu ||
         kind == ActivationKind::Elu;
}

bool Activation::positively_homogeneous() const {
  return kind == ActivationKind::Identity || kind == ActivationKind::Relu ||
         kind == ActivationKind::LeakyRelu;
}

Activation Activation::polynomial(std::vector<Rational> coefficients) {
  if (coefficients.empty()) {
    throw InvalidArgument("a polynomial activation needs at least one coefficient");
  }
  return {ActivationKind::Polynomial, std::move(coefficients)};
}

Activation Activation::softplus(const Rational& beta) {
  if (!(beta > 0)) {
    throw InvalidArgument(
        fmt::format("softplus β = {}; expected a positive rational", locus::to_string(beta)));
  }
  return {ActivationKind::Softplus, {}, beta};
}

Activation Activation::leaky_relu(const Rational& slope) {
  return {ActivationKind::LeakyRelu, {}, slope};
}

Activation Activation::elu(const Rational& alpha) {
  if (!(alpha > 0)) {
    throw InvalidArgument(
        fmt::format("elu α = {}; expected a positive rational", locus::to_string(alpha)));
  }
  return {ActivationKind::Elu, {}, alpha};
}

namespace {

constexpr const char* kActivationNames =
    "sigmoid, tanh, softplus, softplus(β), identity, relu, gelu, gelu_tanh, erf, silu, "
    "leaky_relu, leaky_relu(a), elu, elu(α), polynomial[c0, c1, ...] or {\"polynomial\": "
    "[\"c0\", \"c1\", ...]}";

}  // namespace

Activation Activation::from_name(const std::string& name) {
  if (name == "sigmoid") return sigmoid();
  if (name == "tanh") return tanh();
  if (name == "softplus") return softplus();
  if (name == "identity" || name == "linear") return identity();
  if (name == "relu") return relu();
  if (name == "gelu") return gelu();
  if (name == "gelu_tanh") return gelu_tanh();
  if (name == "erf") return erf();
  if (name == "silu") return silu();
  if (name == "leaky_relu") return leaky_relu(Rational(1, 100));
  if (name == "elu") return elu(Rational(1));
  // "polynomial[c0, c1, ...]", as name() writes it.
  if (name.rfind("polynomial[", 0) == 0 && name.back() == ']') {
    std::vector<Rational> c;
    std::string item;
    const std::string body = name.substr(11, name.size() - 12) + ",";
    for (const char ch : body) {
      if (ch != ',') {
        if (ch != ' ') item += ch;
        continue;
      }
      try {
        c.push_back(parse_rational(item));
      } catch (const Error&) {
        throw InvalidArgument(fmt::format(
            "activation '{}': the coefficient '{}' is not an exact decimal or p/q", name, item));
      }
      item.clear();
    }
    return polynomial(c);
  }
  const auto open = name.find('(');
  if (open != std::string::npos && name.size() > open + 2 && name.back() == ')') {
    const std::string base = name.substr(0, open);
    const std::string arg = name.substr(open + 1, name.size() - open - 2);
    if (base == "softplus" || base == "leaky_relu" || base == "elu") {
      Rational p;
      try {
        p = parse_rational(arg);
      } catch (const Error&) {
        throw InvalidArgument(fmt::format(
            "activation '{}': the parameter '{}' is not an exact decimal or p/q", name, arg));
      }
      if (base == "softplus") return softplus(p);
      if (base == "elu") return elu(p);
      return leaky_relu(p);
    }
  }
  throw InvalidArgument(
      fmt::format("unknown activation '{}'; expected {}", name, kActivationNames));
}

std::string to_string(LossKind loss) {
  switch (loss) {
    case LossKind::Squared:
      return "squared";
    case LossKind::CrossEntropy:
      return "cross_entropy";
    case LossKind::BinaryCrossEntropy:
      return "binary_cross_entropy";
  }
  return "?";
}

std::string output_activation(LossKind loss) {
  switch (loss) {
    case LossKind::Squared:
      return "identity";
    case LossKind::CrossEntropy:
      return "softmax";
    case LossKind::BinaryCrossEntropy:
      return "sigmoid";
  }
  return "?";
}

std::string to_string(L2Scope scope) {
  return scope == L2Scope::All ? "all" : "weights";
}
std::string to_string(Reduction reduction) {
  return reduction == Reduction::Sum ? "sum" : "mean";
}

std::optional<LossKind> loss_from_name(const std::string& name) {
  if (name == "squared") return LossKind::Squared;
  if (name == "cross_entropy" || name == "cross-entropy") return LossKind::CrossEntropy;
  if (name == "binary_cross_entropy" || name == "binary-cross-entropy") {
    return LossKind::BinaryCrossEntropy;
  }
  return std::nullopt;
}
std::optional<Reduction> reduction_from_name(const std::string& name) {
  if (name == "sum") return Reduction::Sum;
  if (name == "mean") return Reduction::Mean;
  return std::nullopt;
}
std::optional<L2Scope> l2_scope_from_name(const std::string& name) {
  if (name == "all") return L2Scope::All;
  if (name == "weights") return L2Scope::Weights;
  return std::nullopt;
}

namespace {
std::ptrdiff_t offset_of(const Network& net, int l) {
  std::ptrdiff_t o = 0;
  for (int m = 1; m < l; ++m) {
    o += static_cast<std::ptrdiff_t>(net.width(m)) * net.input_columns(m);
  }
  return o;
}
}  // namespace

std::ptrdiff_t Network::num_layout_parameters() const {
  return offset_of(*this, num_layers() + 1);
}

std::ptrdiff_t Network::num_parameters() const {
  return num_layout_parameters() - static_cast<std::ptrdiff_t>(frozen.size());
}

Network Network::layout() const {
  Network all = *this;
  all.frozen.clear();
  return all;
}

std::vector<std::ptrdiff_t> Network::free_indices() const {
  std::vector<std::ptrdiff_t> out;
  out.reserve(static_cast<std::size_t>(num_parameters()));
  std::size_t f = 0;
  for (std::ptrdiff_t k = 0; k < num_layout_parameters(); ++k) {
    if (f < frozen.size() && frozen[f].index == k) {
      ++f;
    } else {
      out.push_back(k);
    }
  }
  return out;
}

std::ptrdiff_t Network::layer_offset(int l) const {
  if (!frozen.empty()) {
    throw InvalidArgument(fmt::format(
        "this computation indexes the full parameter vector and does not support frozen "
        "parameters ({} of {} frozen in {})",
        frozen.size(),
        num_layout_parameters(),
        describe()));
  }
  std::ptrdiff_t o = 0;
  for (int m = 1; m < l; ++m) {
    o += static_cast<std::ptrdiff_t>(width(m)) * input_columns(m);
  }
  return o;
}

bool Network::uniform_activation() const {
  for (const auto& a : activations) {
    if (!(a == activations.front())) return false;
  }
  return true;
}

bool Network::uniform_bias() const {
  for (const bool b : biases) {
    if (b != biases.front()) return false;
  }
  return true;
}

void Network::canonicalize() {
  if (!activations.empty() && uniform_activation()) {
    activation = activations.front();
    activations.clear();
  }
  if (!biases.empty() && uniform_bias()) {
    bias = biases.front();
    biases.clear();
  }
}

bool Network::in_l2_scope(std::ptrdiff_t k) const {
  if (l2_scope == L2Scope::All) return true;
  for (int l = 1; l <= num_layers(); ++l) {
    const std::ptrdiff_t o = layer_offset(l);
    const std::ptrdiff_t weights = static_cast<std::ptrdiff_t>(width(l)) * width(l - 1);
    if (k < o + weights) return k >= o;
    if (k < layer_offset(l + 1)) return false;
  }
  return false;
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
  const auto check_activation = [](const Activation& a, const std::string& field) {
    if (a.kind == ActivationKind::Polynomial && a.coefficients.empty()) {
      throw InvalidArgument(
          fmt::format("{}.polynomial is empty; expected coefficients c0, c1, ...", field));
    }
    if ((a.kind == ActivationKind::Softplus || a.kind == ActivationKind::Elu) &&
        !(a.parameter > 0)) {
      throw InvalidArgument(fmt::format("{} {} has parameter {}; expected a positive rational",
                                        field,
                                        a.name(),
                                        to_string(a.parameter)));
    }
  };
  check_activation(activation, "network.activation");
  if (!activations.empty()) {
    if (activations.size() != widths.size() - 2) {
      throw InvalidArgument(fmt::format(
          "network.activation lists {} activations; expected one per hidden layer ({} for widths "
          "with {} entries)",
          activations.size(),
          widths.size() - 2,
          widths.size()));
    }
    for (std::size_t l = 0; l < activations.size(); ++l) {
      check_activation(activations[l], fmt::format("network.activation[{}]", l));
    }
  }
  if (!biases.empty() && biases.size() != widths.size() - 1) {
    throw InvalidArgument(
        fmt::format("network.bias lists {} flags; expected one per weight layer ({})",
                    biases.size(),
                    widths.size() - 1));
  }
  if (l2 < 0) {
    throw InvalidArgument(fmt::format(
        "network.l2 is {}; expected a nonnegative rational coefficient", to_string(l2)));
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
  const std::ptrdiff_t all = num_layout_parameters();
  for (std::size_t i = 0; i < frozen.size(); ++i) {
    const std::ptrdiff_t k = frozen[i].index;
    if (k < 0 || k >= all) {
      throw InvalidArgument(
          fmt::format("network.frozen: index {} is outside the parameter vector; expected 0 to {}",
                      k,
                      all - 1));
    }
    if (i > 0 && k <= frozen[i - 1].index) {
      throw InvalidArgument(fmt::format(
          "network.frozen: index {} is frozen twice or out of order; expected each index once", k));
    }
  }
  if (!frozen.empty() && static_cast<std::ptrdiff_t>(frozen.size()) >= all) {
    throw InvalidArgument(fmt::format(
        "network.frozen: all {} parameters are frozen; expected at least one free parameter", all));
  }
}

std::optional<int> polynomial_loss_degree(const Network& net) {
  if (net.loss != LossKind::Squared) return std::nullopt;
  int d = 1;
  for (int m = 2; m <= net.num_layers(); ++m) {
    const Activation& a = net.activation_at(m - 1);
    if (a.kind != ActivationKind::Identity && a.kind != ActivationKind::Polynomial) {
      return std::nullopt;
    }
    const int k = a.kind == ActivationKind::Identity
                      ? 1
                      : std::max(1, static_cast<int>(a.coefficients.size()) - 1);
    d = k * d + 1;
  }
  return net.l2 > 0 ? std::max(2 * d, 2) : 2 * d;
}

std::string Network::describe() const {
  std::string w;
  for (std::size_t l = 0; l < widths.size(); ++l) w += (l ? ", " : "") + std::to_string(widths[l]);
  std::vector<std::string> names;
  for (const auto& a : activations) names.push_back(a.name());
  const std::string acts =
      activations.empty() ? activation.name() : fmt::format("[{}]", fmt::join(names, ", "));
  std::string biasing = bias ? "bias" : "no bias";
  if (!biases.empty()) {
    std::vector<int> flags;
    for (const bool b : biases) flags.push_back(b ? 1 : 0);
    biasing = fmt::format("bias [{}]", fmt::join(flags, ", "));
  }
  return fmt::format(
      "[{}] {}, {}, {}/{}{}{}{}",
      w,
      acts,
      biasing,
      to_string(loss),
      to_string(reduction),
      loss_scale == 1 ? std::string() : ", loss scale " + to_string(loss_scale),
      l2 == 0 ? std::string() : fmt::format(", L2 {} over {}", to_string(l2), to_string(l2_scope)),
      frozen.empty()
          ? std::string()
          : fmt::format(", {} of {} parameters frozen", frozen.size(), num_layout_parameters()));
}

std::string population_form_error(const Network& net) {
  const bool form = net.num_layers() == 2 && !net.has_bias(1) && !net.has_bias(2) &&
                    net.width(2) == 1 &&
                    (net.activation_at(1).kind == ActivationKind::Relu ||
                     net.activation_at(1).kind == ActivationKind::Erf) &&
                    net.loss == LossKind::Squared && net.reduction == Reduction::Mean;
  if (form) return {};
  return fmt::format(
      "a population loss (Gaussian inputs) is defined for a network [n_0, k, 1] without biases "
      "(\"bias\": false), activation relu or erf, loss squared and reduction mean; got {}",
      net.describe());
}

}  // namespace locus
