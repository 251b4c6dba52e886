// locus: certified geometry of critical points of neural-network losses.
//
// Exit status: 0 success, 1 a check found an unexpected verdict, 2 bad input (unknown option,
// malformed file, unknown arithmetic, ...), 3 an internal error.
#include <cstdio>
#include <exception>
#include <map>
#include <string>

#include "commands.hpp"

#include "locus/error.hpp"
#include "locus/linalg/blas.hpp"
#include "locus/parallel/distributed.hpp"
#include "locus/version.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#if defined(__GLIBC__)
#include <cstdlib>

#include <malloc.h>
#include <unistd.h>
#endif

namespace {

#if defined(__GLIBC__)
// Settings the C library and OpenBLAS read only when the process starts, made by one
// re-execution of `locus` itself (if that is impossible, no /proc, locus goes on without them):
// - Blocks above 32 MiB (a P ≈ 2000 ball Hessian is 190 MB) are always fresh mmap'ed pages, and
//   faulting them in 4 KiB at a time costs as much as the arithmetic on them (a third of a
//   certified P = 1983 inertia). glibc (2.35 and later) backs such blocks with transparent huge
//   pages when GLIBC_TUNABLES holds glibc.malloc.hugetlb=1. LOCUS_HUGEPAGES=0 turns this off.
// - OpenBLAS's worker threads spin (sched_yield) for 2^28 cycles, about 0.1 s, after they start
//   and after every call before they sleep. locus alternates OpenMP loops and BLAS calls, and on
//   few cores that spin takes a core from the OpenMP threads: the 53-bit Hessian of the certified
//   P = 1983 benchmark takes 0.22 s instead of 0.12 s (docs/benchmarks.md). With
//   OPENBLAS_THREAD_TIMEOUT=20 they spin for 2^20 cycles (under a millisecond), which still
//   covers the gaps between the BLAS calls inside one LAPACK routine. A value the user set
//   (OPENBLAS_THREAD_TIMEOUT or GOTO_THREAD_TIMEOUT) is kept.
void configure_process(char** argv) {
  bool changed = false;
  const char* opt = std::getenv("LOCUS_HUGEPAGES");
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  std::string t = tunables != nullptr ? tunables : "";
  if ((opt == nullptr || std::string(opt) != "0") &&
      t.find("glibc.malloc.hugetlb") == std::string::npos) {
    t += t.empty() ? "glibc.malloc.hugetlb=1" : ":glibc.malloc.hugetlb=1";
    changed = setenv("GLIBC_TUNABLES", t.c_str(), 1) == 0 || changed;
  }
  if (std::getenv("OPENBLAS_THREAD_TIMEOUT") == nullptr &&
      std::getenv("GOTO_THREAD_TIMEOUT") == nullptr) {
    changed = setenv("OPENBLAS_THREAD_TIMEOUT", "20", 1) == 0 || changed;
  }
  if (!changed) return;
  execv("/proc/self/exe", argv);  // returns only if it failed: go on as the process is
}
#endif

}  // namespace

