// The certify and spectrum figures (locus/api/figures.hpp), drawn by gnuplot when it is installed.
#include "locus/api/figures.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <optional>

#include "locus/core/derivatives.hpp"
#include "locus/error.hpp"

#include <Eigen/Eigenvalues>

#include <fmt/format.h>

namespace locus::api {

namespace {

std::string quoted(const std::string& path) {
  std::string out = "'";
  for (const char c : path) {
    if (c == '\'') {
      out += "''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::ofstream open_file(const std::string& path, FigureFiles& files) {
  std::ofstream f(path);
  if (!f) throw Error(fmt::format("cannot write the figure file {}", path));
  files.files.push_back(path);
  return f;
}

// A certified zero cluster: how many eigenvalues, and the bound of the key.
struct Cluster {
  long count = 0;
  std::string label;
};

// The spectrum panel: PREFIX-spectrum.dat (index, λ, |λ|, kind 1 positive / −1 negative / 0
// cluster) and its gnuplot block. The cluster is the `cluster.count` eigenvalues of smallest |λ|.
std::string spectrum_panel(std::vector<double> eigenvalues,
                           const Cluster& cluster,
                           const std::string& title,
                           const std::string& prefix,
                           FigureFiles& files) {
  std::sort(eigenvalues.begin(), eigenvalues.end());
  const auto n = static_cast<long>(eigenvalues.size());
  std::vector<long> by_size(static_cast<std::size_t>(n));
  for (long i = 0; i < n; ++i) by_size[static_cast<std::size_t>(i)] = i;
  std::sort(by_size.begin(), by_size.end(), [&](long a, long b) {
    return std::abs(eigenvalues[static_cast<std::size_t>(a)]) <
           std::abs(eigenvalues[static_cast<std::size_t>(b)]);
  });
  std::vector<int> kind(static_cast<std::size_t>(n), 0);
  const long k = std::clamp(cluster.count, 0L, n);
  double smallest = 0;
  for (long r = 0; r < n; ++r) {
    const auto i = static_cast<std::size_t>(by_size[static_cast<std::size_t>(r)]);
    if (r < k) continue;
    kind[i] = eigenvalues[i] < 0 ? -1 : 1;
    const double a = std::abs(eigenvalues[i]);
    if (a > 0 && (smallest == 0 || a < smallest)) smallest = a;
  }
  double largest = 1;
  for (const double e : eigenvalues) largest = std::max(largest, std::abs(e));
  // The floor of the axis: three decades below the smallest eigenvalue outside the cluster; the
  // cluster is drawn on it.
  const double floor = smallest > 0 ? std::pow(10.0, std::floor(std::log10(smallest)) - 3) : 1e-20;
  const std::string dat = prefix + "-spectrum.dat";
  {
    std::ofstream f = open_file(dat, files);
    f << "# index  lambda  |lambda| (cluster: the axis floor)  kind (1 positive, -1 negative, 0 "
         "certified zero cluster)\n";
    for (long i = 0; i < n; ++i) {
      const double e = eigenvalues[static_cast<std::size_t>(i)];
      const int kd = kind[static_cast<std::size_t>(i)];
      f << fmt::format("{} {:.17g} {:.17g} {}\n", i, e, kd == 0 ? floor : std::abs(e), kd);
    }
  }
  std::string gp = fmt::format(
      "set title {}\nset xlabel 'index (ascending λ)'\nset ylabel '|λ|'\nset logscale y\n"
      "set format y '10^{{%T}}'\nset yrange [{:.3g}:{:.3g}]\nset offsets 0.5, 0.5, 0, 0\n"
      "set key top left opaque box\n"
      "plot {} using 1:($4 > 0 ? $3 : 1/0) with points pt 7 ps 0.6 lc rgb '#1f77b4' title "
      "'λ > 0', '' using 1:($4 < 0 ? $3 : 1/0) with points pt 9 ps 0.8 lc rgb '#d62728' title "
      "'λ < 0 (|λ| shown)'",
      quoted(title),
      floor / 3,
      largest * 3,
      quoted(dat));
  if (k > 0) {
    gp += fmt::format(
        ", '' using 1:($4 == 0 ? $3 : 1/0) with points pt 5 ps 0.9 lc rgb '#2ca02c' title {}",
        quoted(cluster.label));
  }
  return gp + "\n";
}

// Runs the script: PREFIX.svg and PREFIX.png from the panels, side by side.
void draw(const std::vector<std::string>& panels, const std::string& prefix, FigureFiles& files) {
  const std::string script = prefix + ".gp";
  {
    std::ofstream gp = open_file(script, files);
    const int cols = static_cast<int>(panels.size());
    for (const char* ext : {"png", "svg"}) {
      const std::string size = fmt::format("size {},{}", 620 * cols, 460);
      gp << "set terminal " << (std::string(ext) == "png" ? "pngcairo" : "svg") << " enhanced "
         << size << "\nset output " << quoted(prefix + "." + ext) << "\nset multiplot layout 1,"
         << cols << "\nset grid\n";
      for (const std::string& p : panels) gp << "reset\nset grid\n" << p;
      gp << "unset multiplot\n";
    }
  }
  if (std::system("command -v gnuplot > /dev/null 2>&1") != 0) {
    files.note = "gnuplot is not installed: the data and the script are written, no drawing";
    return;
  }
  files.drawn =
      std::system(fmt::format("gnuplot {} > /dev/null 2>&1", quoted(script)).c_str()) == 0;
  if (files.drawn) {
    files.files.push_back(prefix + ".svg");
    files.files.push_back(prefix + ".png");
  } else {
    files.note = fmt::format("gnuplot failed on {}", script);
  }
}

}  // namespace

FigureFiles plot_spectrum(const SpectrumResult& s,
                          const std::string& title,
                          const std::string& prefix) {
  FigureFiles files;
  Cluster cluster;
  if (s.cluster_size > 0) {
    cluster.count = s.cluster_size;
    cluster.label = fmt::format("certified cluster: {} eigenvalue(s) with |λ| <= {} ({})",
                                s.cluster_size,
                                s.epsilon,
                                s.arithmetic);
  } else if (s.zero_known && s.inertia.zero > 0) {
    cluster.count = s.inertia.zero;
    cluster.label = fmt::format("{} eigenvalue(s) exactly 0 ({})", s.inertia.zero, s.arithmetic);
  }
  draw({spectrum_panel(s.eigenvalues_double, cluster, title, prefix, files)}, prefix, files);
  return files;
}

FigureFiles plot_certify(const CertifyOutcome& o, const Problem& p, const std::string& prefix) {
  FigureFiles files;
  // The flow: t > 0 only (log axis).
  const std::string flow_dat = prefix + "-flow.dat";
  {
    std::ofstream f = open_file(flow_dat, files);
    f << "# flow time  L  |grad L|  |theta|\n";
    for (const FlowSample& s : o.flow.history) {
      if (s.time > 0) {
        f << fmt::format(
            "{:.17g} {:.17g} {:.17g} {:.17g}\n", s.time, s.loss, s.gradient_norm, s.theta_norm);
      }
    }
  }
  // L on a log axis when it spans more than two decades.
  double lmin = 0, lmax = 0;
  for (const FlowSample& s : o.flow.history) {
    if (s.time <= 0) continue;
    lmin = lmin == 0 ? s.loss : std::min(lmin, s.loss);
    lmax = std::max(lmax, s.loss);
  }
  std::string legs =
      lmin > 0 && lmax > 100 * lmin ? "set logscale y2\nset format y2 '10^{%T}'\n" : "";
  for (std::size_t k = 0; k + 1 < o.stages.size(); ++k) {
    if (o.stages[k].end.time > 0) {
      legs += fmt::format(
          "set arrow from {:.17g}, graph 0 to {:.17g}, graph 1 nohead dt 3 lc rgb '#888888'\n",
          o.stages[k].end.time,
          o.stages[k].end.time);
    }
  }
  const std::string flow_panel = fmt::format(
      "set title 'gradient flow ({} leg(s), {})'\nset xlabel 'flow time t'\nset logscale x\n"
      "set format x '10^{{%T}}'\nset logscale y\nset format y '10^{{%T}}'\nset ylabel '‖∇L‖'\n"
      "set y2label 'L'\nset y2tics\nset ytics nomirror\nset key bottom left opaque box\n{}"
      "plot {} using 1:3 with lines lw 2 lc rgb '#1f77b4' title '‖∇L‖', '' using 1:2 axes x1y2 "
      "with lines lw 2 dt 2 lc rgb '#ff7f0e' title 'L (right axis)'\n",
      o.stages.size(),
      to_string(o.flow.status),
      legs,
      quoted(flow_dat));
  // The spectrum at the refined point (or where the flow ended), in double; the cluster from
  // classify.
  const Problem& at = o.point ? *o.point : (o.stopped ? *o.stopped : p);
  const LossFunction<double> f(at.network, at.data);
  const Eigen::SelfAdjointEigenSolver<Mat<double>> es(f.hessian(at.point_as<double>()),
                                                      Eigen::EigenvaluesOnly);
  std::vector<double> eigs(es.eigenvalues().data(),
                           es.eigenvalues().data() + es.eigenvalues().size());
  Cluster cluster;
  std::string title = o.point ? "Hessian spectrum at the refined point (double)"
                              : "Hessian spectrum where the flow ended (double)";
  if (o.classification && o.classification->inertia_known && o.classification->inertia.zero > 0) {
    const Classification& c = *o.classification;
    cluster.count = c.inertia.zero;
    cluster.label =
        c.zeros_exact
            ? fmt::format("{} zero eigenvalue(s), certified ({})", c.inertia.zero, c.arithmetic)
            : fmt::format("certified cluster: {} eigenvalue(s) with |λ| <= {} ({})",
                          c.inertia.zero,
                          format_bound(c.cluster_epsilon, true, 3),
                          c.arithmetic);
  }
  draw({flow_panel, spectrum_panel(eigs, cluster, title, prefix, files)}, prefix, files);
  return files;
}

}  // namespace locus::api
