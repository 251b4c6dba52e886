#include "locus/parallel/distributed.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <limits>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "session.hpp"

#include "locus/error.hpp"
#include "locus/scalar/all.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#if LOCUS_WITH_MPI
#include <mpi.h>
#endif

namespace locus {

bool mpi_built() noexcept {
  return LOCUS_WITH_MPI != 0;
}

Ranks mpi_ranks() noexcept {
  Ranks r;
#if LOCUS_WITH_MPI
  int initialised = 0, finalised = 0;
  MPI_Initialized(&initialised);
  MPI_Finalized(&finalised);
  if (initialised != 0 && finalised == 0) {
    MPI_Comm_rank(MPI_COMM_WORLD, &r.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &r.size);
  }
#endif
  return r;
}

#if LOCUS_WITH_MPI
namespace {

// Started by mpirun/mpiexec: Open MPI, PMIx and Hydra (MPICH) set these.
bool launched_by_mpirun() {
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE"}) {
    if (std::getenv(v) != nullptr) return true;
  }
  return false;
}

}  // namespace
#endif

MpiSession::MpiSession(int* argc, char*** argv) {
#if LOCUS_WITH_MPI
  if (launched_by_mpirun()) {
    MPI_Init(argc, argv);
    active_ = true;
  }
#else
  (void)argc;
  (void)argv;
#endif
}

namespace detail {
namespace {
std::vector<void (*)()>& session_end() {
  static std::vector<void (*)()> fns;
  return fns;
}
bool& session_ended() {
  static bool ended = false;
  return ended;
}
}  // namespace

void at_session_end(void (*f)()) {
  auto& fns = session_end();
  if (std::find(fns.begin(), fns.end(), f) != fns.end()) return;
  if (fns.empty()) std::atexit(run_session_end);  // a process without an MpiSession
  fns.push_back(f);
}

void run_session_end() {
  if (session_ended()) return;
  session_ended() = true;
  for (auto* f : session_end()) f();
}
}  // namespace detail

MpiSession::~MpiSession() {
  detail::run_session_end();  // e.g. SLEPc, before MPI goes
#if LOCUS_WITH_MPI
  int finalised = 0;
  MPI_Finalized(&finalised);
  if (active_ && finalised == 0) MPI_Finalize();
#endif
}

std::pair<Eigen::Index, Eigen::Index> shard_range(Eigen::Index n, int rank, int size) {
  if (size < 1 || rank < 0 || rank >= size) {
    throw InvalidArgument(fmt::format("shard: rank {} of {} ranks is not a rank", rank, size));
  }
  const Eigen::Index base = n / size, extra = n % size;
  const Eigen::Index first = rank * base + std::min<Eigen::Index>(rank, extra);
  return {first, first + base + (rank < extra ? 1 : 0)};
}

Problem shard_problem(const Problem& p, int rank, int size) {
  if (p.data.population) {
    if (size > 1) {
      throw InvalidArgument(
          "a population loss is a closed form, not a sum over samples: it runs in one process "
          "(not under mpirun with several ranks)");
    }
    return p;
  }
  const Eigen::Index n = p.data.size();
  const auto [first, last] = shard_range(n, rank, size);
  Problem s = p;
  s.data.inputs = p.data.inputs.middleRows(first, last - first);
  s.data.targets = p.data.targets.middleRows(first, last - first);
  if (p.network.reduction == Reduction::Mean) {
    s.network.loss_scale = p.network.loss_scale / Rational(static_cast<long>(n));
  }
  s.network.reduction = Reduction::Sum;
  if (rank != 0) s.network.l2 = 0;
  return s;
}

std::size_t shard_bytes(const Network& net,
                        Eigen::Index samples,
                        std::size_t scalar_bytes,
                        bool hessian) {
  std::size_t units = 0;
  for (int w : net.widths) units += static_cast<std::size_t>(w);
  const auto P = static_cast<std::size_t>(net.num_parameters());
  const auto n = static_cast<std::size_t>(samples);
  return scalar_bytes * (n * units * 4 + n * P + (hessian ? P * P : 0));
}

