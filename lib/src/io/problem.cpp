// Problem files (locus-problem/1) with exact numbers.
#include "locus/io/problem.hpp"

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "locus/core/population.hpp"
#include "locus/error.hpp"
#include "locus/io/json_number.hpp"

#include <fmt/format.h>

namespace locus {

using nlohmann::json;

namespace {

/// SAX handler: nlohmann's DOM builder, except that floating-point numbers are stored as their
/// source text (a JSON string), so no number is ever rounded to a double.
class ExactSax {
 public:
  explicit ExactSax(json& result) : dom_(result, true) {}
  bool null() { return dom_.null(); }
  bool boolean(bool v) { return dom_.boolean(v); }
  bool number_integer(json::number_integer_t v) { return dom_.number_integer(v); }
  bool number_unsigned(json::number_unsigned_t v) { return dom_.number_unsigned(v); }
  bool number_float(json::number_float_t /*rounded*/, const json::string_t& text) {
    json::string_t copy = text;
    return dom_.string(copy);
  }
  bool string(json::string_t& s) { return dom_.string(s); }
  bool binary(json::binary_t& b) { return dom_.binary(b); }
  bool start_object(std::size_t n) { return dom_.start_object(n); }
  bool key(json::string_t& k) { return dom_.key(k); }
  bool end_object() { return dom_.end_object(); }
  bool start_array(std::size_t n) { return dom_.start_array(n); }
  bool end_array() { return dom_.end_array(); }
  template <class Exception>
  bool parse_error(std::size_t position, const std::string& token, const Exception& ex) {
    return dom_.parse_error(position, token, ex);
  }

 private:
  nlohmann::detail::json_sax_dom_parser<json> dom_;
};

class Reader {
 public:
  explicit Reader(std::string source) : source_(std::move(source)) {}

  [[noreturn]] void fail(const std::string& field, const std::string& what) const {
    throw ParseError(fmt::format("{}: {}: {}", source_, field, what));
  }

  const json& member(const json& obj, const std::string& path, const char* key) const {
    if (!obj.contains(key)) fail(path, fmt::format("missing member \"{}\"", key));
    return obj.at(key);
  }

  void only_keys(const json& obj,
                 const std::string& path,
                 const std::set<std::string>& known) const {
    for (const auto& [k, v] : obj.items()) {
      if (!known.count(k)) {
        std::string list;
        for (const auto& name : known) list += (list.empty() ? "" : ", ") + name;
        fail(path, fmt::format("unknown member \"{}\"; expected one of {}", k, list));
      }
    }
  }

  Rational number(const json& v, const std::string& path) const {
    std::string text;
    if (v.is_string()) {
      text = v.get<std::string>();
    } else if (v.is_number_integer()) {
      text = v.dump();
    } else {
      fail(path,
           fmt::format("{} is not a number; expected a decimal or \"p/q\" string or a JSON "
                       "number",
                       v.dump()));
    }
    try {
      return parse_rational(text);
    } catch (const ParseError& e) {
      fail(path, e.what());
    }
  }

  int integer(const json& v, const std::string& path) const {
    if (!v.is_number_integer()) fail(path, fmt::format("{} is not an integer", v.dump()));
    const auto x = v.get<long long>();
    if (x < -2147483647LL || x > 2147483647LL) fail(path, fmt::format("{} is out of range", x));
    return static_cast<int>(x);
  }

