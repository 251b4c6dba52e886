// The SLEPc plugin (slepc_plugin.hpp): Krylov–Schur and the distributed Lanczos runs on a PETSc
// shell matrix whose product is the caller's Hessian-vector product. Built as liblocus_slepc.so,
// linked to PETSc and SLEPc, and opened by slepc.cpp on first use only.
#include "slepc_plugin.hpp"

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include <slepceps.h>

namespace {

// A PETSc or SLEPc call that failed: its text, carried out of the plugin as a C++ exception that
// never crosses the C interface (each entry point catches it).
struct Failure {
  int status;
  std::string text;
};

void check(PetscErrorCode code, const char* what) {
  if (code == 0) return;
  const char* text = nullptr;
  PetscErrorMessage(code, &text, nullptr);
  throw Failure{
      kLocusSlepcFailed,
      std::string("SLEPc: ") + what + " failed: " + (text != nullptr ? text : "(no message)")};
}

bool g_initialised = false;

void ensure_slepc() {
  PetscBool ready = PETSC_FALSE;
  SlepcInitialized(&ready);
  if (ready == PETSC_TRUE) return;
  // no options from the command line or files: locus's options are its own
  check(SlepcInitializeNoArguments(), "SlepcInitialize");
  g_initialised = true;
}

void finalize() {
  if (!g_initialised) return;
  PetscBool done = PETSC_FALSE;
  SlepcFinalized(&done);
  if (done == PETSC_FALSE) SlepcFinalize();
  g_initialised = false;
}

// The shell matrix's context: the caller's operator and the products counted.
struct Shell {
  const LocusSlepcOperator* op;
  long products = 0;
  bool product_failed = false;
};

// y = H x: every rank gathers all of x, the caller's product (which sums the ranks' samples) gives
// all of H x on every rank, and each rank keeps its own rows of y.
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
  std::vector<double> hv(static_cast<std::size_t>(shell->op->n));
  const int code = shell->op->product(shell->op->context, in, hv.data());
  PetscCall(VecRestoreArrayRead(all, &in));
  PetscCall(VecScatterDestroy(&scatter));
  PetscCall(VecDestroy(&all));
  if (code != 0) {
    shell->product_failed = true;
    return PETSC_ERR_LIB;
  }
  PetscInt lo = 0, hi = 0;
  PetscCall(VecGetOwnershipRange(y, &lo, &hi));
  PetscScalar* out = nullptr;
  PetscCall(VecGetArray(y, &out));
  for (PetscInt i = lo; i < hi; ++i) out[i - lo] = hv[static_cast<std::size_t>(i)];
  PetscCall(VecRestoreArray(y, &out));
  ++shell->products;
  return 0;
}

