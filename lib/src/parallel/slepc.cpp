#include "locus/parallel/slepc.hpp"

#include <algorithm>
#include <exception>
#include <random>
#include <string>

#include "session.hpp"

#include "locus/error.hpp"

#include <fmt/format.h>

#if LOCUS_WITH_SLEPC
#include <slepceps.h>
#endif

namespace locus {

bool slepc_built() noexcept {
  return LOCUS_WITH_SLEPC != 0;
}

#if LOCUS_WITH_SLEPC
namespace {

// A PETSc or SLEPc call that failed: its error text, as a locus::Error.
void check(PetscErrorCode code, const char* what) {
  if (code == 0) return;
  const char* text = nullptr;
  PetscErrorMessage(code, &text, nullptr);
  throw Error(fmt::format("SLEPc: {} failed: {}", what, text != nullptr ? text : "(no message)"));
}

void finalize_slepc() {
  PetscBool done = PETSC_FALSE;
  SlepcFinalized(&done);
  if (done == PETSC_FALSE) SlepcFinalize();
}

void ensure_slepc() {
  PetscBool ready = PETSC_FALSE;
  SlepcInitialized(&ready);
  if (ready == PETSC_TRUE) return;
  // no options from the command line or files: locus's options are its own
  check(SlepcInitializeNoArguments(), "SlepcInitialize");
  detail::at_session_end(finalize_slepc);
}

// The shell matrix's context: the loss, the point, and the products counted.
struct Shell {
  const DistributedLoss<double>* loss;
  const Vec<double>* theta;
  long products = 0;
  std::string error;  // what the product threw (every rank throws together, DistributedLoss)
};

// y = H x: every rank gathers all of x, the distributed product sums the ranks' samples (every
// rank then holds H x), and each rank keeps its own rows of y.
PetscErrorCode multiply(::Mat a, ::Vec x, ::Vec y) {
  void* raw = nullptr;
  PetscCall(MatShellGetContext(a, &raw));
  auto* shell = static_cast<Shell*>(raw);
  VecScatter scatter = nullptr;
  ::Vec all = nullptr;
  PetscCall(VecScatterCreateToAll(x, &scatter, &all));
  PetscCall(VecScatterBegin(scatter, x, all, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecScatterEnd(scatter, x, all, INSERT_VALUES, SCATTER_FORWARD));
  const PetscScalar* in = nullptr;
  PetscCall(VecGetArrayRead(all, &in));
  const Eigen::Map<const Eigen::VectorXd> v(in, shell->theta->size());
  Eigen::VectorXd hv;
  try {
    hv = shell->loss->hessian_vector_product(*shell->theta, Eigen::VectorXd(v));
  } catch (const std::exception& e) {
    shell->error = e.what();
    PetscCall(VecRestoreArrayRead(all, &in));
    PetscCall(VecScatterDestroy(&scatter));
    PetscCall(VecDestroy(&all));
    return PETSC_ERR_LIB;
  }
  PetscCall(VecRestoreArrayRead(all, &in));
  PetscCall(VecScatterDestroy(&scatter));
  PetscCall(VecDestroy(&all));
  PetscInt lo = 0, hi = 0;
  PetscCall(VecGetOwnershipRange(y, &lo, &hi));
  PetscScalar* out = nullptr;
  PetscCall(VecGetArray(y, &out));
  for (PetscInt i = lo; i < hi; ++i) out[i - lo] = hv(i);
  PetscCall(VecRestoreArray(y, &out));
  ++shell->products;
  return 0;
}

// The PETSc shell matrix of the distributed Hessian-vector product at θ, destroyed with the object.
struct ShellMatrix {
  Shell shell;
  ::Mat a = nullptr;
  ShellMatrix(const DistributedLoss<double>& loss, const Vec<double>& theta)
      : shell{&loss, &theta, 0, {}} {
    ensure_slepc();
    const auto n = static_cast<PetscInt>(theta.size());
    check(MatCreateShell(PETSC_COMM_WORLD, PETSC_DECIDE, PETSC_DECIDE, n, n, &shell, &a),
          "MatCreateShell");
    check(MatShellSetOperation(a, MATOP_MULT, reinterpret_cast<void (*)()>(multiply)),
          "MatShellSetOperation");
  }
  ~ShellMatrix() {
    if (a != nullptr) MatDestroy(&a);
  }
  ShellMatrix(const ShellMatrix&) = delete;
  ShellMatrix& operator=(const ShellMatrix&) = delete;
  // A PETSc call that ran products: the product's own error first (every rank has it).
  void check_product(PetscErrorCode code, const char* what) const {
    if (code != 0 && !shell.error.empty()) throw Error(shell.error);
    check(code, what);
  }
};

// Sets this rank's rows of x from the full vector v (the same on every rank).
void set_rows(::Vec x, const Eigen::VectorXd& v) {
  PetscInt lo = 0, hi = 0;
  check(VecGetOwnershipRange(x, &lo, &hi), "VecGetOwnershipRange");
  PetscScalar* s = nullptr;
  check(VecGetArray(x, &s), "VecGetArray");
  for (PetscInt i = lo; i < hi; ++i) s[i - lo] = v(i);
  check(VecRestoreArray(x, &s), "VecRestoreArray");
}

}  // namespace
#endif

SlepcEigenvalues slepc_extreme_eigenvalues(const DistributedLoss<double>& loss,
                                           const Vec<double>& theta,
                                           int k,
                                           SpectrumEnd end,
                                           double tolerance,
                                           int max_iterations,
                                           std::uint64_t seed,
                                           int subspace) {
  const Eigen::Index order = theta.size();
  if (k < 1 || k >= order) {
    throw InvalidArgument(
        fmt::format("SLEPc: k = {} eigenvalues of an operator of order {}", k, order));
  }
#if LOCUS_WITH_SLEPC
  ShellMatrix m(loss, theta);
  ::Mat a = m.a;
  const Shell& shell = m.shell;
  EPS eps = nullptr;
  ::Vec start = nullptr, x = nullptr;
  struct Cleanup {
    EPS* eps;
    ::Vec *start, *x;
    ~Cleanup() {
      if (*eps != nullptr) EPSDestroy(eps);
      if (*start != nullptr) VecDestroy(start);
      if (*x != nullptr) VecDestroy(x);
    }
  } cleanup{&eps, &start, &x};
  check(MatCreateVecs(a, &start, &x), "MatCreateVecs");
  // the seeded Gaussian start vector, the same on every rank; each rank sets its own rows
  {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> g(0, 1);
    Eigen::VectorXd v(order);
    for (Eigen::Index i = 0; i < order; ++i) v(i) = g(rng);
    set_rows(start, v);
  }
  check(EPSCreate(PETSC_COMM_WORLD, &eps), "EPSCreate");
  check(EPSSetOperators(eps, a, nullptr), "EPSSetOperators");
  check(EPSSetProblemType(eps, EPS_HEP), "EPSSetProblemType");
  check(EPSSetType(eps, EPSKRYLOVSCHUR), "EPSSetType");
  check(EPSSetWhichEigenpairs(eps,
                              end == SpectrumEnd::Largest ? EPS_LARGEST_REAL : EPS_SMALLEST_REAL),
        "EPSSetWhichEigenpairs");
  if (subspace != 0 && (subspace <= k || subspace > order)) {
    throw InvalidArgument(fmt::format(
        "SLEPc: a basis of {} vectors for {} eigenvalues of order {}, expected k < subspace <= P",
        subspace,
        k,
        order));
  }
  check(EPSSetDimensions(eps, k, subspace > 0 ? subspace : PETSC_DEFAULT, PETSC_DEFAULT),
        "EPSSetDimensions");
  check(EPSSetTolerances(eps, tolerance, max_iterations), "EPSSetTolerances");
  check(EPSSetInitialSpace(eps, 1, &start), "EPSSetInitialSpace");
  m.check_product(EPSSolve(eps), "EPSSolve");
  SlepcEigenvalues out;
  out.seed = seed;
  PetscInt converged = 0, iterations = 0, nev = 0, ncv = 0, mpd = 0;
  check(EPSGetConverged(eps, &converged), "EPSGetConverged");
  check(EPSGetIterationNumber(eps, &iterations), "EPSGetIterationNumber");
  check(EPSGetDimensions(eps, &nev, &ncv, &mpd), "EPSGetDimensions");
  out.products = shell.products;
  for (PetscInt i = 0; i < std::min<PetscInt>(converged, k); ++i) {
    PetscScalar value = 0;
    check(EPSGetEigenpair(eps, i, &value, nullptr, x, nullptr), "EPSGetEigenpair");
    PetscReal error = 0;
    check(EPSComputeError(eps, i, EPS_ERROR_ABSOLUTE, &error), "EPSComputeError");
    out.values.push_back(value);
    out.residuals.push_back(error);
  }
  out.converged = converged >= k;
  out.iterations = static_cast<int>(iterations);
  out.checks = shell.products - out.products;
  out.subspace = static_cast<int>(ncv);
  return out;
#else
  (void)loss;
  (void)end;
  (void)tolerance;
  (void)max_iterations;
  (void)seed;
  (void)subspace;
  throw UnsupportedScalar(
      "this locus was built without SLEPc (install slepc-dev and build with MPI; docs/scaling.md)");
#endif
}

SpectralDensity slepc_spectral_density(const DistributedLoss<double>& loss,
                                       const Vec<double>& theta,
                                       int steps,
                                       int probes,
                                       std::uint64_t seed) {
#if LOCUS_WITH_SLEPC
  ShellMatrix m(loss, theta);
  const Eigen::Index order = theta.size();
  // One probe's Lanczos run on PETSc vectors: the basis spread over the ranks, full
  // reorthogonalisation (classical Gram-Schmidt twice, as in one process).
  const auto run_probe = [&](const Eigen::VectorXd& probe) {
    const auto length = static_cast<int>(std::min<Eigen::Index>(steps, order));
    std::vector<::Vec> basis(static_cast<std::size_t>(length), nullptr);
    ::Vec v = nullptr, w = nullptr;
    struct Cleanup {
      std::vector<::Vec>* basis;
      ::Vec *v, *w;
      ~Cleanup() {
        for (::Vec& b : *basis) {
          if (b != nullptr) VecDestroy(&b);
        }
        if (*v != nullptr) VecDestroy(v);
        if (*w != nullptr) VecDestroy(w);
      }
    } cleanup{&basis, &v, &w};
    check(MatCreateVecs(m.a, &v, &w), "MatCreateVecs");
    set_rows(v, probe);
    PetscReal norm = 0;
    check(VecNormalize(v, &norm), "VecNormalize");
    LanczosTridiagonal t;
    std::vector<PetscScalar> dots(static_cast<std::size_t>(length));
    for (int j = 0; j < length; ++j) {
      check(VecDuplicate(v, &basis[static_cast<std::size_t>(j)]), "VecDuplicate");
      check(VecCopy(v, basis[static_cast<std::size_t>(j)]), "VecCopy");
      m.check_product(MatMult(m.a, v, w), "MatMult");
      PetscScalar a = 0;
      check(VecDot(w, v, &a), "VecDot");
      t.alpha.push_back(a);
      for (int pass = 0; pass < 2; ++pass) {
        check(VecMDot(w, j + 1, basis.data(), dots.data()), "VecMDot");
        for (int i = 0; i <= j; ++i) dots[static_cast<std::size_t>(i)] *= -1;
        check(VecMAXPY(w, j + 1, dots.data(), basis.data()), "VecMAXPY");
      }
      PetscReal b = 0;
      check(VecNorm(w, NORM_2, &b), "VecNorm");
      t.beta.push_back(b);
      if (lanczos_breakdown(a, b)) break;
      check(VecCopy(w, v), "VecCopy");
      check(VecScale(v, 1.0 / b), "VecScale");
    }
    return t;
  };
  return spectral_density_with(run_probe, order, steps, probes, seed);
#else
  (void)loss;
  (void)theta;
  (void)steps;
  (void)probes;
  (void)seed;
  throw UnsupportedScalar(
      "this locus was built without SLEPc (install slepc-dev and build with MPI; docs/scaling.md)");
#endif
}

}  // namespace locus