  Mat<Rational> matrix(const json& v, const std::string& path) const {
    if (!v.is_array() || v.empty()) {
      fail(path,
           fmt::format("{} is not a non-empty array of rows",
                       v.is_array() ? "[]" : v.dump().substr(0, 40)));
    }
    const std::size_t n = v.size();
    std::size_t cols = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t c = v[i].is_array() ? v[i].size() : 1;
      if (i == 0) cols = c;
      if (c != cols || c == 0) {
        fail(
            fmt::format("{}[{}]", path, i),
            fmt::format("row has {} entries; expected {} (rows must have equal lengths)", c, cols));
      }
    }
    Mat<Rational> m(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(cols));
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t j = 0; j < cols; ++j) {
        const json& e = v[i].is_array() ? v[i][j] : v[i];
        m(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) =
            number(e,
                   v[i].is_array() ? fmt::format("{}[{}][{}]", path, i, j)
                                   : fmt::format("{}[{}]", path, i));
      }
    }
    return m;
  }

  Vec<Rational> vector(const json& v, const std::string& path) const {
    if (!v.is_array())
      fail(path, fmt::format("{} is not an array of numbers", v.dump().substr(0, 40)));
    Vec<Rational> out(static_cast<Eigen::Index>(v.size()));
    for (std::size_t i = 0; i < v.size(); ++i) {
      out(static_cast<Eigen::Index>(i)) = number(v[i], fmt::format("{}[{}]", path, i));
    }
    return out;
  }

  Activation activation(const json& act, const std::string& path) const {
    if (act.is_string()) {
      try {
        return Activation::from_name(act.get<std::string>());
      } catch (const InvalidArgument& e) {
        fail(path, e.what());
      }
    }
    if (act.is_object() && act.size() == 1 && act.contains("polynomial")) {
      const Vec<Rational> c = vector(act["polynomial"], path + ".polynomial");
      if (c.size() == 0) fail(path + ".polynomial", "expected at least one coefficient");
      return Activation::polynomial(std::vector<Rational>(c.data(), c.data() + c.size()));
    }
    fail(path,
         fmt::format("{} is not an activation; expected a name (sigmoid, tanh, softplus, "
                     "softplus(β), identity, relu, gelu, gelu_tanh, erf, silu, leaky_relu(a), "
                     "elu(α)) or {{\"polynomial\": [\"c0\", \"c1\", ...]}}",
                     act.dump().substr(0, 60)));
  }

  Network network(const json& v) const {
    const std::string path = "network";
    if (!v.is_object()) fail(path, "expected an object");
    only_keys(v,
              path,
              {"widths",
               "activation",
               "bias",
               "loss",
               "reduction",
               "loss_scale",
               "output",
               "l2",
               "frozen"});
    Network net;
    const json& w = member(v, path, "widths");
    if (!w.is_array()) fail("network.widths", "expected an array of positive integers");
    for (std::size_t l = 0; l < w.size(); ++l) {
      net.widths.push_back(integer(w[l], fmt::format("network.widths[{}]", l)));
    }
    const json& act = member(v, path, "activation");
    if (act.is_array()) {
      if (act.empty()) fail("network.activation", "the per-layer list is empty");
      for (std::size_t l = 0; l < act.size(); ++l) {
        net.activations.push_back(activation(act[l], fmt::format("network.activation[{}]", l)));
      }
      if (net.activations.size() + 2 != net.widths.size()) {
        fail("network.activation",
             fmt::format("the list has {} activations; expected one per hidden layer ({} for "
                         "widths with {} entries)",
                         net.activations.size(),
                         net.widths.size() < 2 ? 0 : net.widths.size() - 2,
                         net.widths.size()));
      }
      net.activation = net.activations.front();
    } else {
      net.activation = activation(act, "network.activation");
    }
    if (v.contains("bias")) {
      const json& b = v["bias"];
      if (b.is_array()) {
        for (std::size_t l = 0; l < b.size(); ++l) {
          if (!b[l].is_boolean()) {
            fail(fmt::format("network.bias[{}]", l),
                 fmt::format("{} is not true or false", b[l].dump()));
          }
          net.biases.push_back(b[l].get<bool>());
        }
        if (net.biases.size() + 1 != net.widths.size()) {
          fail("network.bias",
               fmt::format("the list has {} flags; expected one per weight layer ({})",
                           net.biases.size(),
                           net.widths.size() < 1 ? 0 : net.widths.size() - 1));
        }
        net.bias = net.biases.front();
      } else if (b.is_boolean()) {
        net.bias = b.get<bool>();
      } else {
        fail("network.bias",
             fmt::format("{} is not true, false or a list of one flag per weight layer",
                         b.dump().substr(0, 40)));
      }
    }
    if (v.contains("loss")) {
      const json& l = v["loss"];
      const std::string s = l.is_string() ? l.get<std::string>() : l.dump();
      if (const auto loss = loss_from_name(s)) {
        net.loss = *loss;
      } else {
        fail("network.loss",
             fmt::format("unknown loss {}; expected \"squared\", \"cross_entropy\" or "
                         "\"binary_cross_entropy\"",
                         s));
      }
    }
    if (v.contains("output")) {
      const json& o = v["output"];
      const std::string s = o.is_string() ? o.get<std::string>() : o.dump();
      if (s != output_activation(net.loss)) {
        fail("network.output",
             fmt::format("output activation {} does not go with the loss {}; the loss folds in "
                         "its own (squared: identity, cross_entropy: softmax, "
                         "binary_cross_entropy: sigmoid), expected \"{}\"",
                         s,
                         to_string(net.loss),
                         output_activation(net.loss)));
      }
    }
    if (v.contains("l2")) {
      const json& l2 = v["l2"];
      if (l2.is_object()) {
        only_keys(l2, "network.l2", {"coefficient", "scope"});
        net.l2 = number(member(l2, "network.l2", "coefficient"), "network.l2.coefficient");
        if (l2.contains("scope")) {
          const std::string s =
              l2["scope"].is_string() ? l2["scope"].get<std::string>() : l2["scope"].dump();
          if (const auto scope = l2_scope_from_name(s)) {
            net.l2_scope = *scope;
          } else {
            fail("network.l2.scope",
                 fmt::format("unknown scope {}; expected \"all\" or \"weights\"", s));
          }
        }
      } else {
        net.l2 = number(l2, "network.l2");
      }
      if (net.l2 < 0) {
        fail(l2.is_object() ? "network.l2.coefficient" : "network.l2",
             fmt::format("{} is negative; expected a nonnegative rational coefficient c of "
                         "c·Σθ²",
                         to_string(net.l2)));
      }
    }
    if (v.contains("reduction")) {
      const json& r = v["reduction"];
      const std::string s = r.is_string() ? r.get<std::string>() : r.dump();
      if (const auto reduction = reduction_from_name(s)) {
        net.reduction = *reduction;
      } else {
        fail("network.reduction",
             fmt::format("unknown reduction {}; expected \"sum\" or \"mean\"", s));
      }
    }
    if (v.contains("loss_scale")) {
      net.loss_scale = number(v["loss_scale"], "network.loss_scale");
      if (!(net.loss_scale > 0)) {
        fail("network.loss_scale",
             fmt::format("{} is not positive; expected a positive rational such as \"2/3\"",
                         to_string(net.loss_scale)));
      }
    }
    net.canonicalize();
    if (v.contains("frozen")) frozen(v["frozen"], net);
    try {
      net.validate();
    } catch (const InvalidArgument& e) {
      throw ParseError(fmt::format("{}: {}", source_, e.what()));
    }
    return net;
  }

  // network.frozen (docs/contract-extensions.md): a list of {"layer": l, "part": "weights" |
  // "biases", "value": v} (every entry of W_l or b_l) and {"index": k, "value": v} (θ_k, 0-based in
  // the full parameter order).
  void frozen(const json& list, Network& net) const {
    if (!list.is_array()) {
      fail("network.frozen",
           "expected an array of {\"layer\", \"part\", \"value\"} or "
           "{\"index\", \"value\"} objects");
    }
    try {
      net.validate();  // the layout must be valid before it is indexed
    } catch (const InvalidArgument& e) {
      throw ParseError(fmt::format("{}: {}", source_, e.what()));
    }
    const std::ptrdiff_t all = net.num_layout_parameters();
    std::map<std::ptrdiff_t, Rational> fixed;
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string path = fmt::format("network.frozen[{}]", i);
      const json& e = list[i];
      if (!e.is_object()) fail(path, "expected an object");
      const Rational value = number(member(e, path, "value"), path + ".value");
      std::vector<std::ptrdiff_t> indices;
      if (e.contains("index")) {
        only_keys(e, path, {"index", "value"});
        const json& k = e["index"];
        if (!k.is_number_integer() || k.get<std::int64_t>() < 0 || k.get<std::int64_t>() >= all) {
          fail(path + ".index",
               fmt::format("{}: expected an integer from 0 to {} (the parameter order of {})",
                           k.dump(),
                           all - 1,
                           net.describe()));
        }
        indices.push_back(static_cast<std::ptrdiff_t>(k.get<std::int64_t>()));
      } else {
        only_keys(e, path, {"layer", "part", "value"});
        const int l = integer(member(e, path, "layer"), path + ".layer");
        if (l < 1 || l > net.num_layers()) {
          fail(path + ".layer",
               fmt::format("{}: expected a weight layer from 1 to {}", l, net.num_layers()));
        }
        const json& part = member(e, path, "part");
        const std::string name = part.is_string() ? part.get<std::string>() : part.dump();
        if (name == "weights") {
          for (int j = 0; j < net.width(l); ++j) {
            for (int k = 0; k < net.width(l - 1); ++k) indices.push_back(net.weight_index(l, j, k));
          }
        } else if (name == "biases") {
          if (!net.has_bias(l)) fail(path + ".part", fmt::format("layer {} has no biases", l));
          for (int j = 0; j < net.width(l); ++j) indices.push_back(net.bias_index(l, j));
        } else {
          fail(path + ".part", fmt::format("{}: expected \"weights\" or \"biases\"", name));
        }
      }
      for (const std::ptrdiff_t k : indices) {
        if (!fixed.emplace(k, value).second) {
          fail(path, fmt::format("parameter {} is frozen twice; expected each parameter once", k));
        }
      }
    }
    net.frozen.clear();
    for (const auto& [k, value] : fixed) net.frozen.push_back({k, value});
  }

  const std::string& source() const { return source_; }

 private:
  std::string source_;
};

