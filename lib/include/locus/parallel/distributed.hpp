// locus/parallel/distributed.hpp: the loss and its derivatives summed over samples held by several
// MPI ranks (data parallelism, docs/scaling.md).
//
// Every rank holds a contiguous block of the samples and computes its block's loss, gradient,
// Hessian-vector product or Hessian with the one-process kernels (core/derivatives.hpp); the
// blocks' results are summed. The loss is a sum over samples, so the sum of the blocks is the loss
// once each block is rewritten (shard_problem): reduction "sum" with the constant c/N of the mean
// folded into the scale, and the L2 term on rank 0 only.
//
// How the blocks are summed depends on the arithmetic (ScalarTraits):
//   - double (and the other binary types): MPI's sum to rank 0, then a broadcast. Rounding: the R
//     block results are added in an order MPI chooses; the sum differs from the exact sum of the
//     blocks by at most (R − 1)·u·Σ_r |block_r| per entry (u = 2^-53), and from one process's
//     result by that plus the blocks' own rounding (a different summation order over samples).
//   - exact (rational): every block goes to every rank as exact text and is added in rank order
//     there; the sum is exact, so it is bit-identical to the one-process result.
//   - balls: midpoint and radius are sent exactly and added with Arb's ball addition, whose result
//     contains the sum of any members of the blocks: the exact value stays enclosed.
//   - MPFR: exact text, added in rank order at the working precision (each addition rounded once).
// Every rank thus holds the same values (a Lanczos run on every rank stays identical).
//
// Without MPI (LOCUS_WITH_MPI off), or in a process not started by mpirun, there is one rank and
// everything is the one-process computation.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "locus/core/derivatives.hpp"
#include "locus/io/problem.hpp"

namespace locus {

/// True when locus was built with MPI.
bool mpi_built() noexcept;

/// This process's rank and the number of ranks (0 and 1 outside mpirun or without MPI).
struct Ranks {
  int rank = 0;
  int size = 1;
};
Ranks mpi_ranks() noexcept;

/// MPI for the lifetime of the object: initialised when the process was started by mpirun (its
/// environment says so) and MPI was built in; otherwise nothing happens. One per process, in main.
class MpiSession {
 public:
  MpiSession(int* argc, char*** argv);
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;
  /// True when MPI was initialised by this session.
  [[nodiscard]] bool active() const noexcept { return active_; }

 private:
  bool active_ = false;
};

/// The samples [first, last) that rank `rank` of `size` holds: contiguous blocks in sample order,
/// the first N mod size ranks one sample more. \throws InvalidArgument unless 0 <= rank < size.
std::pair<Eigen::Index, Eigen::Index> shard_range(Eigen::Index n, int rank, int size);

/// The problem restricted to its shard, rewritten so that the shards' losses add up to the loss:
/// the shard's rows of the data, reduction "sum", scale c (sum) or c/N (mean, N the full count),
/// the L2 term on rank 0 only. The point and everything else are kept.
/// \throws InvalidArgument unless 0 <= rank < size.
Problem shard_problem(const Problem& p, int rank, int size);

/// Bytes a rank needs for its block's derivatives in arithmetic `scalar_bytes` wide: the
/// per-sample layer values and back-propagated errors (N_r · Σ_l n_l · 4 scalars), the per-sample
/// parameter blocks of the Hessian assembly (N_r · P), and the P × P Hessian when `hessian`.
/// An estimate for the memory budget, documented in docs/scaling.md.
std::size_t shard_bytes(const Network& net,
                        Eigen::Index samples,
                        std::size_t scalar_bytes,
                        bool hessian);

/// Every rank's text, in rank order, on every rank (collective; one process: {mine}). Sharded
/// sweeps (locus check under mpirun) exchange their results with it.
std::vector<std::string> all_gather(const std::string& mine);

/// f(0), ..., f(n − 1) with the indices spread over the ranks (rank r computes i ≡ r mod R), every
/// result on every rank, in index order (collective; one process: f in order). f returns its
/// result as text (the caller's exact encoding). When f throws on any rank, every rank throws
/// InvalidArgument or Error with that rank's message.
std::vector<std::string> map_over_ranks(std::size_t n,
                                        const std::function<std::string(std::size_t)>& f);

/// Tasks tried in a fixed order until the first success, run speculatively R at a time (rank k
/// the k-th of each round): a rank whose task succeeds tells the others at once (announce), and a
/// rank running a task with a higher index may stop it (superseded), since its result would be
/// dropped. After each round, when every rank knows which ranks succeeded (from the round's
/// results), settle receives every announcement still in flight. Without MPI or with one rank it
/// does nothing. Not thread-safe: one per sweep, used by the sweep's thread.
class SuccessNotices {
 public:
  SuccessNotices() = default;
  ~SuccessNotices();
  SuccessNotices(const SuccessNotices&) = delete;
  SuccessNotices& operator=(const SuccessNotices&) = delete;
  /// This rank's task `index` succeeded: tells every other rank (non-blocking).
  void announce(std::size_t index);
  /// True when another rank announced a success at an index below `index` in this round.
  [[nodiscard]] bool superseded(std::size_t index);
  /// Ends a round (after an exchange that made the round's results known to every rank):
  /// receives the announcements of `announcers` (the ranks whose task succeeded) not yet
  /// received and completes this rank's own sends.
  void settle(const std::vector<int>& announcers);

