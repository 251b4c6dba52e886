// scalar/thread_caches.hpp (internal): releasing a worker thread's cached constants.
#ifndef LOCUS_SRC_SCALAR_THREAD_CACHES_HPP_
#define LOCUS_SRC_SCALAR_THREAD_CACHES_HPP_

namespace locus::detail {

/// Frees the calling thread's cached constants of Arb/FLINT (flint_cleanup) and MPFR (its local
/// cache). Worker threads that evaluate transcendental functions call it before they go idle:
/// those caches live in thread-local storage that the leak checker does not see as reachable, and
/// the thread pool outlives the call. The next evaluation on that thread recomputes what it needs.
/// Defined in lib/src/scalar/ball.cpp.
void release_thread_caches() noexcept;

}  // namespace locus::detail

#endif  // LOCUS_SRC_SCALAR_THREAD_CACHES_HPP_