// The length of a JSON number token (RFC 8259 grammar) starting at text[i], 0 if none.
std::size_t number_token(const std::string& text, std::size_t i) {
  const std::size_t n = text.size(), start = i;
  const auto digit = [&](std::size_t k) { return k < n && text[k] >= '0' && text[k] <= '9'; };
  if (i < n && text[i] == '-') ++i;
  if (!digit(i)) return 0;
  if (text[i] == '0') {
    ++i;
  } else {
    while (digit(i)) ++i;
  }
  if (i < n && text[i] == '.') {
    if (!digit(i + 1)) return 0;
    ++i;
    while (digit(i)) ++i;
  }
  if (i < n && (text[i] == 'e' || text[i] == 'E')) {
    std::size_t k = i + 1;
    if (k < n && (text[k] == '+' || text[k] == '-')) ++k;
    if (!digit(k)) return 0;
    i = k;
    while (digit(i)) ++i;
  }
  return i - start;
}

// Bare numbers with a fraction or exponent, or too many digits for a 64-bit integer, become JSON
// strings of their own text before parsing: the parser would round them to a double (and reject
// 1e400 as an overflow), while the contract says a bare number means exactly the decimal it spells.
std::string quote_inexact_numbers(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  bool in_string = false;
  for (std::size_t i = 0; i < text.size();) {
    const char ch = text[i];
    if (in_string) {
      out += ch;
      if (ch == '\\' && i + 1 < text.size()) {
        out += text[i + 1];
        i += 2;
        continue;
      }
      if (ch == '"') in_string = false;
      ++i;
      continue;
    }
    if (ch == '"') {
      in_string = true;
      out += ch;
      ++i;
      continue;
    }
    if (ch == '-' || (ch >= '0' && ch <= '9')) {
      const std::size_t len = number_token(text, i);
      if (len > 0) {
        const std::string token = text.substr(i, len);
        const bool inexact = token.find_first_of(".eE") != std::string::npos || len > 18;
        out += inexact ? "\"" + token + "\"" : token;
        i += len;
        continue;
      }
    }
    out += ch;
    ++i;
  }
  return out;
}

}  // namespace