// The PETSc shell matrix of the caller's product, destroyed with the object.
struct ShellMatrix {
  Shell shell;
  ::Mat a = nullptr;
  explicit ShellMatrix(const LocusSlepcOperator* op) : shell{op, 0, false} {
    ensure_slepc();
    const auto n = static_cast<PetscInt>(op->n);
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
  // A PETSc call that ran products: the product's own failure first (every rank has it).
  void check_product(PetscErrorCode code, const char* what) const {
    if (code != 0 && shell.product_failed) throw Failure{kLocusSlepcProductFailed, {}};
    check(code, what);
  }
};

// Sets this rank's rows of x from the full vector v (the same on every rank).
void set_rows(::Vec x, const double* v) {
  PetscInt lo = 0, hi = 0;
  check(VecGetOwnershipRange(x, &lo, &hi), "VecGetOwnershipRange");
  PetscScalar* s = nullptr;
  check(VecGetArray(x, &s), "VecGetArray");
  for (PetscInt i = lo; i < hi; ++i) s[i - lo] = v[i];
  check(VecRestoreArray(x, &s), "VecRestoreArray");
}

void extreme_impl(const LocusSlepcOperator* op,
                  const LocusSlepcExtremeRequest* request,
                  LocusSlepcExtremeResult* result) {
  ShellMatrix m(op);
  ::Mat a = m.a;
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
  set_rows(start, request->start);
  check(EPSCreate(PETSC_COMM_WORLD, &eps), "EPSCreate");
  check(EPSSetOperators(eps, a, nullptr), "EPSSetOperators");
  check(EPSSetProblemType(eps, EPS_HEP), "EPSSetProblemType");
  check(EPSSetType(eps, EPSKRYLOVSCHUR), "EPSSetType");
  check(EPSSetWhichEigenpairs(eps, request->largest != 0 ? EPS_LARGEST_REAL : EPS_SMALLEST_REAL),
        "EPSSetWhichEigenpairs");
  check(EPSSetDimensions(eps,
                         request->k,
                         request->subspace > 0 ? request->subspace : PETSC_DEFAULT,
                         PETSC_DEFAULT),
        "EPSSetDimensions");
  check(EPSSetTolerances(eps, request->tolerance, request->max_iterations), "EPSSetTolerances");
  check(EPSSetInitialSpace(eps, 1, &start), "EPSSetInitialSpace");
  m.check_product(EPSSolve(eps), "EPSSolve");
  PetscInt converged = 0, iterations = 0, nev = 0, ncv = 0, mpd = 0;
  check(EPSGetConverged(eps, &converged), "EPSGetConverged");
  check(EPSGetIterationNumber(eps, &iterations), "EPSGetIterationNumber");
  check(EPSGetDimensions(eps, &nev, &ncv, &mpd), "EPSGetDimensions");
  result->products = m.shell.products;
  result->found = 0;
  for (PetscInt i = 0; i < std::min<PetscInt>(converged, request->k); ++i) {
    PetscScalar value = 0;
    m.check_product(EPSGetEigenpair(eps, i, &value, nullptr, x, nullptr), "EPSGetEigenpair");
    PetscReal error = 0;
    m.check_product(EPSComputeError(eps, i, EPS_ERROR_ABSOLUTE, &error), "EPSComputeError");
    result->values[result->found] = value;
    result->residuals[result->found] = error;
    ++result->found;
  }
  result->converged = converged >= request->k ? 1 : 0;
  result->iterations = static_cast<int>(iterations);
  result->checks = m.shell.products - result->products;
  result->subspace = static_cast<int>(ncv);
}

// One probe's Lanczos run on PETSc vectors: the basis spread over the ranks, full
// reorthogonalisation (classical Gram-Schmidt twice, as in one process).
void lanczos_impl(const LocusSlepcOperator* op,
                  const LocusSlepcLanczosRequest* request,
                  LocusSlepcLanczosResult* result) {
  ShellMatrix m(op);
  const auto length = static_cast<int>(std::min<long long>(request->steps, op->n));
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
  set_rows(v, request->probe);
  PetscReal norm = 0;
  check(VecNormalize(v, &norm), "VecNormalize");
  std::vector<PetscScalar> dots(static_cast<std::size_t>(length));
  result->length = 0;
  for (int j = 0; j < length; ++j) {
    check(VecDuplicate(v, &basis[static_cast<std::size_t>(j)]), "VecDuplicate");
    check(VecCopy(v, basis[static_cast<std::size_t>(j)]), "VecCopy");
    m.check_product(MatMult(m.a, v, w), "MatMult");
    PetscScalar a = 0;
    check(VecDot(w, v, &a), "VecDot");
    for (int pass = 0; pass < 2; ++pass) {
      check(VecMDot(w, j + 1, basis.data(), dots.data()), "VecMDot");
      for (int i = 0; i <= j; ++i) dots[static_cast<std::size_t>(i)] *= -1;
      check(VecMAXPY(w, j + 1, dots.data(), basis.data()), "VecMAXPY");
    }
    PetscReal b = 0;
    check(VecNorm(w, NORM_2, &b), "VecNorm");
    result->alpha[j] = a;
    result->beta[j] = b;
    result->length = j + 1;
    if (request->breakdown(a, b) != 0) break;
    check(VecCopy(w, v), "VecCopy");
    check(VecScale(v, 1.0 / b), "VecScale");
  }
}

// Runs f, turning every failure into a status and its text (nothing crosses the C interface).
template <class F>
int guarded(F&& f, char* error, std::size_t error_size) {
  try {
    f();
    return kLocusSlepcOk;
  } catch (const Failure& e) {
    if (error != nullptr && error_size > 0) std::snprintf(error, error_size, "%s", e.text.c_str());
    return e.status;
  } catch (const std::exception& e) {
    if (error != nullptr && error_size > 0)
      std::snprintf(error, error_size, "SLEPc plugin: %s", e.what());
    return kLocusSlepcFailed;
  }
}

int extreme(const LocusSlepcOperator* op,
            const LocusSlepcExtremeRequest* request,
            LocusSlepcExtremeResult* result,
            char* error,
            std::size_t error_size) {
  return guarded([&] { extreme_impl(op, request, result); }, error, error_size);
}

int lanczos(const LocusSlepcOperator* op,
            const LocusSlepcLanczosRequest* request,
            LocusSlepcLanczosResult* result,
            char* error,
            std::size_t error_size) {
  return guarded([&] { lanczos_impl(op, request, result); }, error, error_size);
}

const LocusSlepcApi kApi{kLocusSlepcVersion, extreme, lanczos, finalize};

}  // namespace

extern "C" __attribute__((visibility("default"))) const LocusSlepcApi* locus_slepc_plugin() {
  return &kApi;
}
