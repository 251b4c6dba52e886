#include "locus/parallel/slepc.hpp"

#include <algorithm>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "session.hpp"
#include "slepc_plugin.hpp"

#include "locus/error.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#if LOCUS_WITH_SLEPC
#include <dlfcn.h>
#include <unistd.h>
#endif

namespace locus {

bool slepc_built() noexcept {
  return LOCUS_WITH_SLEPC != 0;
}

namespace {

// The Hessian-vector product handed to the plugin: the distributed loss at θ, and what it threw
// (every rank throws together, DistributedLoss).
struct ProductContext {
  const DistributedLoss<double>* loss;
  const Vec<double>* theta;
  std::string error;
};

int product(void* context, const double* x, double* y) noexcept {
  auto* c = static_cast<ProductContext*>(context);
  try {
    const Eigen::Index n = c->theta->size();
    const Eigen::VectorXd hv =
        c->loss->hessian_vector_product(*c->theta, Eigen::Map<const Eigen::VectorXd>(x, n));
    std::copy(hv.data(), hv.data() + n, y);
    return 0;
  } catch (const std::exception& e) {
    c->error = e.what();
    return 1;
  }
}

[[noreturn]] void built_without() {
  throw UnsupportedScalar(
      "this locus was built without SLEPc (install slepc-dev and build with MPI; docs/scaling.md)");
}

#if LOCUS_WITH_SLEPC
const LocusSlepcApi* g_api = nullptr;

void finalize_plugin() {
  if (g_api != nullptr) g_api->finalize();
}

// Where the plugin may be: $LOCUS_SLEPC_PLUGIN; next to the object that holds this code (the
// Python module), one level up (a pip-installed locus/bin/locus), ../lib (an installed or built
// bin/locus); the build tree and the install prefix.
std::vector<std::string> plugin_candidates() {
  std::vector<std::string> out;
  if (const char* given = std::getenv("LOCUS_SLEPC_PLUGIN"); given != nullptr && *given != 0) {
    out.emplace_back(given);
    return out;
  }
  const std::string name = "liblocus_slepc.so";
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&finalize_plugin), &info) != 0 && info.dli_fname != nullptr) {
    std::string self = info.dli_fname;
    if (self.find('/') == std::string::npos) {  // the executable, found on PATH: its real path
      char buffer[4096];
      const ssize_t len = readlink("/proc/self/exe", buffer, sizeof buffer - 1);
      if (len > 0) self.assign(buffer, static_cast<std::size_t>(len));
    }
    const std::string dir = self.substr(0, self.find_last_of('/') + 1);
    out.push_back(dir + name);
    out.push_back(dir + "../" + name);
    out.push_back(dir + "../lib/" + name);
  }
  out.emplace_back(LOCUS_SLEPC_PLUGIN_BUILD);
  out.emplace_back(LOCUS_SLEPC_PLUGIN_INSTALL);
  return out;
}
#endif

// The plugin, opened on first use (PETSc and its libraries load with it). \throws
// UnsupportedScalar when locus was built without SLEPc or the plugin cannot be opened.
const LocusSlepcApi& plugin() {
#if LOCUS_WITH_SLEPC
  static std::once_flag once;
  static std::string why;
  std::call_once(once, [] {
    std::vector<std::string> tried;
    for (const std::string& path : plugin_candidates()) {
      if (access(path.c_str(), R_OK) != 0) {
        tried.push_back(path);
        continue;
      }
      void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (handle == nullptr) {
        const char* e = dlerror();
        why =
            fmt::format("the SLEPc plugin {} could not be opened: {}", path, e != nullptr ? e : "");
        return;
      }
      using Entry = const LocusSlepcApi* (*)();
      auto entry = reinterpret_cast<Entry>(dlsym(handle, "locus_slepc_plugin"));
      const LocusSlepcApi* api = entry != nullptr ? entry() : nullptr;
      if (api == nullptr || api->version != kLocusSlepcVersion) {
        why = fmt::format(
            "the SLEPc plugin {} is not this locus's (interface version {}, expected {})",
            path,
            api != nullptr ? api->version : -1,
            kLocusSlepcVersion);
        return;
      }
      g_api = api;
      detail::at_session_end(finalize_plugin);
      return;
    }
    why = fmt::format(
        "the SLEPc plugin liblocus_slepc.so was not found (looked for {}); set LOCUS_SLEPC_PLUGIN "
        "to its path",
        fmt::join(tried, ", "));
  });
  if (g_api == nullptr) throw UnsupportedScalar(why);
  return *g_api;
#else
  built_without();
#endif
}

