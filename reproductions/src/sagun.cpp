// Bulk and outliers of the Hessian spectrum (locus/reproductions/sagun.hpp).
#include "locus/reproductions/sagun.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string_view>
#include <utility>
#include <vector>

#include "wire.hpp"

#include "locus/constructions/common.hpp"
#include "locus/error.hpp"
#include "locus/io/dataset.hpp"
#include "locus/linalg/dense.hpp"
#include "locus/linalg/inertia.hpp"
#include "locus/parallel/distributed.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace locus::reproductions {
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
  if (!constructions::exact_over_q(sq)) {
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

std::string_view to_string(SagunPart part) noexcept {
  switch (part) {
    case SagunPart::Spectrum:
      return "spectrum";
    case SagunPart::Ranks:
      return "ranks";
    case SagunPart::Bulk:
      return "bulk";
    case SagunPart::Outliers:
      return "outliers";
  }
  return "?";
}

SagunPart parse_sagun_part(std::string_view text) {
  for (const SagunPart p :
       {SagunPart::Spectrum, SagunPart::Ranks, SagunPart::Bulk, SagunPart::Outliers}) {
    if (text == to_string(p)) return p;
  }
  throw InvalidArgument(
      fmt::format("sagun part '{}': expected spectrum, ranks, bulk or outliers", text));
}

namespace {

// The symmetric-log map of the histogram axis, linear within |x| <= c: s(x) = sgn(x)·log10(1 +
// |x|/c), and its inverse.
double symlog(double x, double c) {
  return std::copysign(std::log10(1 + std::abs(x) / c), x);
}
double symlog_inverse(double y, double c) {
  return std::copysign(c * (std::pow(10.0, std::abs(y)) - 1), y);
}

// Tick marks ±10^e of a symmetric-log axis over [lo, hi] (and 0), at most about 7 per side.
std::string symlog_tics(double lo, double hi, double c) {
  std::vector<std::string> tics{"'0' 0"};
  const int first = static_cast<int>(std::ceil(std::log10(c)));
  const auto side = [&](double end, double sign) {
    if (end <= c) return;
    const int last = static_cast<int>(std::floor(std::log10(end)));
    const int step = std::max(1, (last - first + 6) / 7);
    for (int e = last; e >= first; e -= step) {
      tics.push_back(
          fmt::format("'{}10^{{{}}}' {:.3e}", sign < 0 ? "-" : "", e, sign * std::pow(10.0, e)));
    }
  };
  side(hi, 1);
  side(-lo, -1);
  std::string out;
  for (const auto& t : tics) out += (out.empty() ? "" : ", ") + t;
  return "(" + out + ")";
}

bool has_part(const SagunOptions& o, SagunPart part) {
  return o.parts.empty() || std::find(o.parts.begin(), o.parts.end(), part) != o.parts.end();
}

}  // namespace

std::string sagun_reproduction(const SagunOptions& o, const std::string& dir) {
  for (const int w : o.widths) {
    if (w < 1) throw InvalidArgument(fmt::format("sagun --widths: {} is not a width (>= 1)", w));
  }
  for (const int k : o.classes) {
    if (k < 2) {
      throw InvalidArgument(fmt::format("sagun --classes: {} classes, expected at least 2", k));
    }
  }
  const bool writer = mpi_ranks().rank == 0;  // one writer under mpirun
  if (writer) std::filesystem::create_directories(dir);
  const auto t0 = std::chrono::steady_clock::now();
  const auto say = [&](const std::string& s) {
    if (o.progress) o.progress(s);
  };
  const bool run_spectrum = has_part(o, SagunPart::Spectrum);
  const bool run_ranks = has_part(o, SagunPart::Ranks);
  const bool run_bulk = has_part(o, SagunPart::Bulk);
  const bool run_outliers = has_part(o, SagunPart::Outliers);
  std::vector<std::pair<std::string, std::string>> files;  // (name, contents), written by rank 0

  // The networks and data of the three parts.
  Problem p;  // (i): ReLU [2, 10, 5, 2] on 2-class blobs
  p.network = mean_cross_entropy({2, 10, 5, 2}, Activation::relu());
  BlobsOptions b;
  b.seed = o.seed;
  p.data = make_blobs(b).train;
  const std::vector<int> widths = !run_bulk           ? std::vector<int>{}
                                  : !o.widths.empty() ? o.widths
                                  : o.quick           ? std::vector<int>{5, 20, 80}
                                                      : std::vector<int>{5, 10, 20, 40, 80};
  BlobsOptions b4;  // (ii): 4 classes, cluster_std 4
  b4.num_classes = 4;
  b4.cluster_std = 4;
  b4.seed = o.seed;
  const Dataset d4 = make_blobs(b4).train;
  const std::vector<int> ks = !run_outliers       ? std::vector<int>{}
                              : o.classes.empty() ? std::vector<int>{2, 4, 8}
                                                  : o.classes;
  const auto outlier_network = [](int k) {
    return mean_cross_entropy({2, 20, k}, Activation::tanh());
  };
  const auto outlier_data = [&](int k) {
    BlobsOptions bk;
    bk.num_classes = k;
    bk.seed = o.seed;
    return make_blobs(bk).train;
  };

  // Every training is one task: (i)'s network, each width of (ii), each class count of (iii).
  // Under mpirun they spread over the ranks, and every rank gets every result to the last bit.
  const bool train_i = run_spectrum || run_ranks;
  const std::size_t first_width = train_i ? 1 : 0, first_class = first_width + widths.size();
  const std::vector<std::string> trained =
      map_over_ranks(first_class + ks.size(), [&](std::size_t task) {
        if (task < first_width) {  // (i): {converged, iterations, ‖∇L‖, loss, θ, ev0, ev1}
          const LossFunction<double> f(p.network, p.data);
          const Vec<double> theta0 = small_init(p.network, o.seed + 1);
          const long iters = o.quick ? 20000 : 1000000;
          const TrainResult tr =
              gradient_descent(f, theta0, 0.1, 1e-4, iters, [&](long it, double loss, double gn) {
                say(fmt::format("(i) GD step {}: loss {:.4e}, ‖∇L‖ {:.3e}", it, loss, gn));
              });
          std::vector<double> v = {tr.converged ? 1.0 : 0.0,
                                   static_cast<double>(tr.iterations),
                                   tr.gradient_norm,
                                   tr.loss};
          v.insert(v.end(), tr.theta.data(), tr.theta.data() + tr.theta.size());
          if (run_spectrum) {
            for (const Vec<double>& ev : {eigenvalues_at(f, theta0), eigenvalues_at(f, tr.theta)})
              v.insert(v.end(), ev.data(), ev.data() + ev.size());
          }
          return encode_doubles(v);
        }
        if (task < first_class) {  // (ii): {loss, φ}
          const Network net =
              mean_cross_entropy({2, widths[task - first_width], 4}, Activation::tanh());
          const LossFunction<double> fw(net, d4);
          const TrainResult r =
              gradient_descent(fw, small_init(net, o.seed + 1), 0.1, 0.0, o.quick ? 8000 : 40000);
          return encode_doubles({r.loss, bulk_fraction(eigenvalues_at(fw, r.theta))});
        }
        const int k = ks[task - first_class];  // (iii): {outlier count}
        const Network net = outlier_network(k);
        const LossFunction<double> fk(net, outlier_data(k));
        const TrainResult r =
            gradient_descent(fk, small_init(net, o.seed + 1), 0.1, 0.0, o.quick ? 4000 : 20000);
        return encode_doubles({static_cast<double>(outlier_count(eigenvalues_at(fk, r.theta), k))});
      });
  std::string md = "# Sagun, Bottou & LeCun: bulk and outliers of the Hessian spectrum\n\n";
  md +=
      "φ(τ) is the bulk fraction #{i : |λ_i| <= τ·max_j |λ_j|} / P of the Hessian's eigenvalues "
      "λ_1..λ_P: the share of the spectrum that is negligible next to its largest eigenvalue.\n\n";
  std::vector<std::pair<std::string, std::string>> criteria;
  std::string gnuplot_panels;  // one gnuplot block per panel drawn
  int panels = 0;
  // (i) The authors' default network: ReLU [2, 10, 5, 2], blobs (100 points, 2 classes), weights
  //     and biases 0.1·N(0,1), mean cross-entropy, full-batch GD with step 0.1 to ‖∇L‖ <= 1e-4.
  if (train_i) {
    const std::vector<double> got = decode_doubles(trained.front());
    const auto np = static_cast<Eigen::Index>(p.network.num_parameters());
    const auto slice = [&](std::size_t from) {
      return Vec<double>(Eigen::Map<const Vec<double>>(got.data() + from, np));
    };
    if (got.size() != static_cast<std::size_t>(4 + (run_spectrum ? 3 : 1) * np)) {
      throw Error(fmt::format("sagun (i): {} numbers came back from the training, expected {}",
                              got.size(),
                              4 + (run_spectrum ? 3 : 1) * np));
    }
    TrainResult tr;
    tr.converged = got.at(0) != 0;
    tr.iterations = static_cast<long>(got.at(1));
    tr.gradient_norm = got.at(2);
    tr.loss = got.at(3);
    tr.theta = slice(4);
    if (run_spectrum) {
      const Vec<double> ev0 = slice(4 + static_cast<std::size_t>(np));
      const Vec<double> ev1 = slice(4 + 2 * static_cast<std::size_t>(np));
      {
        std::string dat;
        for (Eigen::Index i = 0; i < ev0.size(); ++i) {
          dat += fmt::format("{} {:.6e} {:.6e}\n", i + 1, ev0(i), ev1(i));
        }
        files.emplace_back("sagun-sorted.dat", std::move(dat));
      }
      const double ratio = std::abs(ev1.minCoeff()) / ev1.maxCoeff();
      md += fmt::format(
          "## (i) One network before and after training\n\nReLU {}, P = {}, blobs (100 training "
          "points, 2 classes, seed {}), weights and biases 0.1·N(0,1) (seed {}), mean "
          "cross-entropy, full-batch GD step 0.1: {} after {} steps, loss {:.4e}, ‖∇L‖ = "
          "{:.3e}.\n\n"
          "| | λ_min | λ_max | bulk fraction φ(1e-3) |\n|---|---:|---:|---:|\n"
          "| initialisation | {:.3e} | {:.3e} | {:.2f} |\n| after training | {:.3e} | {:.3e} | "
          "{:.2f} |\n\n",
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
      // Histograms of the two spectra on common bins of equal width on a symmetric-log axis
      // (linear within |λ| <= c): on a linear axis the bulk collapses into one spike.
      const double lo = std::min(ev0.minCoeff(), ev1.minCoeff());
      const double hi = std::max(ev0.maxCoeff(), ev1.maxCoeff());
      const double top = std::max(std::abs(lo), std::abs(hi));
      const double c = top > 0 ? 1e-6 * top : 1.0;
      const int bins = 60;
      const double slo = symlog(lo, c), shi = symlog(hi, c);
      const double sw = shi > slo ? (shi - slo) / bins : 1.0;
      std::vector<int> c0(bins, 0), c1(bins, 0);
      const auto bin = [&](double v) {
        return std::clamp(static_cast<int>((symlog(v, c) - slo) / sw), 0, bins - 1);
      };
      for (Eigen::Index i = 0; i < ev0.size(); ++i) {
        ++c0[static_cast<std::size_t>(bin(ev0(i)))];
        ++c1[static_cast<std::size_t>(bin(ev1(i)))];
      }
      {
        std::string dat;
        for (int i = 0; i < bins; ++i) {
          dat += fmt::format("{:.6e} {:.6e} {} {}\n",
                             symlog_inverse(slo + i * sw, c),
                             symlog_inverse(slo + (i + 1) * sw, c),
                             c0[static_cast<std::size_t>(i)],
                             c1[static_cast<std::size_t>(i)]);
        }
        files.emplace_back("sagun-hist.dat", std::move(dat));
      }
      md += fmt::format(
          "Histogram: {} bins of equal width on a symmetric-log axis s(λ) = sgn(λ)·log10(1 + "
          "|λ|/c), c = 1e-6·max|λ| = {:.3e}, over [{:.3e}, {:.3e}]; {} of {} eigenvalues lie "
          "within |λ| <= 1e-3·max|λ| at initialisation and {} after training.\n\n",
          bins,
          c,
          lo,
          hi,
          std::lround(bulk_fraction(ev0) * static_cast<double>(ev0.size())),
          ev0.size(),
          std::lround(bulk_fraction(ev1) * static_cast<double>(ev1.size())));
      criteria.emplace_back(
          fmt::format("SB-d: abs(λ_min) <= 0.05·λ_max after training ({:.3e})", ratio),
          ratio <= 0.05 ? "pass" : "**FAIL**");
      gnuplot_panels +=
          fmt::format("set title 'eigenvalue histogram, ReLU [2,10,5,2] (seed {})'\n", o.seed) +
          "set xlabel 'eigenvalue (symmetric-log axis)'\nset ylabel 'count (log scale)'\n" +
          fmt::format("C = {:.6e}\n", c) +
          "set nonlinear x via sgn(x)*log10(1+abs(x)/C) inverse sgn(x)*C*(10**abs(x)-1)\n" +
          fmt::format("set xtics {}\n", symlog_tics(lo, hi, c)) +
          "set logscale y\nset yrange [0.8:*]\nset key top right opaque box\n"
          "set style fill transparent solid 0.4\nplot '" +
          path_in(dir, "sagun-hist.dat") +
          "' using (($1+$2)/2):($3>0?$3:1/0):1:2:(0.8):($3>0?$3:1/0) with boxxyerror lc "
          "rgb '#1f77b4' title 'initialisation', '' using (($1+$2)/2):($4>0?$4:1/0):1:2:(0.8):"
          "($4>0?$4:1/0) with boxxyerror lc rgb '#d62728' title 'after training'\n"
          "unset nonlinear x\nset xtics autofreq\nunset logscale y\nset autoscale y\n"
          "set style fill empty\n" +
          fmt::format("set title 'sorted eigenvalues, ReLU [2,10,5,2] (seed {})'\n", o.seed) +
          "set xlabel 'index'\nset ylabel 'eigenvalue'\nset key top left opaque box\n"
          "set offsets graph 0.02, graph 0.02, graph 0.08, graph 0.05\nplot '" +
          path_in(dir, "sagun-sorted.dat") +
          "' using 1:2 with points pt 7 ps 0.5 lc rgb '#1f77b4' title 'initialisation', '' "
          "using 1:3 with points pt 6 ps 0.7 lc rgb '#d62728' title 'after training'\n"
          "set offsets 0, 0, 0, 0\n";
      panels += 2;
    }
    // SB-a: the rank bounds, proved at the trained point on the first N samples.
    if (run_ranks) {
      md +=
          "## SB-a: rank bounds at the trained point, proved\n\nThe trained θ (its exact binary "
          "value) on the first N training points; k = 2. Cross-entropy: rank G <= N(k−1), the "
          "upper bound from the exact rank of the rows J_ic − J_i0 over Q (G = Σ "
          "(QJ_i)ᵀΛ_i(QJ_i) since Λ_i 1 = 0), the lower bound from the eigenvalues of G "
          "certified nonzero in Arb balls. Squared loss on the same network: rank G <= Nk over "
          "Q, and at the interpolating point (targets := outputs, exact) the number of nonzero "
          "eigenvalues of ∇²L <= Nk.\n\n"
          "| N | quantity | bound | proved rank | arithmetic | |\n|---:|---|---:|---|---|---|\n";
      bool all = true;
      Network mse = p.network;
      mse.loss = LossKind::Squared;
      const std::vector<int> ns =
          o.quick ? std::vector<int>{4, 16} : std::vector<int>{4, 8, 16, 32};
      // three proofs per N (CE, MSE, MSE interpolating), spread over the ranks under mpirun
      const std::vector<std::string> proved = map_over_ranks(3 * ns.size(), [&](std::size_t t) {
        const int n = ns[t / 3];
        const RankBoundRow r = t % 3 == 0 ? sb_a_rank(p.network, p.data, tr.theta, n)
                                          : sb_a_rank(mse, p.data, tr.theta, n, t % 3 == 2);
        return nlohmann::json{r.samples,
                              r.parameters,
                              r.quantity,
                              r.bound,
                              r.rank_lower,
                              r.rank_upper,
                              r.arithmetic,
                              r.pass}
            .dump();
      });
      for (std::size_t ni = 0; ni < ns.size(); ++ni) {
        const int n = ns[ni];
        std::vector<RankBoundRow> rows;
        for (std::size_t t = 3 * ni; t < 3 * ni + 3; ++t) {
          const nlohmann::json j = nlohmann::json::parse(proved[t]);
          rows.push_back({j.at(0), j.at(1), j.at(2), j.at(3), j.at(4), j.at(5), j.at(6), j.at(7)});
        }
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
  }
  // (ii) SB-b: bulk fraction against width (tanh, 1 hidden, 4 classes, cluster_std 4).
  if (run_bulk) {
    std::vector<double> phis;
    md +=
        "## (ii) Bulk fraction against width (SB-b)\n\ntanh [2, w, 4], blobs with 4 classes and "
        "cluster_std 4, mean cross-entropy, GD step 0.1 for " +
        std::to_string(o.quick ? 8000 : 40000) +
        " steps.\n\n| w | P | final loss | φ(1e-3) |\n|---:|---:|---:|---:|\n";
    {
      std::string dat;
      for (std::size_t wi = 0; wi < widths.size(); ++wi) {
        const int w = widths[wi];
        const Network net = mean_cross_entropy({2, w, 4}, Activation::tanh());
        const std::vector<double> r = decode_doubles(trained.at(first_width + wi));
        const double phi = r.at(1);
        phis.push_back(phi);
        dat += fmt::format("{} {:.4f}\n", w, phi);
        md += fmt::format("| {} | {} | {:.4e} | {:.2f} |\n", w, net.num_parameters(), r.at(0), phi);
        say(fmt::format("(ii) w = {}: φ = {:.2f}", w, phi));
      }
      files.emplace_back("sagun-bulk.dat", std::move(dat));
    }
    bool monotone = true;
    for (std::size_t k = 1; k < phis.size(); ++k)
      monotone = monotone && phis[k] >= phis[k - 1] - 0.05;
    criteria.emplace_back("SB-b: φ non-decreasing in w within ±0.05",
                          monotone ? "pass" : "**FAIL**");
    criteria.emplace_back(fmt::format("SB-b: φ > 0.85 at the widest net ({:.2f})", phis.back()),
                          phis.back() > 0.85 ? "pass" : "**FAIL**");
    gnuplot_panels +=
        "set title 'bulk fraction after training against width (SB-b)'\nset xlabel 'hidden "
        "width w'\nset ylabel 'bulk fraction phi(1e-3)'\nset logscale x\nset yrange [0:1.05]\n"
        "set key bottom right opaque box\nplot '" +
        path_in(dir, "sagun-bulk.dat") +
        "' using 1:2 with linespoints lw 2 pt 7 lc rgb '#1f77b4' title 'locus: tanh [2,w,4], 4 "
        "classes', 0.85 with lines dt 2 lc rgb '#555555' title 'SB-b criterion: phi > 0.85 at "
        "the widest net'\nunset logscale x\nset autoscale y\n";
    ++panels;
  }
  // (iii) SB-c (soft): outliers against the number of classes.
  if (run_outliers) {
    md +=
        "\n## (iii) Outliers against the number of classes (SB-c, soft)\n\ntanh [2, 20, k], "
        "blobs with k classes (cluster_std 1), GD step 0.1; the outlier count is the index of the "
        "largest gap in log λ among the top 3k eigenvalues.\n\n| k | outliers |\n|---:|---:|\n";
    std::vector<int> counts;
    {
      std::string dat;
      for (std::size_t ki = 0; ki < ks.size(); ++ki) {
        const int k = ks[ki];
        const int c = static_cast<int>(decode_doubles(trained.at(first_class + ki)).at(0));
        counts.push_back(c);
        dat += fmt::format("{} {}\n", k, c);
        md += fmt::format("| {} | {} |\n", k, c);
      }
      files.emplace_back("sagun-outliers.dat", std::move(dat));
    }
    // Within [k−1, k+1] for at least two thirds of the class counts, non-decreasing in k.
    int within = 0;
    bool nondecreasing = true;
    for (std::size_t i = 0; i < ks.size(); ++i) {
      within += std::abs(counts[i] - ks[i]) <= 1;
      if (i > 0 && ks[i] >= ks[i - 1]) nondecreasing = nondecreasing && counts[i] >= counts[i - 1];
    }
    const int need = static_cast<int>((2 * ks.size() + 2) / 3);
    criteria.emplace_back(
        fmt::format("SB-c (soft): count non-decreasing in k and within [k−1, k+1] for >= {} of {} "
                    "({} of {})",
                    need,
                    ks.size(),
                    within,
                    ks.size()),
        nondecreasing && within >= need ? "pass" : "**FAIL** (soft)");
    gnuplot_panels +=
        "set title 'outliers against classes (SB-c)'\nset xlabel 'classes k'\n"
        "set ylabel 'outlier eigenvalues'\nset key top left opaque box\n"
        "set offsets graph 0.05, graph 0.05, graph 0.15, graph 0.05\nplot '" +
        path_in(dir, "sagun-outliers.dat") +
        "' using 1:2 with linespoints lw 2 pt 7 lc rgb '#1f77b4' title 'locus: tanh [2,20,k]', x "
        "with lines dt 2 lc rgb '#555555' title 'Sagun et al.: k outliers for k classes'\n";
    ++panels;
  }
  // Plots.
  if (writer) {
    for (const auto& [name, contents] : files) std::ofstream(path_in(dir, name)) << contents;
  }
  bool plotted = false;
  if (writer && panels > 0 && std::system("command -v gnuplot > /dev/null 2>&1") == 0) {
    std::ofstream gp(path_in(dir, "sagun.gp"));
    const int cols = panels >= 2 ? 2 : 1;
    const int rows = (panels + cols - 1) / cols;
    for (const char* ext : {"png", "svg"}) {
      const std::string size = fmt::format("size {},{}", 650 * cols, 450 * rows);
      const std::string term =
          std::string(ext) == "png" ? "pngcairo enhanced " + size : "svg enhanced " + size;
      gp << "set terminal " << term << "\nset output '" << path_in(dir, std::string("sagun.") + ext)
         << "'\nset multiplot layout " << rows << "," << cols << "\nset grid\n"
         << gnuplot_panels << "unset multiplot\n";
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
  std::string parts;
  for (const SagunPart part :
       {SagunPart::Spectrum, SagunPart::Ranks, SagunPart::Bulk, SagunPart::Outliers}) {
    if (has_part(o, part)) parts += (parts.empty() ? "" : ", ") + std::string(to_string(part));
  }
  md += fmt::format("\n{}Seed {}; parts {}{}; {:.1f} s.\n",
                    plotted ? "![Sagun reproduction: histogram, sorted spectra, bulk fraction, "
                              "outliers](sagun.png)\n\n"
                    : panels > 0 ? "(gnuplot is not installed: no figure.)\n\n"
                                 : "",
                    o.seed,
                    parts,
                    o.quick ? " (quick grid)" : "",
                    seconds);
  if (writer) std::ofstream(path_in(dir, "sagun.md")) << md;
  return md;
}

}  // namespace locus::reproductions
