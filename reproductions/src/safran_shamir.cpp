// Spurious local minima of the ReLU teacher–student population loss
// (locus/reproductions/safran_shamir.hpp).
#include "locus/reproductions/safran_shamir.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <thread>
#include <utility>

#include "locus/core/derivatives.hpp"
#include "locus/error.hpp"
#include "locus/linalg/dense.hpp"
#include "locus/linalg/spectrum.hpp"
#include "locus/scalar/mpfr.hpp"
#include "locus/solve/existence.hpp"
#include "locus/solve/refine.hpp"
#include "locus/version.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <nlopt.h>

namespace locus::reproductions {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

std::string path_in(const std::string& dir, const std::string& name) {
  return (std::filesystem::path(dir) / name).string();
}

// Thresholds of the double classification (evidence that selects what to prove; the proof
// decides). A loss below kGlobalLoss is the global minimum's zero reached; a spurious candidate
// needs a loss above kSpuriousLoss, a small gradient and a clearly positive Hessian.
constexpr double kGlobalLoss = 1e-10;
constexpr double kSpuriousLoss = 1e-6;
constexpr double kGradient = 1e-8;
constexpr double kEigenvalue = 1e-6;

struct Objective {
  const LossFunction<double>* f = nullptr;
  nlopt_opt opt = nullptr;
  int evaluations = 0;
  bool kink = false;
};

double objective(unsigned n, const double* x, double* grad, void* data) {
  auto* o = static_cast<Objective*>(data);
  ++o->evaluations;
  const Vec<double> theta = Eigen::Map<const Vec<double>>(x, static_cast<Eigen::Index>(n));
  try {
    double value = 0;
    if (grad != nullptr) {
      const Vec<double> g = o->f->gradient(theta, &value);
      std::copy(g.data(), g.data() + n, grad);
    } else {
      value = o->f->loss(theta);
    }
    return value;
  } catch (const Error&) {
    // two parallel units (the kernel's kink): the run cannot go on from here
    o->kink = true;
    nlopt_force_stop(o->opt);
    return HUGE_VAL;
  }
}

}  // namespace

Problem safran_shamir_problem(int k, int n, const std::vector<double>& w) {
  if (k < 1 || n < 1) {
    throw InvalidArgument(fmt::format("safran-shamir: k = {}, n = {}; expected both >= 1", k, n));
  }
  Problem p;
  p.network.widths = {k, n, 1};
  p.network.activation = Activation::relu();
  p.network.bias = false;
  p.network.loss = LossKind::Squared;
  p.network.reduction = Reduction::Mean;
  // the output weights, θ_all[n·k .. n·k + n), frozen at 1
  for (int i = 0; i < n; ++i) {
    p.network.frozen.push_back({static_cast<std::ptrdiff_t>(n) * k + i, Rational(1)});
  }
  Dataset::Population pop;
  pop.teacher_width = k;
  pop.teacher = Vec<Rational>::Zero(static_cast<Eigen::Index>(k) * k + k);
  for (int j = 0; j < k; ++j) {
    pop.teacher(static_cast<Eigen::Index>(j) * k + j) = 1;
    pop.teacher(static_cast<Eigen::Index>(k) * k + j) = 1;
  }
  p.data.inputs = Mat<Rational>(0, k);
  p.data.targets = Mat<Rational>(0, 1);
  p.data.population = std::move(pop);
  p.extra["name"] = fmt::format("safran-shamir-k{}-n{}", k, n);
  p.extra["description"] = fmt::format(
      "Safran & Shamir (2018): ReLU student of {} units against the orthonormal teacher e_1..e_{} "
      "in R^{}, output weights frozen at 1, Gaussian inputs (population loss)",
      n,
      k,
      k);
  if (!w.empty()) {
    if (w.size() != static_cast<std::size_t>(n) * static_cast<std::size_t>(k)) {
      throw InvalidArgument(fmt::format(
          "safran-shamir: the point has {} entries; expected n·k = {}", w.size(), n * k));
    }
    Vec<Rational> t(static_cast<Eigen::Index>(w.size()));
    for (std::size_t i = 0; i < w.size(); ++i) {
      t(static_cast<Eigen::Index>(i)) = ScalarTraits<double>::to_rational(w[i]);
    }
    p.point = std::move(t);
  }
  p.validate();
  return p;
}

