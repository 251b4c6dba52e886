// Counterexample networks (locus/constructions/counterexamples.hpp).
#include "locus/constructions/counterexamples.hpp"

#include <filesystem>
#include <random>

#include "locus/constructions/design.hpp"
#include "locus/constructions/path.hpp"
#include "locus/constructions/split.hpp"
#include "locus/constructions/star.hpp"
#include "locus/core/derivatives.hpp"
#include "locus/error.hpp"
#include "locus/linalg/spectrum.hpp"
#include "locus/solve/classify.hpp"
#include "locus/solve/refine.hpp"
#include "locus/version.hpp"

#include <fmt/format.h>

namespace locus::constructions {
namespace {

using Index = Eigen::Index;

Mat<Rational> column(const std::vector<std::string>& v) {
  Mat<Rational> m(static_cast<Index>(v.size()), 1);
  for (std::size_t i = 0; i < v.size(); ++i) m(static_cast<Index>(i), 0) = parse_rational(v[i]);
  return m;
}

Vec<Rational> vec(const std::vector<std::string>& v) {
  return column(v).col(0);
}

Problem g2_base() {
  Problem p;
  p.network.widths = {1, 1, 1};
  p.network.activation = exp_taylor5();
  p.data.inputs = column({"-2", "-3/2", "-1", "-1/2", "0", "1/2", "1", "3/2", "2"});
  p.data.targets = Mat<Rational>::Zero(9, 1);
  p.point = vec({"1", "0", "1", "0"});
  return p;
}

}  // namespace

Problem g1_small_problem() {
  Problem p;
  p.network.widths = {1, 1, 1};
  p.network.activation = Activation::sigmoid();
  p.data.inputs = column({"-4", "-3", "-2", "-1", "0", "1", "2", "3", "4"});
  p.data.targets = column({"0.2240443082",
                           "-0.4303423886",
                           "0.5513399018",
                           "0.0627002570",
                           "0.5000000101",
                           "0.9372996839",
                           "0.4486602741",
                           "1.4303421299",
                           "0.7759558237"});
  p.point = vec({"1", "0", "1", "0"});
  p.extra["name"] = "G1 small net: sigmoid 1-1-1, a strict local minimum with L = 1/2";
  return p;
}

Problem g1_critical_problem() {
  using M = Mpfr512;
  Problem p = g1_small_problem();
  const auto r = newton_refine<M>(p.network, p.data, p.point_as<M>(), {});
  if (r.status != NewtonStatus::Converged) {
    throw Error("G1's small network did not refine: " + r.reason);
  }
  Vec<Rational> t(r.theta.size());
  for (Index i = 0; i < t.size(); ++i) t(i) = ScalarTraits<M>::to_rational(r.theta(i));
  p.point = t;
  return p;
}

Problem g7_counterexample(const Problem& g1, std::uint32_t seed, Mat<Rational>* map) {
  std::mt19937 rng(seed);
  Problem p = g1;
  Mat<Rational> composite =
      Mat<Rational>::Identity(g1.network.num_parameters(), g1.network.num_parameters());
  for (int k = 0; k < 9; ++k) {
    std::uniform_int_distribution<int> unit(0, p.network.width(1) - 1);
    std::uniform_int_distribution<int> percent(20, 80);
    SplitSpec s;
    s.layer = 1;
    s.unit = unit(rng);
    s.lambda = Rational(percent(rng), 100);
    composite = Mat<Rational>(split_map(p, s) * composite);
    p = split_problem(p, s);
  }
  if (map != nullptr) *map = composite;
  const Network& net = p.network;  // 1-10-1
  const int H = net.width(1);
  // The critical manifold: all incoming rows equal, outgoing weights with a fixed sum. Its tangent:
  // the differences of consecutive outgoing weights (dimension H − 1 = 9).
  Mat<Rational> tangent = Mat<Rational>::Zero(net.num_parameters(), H - 1);
  for (int j = 0; j + 1 < H; ++j) {
    tangent(net.weight_index(2, 0, j), j) = 1;
    tangent(net.weight_index(2, 0, j + 1), j) = -1;
  }
  // The suboptimality witness: the end of G1's escape path (1-2-1), padded with inactive units.
  SplitSpec s;
  s.layer = 1;
  s.unit = 0;
  s.lambda = Rational(1, 2);
  const Problem esc = escape_path(g1, s, seed);
  std::vector<std::string> labels;
  const std::vector<Vec<Rational>> verts = path_vertices(esc, &labels);
  const Vec<Rational>& end = verts.back();
  const Network& small2 = esc.network;  // 1-2-1
  Vec<Rational> witness = Vec<Rational>::Zero(net.num_parameters());
  for (int j = 0; j < 2; ++j) {
    witness(net.weight_index(1, j, 0)) = end(small2.weight_index(1, j, 0));
    witness(net.bias_index(1, j)) = end(small2.bias_index(1, j));
    witness(net.weight_index(2, 0, j)) = end(small2.weight_index(2, 0, j));
  }
  witness(net.bias_index(2, 0)) = end(small2.bias_index(2, 0));
  const ScopedBallPrecision precision(256);
  const LossFunction<Ball> f(net, p.data);
  const Ball at_min = f.loss(p.point_as<Ball>());
  const Ball at_witness = f.loss(convert_matrix<Ball>(Mat<Rational>(witness)));
  const bool lower = certainly_less(at_witness, at_min) == Certainty::True;
  p.extra["name"] =
      "G7: a suboptimal local minimum of a width-10 >= N sigmoid network (Yu-Chen 1995 refuted)";
  p.provenance = {
      {"command", "locus construct counterexamples"}, {"version", kVersion}, {"seed", seed}};
  p.certificate = {
      {"kind", "counterexample"},
      {"claim",
       "yu-chen-1995: a one-hidden-layer sigmoid network with >= N-1 hidden units has no "
       "suboptimal local minimum"},
      {"source", "math-spec §8 G7, §9 DLS-1/YC-0 (Ding-Li-Sun 2019, Petzka-Sminchisescu 2021)"},
      {"refuted_by",
       "θ is a local minimum (Morse-Bott: classify with the tangent basis below) and the witness "
       "point has a certified lower loss"},
      {"tangent_basis", columns_json(tangent)},
      {"witness_point", columns_json(Mat<Rational>(witness))[0]},
      {"loss", at_min.to_string(20)},
      {"witness_loss", at_witness.to_string(20)},
      {"witness_lower", lower},
      {"seed", seed}};
  return p;
}

Problem si1_swap_path(std::uint32_t seed) {
  Problem p;
  p.network.widths = {1, 3, 1};
  p.network.activation = exp_taylor5();
  p.data.inputs = column({"-1", "-1/2", "0", "1/2", "1", "3/2"});
  // Teacher of width 2: units (w, b) = (1, 0) and (-1, 1/2), outgoing 1 and -2, output bias 0.
  Problem teacher;
  teacher.network = p.network;
  teacher.network.widths = {1, 2, 1};
  teacher.data = {p.data.inputs, Mat<Rational>::Zero(6, 1)};
  Rational w1(1), b1(0), w2(-1), b2(1, 2), ws(2), bs(1), v1(1), v2(-2);
  if (seed != 0) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> coin(-8, 8);
    const auto draw = [&] { return Rational(coin(rng), 4); };
    const auto nonzero = [&] {
      Rational r = draw();
      while (r == 0) r = draw();
      return r;
    };
    w1 = nonzero();
    b1 = draw();
    do {
      w2 = nonzero();
      b2 = draw();
    } while (w2 == w1 && b2 == b1);
    v1 = nonzero();
    v2 = nonzero();
    ws = draw();
    bs = draw();
  }
  Vec<Rational> tt(7);
  tt << w1, w2, b1, b2, v1, v2, Rational(0);
  p.data.targets = LossFunction<Rational>(teacher.network, teacher.data).outputs(tt);
  const Network& n = p.network;
  // Student: units 0, 1 copy the teacher, unit 2 (the spare s) has outgoing 0 and incoming (2, 1).
  const auto point = [&](const Rational w[3], const Rational b[3], const Rational v[3]) {
    Vec<Rational> t = Vec<Rational>::Zero(n.num_parameters());
    for (int j = 0; j < 3; ++j) {
      t(n.weight_index(1, j, 0)) = w[j];
      t(n.bias_index(1, j)) = b[j];
      t(n.weight_index(2, 0, j)) = v[j];
    }
    return t;
  };
  std::vector<Vec<Rational>> verts;
  std::vector<std::string> labels;
  {
    const Rational w[3] = {w1, w2, ws}, b[3] = {b1, b2, bs}, v[3] = {v1, v2, 0};
    verts.push_back(point(w, b, v));
  }
  const auto step =
      [&](const Rational w[3], const Rational b[3], const Rational v[3], const std::string& label) {
        verts.push_back(point(w, b, v));
        labels.push_back(label);
      };
  {
    const Rational w[3] = {w1, w2, w1}, b[3] = {b1, b2, b1}, v[3] = {v1, v2, 0};
    step(w, b, v, "1: move the spare unit's incoming row to unit 1's (its outgoing is 0)");
  }
  {
    const Rational w[3] = {w1, w2, w1}, b[3] = {b1, b2, b1}, v[3] = {0, v2, v1};
    step(w, b, v, "2: slide unit 1's outgoing weight to the spare unit (equal incoming rows)");
  }
  {
    const Rational w[3] = {w2, w2, w1}, b[3] = {b2, b2, b1}, v[3] = {0, v2, v1};
    step(w, b, v, "3: move unit 1's incoming row to unit 2's (its outgoing is 0 now)");
  }
  {
    const Rational w[3] = {w2, w2, w1}, b[3] = {b2, b2, b1}, v[3] = {v2, 0, v1};
    step(w, b, v, "4: slide unit 2's outgoing weight to unit 1");
  }
  {
    const Rational w[3] = {w2, w1, w1}, b[3] = {b2, b1, b1}, v[3] = {v2, 0, v1};
    step(w, b, v, "5: move unit 2's incoming row to the original unit 1's (held by the spare)");
  }
  {
    const Rational w[3] = {w2, w1, w1}, b[3] = {b2, b1, b1}, v[3] = {v2, v1, 0};
    step(w, b, v, "6: slide the spare unit's outgoing weight to unit 2");
  }
  {
    const Rational w[3] = {w2, w1, ws}, b[3] = {b2, b1, bs}, v[3] = {v2, v1, 0};
    step(w, b, v, "7: move the spare unit's incoming row back");
  }
  p.point = verts.front();
  nlohmann::json jv = nlohmann::json::array();
  for (const auto& v : verts) jv.push_back(columns_json(Mat<Rational>(v))[0]);
  p.extra["name"] = "SI-1: swapping two units of a zero-loss point through one spare unit";
  p.extra["path"] = {{"vertices", jv}, {"labels", labels}};
  p.provenance = {{"command", "locus construct counterexamples"}, {"version", kVersion}};
  p.certificate = {
      {"kind", "swap-path"},
      {"claim", "simsek-2021.one-extra-unit: the loss is identically 0 along the path"},
      {"source", "math-spec §9 SI-1 (Şimşek et al. 2021)"},
      {"expect", "constant"}};
  return p;
}

