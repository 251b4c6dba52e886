// `locus data blobs|xor|teacher|csv [options] --out FILE`: writes a problem file (locus-problem/1)
// with a seeded data set, a network and optionally a seeded initial point.
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "commands.hpp"

#include "locus/io/dataset.hpp"
#include "locus/io/problem.hpp"
#include "locus/version.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace locus::cli {

namespace {

struct DataOptions {
  std::string kind;
  std::string csv_file;
  std::string out;
  std::string test_out;
  int num_samples = 100;
  int input_dim = 2;
  int classes = 2;
  double std_dev = 1.0;
  std::uint32_t seed = 0;
  bool no_standardize = false;
  bool one_hot = false;
  int csv_inputs = 1;
  std::string teacher_widths = "2,3,1";
  double noise = 0.0;
  std::string hidden = "";
  std::string activation = "sigmoid";
  std::string loss;
  std::string reduction;
  bool no_bias = false;
  long init_seed = -1;
  double init_scale = 0.1;
  std::vector<std::string> argv;
};

std::vector<int> parse_widths(const std::string& text, const char* option) {
  std::vector<int> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (item.empty()) continue;
    try {
      std::size_t used = 0;
      const int w = std::stoi(item, &used);
      if (used != item.size() || w < 1) throw std::invalid_argument(item);
      out.push_back(w);
    } catch (const std::exception&) {
      throw InvalidArgument(fmt::format(
          "{} '{}': '{}' is not a positive integer; expected e.g. 10,5", option, text, item));
    }
  }
  return out;
}

int run(const DataOptions& o) {
  Problem p;
  DataSplit split;
  bool has_test = false;
  std::string default_loss = "squared", default_reduction = "sum";
  nlohmann::json seeds;
  if (o.kind == "blobs") {
    split =
        make_blobs({o.num_samples, o.input_dim, o.classes, o.std_dev, o.seed, !o.no_standardize});
    has_test = true;
    default_loss = "cross_entropy";
    default_reduction = "mean";
    seeds["data_seed"] = o.seed;
  } else if (o.kind == "xor") {
    split.train = make_xor(o.one_hot);
  } else if (o.kind == "teacher") {
    TeacherOptions t;
    t.teacher.widths = parse_widths(o.teacher_widths, "--teacher-widths");
    t.teacher.activation = Activation::from_name(o.activation);
    t.teacher.bias = !o.no_bias;
    t.num_samples = o.num_samples;
    t.seed = o.seed;
    t.noise = o.noise;
    split.train = make_teacher(t);
    seeds["data_seed"] = o.seed;
  } else if (o.kind == "csv") {
    if (o.csv_file.empty()) throw InvalidArgument("locus data csv needs --csv FILE");
    split.train = read_csv(o.csv_file, o.csv_inputs);
  } else {
    throw InvalidArgument(
        fmt::format("unknown data set '{}'; expected blobs, xor, teacher or csv", o.kind));
  }
  p.network.widths = {static_cast<int>(split.train.inputs.cols())};
  for (int w : parse_widths(o.hidden, "--hidden")) p.network.widths.push_back(w);
  p.network.widths.push_back(static_cast<int>(split.train.targets.cols()));
  p.network.activation = Activation::from_name(o.activation);
  p.network.bias = !o.no_bias;
  const std::string loss = o.loss.empty() ? default_loss : o.loss;
  const std::string red = o.reduction.empty() ? default_reduction : o.reduction;
  const auto loss_kind = loss_from_name(loss);
  if (!loss_kind) {
    throw InvalidArgument(
        fmt::format("--loss {}: expected squared, cross_entropy or binary_cross_entropy", loss));
  }
  const auto reduction = reduction_from_name(red);
  if (!reduction) throw InvalidArgument(fmt::format("--reduction {}: expected sum or mean", red));
  p.network.loss = *loss_kind;
  p.network.reduction = *reduction;
  p.network.validate();
  p.data = split.train;
  if (o.init_seed >= 0) {
    p.point = random_point(p.network, static_cast<std::uint32_t>(o.init_seed), o.init_scale);
    seeds["init_seed"] = o.init_seed;
    seeds["init_scale"] = fmt::format("{}", o.init_scale);
  }
  std::string command = "locus";
  for (const auto& a : o.argv) command += " " + a;
  p.provenance = {
      {"command", command}, {"version", kVersion}, {"seeds", seeds}, {"arithmetic", "exact"}};
  p.validate();
  write_problem_file(p, o.out);
  fmt::print("wrote {}: {}, N = {}, P = {}{}\n",
             o.out,
             p.network.describe(),
             p.data.size(),
             p.network.num_parameters(),
             seeds.empty() ? "" : ", seeds " + seeds.dump());
  if (has_test && !o.test_out.empty()) {
    Problem test = p;
    test.data = split.test;
    write_problem_file(test, o.test_out);
    fmt::print("wrote {} (test split, N = {})\n", o.test_out, test.data.size());
  }
  return 0;
}

}  // namespace

Run add_data(CLI::App& app, int argc, char** argv) {
  auto o = std::make_shared<DataOptions>();
  for (int i = 1; i < argc; ++i) o->argv.emplace_back(argv[i]);
  app.add_option("KIND", o->kind, "blobs, xor, teacher or csv")->required();
  app.add_option("-o,--out", o->out, "problem file to write")->required();
  app.add_option("--test-out", o->test_out, "blobs: also write the test split here");
  app.add_option("--csv", o->csv_file, "csv: the CSV file (inputs first, then targets)");
  app.add_option("--csv-inputs", o->csv_inputs, "csv: number of input columns")
      ->capture_default_str();
  app.add_option("-n,--num-samples", o->num_samples, "training samples")->capture_default_str();
  app.add_option("--input-dim", o->input_dim, "blobs: input dimension")->capture_default_str();
  app.add_option("--classes", o->classes, "blobs: number of classes (centers)")
      ->capture_default_str();
  app.add_option("--std", o->std_dev, "blobs: cluster standard deviation")->capture_default_str();
  app.add_option("--seed", o->seed, "data seed (numpy RandomState)")->capture_default_str();
  app.add_flag("--no-standardize", o->no_standardize, "blobs: skip per-feature standardisation");
  app.add_flag("--one-hot", o->one_hot, "xor: one-hot targets (for cross-entropy)");
  app.add_option("--teacher-widths", o->teacher_widths, "teacher: widths of the teacher network")
      ->capture_default_str();
  app.add_option("--noise", o->noise, "teacher: target noise standard deviation")
      ->capture_default_str();
  app.add_option("--hidden", o->hidden, "hidden widths of the network, e.g. 10,5");
  app.add_option("--activation", o->activation, "sigmoid, tanh, softplus, identity or relu")
      ->capture_default_str();
  app.add_option("--loss", o->loss, "squared or cross_entropy (blobs: cross_entropy)");
  app.add_option("--reduction", o->reduction, "sum or mean (blobs: mean)");
  app.add_flag("--no-bias", o->no_bias, "networks without biases");
  app.add_option(
      "--init-seed", o->init_seed, "also write a point: entries scale·N(0,1) with this seed");
  app.add_option("--init-scale", o->init_scale, "scale of the random point")->capture_default_str();
  return [o] { return run(*o); };
}

}  // namespace locus::cli