// A plugin call's status as the exception it stands for: the product's own error first.
void check(int status, const ProductContext& context, const char* error) {
  if (status == kLocusSlepcOk) return;
  if (status == kLocusSlepcProductFailed && !context.error.empty()) throw Error(context.error);
  throw Error(error);
}

int breakdown(double alpha, double beta) {
  return lanczos_breakdown(alpha, beta) ? 1 : 0;
}

}  // namespace

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
  if (!slepc_built()) built_without();
  if (subspace != 0 && (subspace <= k || subspace > order)) {
    throw InvalidArgument(fmt::format(
        "SLEPc: a basis of {} vectors for {} eigenvalues of order {}, expected k < subspace <= P",
        subspace,
        k,
        order));
  }
  const LocusSlepcApi& api = plugin();
  // the seeded Gaussian start vector, the same on every rank
  Eigen::VectorXd start(order);
  {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> g(0, 1);
    for (Eigen::Index i = 0; i < order; ++i) start(i) = g(rng);
  }
  ProductContext context{&loss, &theta, {}};
  const LocusSlepcOperator op{order, &context, product};
  const LocusSlepcExtremeRequest request{
      k, end == SpectrumEnd::Largest ? 1 : 0, tolerance, max_iterations, subspace, start.data()};
  std::vector<double> values(static_cast<std::size_t>(k)), residuals(static_cast<std::size_t>(k));
  LocusSlepcExtremeResult result{values.data(), residuals.data(), 0, 0, 0, 0, 0, 0};
  char error[1024] = {0};
  check(api.extreme(&op, &request, &result, error, sizeof error), context, error);
  SlepcEigenvalues out;
  out.seed = seed;
  out.values.assign(values.begin(), values.begin() + result.found);
  out.residuals.assign(residuals.begin(), residuals.begin() + result.found);
  out.converged = result.converged != 0;
  out.iterations = result.iterations;
  out.products = result.products;
  out.checks = result.checks;
  out.subspace = result.subspace;
  return out;
}

SpectralDensity slepc_spectral_density(const DistributedLoss<double>& loss,
                                       const Vec<double>& theta,
                                       int steps,
                                       int probes,
                                       std::uint64_t seed) {
  if (!slepc_built()) built_without();
  const LocusSlepcApi& api = plugin();
  const Eigen::Index order = theta.size();
  const auto run_probe = [&](const Eigen::VectorXd& probe) {
    const auto length = static_cast<std::size_t>(std::min<Eigen::Index>(steps, order));
    ProductContext context{&loss, &theta, {}};
    const LocusSlepcOperator op{order, &context, product};
    const LocusSlepcLanczosRequest request{probe.data(), steps, breakdown};
    std::vector<double> alpha(length), beta(length);
    LocusSlepcLanczosResult result{alpha.data(), beta.data(), 0};
    char error[1024] = {0};
    check(api.lanczos(&op, &request, &result, error, sizeof error), context, error);
    LanczosTridiagonal t;
    t.alpha.assign(alpha.begin(), alpha.begin() + result.length);
    t.beta.assign(beta.begin(), beta.begin() + result.length);
    return t;
  };
  return spectral_density_with(run_probe, order, steps, probes, seed);
}

}  // namespace locus