std::vector<std::string> write_counterexamples(const std::string& dir, std::uint32_t seed) {
  std::filesystem::create_directories(dir);
  std::vector<std::string> out;
  const auto put = [&](Problem p, const std::string& name) {
    const std::string path = (std::filesystem::path(dir) / name).string();
    if (p.provenance.is_null()) {
      p.provenance = {
          {"command", "locus construct counterexamples"}, {"version", kVersion}, {"seed", seed}};
    }
    write_problem_file(p, path);
    out.push_back(name);
  };
  const Problem g1 = g1_critical_problem();
  const auto ball = Arithmetic::ball(512);
  for (const auto& [lam, name] :
       {std::pair<Rational, std::string>{Rational(1, 2), "g1_split_minimum.json"},
        {Rational(3, 2), "g1_split_saddle.json"}}) {
    SplitSpec s;
    s.lambda = lam;
    Problem big = split_problem(g1, s);
    big.certificate = to_json(certify_split(g1, s, ball));
    put(big, name);
  }
  {
    SplitSpec s;
    put(escape_path(g1, s, seed), "g1_escape_path.json");
  }
  {
    DesignSpec d;
    const Problem b = g2_base();
    d.network = b.network;
    d.inputs = b.data.inputs;
    d.theta = *b.point;
    d.f_target = FTarget::Positive;
    d.strict_minimum = true;
    d.seed = 1;
    const DesignResult r = inverse_design(d);
    put(r.problem, "g2_design.json");
    SplitSpec s;
    s.lambda = Rational(1, 3);
    Problem big = split_problem(r.problem, s);
    big.certificate = to_json(certify_split(r.problem, s, Arithmetic{ScalarKind::Rational, 0}));
    put(big, "g2_split_minimum.json");
  }
  {
    Problem star;
    star.network.widths = {2, 2, 2, 1};
    star.network.activation = Activation::tanh();
    star.network.bias = false;
    star.data.inputs = Mat<Rational>::Identity(2, 2);
    star.data.targets = column({"1", "-1"});
    star.point = vec({"0", "0", "0", "0", "0", "0", "0", "0", "1", "2"});
    const auto a = Arithmetic::ball(256);
    Problem s2 = star_problem(star, {1, 2});
    s2.certificate = to_json(certify_star(star, {1, 2}, a, seed));
    put(s2, "g3b_star.json");
    Problem s3 = star_problem(star, {1, 2, 3});
    s3.certificate = to_json(certify_star(star, {1, 2, 3}, a, seed));
    put(s3, "g3_c_locus.json");
  }
  put(g7_counterexample(g1, seed), "g7_yu_chen_counterexample.json");
  put(si1_swap_path(), "si1_swap_path.json");
  return out;
}

}  // namespace locus::constructions