namespace {

// Bytes one scalar occupies, with its limbs: the estimate of shard_bytes.
template <class Scalar>
std::size_t footprint() {
  using T = ScalarTraits<Scalar>;
  if constexpr (T::is_exact) {
    return sizeof(Scalar) + 64;
  } else if constexpr (T::is_multiprecision) {
    return sizeof(Scalar) + static_cast<std::size_t>(T::digits()) / 8 * (T::is_interval ? 2 : 1);
  } else {
    return sizeof(Scalar);
  }
}

// Exact text of one value and back: the rational value (balls: midpoint and radius).
template <class Scalar>
std::string encode(const Scalar& x) {
  if constexpr (ScalarTraits<Scalar>::is_interval) {
    return to_string(x.mid()) + " " + to_string(x.rad());
  } else {
    return to_string(ScalarTraits<Scalar>::to_rational(x));
  }
}

template <class Scalar>
Scalar decode(const std::string& text) {
  if constexpr (ScalarTraits<Scalar>::is_interval) {
    const auto space = text.find(' ');
    return Scalar::from_mid_rad(parse_rational(text.substr(0, space)),
                                parse_rational(text.substr(space + 1)));
  } else {
    return ScalarTraits<Scalar>::from_rational(parse_rational(text));
  }
}

#if LOCUS_WITH_MPI
std::string encode_all(const Eigen::Index n, const auto* values) {
  std::string out;
  for (Eigen::Index i = 0; i < n; ++i) {
    out += encode(values[i]);
    out += '\n';
  }
  return out;
}

template <class Scalar>
void decode_all(const char* text, std::size_t size, Eigen::Index n, Scalar* out) {
  std::size_t pos = 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    const std::size_t end = std::string_view(text, size).find('\n', pos);
    out[i] = decode<Scalar>(std::string(text + pos, end - pos));
    pos = end + 1;
  }
}
#endif

// What an exception was: 1 InvalidArgument, 2 another locus::Error (bad input), 3 anything else.
int kind_of(const std::exception& e) {
  if (dynamic_cast<const InvalidArgument*>(&e) != nullptr) return 1;
  if (dynamic_cast<const Error*>(&e) != nullptr) return 2;
  return 3;
}

// Throws, on every rank, what rank `rank` threw: the same kind, its message prefixed.
[[noreturn]] void rethrow(int rank, int kind, const std::string& message) {
  const std::string what = fmt::format("rank {}: {}", rank, message);
  if (kind == 1) throw InvalidArgument(what);
  if (kind == 2) throw Error(what);
  throw std::runtime_error(what);
}

// Runs f on every rank; when any rank throws, every rank throws (the first failing rank's
// message), so that no rank waits in a sum for one that has left.
template <class F>
auto collectively(F&& f) {
#if LOCUS_WITH_MPI
  const Ranks r = mpi_ranks();
  if (r.size > 1) {
    std::string error;
    int kind = 0;  // 0 none, else kind_of
    std::optional<decltype(f())> out;
    try {
      out.emplace(f());
    } catch (const std::exception& e) {
      error = e.what();
      kind = kind_of(e);
    }
    int failed = kind != 0 ? r.rank : r.size, first = r.size;
    MPI_Allreduce(&failed, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    if (first < r.size) {
      int length = static_cast<int>(error.size());
      MPI_Bcast(&length, 1, MPI_INT, first, MPI_COMM_WORLD);
      MPI_Bcast(&kind, 1, MPI_INT, first, MPI_COMM_WORLD);
      error.resize(static_cast<std::size_t>(length));
      MPI_Bcast(error.data(), length, MPI_CHAR, first, MPI_COMM_WORLD);
      rethrow(first, kind, error);
    }
    return std::move(*out);
  }
#endif
  return f();
}

}  // namespace

std::vector<std::string> all_gather(const std::string& mine) {
#if LOCUS_WITH_MPI
  const Ranks r = mpi_ranks();
  if (r.size > 1) {
    int length = static_cast<int>(mine.size());
    std::vector<int> lengths(static_cast<std::size_t>(r.size)), offsets(lengths.size());
    MPI_Allgather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, MPI_COMM_WORLD);
    int total = 0;
    for (std::size_t k = 0; k < lengths.size(); ++k) {
      offsets[k] = total;
      total += lengths[k];
    }
    std::string all(static_cast<std::size_t>(total), '\0');
    MPI_Allgatherv(mine.data(),
                   length,
                   MPI_CHAR,
                   all.data(),
                   lengths.data(),
                   offsets.data(),
                   MPI_CHAR,
                   MPI_COMM_WORLD);
    std::vector<std::string> out;
    for (std::size_t k = 0; k < lengths.size(); ++k) {
      out.push_back(
          all.substr(static_cast<std::size_t>(offsets[k]), static_cast<std::size_t>(lengths[k])));
    }
    return out;
  }