json parse_json_exact(const std::string& text, const std::string& source) {
  json result;
  ExactSax sax(result);
  try {
    json::sax_parse(quote_inexact_numbers(text), &sax);
  } catch (const json::exception& e) {
    throw ParseError(fmt::format("{}: malformed JSON: {}", source, e.what()));
  }
  return result;
}

Problem parse_problem(const std::string& text, const std::string& source) {
  const Reader r(source);
  const json root = parse_json_exact(text, source);
  if (!root.is_object()) r.fail("(top level)", "expected a JSON object");
  r.only_keys(root,
              "(top level)",
              {"format",
               "network",
               "data",
               "point",
               "provenance",
               "certificate",
               "name",
               "description",
               "comment",
               "seed",
               "tangent_basis",
               "path"});
  const json& format = r.member(root, "(top level)", "format");
  if (!format.is_string() || format.get<std::string>() != "locus-problem/1") {
    r.fail(
        "format",
        fmt::format("{} is not a supported format; expected \"locus-problem/1\"", format.dump()));
  }
  Problem p;
  p.network = r.network(r.member(root, "(top level)", "network"));
  const json& data = r.member(root, "(top level)", "data");
  if (!data.is_object()) {
    r.fail("data", "expected an object with \"inputs\" and \"targets\", or \"population\"");
  }
  if (data.contains("population")) {
    // Gaussian inputs and a teacher's targets (docs/math/population.md)
    r.only_keys(data, "data", {"population"});
    const json& pop = data["population"];
    if (!pop.is_object()) r.fail("data.population", "expected an object");
    r.only_keys(pop, "data.population", {"inputs", "teacher_width", "teacher_point"});
    const json& inputs = r.member(pop, "data.population", "inputs");
    if (!inputs.is_string() || inputs.get<std::string>() != "gaussian") {
      r.fail("data.population.inputs",
             fmt::format("{}: expected \"gaussian\" (x ~ N(0, I))", inputs.dump()));
    }
    Dataset::Population population;
    population.teacher_width = r.integer(r.member(pop, "data.population", "teacher_width"),
                                         "data.population.teacher_width");
    population.teacher = r.vector(r.member(pop, "data.population", "teacher_point"),
                                  "data.population.teacher_point");
    p.data.inputs = Mat<Rational>(0, p.network.width(0));
    p.data.targets = Mat<Rational>(0, p.network.width(p.network.num_layers()));
    p.data.population = std::move(population);
  } else {
    r.only_keys(data, "data", {"inputs", "targets"});
    p.data.inputs = r.matrix(r.member(data, "data", "inputs"), "data.inputs");
    p.data.targets = r.matrix(r.member(data, "data", "targets"), "data.targets");
  }
  if (root.contains("point") && !root["point"].is_null()) {
    p.point = r.vector(root["point"], "point");
    // With frozen parameters the point may list every parameter (the frozen ones at their values)
    // or the free ones only; the problem holds the free ones.
    const Network& net = p.network;
    if (!net.frozen.empty() && p.point->size() == net.num_layout_parameters()) {
      for (const FrozenParameter& f : net.frozen) {
        if ((*p.point)(f.index) != f.value) {
          r.fail(fmt::format("point[{}]", f.index),
                 fmt::format("{} at a frozen parameter; expected its frozen value {}",
                             to_string((*p.point)(f.index)),
                             to_string(f.value)));
        }
      }
      const std::vector<std::ptrdiff_t> free = net.free_indices();
      Vec<Rational> reduced(static_cast<Eigen::Index>(free.size()));
      for (std::size_t k = 0; k < free.size(); ++k) {
        reduced(static_cast<Eigen::Index>(k)) = (*p.point)(free[k]);
      }
      p.point = std::move(reduced);
    }
  }
  if (root.contains("provenance")) p.provenance = root["provenance"];
  if (root.contains("certificate")) p.certificate = root["certificate"];
  for (const char* key : {"name", "description", "comment", "seed", "tangent_basis", "path"}) {
    if (root.contains(key)) p.extra[key] = root[key];
  }
  try {
    p.validate();
  } catch (const ParseError& e) {
    throw ParseError(fmt::format("{}: {}", source, e.what()));
  }
  return p;
}