int main(int argc, char** argv) {
#if defined(__GLIBC__)
  configure_process(argv);
#endif
  // Under mpirun: MPI for the whole run; ranks other than 0 compute but do not print (every rank
  // gets the same results and the same errors, locus/parallel/distributed.hpp).
  const locus::MpiSession mpi(&argc, &argv);
  const locus::Ranks ranks = locus::mpi_ranks();
  if (ranks.rank > 0) {
    if (std::freopen("/dev/null", "w", stdout) == nullptr ||
        std::freopen("/dev/null", "w", stderr) == nullptr) {
      return 3;
    }
  }
#if defined(__GLIBC__)
  // One `locus` process computes a few large matrices and exits. glibc would hand every freed
  // block above 128 KiB back to the kernel and fault it in again on the next layer block of the
  // Hessian (a third of the time of a P = 5514 `locus eval`, docs/benchmarks.md): keep blocks up to
  // 32 MiB in the heap and never trim it.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, -1);
#endif
  CLI::App app{
      "locus: exact, multiprecision and interval answers about critical points of neural-network "
      "losses.\nArithmetics: double, long-double, float128, mpfr:BITS, rational, ball:BITS "
      "(see `locus scalars`).",
      "locus"};
  app.require_subcommand(0, 1);
  bool show_version = false;
  bool show_build = false;
  app.add_flag("-V,--version", show_version, "print the version and exit");
  app.add_flag("--build-info", show_build, "print the version and the library versions and exit");

  std::map<const CLI::App*, locus::cli::Run> runs;
  auto* scalars =
      app.add_subcommand("scalars", "list the built-in arithmetics and their precision");
  runs[scalars] = locus::cli::add_scalars(*scalars);
  auto* demo = app.add_subcommand(
      "demo",
      "a short demonstration: one matrix, eigenvalues 2, 1e-30, 0, -1, in every arithmetic");
  runs[demo] = locus::cli::add_demo(*demo);
  auto* eval = app.add_subcommand(
      "eval", "loss, gradient, Hessian, G, H (and J) at the problem's point, in any arithmetic");
  runs[eval] = locus::cli::add_eval(*eval);
  auto* spectrum = app.add_subcommand(
      "spectrum", "eigenvalues and inertia of the Hessian, G or H, certified where possible");
  runs[spectrum] = locus::cli::add_spectrum(*spectrum);
  auto* refine = app.add_subcommand(
      "refine", "Ceres in double, then minimum-norm Newton in MPFR, to a critical point");
  runs[refine] = locus::cli::add_refine(*refine);
  auto* certify = app.add_subcommand(
      "certify",
      "from any point: gradient flow (CVODE), Newton, existence proof, classify, in one call");
  runs[certify] = locus::cli::add_certify(*certify);
  auto* classify = app.add_subcommand(
      "classify", "critical? strict/degenerate minimum, saddle, maximum, with the certificate");
  runs[classify] = locus::cli::add_classify(*classify);
  auto* construct = app.add_subcommand(
      "construct",
      "paper constructions as certified problem files: split, inverse-design, "
      "escape-path, star, global-minimum, wb1-bound, growth-table, counterexamples");
  runs[construct] = locus::cli::add_construct(*construct);
  auto* path = app.add_subcommand(
      "path", "re-check a path: the loss never increases (certified per segment), final decrease");
  runs[path] = locus::cli::add_path(*path);
  auto* check =
      app.add_subcommand("check",
                         "the regression suite of geometric claims: proved / refuted / evidence / "
                         "inconclusive");
  runs[check] = locus::cli::add_check(*check);
  auto* search = app.add_subcommand(
      "search",
      "search a claim's family for a certified counterexample: restarts, Sbplx on the violation "
      "margin, shrinking");
  runs[search] = locus::cli::add_search(*search);
  auto* reproduce = app.add_subcommand(
      "reproduce",
      "the empirical papers' experiments with reports and plots: sagun, littwin-wolf, "
      "safran-shamir");
  runs[reproduce] = locus::cli::add_reproduce(*reproduce);
  auto* data = app.add_subcommand(
      "data", "write a problem file with a seeded data set: blobs, xor, teacher or csv");
  runs[data] = locus::cli::add_data(*data, argc, argv);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }

  try {
    if (show_version) {
      fmt::print("locus {}\n", locus::kVersion);
      return 0;
    }
    if (show_build) {
      fmt::print("{}  BLAS       kernels {}\n", locus::build_info(), locus::blas_kernels());
      return 0;
    }
    for (const auto& [sub, run] : runs) {
      if (!sub->parsed() || !run) continue;
      const std::string name = sub->get_name();
      if (ranks.size > 1 && name != "eval" && name != "spectrum" && name != "check" &&
          name != "search" && name != "reproduce") {
        throw locus::InvalidArgument(fmt::format(
            "`locus {}` does not run under mpirun with several ranks yet; `locus eval`, "
            "`locus spectrum --lanczos K`, `locus check`, `locus search` and `locus reproduce` "
            "do (docs/scaling.md)",
            name));
      }
      return run();
    }
    fmt::print("{}", app.help());
    return 0;
  } catch (const locus::Error& e) {
    fmt::print(stderr, "locus: error: {}\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "locus: internal error: {}\n", e.what());
    return 3;
  }
}
