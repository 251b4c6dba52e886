// `locus reproduce sagun|littwin-wolf [--quick] [--out DIR] [--seeds N] [--seed S]`: the empirical
// papers' experiments with a report per reproduction (Markdown, CSV, plots when gnuplot is
// installed). A criterion that fails is reported plainly; the exit status is 0 unless the run
// itself fails.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "commands.hpp"

#include "locus/constructions/littwin_wolf.hpp"
#include "locus/constructions/sagun.hpp"
#include "locus/error.hpp"

#include <fmt/format.h>

namespace locus::cli {

Run add_reproduce(CLI::App& app) {
  struct Options {
    std::string name, out = "reproductions";
    bool quick = false;
    int seeds = 0;
    unsigned seed = 0;
  };
  auto o = std::make_shared<Options>();
  app.add_option("NAME", o->name, "sagun or littwin-wolf")->required();
  app.add_flag("--quick", o->quick, "a small grid (CI): widths 16-512 and 2 seeds");
  app.add_option("-o,--out", o->out, "folder for the report, CSV and plots")->capture_default_str();
  app.add_option("--seeds", o->seeds, "seeds per width (default 8, quick 2)");
  app.add_option("--seed", o->seed, "base seed")->capture_default_str();
  return [o]() -> int {
    namespace lc = locus::constructions;
    if (o->name == "sagun") {
      lc::SagunOptions so;
      so.quick = o->quick;
      so.seed = o->seed;
      so.progress = [](const std::string& s) { fmt::print(stderr, "  {}\n", s); };
      fmt::print("{}", lc::sagun_reproduction(so, o->out));
      fmt::print("wrote {}/sagun.md (and sagun.png/.svg with gnuplot)\n", o->out);
      return 0;
    }
    if (o->name != "littwin-wolf") {
      throw InvalidArgument(fmt::format("reproduce {}: expected sagun or littwin-wolf", o->name));
    }
    lc::LwOptions opt;
    opt.seed = o->seed;
    if (o->quick) {
      opt.widths = {16, 64, 256, 512};
      opt.seeds = 2;
    }
    if (o->seeds > 0) opt.seeds = o->seeds;
    opt.progress = [](const std::string& s) { fmt::print(stderr, "  {}\n", s); };
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<lc::LwResult> results;
    for (const auto& c : lc::lw_configurations()) results.push_back(lc::littwin_wolf(c, opt));
    std::vector<lc::LwTrajectory> trajectories;
    // LW-2 over 3 seeds (quick: 1), a narrow and a wide net each.
    for (unsigned s = 0; s < (o->quick ? 1U : 3U); ++s) {
      for (const int n : o->quick ? std::vector<int>{16, 256} : std::vector<int>{16, 1024}) {
        fmt::print(stderr, "  LW-2: training width {} (seed {})\n", n, o->seed + s);
        trajectories.push_back(
            lc::lw_trajectory(n, o->quick ? 400 : 2000, o->quick ? 20 : 50, o->seed + s));
      }
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const std::string md = lc::write_lw_report(results, opt, o->out, seconds, trajectories);
    fmt::print("{}", md);
    fmt::print("wrote {}/littwin-wolf.md, .csv (and .png/.svg with gnuplot)\n", o->out);
    return 0;
  };
}

}  // namespace locus::cli