void Problem::validate() const {
  const auto n0 = network.width(0);
  const auto nl = network.width(network.num_layers());
  if (data.population) {
    if (const std::string wrong = population_form_error(network); !wrong.empty()) {
      throw ParseError("data.population: " + wrong);
    }
    if (data.population->teacher_width < 1) {
      throw ParseError(fmt::format("data.population.teacher_width: {}; expected at least 1",
                                   data.population->teacher_width));
    }
    const Eigen::Index expected =
        static_cast<Eigen::Index>(data.population->teacher_width) * (n0 + 1);
    if (data.population->teacher.size() != expected) {
      throw ParseError(fmt::format(
          "data.population.teacher_point: {} entries; expected {} (n_0 = {} weights and one "
          "output weight for each of the {} teacher units)",
          data.population->teacher.size(),
          expected,
          n0,
          data.population->teacher_width));
    }
  } else if (data.inputs.rows() < 1) {
    throw ParseError("data.inputs: expected at least one sample");
  }
  if (data.inputs.cols() != n0) {
    throw ParseError(
        fmt::format("data.inputs: rows have {} entries; expected n_0 = {} (network.widths[0])",
                    data.inputs.cols(),
                    n0));
  }
  if (data.targets.rows() != data.inputs.rows()) {
    throw ParseError(fmt::format("data.targets: {} rows; expected one per input ({})",
                                 data.targets.rows(),
                                 data.inputs.rows()));
  }
  if (data.targets.cols() != nl) {
    throw ParseError(
        fmt::format("data.targets: rows have {} entries; expected n_L = {} (the last width)",
                    data.targets.cols(),
                    nl));
  }
  if (network.loss == LossKind::CrossEntropy) {
    for (Eigen::Index i = 0; i < data.targets.rows(); ++i) {
      Rational sum(0);
      for (Eigen::Index c = 0; c < nl; ++c) {
        if (data.targets(i, c) < 0) {
          throw ParseError(
              fmt::format("data.targets[{}][{}] = {}: a cross-entropy target must be a "
                          "probability vector (entries >= 0 summing to 1)",
                          i,
                          c,
                          to_string(data.targets(i, c))));
        }
        sum += data.targets(i, c);
      }
      if (sum != 1) {
        throw ParseError(
            fmt::format("data.targets[{}] sums to {}: a cross-entropy target must be a "
                        "probability vector (entries >= 0 summing to exactly 1)",
                        i,
                        to_string(sum)));
      }
    }
  }
  if (network.loss == LossKind::BinaryCrossEntropy) {
    for (Eigen::Index i = 0; i < data.targets.rows(); ++i) {
      for (Eigen::Index c = 0; c < nl; ++c) {
        if (data.targets(i, c) < 0 || data.targets(i, c) > 1) {
          throw ParseError(
              fmt::format("data.targets[{}][{}] = {}: a binary cross-entropy target must lie in "
                          "[0, 1]",
                          i,
                          c,
                          to_string(data.targets(i, c))));
        }
      }
    }
  }
  if (point && point->size() != network.num_parameters()) {
    throw ParseError(fmt::format(
        "point: {} entries; expected P = {}{} for {}",
        point->size(),
        network.num_parameters(),
        network.frozen.empty()
            ? std::string()
            : fmt::format(" (the free parameters) or {} (all)", network.num_layout_parameters()),
        network.describe()));
  }
}

