// `locus reproduce sagun|littwin-wolf [--quick] [--out DIR] [--seeds N] [--seed S]`: the empirical
// papers' experiments with a report per reproduction (Markdown, CSV, plots when gnuplot is
// installed). A criterion that fails is reported plainly; the exit status is 0 unless the run
// itself fails.
#include <memory>
#include <string>
#include <vector>

#include "commands.hpp"

#include "locus/error.hpp"
#include "locus/parallel/distributed.hpp"
#include "locus/reproductions/littwin_wolf.hpp"
#include "locus/reproductions/sagun.hpp"

#include <fmt/format.h>

namespace locus::cli {

Run add_reproduce(CLI::App& app) {
  struct Options {
    std::string name, out = "reproductions";
    bool quick = false;
    int seeds = 0;
    unsigned seed = 0;
    std::vector<std::string> parts;
    std::vector<int> widths, classes;
  };
  auto o = std::make_shared<Options>();
  app.add_option("NAME", o->name, "sagun or littwin-wolf")->required();
  app.add_flag("--quick",
               o->quick,
               "a smaller grid (CI). littwin-wolf: widths 16, 64, 256, 512, 2 seeds, LW-2 on "
               "widths 16 and 256 for one seed; sagun: 20000 GD steps for (i), SB-a on N = 4, 16, "
               "widths 5, 20, 80 for 8000 steps, 4000 steps for (iii)");
  app.add_option("-o,--out", o->out, "folder for the report, CSV and plots")->capture_default_str();
  app.add_option("--seeds", o->seeds, "littwin-wolf: seeds per width (default 8, quick 2)");
  app.add_option("--seed", o->seed, "base seed")->capture_default_str();
  app.add_option("--parts",
                 o->parts,
                 "sagun: which parts to run, of spectrum (i, SB-d), ranks (SB-a), bulk (ii, "
                 "SB-b), outliers (iii, SB-c) (default: all)")
      ->delimiter(',');
  app.add_option("--widths", o->widths, "sagun: hidden widths of part (ii) (default 5,10,20,40,80)")
      ->delimiter(',');
  app.add_option("--classes", o->classes, "sagun: class counts of part (iii) (default 2,4,8)")
      ->delimiter(',');
  return [o]() -> int {
    namespace lr = locus::reproductions;
    if (o->name != "sagun" && o->name != "littwin-wolf") {
      throw InvalidArgument(fmt::format("reproduce {}: expected sagun or littwin-wolf", o->name));
    }
    if (o->name == "sagun") {
      if (o->seeds > 0) throw InvalidArgument("reproduce sagun: --seeds belongs to littwin-wolf");
      lr::SagunOptions so;
      so.quick = o->quick;
      so.seed = o->seed;
      for (const auto& part : o->parts) so.parts.push_back(lr::parse_sagun_part(part));
      so.widths = o->widths;
      so.classes = o->classes;
      so.progress = [](const std::string& s) { fmt::print(stderr, "  {}\n", s); };
      fmt::print("{}", lr::sagun_reproduction(so, o->out));
      fmt::print("wrote {}/sagun.md (and sagun.png/.svg with gnuplot)\n", o->out);
      return 0;
    }
    if (!o->parts.empty() || !o->widths.empty() || !o->classes.empty()) {
      throw InvalidArgument(
          fmt::format("reproduce {}: --parts, --widths and --classes belong to sagun", o->name));
    }
    lr::LwOptions opt;
    opt.seed = o->seed;
    if (o->quick) {
      opt.widths = {16, 64, 256, 512};
      opt.seeds = 2;
    }
    if (o->seeds > 0) opt.seeds = o->seeds;
    opt.progress = [](const std::string& s) { fmt::print(stderr, "  {}\n", s); };
    // under mpirun the (width, seed) evaluations and the trainings spread over the ranks (sagun:
    // its trainings and rank proofs)
    const std::string md = lr::lw_reproduction(opt, o->quick, o->out);
    fmt::print("{}", md);
    fmt::print("wrote {}/littwin-wolf.md, .csv (and .png/.svg with gnuplot)\n", o->out);
    return 0;
  };
}

}  // namespace locus::cli