std::string to_string(SsOutcome outcome) {
  switch (outcome) {
    case SsOutcome::Global:
      return "global";
    case SsOutcome::Spurious:
      return "spurious";
    case SsOutcome::Saddle:
      return "saddle";
    case SsOutcome::Undecided:
      return "undecided";
  }
  return "undecided";
}

SsRun safran_shamir_run(int k, int n, int index, std::uint32_t seed) {
  const Problem p = safran_shamir_problem(k, n);
  const LossFunction<double> f(p.network, p.data);
  const auto P = static_cast<Eigen::Index>(f.num_parameters());
  SsRun run;
  run.index = index;
  run.seed = seed;
  std::mt19937_64 rng(seed);
  const double a = std::sqrt(3.0 / k);
  std::uniform_real_distribution<double> uniform(-a, a);
  std::vector<double> x(static_cast<std::size_t>(P));
  for (double& v : x) v = uniform(rng);

  nlopt_opt opt = nlopt_create(NLOPT_LD_LBFGS, static_cast<unsigned>(P));
  Objective obj{&f, opt, 0, false};
  nlopt_set_min_objective(opt, objective, &obj);
  nlopt_set_ftol_rel(opt, 1e-15);
  nlopt_set_xtol_rel(opt, 1e-14);
  nlopt_set_maxeval(opt, 20000);
  nlopt_set_vector_storage(opt, 20);
  double value = 0;
  nlopt_optimize(opt, x.data(), &value);
  nlopt_destroy(opt);
  run.evaluations = obj.evaluations;

  Vec<double> theta = Eigen::Map<const Vec<double>>(x.data(), P);
  try {
    // Newton steps: L-BFGS stops near the minimum; Newton takes the gradient to rounding level
    for (int it = 0; it < 20; ++it) {
      double loss = 0;
      const Vec<double> g = f.gradient(theta, &loss);
      if (loss < kGlobalLoss || g.norm() < 1e-13) break;
      const Mat<double> h = f.hessian(theta);
      const SymmetricEigen<double> es = symmetric_eigen<double>(h, true);
      if (!es.converged || es.values(0) <= kEigenvalue) break;  // Newton needs a minimum
      const Vec<double> step =
          es.vectors * ((es.vectors.transpose() * g).array() / es.values.array()).matrix();
      theta -= step;
    }
    double loss = 0;
    const Vec<double> g = f.gradient(theta, &loss);
    run.loss = loss;
    run.gradient_norm = g.norm();
    if (loss < kGlobalLoss) {
      run.outcome = SsOutcome::Global;
    } else {
      const SymmetricEigen<double> es = symmetric_eigen<double>(f.hessian(theta), false);
      run.min_eigenvalue = es.values(0);
      if (run.gradient_norm > kGradient) {
        run.outcome = SsOutcome::Undecided;
        run.note = fmt::format("not converged: |grad L| = {:.3g}", run.gradient_norm);
      } else if (es.values(0) > kEigenvalue && loss > kSpuriousLoss) {
        run.outcome = SsOutcome::Spurious;
      } else if (es.values(0) < -kEigenvalue) {
        run.outcome = SsOutcome::Saddle;
      } else {
        run.outcome = SsOutcome::Undecided;
        run.note = fmt::format("degenerate: smallest eigenvalue {:.3g}", es.values(0));
      }
    }
  } catch (const Error& e) {
    // parallel units, on the way to the global minimum (its units are the teacher's) or not
    run.loss = value;
    run.outcome = value < kGlobalLoss ? SsOutcome::Global : SsOutcome::Undecided;
    if (run.outcome == SsOutcome::Undecided) run.note = e.what();
  }
  if (obj.kink && run.outcome == SsOutcome::Undecided && run.note.empty()) {
    run.note = "two units became parallel (the kernel's kink)";
  }
  run.w.assign(theta.data(), theta.data() + theta.size());
  return run;
}