Problem read_problem_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(fmt::format("cannot read problem file '{}'", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return parse_problem(buffer.str(), path);
}

namespace {
// network.frozen in its short form: a whole W_l or b_l frozen at one value is one
// {"layer", "part", "value"} entry, every other frozen parameter an {"index", "value"} entry.
json frozen_json(const Network& net) {
  const Network all = net.layout();
  std::map<std::ptrdiff_t, Rational> fixed;
  for (const FrozenParameter& f : net.frozen) fixed.emplace(f.index, f.value);
  json out = json::array();
  const auto block = [&](int l, const char* part, std::ptrdiff_t first, std::ptrdiff_t count) {
    const auto it = fixed.find(first);
    if (it == fixed.end()) return;
    const Rational value = it->second;
    for (std::ptrdiff_t k = first; k < first + count; ++k) {
      const auto f = fixed.find(k);
      if (f == fixed.end() || f->second != value) return;
    }
    for (std::ptrdiff_t k = first; k < first + count; ++k) fixed.erase(k);
    out.push_back({{"layer", l}, {"part", part}, {"value", to_string(value)}});
  };
  for (int l = 1; l <= all.num_layers(); ++l) {
    block(l,
          "weights",
          all.weight_index(l, 0, 0),
          static_cast<std::ptrdiff_t>(all.width(l)) * all.width(l - 1));
    if (all.has_bias(l)) block(l, "biases", all.bias_index(l, 0), all.width(l));
  }
  for (const auto& [k, value] : fixed) {
    out.push_back({{"index", static_cast<std::int64_t>(k)}, {"value", to_string(value)}});
  }
  return out;
}
}  // namespace

json problem_to_json(const Problem& p) {
  const auto activation_json = [](const Activation& a) -> json {
    if (a.kind != ActivationKind::Polynomial) return a.name();
    json c = json::array();
    for (const auto& x : a.coefficients) c.push_back(to_string(x));
    return {{"polynomial", c}};
  };
  Network canonical = p.network;
  canonical.canonicalize();
  json net;
  net["widths"] = canonical.widths;
  if (canonical.activations.empty()) {
    net["activation"] = activation_json(canonical.activation);
  } else {
    json list = json::array();
    for (const auto& a : canonical.activations) list.push_back(activation_json(a));
    net["activation"] = list;
  }
  if (canonical.biases.empty()) {
    net["bias"] = canonical.bias;
  } else {
    json list = json::array();
    for (const bool b : canonical.biases) list.push_back(b);
    net["bias"] = list;
  }
  net["loss"] = to_string(canonical.loss);
  net["reduction"] = to_string(canonical.reduction);
  if (canonical.loss_scale != 1) net["loss_scale"] = to_string(canonical.loss_scale);
  if (canonical.l2 != 0) {
    net["l2"] = {{"coefficient", to_string(canonical.l2)},
                 {"scope", to_string(canonical.l2_scope)}};
  }
  if (!canonical.frozen.empty()) net["frozen"] = frozen_json(canonical);
  json root;
  root["format"] = "locus-problem/1";
  for (const auto& [k, v] : p.extra.items()) root[k] = v;
  root["network"] = net;
  if (p.data.population) {
    root["data"] = {{"population",
                     {{"inputs", "gaussian"},
                      {"teacher_width", p.data.population->teacher_width},
                      {"teacher_point", number_array(p.data.population->teacher)}}}};
  } else {
    root["data"] = {{"inputs", number_matrix(p.data.inputs)},
                    {"targets", number_matrix(p.data.targets)}};
  }
  if (p.point && !p.network.frozen.empty()) {
    // every parameter, the frozen ones at their values (parse_problem takes either form)
    Vec<Rational> all(p.network.num_layout_parameters());
    for (const FrozenParameter& f : p.network.frozen) all(f.index) = f.value;
    const std::vector<std::ptrdiff_t> free = p.network.free_indices();
    for (std::size_t k = 0; k < free.size(); ++k) {
      all(free[k]) = (*p.point)(static_cast<Eigen::Index>(k));
    }
    root["point"] = number_array(all);
  } else if (p.point) {
    root["point"] = number_array(*p.point);
  }
  if (!p.provenance.is_null()) root["provenance"] = p.provenance;
  if (!p.certificate.is_null()) root["certificate"] = p.certificate;
  return root;
}

void write_problem_file(const Problem& problem, const std::string& path) {
  std::ofstream out(path, std::ios::binary);
  if (!out) throw Error(fmt::format("cannot write problem file '{}'", path));
  out << problem_to_json(problem).dump(2) << "\n";
  if (!out) throw Error(fmt::format("error while writing problem file '{}'", path));
}

}  // namespace locus
