// Private to locus::parallel: the interface between the library and its SLEPc plugin,
// liblocus_slepc.so, the only part of locus that links PETSc and SLEPc. Loading PETSc costs every
// process about 70 ms of dynamic linking (more than 100 shared libraries), so the library opens
// the plugin only when a SLEPc solver is asked for (slepc.cpp, docs/scaling.md). The two sides
// share plain C types only; errors come back as text.
#pragma once

#include <cstddef>

extern "C" {

/// y = H x for full vectors of length n (every rank passes the same x and gets the same y).
/// Returns 0, or nonzero after keeping the reason on the caller's side.
using LocusSlepcProduct = int (*)(void* context, const double* x, double* y);

struct LocusSlepcOperator {
  long long n;
  void* context;
  LocusSlepcProduct product;
};

struct LocusSlepcExtremeRequest {
  int k;
  int largest;  ///< 1: the k largest, 0: the k smallest
  double tolerance;
  int max_iterations;
  int subspace;         ///< ncv, 0 for SLEPc's default
  const double* start;  ///< the start vector, length n (the same on every rank)
};

struct LocusSlepcExtremeResult {
  double* values;     ///< room for k (the caller's)
  double* residuals;  ///< room for k
  int found;
  int converged;
  int iterations;
  long products;
  long checks;
  int subspace;
};

struct LocusSlepcLanczosRequest {
  const double* probe;  ///< length n
  int steps;
  int (*breakdown)(double alpha, double beta);  ///< nonzero: stop after this step
};

struct LocusSlepcLanczosResult {
  double* alpha;  ///< room for steps (the caller's)
  double* beta;   ///< room for steps
  int length;
};

/// Return codes of extreme and lanczos.
enum LocusSlepcStatus { kLocusSlepcOk = 0, kLocusSlepcFailed = 1, kLocusSlepcProductFailed = 2 };

struct LocusSlepcApi {
  int version;  ///< kLocusSlepcVersion
  /// SLEPc's Krylov–Schur on the shell matrix of `op`; on kLocusSlepcFailed the reason is in
  /// error (NUL-terminated, truncated to error_size).
  int (*extreme)(const LocusSlepcOperator* op,
                 const LocusSlepcExtremeRequest* request,
                 LocusSlepcExtremeResult* result,
                 char* error,
                 std::size_t error_size);
  /// One Lanczos run with full reorthogonalisation on PETSc vectors spread over the ranks.
  int (*lanczos)(const LocusSlepcOperator* op,
                 const LocusSlepcLanczosRequest* request,
                 LocusSlepcLanczosResult* result,
                 char* error,
                 std::size_t error_size);
  /// SlepcFinalize if the plugin initialised SLEPc (before MPI_Finalize).
  void (*finalize)();
};

inline constexpr int kLocusSlepcVersion = 1;

/// The plugin's entry point (dlsym name "locus_slepc_plugin").
const LocusSlepcApi* locus_slepc_plugin();
}