SsProof prove_spurious_minimum(int k, int n, const SsRun& run, int bits, const std::string& dir) {
  const auto t0 = Clock::now();
  SsProof out;
  out.k = k;
  out.n = n;
  out.run = run.index;
  out.arithmetic = fmt::format("ball:{}", bits);
  Problem p = safran_shamir_problem(k, n, run.w);
  const auto P = static_cast<Eigen::Index>(p.network.num_parameters());
  try {
    // 1. the point, refined far below double's rounding (Newton in MPFR-128)
    using M = Mpfr<128>;
    NewtonOptions no;
    no.digits = 30;
    no.max_iterations = 30;
    const NewtonResult<M> nr = newton_refine<M>(p.network, p.data, p.point_as<M>(), no);
    Vec<Rational> theta(P);
    for (Eigen::Index i = 0; i < P; ++i) theta(i) = ScalarTraits<M>::to_rational(nr.theta(i));
    p.point = theta;
    out.loss = ScalarTraits<M>::to_double(nr.loss);

    // 2. a true critical point in a box around it (Krawczyk, balls)
    ScopedBallPrecision precision(bits);
    Mat<Ball> box_hessian;
    const ExistenceProof e = prove_critical_point(p.network, p.data, theta, bits, &box_hessian);
    if (!e.proved) {
      out.reason = "existence not proved: " + e.reason;
      out.seconds = seconds_since(t0);
      return out;
    }
    out.radius = format_bound(e.radius, true);
    out.contraction = format_bound(e.contraction, true);

    // 3. the Hessian over the whole box: every eigenvalue positive, so the critical point in the
    //    box is a strict local minimum
    const ClusterCertificate c = certify_cluster(box_hessian);
    out.inertia = c.inertia;
    out.inertia_proved = c.proved;
    if (!c.eigenvalues.empty())
      out.min_eigenvalue = format_bound(c.eigenvalues.front().lower(), false);
    if (!c.proved || c.inertia.positive != P) {
      out.reason = fmt::format("the box Hessian's inertia {} is not (P, 0, 0) = ({}, 0, 0){}",
                               c.proved ? to_string(c.inertia) : "not certified",
                               P,
                               c.reason.empty() ? "" : ": " + c.reason);
      out.seconds = seconds_since(t0);
      return out;
    }

    // 4. the loss over the whole box is above 0, the global minimum's value
    const LossFunction<Ball> fb(p.network, p.data);
    Vec<Ball> box(P);
    for (Eigen::Index i = 0; i < P; ++i) box(i) = Ball::from_mid_rad(theta(i), e.radius);
    const Ball value = fb.loss(box);
    out.loss_lower = format_bound(value.lower(), false);
    out.loss_upper = format_bound(value.upper(), true);
    if (!(value.lower() > 0)) {
      out.reason = "the loss over the box is not certainly above 0";
      out.seconds = seconds_since(t0);
      return out;
    }
    out.proved = true;

    if (!dir.empty()) {
      nlohmann::json cert;
      cert["claim"] = fmt::format(
          "a strict local minimum of the population loss with loss in [{}, {}] (the global "
          "minimum is 0) lies within max-norm {} of the point",
          out.loss_lower,
          out.loss_upper,
          out.radius);
      cert["arithmetic"] = out.arithmetic;
      cert["existence"] = to_json(e);
      cert["box_hessian_inertia"] = to_string(c.inertia);
      cert["box_hessian_smallest_eigenvalue_at_least"] = out.min_eigenvalue;
      cert["loss_over_box"] = {{"lower", out.loss_lower}, {"upper", out.loss_upper}};
      cert["produced_by"] = fmt::format("locus {} reproduce safran-shamir", kVersion);
      p.certificate = cert;
      p.provenance = {{"run", run.index}, {"seed", run.seed}};
      out.file = fmt::format("safran-shamir-k{}-n{}-run{}.json", k, n, run.index);
      write_problem_file(p, path_in(dir, out.file));
    }
  } catch (const Error& e) {
    out.reason = e.what();
  }
  out.seconds = seconds_since(t0);
  return out;
}

