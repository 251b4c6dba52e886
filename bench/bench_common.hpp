// Shared helpers of the benchmarks: seeded teacher problems, timing, memory, running the PyTorch
// reference scripts.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "locus/io/dataset.hpp"
#include "locus/io/problem.hpp"

#include <sys/resource.h>

namespace locus::bench {

using Clock = std::chrono::steady_clock;

inline double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

/// The best wall time of `reps` runs of f, in seconds.
template <class F>
double best_of(int reps, F&& f) {
  double best = 1e300;
  for (int r = 0; r < reps; ++r) {
    const auto t0 = Clock::now();
    f();
    best = std::min(best, since(t0));
  }
  return best;
}

inline double peak_rss_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

/// A sigmoid network on teacher data (tanh teacher with 8 hidden units, noise 0.1), seeded, with
/// a random point of the given scale (seed + 1).
inline Problem make_problem(std::vector<int> widths,
                            int n,
                            std::uint32_t seed,
                            double scale = 0.3) {
  Problem p;
  p.network.widths = std::move(widths);
  p.network.activation = Activation::sigmoid();
  TeacherOptions t;
  t.teacher.widths = {p.network.width(0), 8, p.network.width(p.network.num_layers())};
  t.teacher.activation = Activation::tanh();
  t.num_samples = n;
  t.seed = seed;
  t.noise = 0.1;
  p.data = make_teacher(t);
  p.point = random_point(p.network, seed + 1, scale);
  return p;
}

/// The standard output of a shell command.
inline std::string run_command(const std::string& cmd) {
  std::string out;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (pipe == nullptr) return out;
  char buffer[512];
  while (fgets(buffer, sizeof buffer, pipe) != nullptr) out += buffer;
  pclose(pipe);
  return out;
}

}  // namespace locus::bench
