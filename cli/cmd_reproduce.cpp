// `locus reproduce sagun|littwin-wolf|safran-shamir [--quick] [--out DIR] [--seed S] ...`: the empirical
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
#include "locus/reproductions/safran_shamir.hpp"
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
    std::vector<int> sizes;
    int runs = 0, max_proofs = -1, bits = 128, threads = 0;
    double seconds = 0;
  };
  auto o = std::make_shared<Options>();
  app.add_option("NAME", o->name, "sagun, littwin-wolf or safran-shamir")->required();
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
  app.add_option(
         "--sizes", o->sizes, "safran-shamir: the k = n values (default 6,7,8,9,10; quick 6)")
      ->delimiter(',');
  app.add_option("--runs",
                 o->runs,
                 "safran-shamir: random initialisations per size (default 1000; quick 300)");
  app.add_option("--max-proofs",
                 o->max_proofs,
                 "safran-shamir: distinct spurious minima to prove per size (default 2; quick 1)");
  app.add_option("--seconds",
                 o->seconds,
                 "safran-shamir: stop starting runs of a size after this many seconds (0: none)");
  app.add_option("--bits", o->bits, "safran-shamir: ball precision of the proofs")
      ->capture_default_str();
  app.add_option("--threads", o->threads, "safran-shamir: threads for the runs (0: all cores)")
      ->capture_default_str();
  return [o]() -> int {
    namespace lr = locus::reproductions;
    if (o->name != "sagun" && o->name != "littwin-wolf" && o->name != "safran-shamir") {
      throw InvalidArgument(
          fmt::format("reproduce {}: expected sagun, littwin-wolf or safran-shamir", o->name));
    }
    const bool ss_options = !o->sizes.empty() || o->runs != 0 || o->max_proofs >= 0 ||
                            o->seconds != 0 || o->bits != 128 || o->threads != 0;
    if (o->name != "safran-shamir" && ss_options) {
      throw InvalidArgument(fmt::format(
          "reproduce {}: --sizes, --runs, --max-proofs, --seconds, --bits and --threads belong to "
          "safran-shamir",
          o->name));
    }
    if (o->name == "safran-shamir") {
      if (o->seeds > 0 || !o->parts.empty() || !o->widths.empty() || !o->classes.empty()) {
        throw InvalidArgument(
            "reproduce safran-shamir: --seeds, --parts, --widths and --classes belong to the "
            "other reproductions");
      }
      if (mpi_ranks().size > 1) {
        throw InvalidArgument(
            "reproduce safran-shamir runs in one process (population losses are not spread "
            "over MPI ranks); it uses --threads");
      }
      lr::SsOptions so;
      so.seed = o->seed;
      if (o->quick) {
        so.sizes = {6};
        so.runs = 300;
        so.max_proofs = 1;
      }
      if (!o->sizes.empty()) so.sizes = o->sizes;
      for (const int k : so.sizes) {
        if (k < 2 || k > 64) {
          throw InvalidArgument(
              fmt::format("reproduce safran-shamir: --sizes {}: expected k from 2 to 64", k));
        }
      }
      if (o->runs < 0) {
        throw InvalidArgument(fmt::format("--runs {}: expected a positive count", o->runs));
      }
      if (o->runs > 0) so.runs = o->runs;
      if (o->max_proofs >= 0) so.max_proofs = o->max_proofs;
      if (o->seconds < 0) {
        throw InvalidArgument(fmt::format("--seconds {}: expected 0 or more", o->seconds));
      }
      so.seconds_per_size = o->seconds;
      if (o->bits < 64) {
        throw InvalidArgument(fmt::format("--bits {}: expected at least 64", o->bits));
      }
      so.bits = o->bits;
      so.threads = o->threads;
      so.progress = [](const std::string& s) { fmt::print(stderr, "  {}\n", s); };
      fmt::print(stderr, "  safran-shamir: seed {}\n", so.seed);
      fmt::print("{}", lr::safran_shamir_reproduction(so, o->out));
      fmt::print(
          "wrote {}/safran-shamir.md, .csv, the minima's problem files (and .png/.svg with "
          "gnuplot)\n",
          o->out);
      return 0;
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