SsResult safran_shamir(const SsOptions& options, const std::string& dir) {
  const auto t0 = Clock::now();
  SsResult result;
  const int threads = options.threads > 0
                          ? options.threads
                          : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  for (const int k : options.sizes) {
    const int n = k;
    const auto ts = Clock::now();
    std::vector<SsRun> runs(static_cast<std::size_t>(options.runs));
    std::vector<bool> done(runs.size(), false);
    std::atomic<int> next{0};
    std::mutex m;
    const auto worker = [&] {
      for (;;) {
        if (options.seconds_per_size > 0 && seconds_since(ts) > options.seconds_per_size) return;
        const int r = next.fetch_add(1);
        if (r >= options.runs) return;
        const auto seed = static_cast<std::uint32_t>(options.seed + 1000u * k + r);
        SsRun run = safran_shamir_run(k, n, r, seed);
        const std::lock_guard<std::mutex> lock(m);
        runs[static_cast<std::size_t>(r)] = std::move(run);
        done[static_cast<std::size_t>(r)] = true;
      }
    };
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t) pool.emplace_back(worker);
    worker();
    for (auto& t : pool) t.join();
    // the runs finished in order up to the first one not run (a time budget)
    std::size_t count = 0;
    while (count < runs.size() && done[count]) ++count;
    runs.resize(count);

    SsRow row;
    row.k = k;
    row.n = n;
    row.runs = static_cast<int>(count);
    std::map<std::string, const SsRun*> distinct;  // by loss, 12 significant digits
    for (const SsRun& r : runs) {
      switch (r.outcome) {
        case SsOutcome::Global:
          ++row.global;
          break;
        case SsOutcome::Spurious:
          ++row.spurious;
          distinct.emplace(fmt::format("{:.11e}", r.loss), &r);
          break;
        case SsOutcome::Saddle:
          ++row.saddle;
          break;
        case SsOutcome::Undecided:
          ++row.undecided;
          break;
      }
    }
    row.distinct = static_cast<int>(distinct.size());
    if (!distinct.empty()) row.lowest_spurious_loss = distinct.begin()->second->loss;
    if (options.progress) {
      options.progress(fmt::format(
          "k = n = {}: {} runs in {:.1f} s: {} global, {} spurious ({} distinct), {} saddle, {} "
          "undecided",
          k,
          row.runs,
          seconds_since(ts),
          row.global,
          row.spurious,
          row.distinct,
          row.saddle,
          row.undecided));
    }
    // proofs, lowest loss first (the map only removes repeats; its string order is not numeric)
    std::vector<const SsRun*> order;
    for (const auto& [key, r] : distinct) order.push_back(r);
    std::sort(order.begin(), order.end(), [](const SsRun* a, const SsRun* b) {
      return a->loss < b->loss;
    });
    for (const SsRun* r : order) {
      if (row.attempted >= options.max_proofs) break;
      SsProof proof = prove_spurious_minimum(k, n, *r, options.bits, dir);
      ++row.attempted;
      if (proof.proved) ++row.proved;
      if (options.progress) {
        options.progress(
            proof.proved
                ? fmt::format("  run {}: proved a spurious local minimum, loss in [{}, {}], box "
                              "radius {}, inertia {} ({}, {:.1f} s)",
                              proof.run,
                              proof.loss_lower,
                              proof.loss_upper,
                              proof.radius,
                              to_string(proof.inertia),
                              proof.arithmetic,
                              proof.seconds)
                : fmt::format("  run {}: not proved: {}", proof.run, proof.reason));
      }
      result.proofs.push_back(std::move(proof));
    }
    row.seconds = seconds_since(ts);
    result.rows.push_back(row);
    result.runs.push_back(std::move(runs));
  }
  result.seconds = seconds_since(t0);
  return result;
}

