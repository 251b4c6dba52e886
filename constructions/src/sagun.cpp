// Bulk and outliers of the Hessian spectrum (locus/constructions/sagun.hpp).
#include "locus/constructions/sagun.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <utility>
#include <vector>

#include "locus/constructions/common.hpp"
#include "locus/error.hpp"
#include "locus/io/dataset.hpp"
#include "locus/linalg/dense.hpp"
#include "locus/linalg/inertia.hpp"

#include <fmt/format.h>

namespace locus::constructions {
namespace {

Vec<double> eigenvalues_at(const LossFunction<double>& f, const Vec<double>& theta) {
  const Mat<double> h = f.hessian(theta);
  return symmetric_eigen<double>(h, false).values;  // ascending
}

std::string path_in(const std::string& dir, const std::string& name) {
  return (std::filesystem::path(dir) / name).string();
}

// A network with the mean cross-entropy loss, as in the authors' code.
Network mean_cross_entropy(std::vector<int> widths, Activation activation) {
  Network net;
  net.widths = std::move(widths);
  net.activation = std::move(activation);
  net.loss = LossKind::CrossEntropy;
  net.reduction = Reduction::Mean;
  return net;
}

// The authors' initialisation: weights and biases 0.1·N(0,1) (seeded), as doubles.
Vec<double> small_init(const Network& net, std::uint32_t seed) {
  const Vec<Rational> t = random_point(net, seed, 0.1);
  Vec<double> out(t.size());
  for (Eigen::Index i = 0; i < t.size(); ++i) out(i) = to_double_nearest(t(i));
  return out;
}

}  // namespace

TrainResult gradient_descent(const LossFunction<double>& f,
                             Vec<double> theta,
                             double step,
                             double tolerance,
                             long max_iterations,
                             const std::function<void(long, double, double)>& progress) {
  TrainResult r;
  double loss = 0;
  Vec<double> g = f.gradient(theta, &loss);
  long it = 0;
  const long report = std::max<long>(1, max_iterations / 10);
  for (; it < max_iterations; ++it) {
    if (g.norm() <= tolerance) {
      r.converged = true;
      break;
    }
    theta -= step * g;
    g = f.gradient(theta, &loss);
    if (progress && (it + 1) % report == 0) progress(it + 1, loss, g.norm());
  }
  r.theta = theta;
  r.iterations = it;
  r.gradient_norm = g.norm();
  r.loss = loss;
  return r;
}

double bulk_fraction(const Vec<double>& ev, double tau) {
  const double top = ev.cwiseAbs().maxCoeff();
  long n = 0;
  for (Eigen::Index i = 0; i < ev.size(); ++i) n += std::abs(ev(i)) <= tau * top;
  return static_cast<double>(n) / static_cast<double>(ev.size());
}

int outlier_count(const Vec<double>& ev, int classes) {
  std::vector<double> d(ev.data(), ev.data() + ev.size());
  std::sort(d.begin(), d.end(), std::greater<>());
  const int m = std::min<int>(3 * classes, static_cast<int>(d.size()) - 1);
  int best = 1;
  double gap = -1;
  for (int i = 0; i < m; ++i) {
    if (d[static_cast<std::size_t>(i + 1)] <= 0) break;
    const double g = std::log(d[static_cast<std::size_t>(i)] / d[static_cast<std::size_t>(i + 1)]);
    if (g > gap) {
      gap = g;
      best = i + 1;
    }
  }
  return best;
}

RankBoundRow sb_a_rank(const Network& net_in,
                       const Dataset& data,
                       const Vec<double>& theta,
                       int samples,
                       bool interpolating) {
  if (samples < 1 || samples > data.size()) {
    throw InvalidArgument(fmt::format(
        "sb_a_rank: samples = {}, expected 1..{} (the data set's size)", samples, data.size()));
  }
  if (theta.size() != net_in.num_parameters()) {
    throw InvalidArgument(fmt::format(
        "sb_a_rank: θ has {} entries, expected P = {}", theta.size(), net_in.num_parameters()));
  }
  RankBoundRow row;
  row.samples = samples;
  row.parameters = static_cast<long>(net_in.num_parameters());
  const int k = net_in.widths.back();
  Dataset d;
  d.inputs = data.inputs.topRows(samples);
  d.targets = data.targets.topRows(samples);
  Vec<Rational> tq(theta.size());
  for (Eigen::Index i = 0; i < theta.size(); ++i) tq(i) = Rational(theta(i));  // exact binary value
  Network sq = net_in;
  sq.loss = LossKind::Squared;
  if (!exact_over_q(sq)) {
    throw InvalidArgument(
        fmt::format("sb_a_rank: activation {} has no exact values over Q (use ReLU, identity or "
                    "a polynomial)",
                    sq.activation.name()));
  }
  if (net_in.loss == LossKind::Squared) {
    row.bound = static_cast<long>(samples) * k;
    if (interpolating) {
      // Targets := outputs at θ: an exact global minimum where ∇²L = G (CO-0c).
      d.targets = LossFunction<Rational>(sq, d).outputs(tq);
      const LossFunction<Rational> f(sq, d);
      const ExactInertia in = exact_inertia(f.hessian(tq, HessianPart::Full));
      row.quantity = "nonzero eigenvalues of ∇²L (MSE, interpolating)";
      row.rank_lower = row.rank_upper =
          static_cast<long>(in.inertia.positive + in.inertia.negative);
      row.arithmetic = "exact-ldlt (rational)";
    } else {
      const LossFunction<Rational> f(sq, d);
      row.quantity = "rank G (MSE)";
      row.rank_lower = row.rank_upper =
          static_cast<long>(exact_rank(f.hessian(tq, HessianPart::GaussNewton)));
      row.arithmetic = "exact rank over Q";
    }
  } else {
    row.bound = static_cast<long>(samples) * (k - 1);
    row.quantity = "rank G (CE)";
    // Upper bound: rows J_ic − J_i0 (c = 1..k−1) of the exact output Jacobian.
    const Mat<Rational> j = LossFunction<Rational>(sq, d).output_jacobian(tq);
    Mat<Rational> m(static_cast<Eigen::Index>(samples) * (k - 1), j.cols());
    for (int i = 0; i < samples; ++i) {
      for (int c = 1; c < k; ++c) {
        m.row(static_cast<Eigen::Index>(i) * (k - 1) + c - 1) =
            j.row(static_cast<Eigen::Index>(i) * k + c) - j.row(static_cast<Eigen::Index>(i) * k);
      }
    }
    row.rank_upper = static_cast<long>(exact_rank(m));
    // Lower bound: eigenvalues of G certified nonzero in balls.
    const ScopedBallPrecision precision(256);
    const LossFunction<Ball> f(net_in, d);
    Vec<Ball> tb(theta.size());
    for (Eigen::Index i = 0; i < theta.size(); ++i) tb(i) = Ball(theta(i));
    const DecidedInertia in = decide_inertia(f.hessian(tb, HessianPart::GaussNewton));
    if (in.decided) row.rank_lower = static_cast<long>(in.inertia.positive + in.inertia.negative);
    row.arithmetic = "upper: exact rank over Q of [QJ_i]; lower: " +
                     (in.decided ? in.method : "undecided (" + in.reason + ")");
  }
  row.pass = row.rank_upper <= row.bound && row.rank_lower <= row.rank_upper;
  return row;
}

std::string sagun_reproduction(const SagunOptions& o, const std::string& dir) {
  std::filesystem::create_directories(dir);
  const auto t0 = std::chrono::steady_clock::now();
  const auto say = [&](const std::string& s) {
    if (o.progress) o.progress(s);
  };
  std::string md = "# Sagun, Bottou & LeCun: bulk and outliers of the Hessian spectrum\n\n";
  // (i) The authors' default network: ReLU [2, 10, 5, 2], blobs (100 points, 2 classes), weights
  //     and biases 0.1·N(0,1), mean cross-entropy, full-batch GD with step 0.1 to ‖∇L‖ <= 1e-4.
  Problem p;
  p.network = mean_cross_entropy({2, 10, 5, 2}, Activation::relu());
  BlobsOptions b;
  b.seed = o.seed;
  p.data = make_blobs(b).train;
  const LossFunction<double> f(p.network, p.data);
  const Vec<double> theta0 = small_init(p.network, o.seed + 1);
  const long iters = o.quick ? 20000 : 1000000;
  const TrainResult tr =
      gradient_descent(f, theta0, 0.1, 1e-4, iters, [&](long it, double loss, double gn) {
        say(fmt::format("(i) GD step {}: loss {:.4e}, ‖∇L‖ {:.3e}", it, loss, gn));
      });
  const Vec<double> ev0 = eigenvalues_at(f, theta0);
  const Vec<double> ev1 = eigenvalues_at(f, tr.theta);
  {
    std::ofstream dat(path_in(dir, "sagun-sorted.dat"));
    for (Eigen::Index i = 0; i < ev0.size(); ++i) {
      dat << fmt::format("{} {:.6e} {:.6e}\n", i + 1, ev0(i), ev1(i));
    }
  }
  const double ratio = std::abs(ev1.minCoeff()) / ev1.maxCoeff();
  md += fmt::format(
      "## (i) One network before and after training\n\nReLU {}, P = {}, blobs (100 training "
      "points, 2 classes, seed {}), weights and biases 0.1·N(0,1) (seed {}), mean cross-entropy, "
      "full-batch GD step 0.1: {} after {} steps, loss {:.4e}, ‖∇L‖ = {:.3e}.\n\n"
      "| | λ_min | λ_max | bulk fraction φ(1e-3) |\n|---|---:|---:|---:|\n"
      "| initialisation | {:.3e} | {:.3e} | {:.2f} |\n| after training | {:.3e} | {:.3e} | {:.2f} "
      "|\n\n",
      "[2, 10, 5, 2]",
      p.network.num_parameters(),
      o.seed,
      o.seed + 1,
      tr.converged ? "converged" : "stopped",
      tr.iterations,
      tr.loss,
      tr.gradient_norm,
      ev0.minCoeff(),
      ev0.maxCoeff(),
      bulk_fraction(ev0),
      ev1.minCoeff(),
      ev1.maxCoeff(),
      bulk_fraction(ev1));
  double hist_width = 1;
  // Histograms of the two spectra on common bins (log-scaled counts in the figure).
  {
    const double lo = std::min(ev0.minCoeff(), ev1.minCoeff());
    const double hi = std::max(ev0.maxCoeff(), ev1.maxCoeff());
    const int bins = 40;
    const double width = (hi - lo) / bins;
    hist_width = width;
    std::vector<int> c0(bins, 0), c1(bins, 0);
    const auto bin = [&](double v) {
      return std::clamp(static_cast<int>((v - lo) / width), 0, bins - 1);
    };
    for (Eigen::Index i = 0; i < ev0.size(); ++i) {
      ++c0[static_cast<std::size_t>(bin(ev0(i)))];
      ++c1[static_cast<std::size_t>(bin(ev1(i)))];
    }
    std::ofstream dat(path_in(dir, "sagun-hist.dat"));
    for (int i = 0; i < bins; ++i) {
      dat << fmt::format("{:.6e} {} {}\n",
                         lo + (i + 0.5) * width,
                         c0[static_cast<std::size_t>(i)],
                         c1[static_cast<std::size_t>(i)]);
    }
    md += fmt::format(
        "Histogram (40 bins of width {:.3e} over [{:.3e}, {:.3e}]): the bin holding 0 has {} of "
        "{} eigenvalues at initialisation and {} after training.\n\n",
        width,
        lo,
        hi,
        c0[static_cast<std::size_t>(bin(0.0))],
        ev0.size(),
        c1[static_cast<std::size_t>(bin(0.0))]);
  }
  std::vector<std::pair<std::string, std::string>> criteria;
  criteria.emplace_back(
      fmt::format("SB-d: abs(λ_min) <= 0.05·λ_max after training ({:.3e})", ratio),
      ratio <= 0.05 ? "pass" : "**FAIL**");
  // SB-a: the rank bounds, proved at the trained point on the first N samples.
  {
    md +=
        "## SB-a: rank bounds at the trained point, proved\n\nThe trained θ (its exact binary "
        "value) on the first N training points; k = 2. Cross-entropy: rank G <= N(k−1), the upper "
        "bound from the exact rank of the rows J_ic − J_i0 over Q (G = Σ (QJ_i)ᵀΛ_i(QJ_i) since "
        "Λ_i 1 = 0), the lower bound from the eigenvalues of G certified nonzero in Arb balls. "
        "Squared loss on the same network: rank G <= Nk over Q, and at the interpolating point "
        "(targets := outputs, exact) the number of nonzero eigenvalues of ∇²L <= Nk.\n\n"
        "| N | quantity | bound | proved rank | arithmetic | |\n|---:|---|---:|---|---|---|\n";
    bool all = true;
    Network mse = p.network;
    mse.loss = LossKind::Squared;
    for (const int n : o.quick ? std::vector<int>{4, 16} : std::vector<int>{4, 8, 16, 32}) {
      std::vector<RankBoundRow> rows;
      rows.push_back(sb_a_rank(p.network, p.data, tr.theta, n));
      rows.push_back(sb_a_rank(mse, p.data, tr.theta, n));
      rows.push_back(sb_a_rank(mse, p.data, tr.theta, n, true));
      for (const auto& r : rows) {
        all = all && r.pass;
        const std::string rank =
            r.rank_lower == r.rank_upper
                ? std::to_string(r.rank_upper)
                : fmt::format("{}..{}",
                              r.rank_lower < 0 ? std::string("?") : std::to_string(r.rank_lower),
                              r.rank_upper);
        md += fmt::format("| {} | {} | {} | {} | {} | {} |\n",
                          n,
                          r.quantity,
                          r.bound,
                          rank,
                          r.arithmetic,
                          r.pass ? "holds" : "**FAILS**");
      }
      say(fmt::format("SB-a: N = {} done", n));
    }
    md += "\n";
    criteria.emplace_back("SB-a: every rank bound holds (proved)", all ? "pass" : "**FAIL**");
  }
  // (ii) SB-b: bulk fraction against width (tanh, 1 hidden, 4 classes, cluster_std 4).
  const std::vector<int> widths =
      o.quick ? std::vector<int>{5, 20, 80} : std::vector<int>{5, 10, 20, 40, 80};
  BlobsOptions b4;
  b4.num_classes = 4;
  b4.cluster_std = 4;
  b4.seed = o.seed;
  const Dataset d4 = make_blobs(b4).train;
  std::vector<double> phis;
  md +=
      "## (ii) Bulk fraction against width (SB-b)\n\ntanh [2, w, 4], blobs with 4 classes and "
      "cluster_std 4, mean cross-entropy, GD step 0.1 for " +
      std::to_string(o.quick ? 8000 : 40000) +
      " steps.\n\n| w | P | final loss | φ(1e-3) |\n|---:|---:|---:|---:|\n";
  {
    std::ofstream dat(path_in(dir, "sagun-bulk.dat"));
    for (const int w : widths) {
      const Network net = mean_cross_entropy({2, w, 4}, Activation::tanh());
      const LossFunction<double> fw(net, d4);
      const TrainResult r =
          gradient_descent(fw, small_init(net, o.seed + 1), 0.1, 0.0, o.quick ? 8000 : 40000);
      const double phi = bulk_fraction(eigenvalues_at(fw, r.theta));
      phis.push_back(phi);
      dat << fmt::format("{} {:.4f}\n", w, phi);
      md += fmt::format("| {} | {} | {:.4e} | {:.2f} |\n", w, net.num_parameters(), r.loss, phi);
      say(fmt::format("(ii) w = {}: φ = {:.2f}", w, phi));
    }
  }
  bool monotone = true;
  for (std::size_t k = 1; k < phis.size(); ++k)
    monotone = monotone && phis[k] >= phis[k - 1] - 0.05;
  criteria.emplace_back("SB-b: φ non-decreasing in w within ±0.05", monotone ? "pass" : "**FAIL**");
  criteria.emplace_back(fmt::format("SB-b: φ > 0.85 at the widest net ({:.2f})", phis.back()),
                        phis.back() > 0.85 ? "pass" : "**FAIL**");
  // (iii) SB-c (soft): outliers against the number of classes.
  md +=
      "\n## (iii) Outliers against the number of classes (SB-c, soft)\n\ntanh [2, 20, k], "
      "blobs with k classes (cluster_std 1), GD step 0.1; the outlier count is the index of the "
      "largest gap in log λ among the top 3k eigenvalues.\n\n| k | outliers |\n|---:|---:|\n";
  std::vector<int> counts;
  {
    std::ofstream dat(path_in(dir, "sagun-outliers.dat"));
    for (const int k : {2, 4, 8}) {
      const Network net = mean_cross_entropy({2, 20, k}, Activation::tanh());
      BlobsOptions bk;
      bk.num_classes = k;
      bk.seed = o.seed;
      const Dataset dk = make_blobs(bk).train;
      const LossFunction<double> fk(net, dk);
      const TrainResult r =
          gradient_descent(fk, small_init(net, o.seed + 1), 0.1, 0.0, o.quick ? 4000 : 20000);
      const int c = outlier_count(eigenvalues_at(fk, r.theta), k);
      counts.push_back(c);
      dat << fmt::format("{} {}\n", k, c);
      md += fmt::format("| {} | {} |\n", k, c);
    }
  }
  int within = 0;
  const int ks[3] = {2, 4, 8};
  for (int i = 0; i < 3; ++i) within += std::abs(counts[static_cast<std::size_t>(i)] - ks[i]) <= 1;
  const bool nondecreasing = counts[1] >= counts[0] && counts[2] >= counts[1];
  criteria.emplace_back(
      fmt::format("SB-c (soft): count non-decreasing in k and within [k−1, k+1] for >= 2 of 3 "
                  "({} of 3)",
                  within),
      nondecreasing && within >= 2 ? "pass" : "**FAIL** (soft)");
  // Plots.
  bool plotted = false;
  if (std::system("command -v gnuplot > /dev/null 2>&1") == 0) {
    std::ofstream gp(path_in(dir, "sagun.gp"));
    for (const char* ext : {"png", "svg"}) {
      const std::string term =
          std::string(ext) == "png" ? "pngcairo size 1200,900" : "svg size 1200,900";
      gp << "set terminal " << term << "\nset output '" << path_in(dir, std::string("sagun.") + ext)
         << "'\nset multiplot layout 2,2\nset grid\n"
         << fmt::format("set title 'eigenvalue histogram, ReLU [2,10,5,2] (seed {})'\n", o.seed)
         << "set xlabel 'eigenvalue'\nset ylabel 'count (log scale)'\nset logscale y\n"
         << fmt::format("set yrange [0.8:*]\nset boxwidth {:.6e} absolute\n", hist_width)
         << "set style fill transparent solid 0.4\nplot '" << path_in(dir, "sagun-hist.dat")
         << "' using 1:($2>0?$2:1/0) with boxes title 'initialisation', '' using "
            "1:($3>0?$3:1/0) with boxes title 'after training'\nunset logscale y\n"
            "set autoscale y\nset style fill empty\n"
         << fmt::format("set title 'sorted eigenvalues, ReLU [2,10,5,2] (seed {})'\n", o.seed)
         << "set xlabel 'index'\nset ylabel 'eigenvalue'\nunset logscale\n"
         << "plot '" << path_in(dir, "sagun-sorted.dat")
         << "' using 1:2 with points pt 7 ps 0.5 title 'initialisation', '' using 1:3 with "
            "points pt 6 ps 0.7 title 'after training'\n"
         << "set title 'bulk fraction against width (SB-b)'\nset xlabel 'hidden width'\n"
         << "set ylabel 'phi(1e-3)'\nset logscale x\nplot '" << path_in(dir, "sagun-bulk.dat")
         << "' using 1:2 with linespoints lw 2 title 'locus'\nunset logscale x\n"
         << "set title 'outliers against classes (SB-c)'\nset xlabel 'classes k'\n"
         << "set ylabel 'outliers'\nplot '" << path_in(dir, "sagun-outliers.dat")
         << "' using 1:2 with linespoints lw 2 title 'locus', x with lines dt 2 title 'k'\n"
         << "unset multiplot\n";
    }
    gp.close();
    plotted =
        std::system(
            fmt::format("gnuplot '{}' > /dev/null 2>&1", path_in(dir, "sagun.gp")).c_str()) == 0;
  }
  md += "\n## Criteria\n\n| criterion | result |\n|---|---|\n";
  for (const auto& [c, r] : criteria) md += fmt::format("| {} | {} |\n", c, r);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  md += fmt::format("\n{}Seed {}; {:.1f} s.\n",
                    plotted ? "![histogram, sorted spectra, bulk fraction, outliers](sagun.png)\n\n"
                            : "(gnuplot is not installed: no figure.)\n\n",
                    o.seed,
                    seconds);
  std::ofstream(path_in(dir, "sagun.md")) << md;
  return md;
}

}  // namespace locus::constructions