 private:
  std::vector<std::pair<int, std::size_t>> received_;  // (rank, index) this round
  std::vector<std::vector<unsigned long long>> sent_;  // buffers of this round's sends
  std::vector<void*> requests_;                        // MPI requests of those sends
};

/// Sums m over the ranks (see the header comment for how each arithmetic adds); every rank ends
/// with the same sum. A no-op with one rank. Collective: every rank must call it with the same
/// shape. Returns the bytes this rank sent.
template <class Scalar>
std::size_t sum_over_ranks(Mat<Scalar>& m);

/// The loss of a problem whose samples are spread over the ranks. Collective: every rank
/// constructs it from the same problem and calls the same methods in the same order; every rank
/// gets the same results.
template <class Scalar>
class DistributedLoss {
 public:
  /// Takes this rank's shard of p (shard_problem). With `memory_budget` (bytes), refuses a shard
  /// whose shard_bytes exceeds it. \throws InvalidArgument (naming the shard's samples, the
  ///   estimate and the budget, and suggesting more ranks); whatever LossFunction throws.
  explicit DistributedLoss(const Problem& p,
                           std::optional<std::size_t> memory_budget = std::nullopt,
                           bool hessian = false);

  [[nodiscard]] Ranks ranks() const { return ranks_; }
  [[nodiscard]] Eigen::Index num_samples() const { return samples_; }
  [[nodiscard]] Eigen::Index local_samples() const { return local_.num_samples(); }
  [[nodiscard]] Eigen::Index num_parameters() const { return local_.num_parameters(); }
  /// The local shard's loss function (its block of the samples).
  [[nodiscard]] const LossFunction<Scalar>& local() const { return local_; }

  [[nodiscard]] Scalar loss(const Vec<Scalar>& theta) const;
  [[nodiscard]] Vec<Scalar> gradient(const Vec<Scalar>& theta) const;
  [[nodiscard]] Vec<Scalar> hessian_vector_product(const Vec<Scalar>& theta,
                                                   const Vec<Scalar>& v,
                                                   HessianPart part = HessianPart::Full) const;
  [[nodiscard]] Mat<Scalar> hessian(const Vec<Scalar>& theta,
                                    HessianPart part = HessianPart::Full) const;

  /// Bytes this rank has sent in sums so far, and seconds spent in them.
  [[nodiscard]] std::size_t bytes_sent() const { return bytes_; }
  [[nodiscard]] double seconds_communicating() const { return seconds_; }

 private:
  template <class M>
  void sum(M& m) const;

  Ranks ranks_;
  Eigen::Index samples_ = 0;
  LossFunction<Scalar> local_;
  mutable std::size_t bytes_ = 0;
  mutable double seconds_ = 0;
};

#define LOCUS_DISTRIBUTED_DECLARE(Scalar, tag)   \
  extern template class DistributedLoss<Scalar>; \
  extern template std::size_t sum_over_ranks<Scalar>(Mat<Scalar> & m);
LOCUS_FOR_EACH_SCALAR(LOCUS_DISTRIBUTED_DECLARE)
#undef LOCUS_DISTRIBUTED_DECLARE

}  // namespace locus