std::string safran_shamir_reproduction(const SsOptions& options, const std::string& dir) {
  std::filesystem::create_directories(dir);
  const SsResult r = safran_shamir(options, dir);

  std::string csv = "k,n,run,seed,outcome,loss,gradient_norm,min_eigenvalue,evaluations\n";
  for (std::size_t i = 0; i < r.runs.size(); ++i) {
    for (const SsRun& run : r.runs[i]) {
      csv += fmt::format("{},{},{},{},{},{:.17g},{:.3e},{:.6e},{}\n",
                         r.rows[i].k,
                         r.rows[i].n,
                         run.index,
                         run.seed,
                         to_string(run.outcome),
                         run.loss,
                         run.gradient_norm,
                         run.min_eigenvalue,
                         run.evaluations);
    }
  }
  {
    std::ofstream out(path_in(dir, "safran-shamir.csv"));
    out << csv;
    if (!out) throw Error(fmt::format("cannot write {}", path_in(dir, "safran-shamir.csv")));
  }

  std::string md = "# Safran & Shamir (2018): spurious local minima of two-layer ReLU networks\n\n";
  md += fmt::format(
      "Population loss F(W) = ½·E[(Σ_i relu(w_i·x) − Σ_j relu(e_j·x))²], x ~ N(0, I_k), student "
      "output weights frozen at 1 (locus {}). Runs: W with entries U(−√(3/k), √(3/k)), L-BFGS "
      "then Newton in double; seed of run r for size k: {} + 1000·k + r. Proofs in {} balls: "
      "Krawczyk existence box, the Hessian over the box positive definite, the loss over the box "
      "above 0.\n\n",
      kVersion,
      options.seed,
      fmt::format("{}-bit", options.bits));
  md +=
      "| k | n | runs | global | spurious | % spurious | distinct | saddle | undecided | "
      "proofs | proved | lowest spurious loss | seconds |\n";
  md += "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (const SsRow& row : r.rows) {
    md += fmt::format(
        "| {} | {} | {} | {} | {} | {:.1f} | {} | {} | {} | {} | {} | {} | {:.1f} |\n",
        row.k,
        row.n,
        row.runs,
        row.global,
        row.spurious,
        row.runs > 0 ? 100.0 * row.spurious / row.runs : 0.0,
        row.distinct,
        row.saddle,
        row.undecided,
        row.attempted,
        row.proved,
        row.lowest_spurious_loss > 0 ? fmt::format("{:.6g}", row.lowest_spurious_loss) : "-",
        row.seconds);
  }
  md += "\n## Proved spurious local minima\n\n";
  if (r.proofs.empty()) md += "None attempted (no spurious candidate was found).\n";
  for (const SsProof& p : r.proofs) {
    if (p.proved) {
      md += fmt::format(
          "- k = n = {}, run {}: **proved** ({}): a critical point within max-norm {} of the point "
          "in `{}` (Krawczyk contraction ≤ {}); the Hessian over that box has inertia {} with "
          "every eigenvalue ≥ {}, so it is a strict local minimum; its loss lies in [{}, {}], "
          "above the global minimum 0. {:.1f} s.\n",
          p.k,
          p.run,
          p.arithmetic,
          p.radius,
          p.file,
          p.contraction,
          to_string(p.inertia),
          p.min_eigenvalue,
          p.loss_lower,
          p.loss_upper,
          p.seconds);
    } else {
      md += fmt::format("- k = n = {}, run {}: not proved: {}\n", p.k, p.run, p.reason);
    }
  }
  md +=
      "\nEach file is a locus problem with frozen output weights: `locus classify -a ball:128 "
      "FILE` decides the point again on its own.\n\n";

  // the figure: the fraction of runs ending in a spurious minimum against k
  bool plotted = false;
  if (std::system("command -v gnuplot > /dev/null 2>&1") == 0 && !r.rows.empty()) {
    std::string table;
    for (const SsRow& row : r.rows) {
      table += fmt::format("{} {:.4f} {}\n",
                           row.k,
                           row.runs > 0 ? 100.0 * row.spurious / row.runs : 0.0,
                           row.proved);
    }
    std::ofstream(path_in(dir, "safran-shamir.dat")) << table;
    std::ofstream gp(path_in(dir, "safran-shamir.gp"));
    for (const char* ext : {"png", "svg"}) {
      gp << "set terminal " << (std::string(ext) == "png" ? "pngcairo" : "svg")
         << " size 800,500\nset output '" << path_in(dir, std::string("safran-shamir.") + ext)
         << "'\nset grid\nset xlabel 'k = n'\nset ylabel '% of runs ending in a spurious minimum'\n"
         << "set key left top\nset xtics 1\nset offsets 0.5, 0.5, 0, 0\n"
         << "plot '" << path_in(dir, "safran-shamir.dat")
         << "' using 1:2 with linespoints lw 2 pt 7 title 'locus (L-BFGS runs)', '' using 1:2:3 "
            "with labels offset 0,1 title ''\n";
    }
    gp.close();
    plotted =
        std::system(fmt::format("gnuplot '{}' > /dev/null 2>&1", path_in(dir, "safran-shamir.gp"))
                        .c_str()) == 0;
  }
  md += plotted ? "![spurious fraction](safran-shamir.png)\n\n(labels: proved minima per size)\n"
                : "(gnuplot is not installed: no figure; the runs are in safran-shamir.csv.)\n";
  md += fmt::format("\nTotal {:.1f} s.\n", r.seconds);
  std::ofstream out(path_in(dir, "safran-shamir.md"));
  out << md;
  if (!out) throw Error(fmt::format("cannot write {}", path_in(dir, "safran-shamir.md")));
  return md;
}

}  // namespace locus::reproductions