#endif
  return {mine};
}

namespace {
#if LOCUS_WITH_MPI
constexpr int kSuccessTag = 7301;  // point-to-point tag of SuccessNotices
#endif
}  // namespace

SuccessNotices::~SuccessNotices() {
#if LOCUS_WITH_MPI
  for (void* r : requests_) {  // only after an exception left a round unsettled
    auto* request = static_cast<MPI_Request*>(r);
    MPI_Cancel(request);
    MPI_Request_free(request);
    delete request;
  }
#endif
}

void SuccessNotices::announce(std::size_t index) {
#if LOCUS_WITH_MPI
  const Ranks r = mpi_ranks();
  for (int k = 0; k < r.size; ++k) {
    if (k == r.rank) continue;
    sent_.push_back({static_cast<unsigned long long>(index)});
    auto* request = new MPI_Request;
    MPI_Isend(
        sent_.back().data(), 1, MPI_UNSIGNED_LONG_LONG, k, kSuccessTag, MPI_COMM_WORLD, request);
    requests_.push_back(request);
  }
#else
  (void)index;
#endif
}

bool SuccessNotices::superseded(std::size_t index) {
#if LOCUS_WITH_MPI
  if (mpi_ranks().size > 1) {
    int flag = 1;
    while (flag != 0) {
      MPI_Status status;
      MPI_Iprobe(MPI_ANY_SOURCE, kSuccessTag, MPI_COMM_WORLD, &flag, &status);
      if (flag == 0) break;
      unsigned long long got = 0;
      MPI_Recv(&got,
               1,
               MPI_UNSIGNED_LONG_LONG,
               status.MPI_SOURCE,
               kSuccessTag,
               MPI_COMM_WORLD,
               MPI_STATUS_IGNORE);
      received_.emplace_back(status.MPI_SOURCE, static_cast<std::size_t>(got));
    }
  }
#endif
  for (const auto& [rank, i] : received_) {
    if (i < index) return true;
  }
  return false;
}

void SuccessNotices::settle(const std::vector<int>& announcers) {
#if LOCUS_WITH_MPI
  const int me = mpi_ranks().rank;
  for (const int k : announcers) {
    if (k == me) continue;
    bool got = false;
    for (const auto& [rank, i] : received_) got = got || rank == k;
    if (got) continue;
    unsigned long long index = 0;
    MPI_Recv(&index, 1, MPI_UNSIGNED_LONG_LONG, k, kSuccessTag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  }
  for (void* r : requests_) {
    auto* request = static_cast<MPI_Request*>(r);
    MPI_Wait(request, MPI_STATUS_IGNORE);
    delete request;
  }
#else
  (void)announcers;
#endif
  requests_.clear();
  sent_.clear();
  received_.clear();
}

std::vector<std::string> map_over_ranks(std::size_t n,
                                        const std::function<std::string(std::size_t)>& f) {
  const Ranks r = mpi_ranks();
  std::vector<std::string> out(n);
  if (r.size == 1) {
    for (std::size_t i = 0; i < n; ++i) out[i] = f(i);
    return out;
  }
  nlohmann::json mine = {{"error", ""}, {"kind", 0}, {"items", nlohmann::json::array()}};
  try {
    for (std::size_t i = static_cast<std::size_t>(r.rank); i < n;
         i += static_cast<std::size_t>(r.size)) {
      mine["items"].push_back({{"index", i}, {"text", f(i)}});
    }
  } catch (const std::exception& e) {
    mine["error"] = e.what();
    mine["kind"] = kind_of(e);
  }
  const std::vector<std::string> all = all_gather(mine.dump());
  for (std::size_t k = 0; k < all.size(); ++k) {
    const nlohmann::json got = nlohmann::json::parse(all[k]);
    if (got.at("kind").get<int>() != 0) {
      rethrow(static_cast<int>(k), got.at("kind").get<int>(), got.at("error").get<std::string>());
    }
    for (const auto& item : got.at("items")) {
      out[item.at("index").get<std::size_t>()] = item.at("text").get<std::string>();
    }
  }
  return out;
}

template <class Scalar>
std::size_t sum_over_ranks(Mat<Scalar>& m) {
#if LOCUS_WITH_MPI
  const Ranks r = mpi_ranks();
  if (r.size == 1) return 0;
  const Eigen::Index n = m.size();
  using T = ScalarTraits<Scalar>;
  if constexpr (T::is_native_double) {
    std::vector<double> total(r.rank == 0 ? static_cast<std::size_t>(n) : 0);
    MPI_Reduce(m.data(), total.data(), static_cast<int>(n), MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
    if (r.rank == 0) std::copy(total.begin(), total.end(), m.data());
    MPI_Bcast(m.data(), static_cast<int>(n), MPI_DOUBLE, 0, MPI_COMM_WORLD);
    return static_cast<std::size_t>(n) * sizeof(double);
  } else {
    // every block as exact text to every rank, added there in rank order (the same sum on
    // every rank: each starts from block 0 as decoded)
    const std::string mine = encode_all(n, m.data());
    const std::vector<std::string> blocks = all_gather(mine);
    decode_all(blocks[0].data(), blocks[0].size(), n, m.data());
    Mat<Scalar> part(m.rows(), m.cols());
    for (std::size_t k = 1; k < blocks.size(); ++k) {
      decode_all(blocks[k].data(), blocks[k].size(), n, part.data());
      m += part;
    }
    return mine.size();
  }
#else
  (void)m;
  return 0;
#endif
}

template <class Scalar>
DistributedLoss<Scalar>::DistributedLoss(const Problem& p,
                                         std::optional<std::size_t> memory_budget,
                                         bool hessian)
    : ranks_(mpi_ranks()), samples_(p.data.size()), local_(collectively([&] {
        if (p.data.size() < ranks_.size) {
          throw InvalidArgument(
              fmt::format("{} samples cannot be spread over {} ranks", p.data.size(), ranks_.size));
        }
        const Problem s = shard_problem(p, ranks_.rank, ranks_.size);
        if (memory_budget) {
          const std::size_t need =
              shard_bytes(s.network, s.data.size(), footprint<Scalar>(), hessian);
          if (need > *memory_budget) {
            throw InvalidArgument(fmt::format(
                "the shard of {} samples (of {}) needs about {:.4g} MB for its derivatives in "
                "{}, above the memory budget of {:.4g} MB: run over more ranks (mpirun -n R)",
                s.data.size(),
                p.data.size(),
                static_cast<double>(need) / 1e6,
                ScalarTraits<Scalar>::name(),
                static_cast<double>(*memory_budget) / 1e6));
          }
        }
        return LossFunction<Scalar>(s.network, s.data);
      })) {}

template <class Scalar>
template <class M>
void DistributedLoss<Scalar>::sum(M& m) const {
  const auto start = std::chrono::steady_clock::now();
  Mat<Scalar> block = m;
  bytes_ += sum_over_ranks(block);
  m = block;
  seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

template <class Scalar>
Scalar DistributedLoss<Scalar>::loss(const Vec<Scalar>& theta) const {
  Mat<Scalar> l(1, 1);
  l(0, 0) = collectively([&] { return local_.loss(theta); });
  sum(l);
  return l(0, 0);
}

template <class Scalar>
Vec<Scalar> DistributedLoss<Scalar>::gradient(const Vec<Scalar>& theta) const {
  Vec<Scalar> g = collectively([&] { return local_.gradient(theta); });
  sum(g);
  return g;
}

template <class Scalar>
Vec<Scalar> DistributedLoss<Scalar>::hessian_vector_product(const Vec<Scalar>& theta,
                                                            const Vec<Scalar>& v,
                                                            HessianPart part) const {
  Vec<Scalar> hv = collectively([&] { return local_.hessian_vector_product(theta, v, part); });
  sum(hv);
  return hv;
}

template <class Scalar>
Mat<Scalar> DistributedLoss<Scalar>::hessian(const Vec<Scalar>& theta, HessianPart part) const {
  Mat<Scalar> h = collectively([&] { return local_.hessian(theta, part); });
  sum(h);
  return h;
}

#define LOCUS_DISTRIBUTED_DEFINE(Scalar, tag) \
  template class DistributedLoss<Scalar>;     \
  template std::size_t sum_over_ranks<Scalar>(Mat<Scalar> & m);
LOCUS_FOR_EACH_SCALAR(LOCUS_DISTRIBUTED_DEFINE)
#undef LOCUS_DISTRIBUTED_DEFINE

}  // namespace locus
