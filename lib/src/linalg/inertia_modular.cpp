// The exact inertia of a symmetric rational matrix by the hybrid modular method
// (locus/linalg/inertia.hpp; the mathematics and the proof of each step are in
// docs/math/exact-inertia.md).
//
//   1. B = D·A with D = diag(lcm of the denominators of row i): an integer matrix of the same rank.
//   2. Modulo a prime p dividing no row scale: the rank r and the pivot columns J of B. rank(A) ≥ r
//      always (a nonzero minor mod p is nonzero), and A_JJ is nonsingular (A mod p is symmetric, and
//      a principal block on independent columns of a symmetric matrix of rank r is nonsingular).
//   3. rank(A) ≤ r: r = n; or supplied null vectors K with A·K = 0 exactly and rank(K mod q) = n − r;
//      or every (r+1)-minor of B vanishes modulo primes whose product exceeds the Hadamard bound
//      of those minors (rank(B mod q) ≤ r for each).
//   4. Then A is congruent to diag(A_JJ, 0) and In(A) = In(A_JJ) + (0, 0, n − r); In(A_JJ) is read
//      from a ball LDLᵀ with pivots whose balls exclude 0, at 128, 256, ... bits, and from
//      fraction-free elimination of A_JJ if the largest precision does not decide.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <numeric>
#include <utility>
#include <vector>

#include "linalg/inertia_internal.hpp"

#include "locus/error.hpp"
#include "locus/linalg/inertia.hpp"

#include <fmt/format.h>

#include <arb.h>
#include <flint/fmpq.h>
#include <flint/fmpz.h>
#include <flint/fmpz_mat.h>
#include <flint/nmod_mat.h>
#include <flint/ulong_extras.h>
#include <gmp.h>
#include <gmpxx.h>

namespace locus {
namespace {

using Index = Eigen::Index;

mpq_srcptr Q(const Rational& x) {
  return x.backend().data();
}

class FmpzMat {
 public:
  FmpzMat(Index rows, Index cols) { fmpz_mat_init(m_, rows, cols); }
  ~FmpzMat() { fmpz_mat_clear(m_); }
  FmpzMat(const FmpzMat&) = delete;
  FmpzMat& operator=(const FmpzMat&) = delete;
  fmpz_mat_struct* get() { return m_; }
  const fmpz_mat_struct* get() const { return m_; }

 private:
  fmpz_mat_t m_;
};

class NmodMat {
 public:
  NmodMat(Index rows, Index cols, mp_limb_t modulus) { nmod_mat_init(m_, rows, cols, modulus); }
  ~NmodMat() { nmod_mat_clear(m_); }
  NmodMat(const NmodMat&) = delete;
  NmodMat& operator=(const NmodMat&) = delete;
  nmod_mat_struct* get() { return m_; }

 private:
  nmod_mat_t m_;
};

class Fmpz {
 public:
  Fmpz() { fmpz_init(v_); }
  ~Fmpz() { fmpz_clear(v_); }
  Fmpz(const Fmpz&) = delete;
  Fmpz& operator=(const Fmpz&) = delete;
  fmpz* get() { return v_; }

 private:
  fmpz_t v_;
};

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// Primes in [2^61, 2^62) drawn from the seed: the k-th draw is the next prime after a random
// start. n_nextprime(·, 1) proves primality (BPSW has no counterexample below 2^64).
class PrimeDraws {
 public:
  explicit PrimeDraws(std::uint64_t seed) : state_(seed) {}
  mp_limb_t next() {
    const std::uint64_t start = (std::uint64_t{1} << 61) + (splitmix64(state_) >> 4);
    return n_nextprime(start, 1);
  }

 private:
  std::uint64_t state_;
};

// Scales every row of `a` (rows × cols, rational) by the lcm of its denominators into the integer
// matrix `b`; `scale[i]` receives the lcm. The row space, hence the rank and the kernel, is kept.
void scaled_rows(const Mat<Rational>& a, fmpz_mat_struct* b, std::vector<mpz_class>* scale) {
  mpz_class lcm, f;
  for (Index i = 0; i < a.rows(); ++i) {
    lcm = 1;
    for (Index j = 0; j < a.cols(); ++j) {
      mpz_lcm(lcm.get_mpz_t(), lcm.get_mpz_t(), mpq_denref(Q(a(i, j))));
    }
    for (Index j = 0; j < a.cols(); ++j) {
      mpz_divexact(f.get_mpz_t(), lcm.get_mpz_t(), mpq_denref(Q(a(i, j))));
      mpz_mul(f.get_mpz_t(), f.get_mpz_t(), mpq_numref(Q(a(i, j))));
      fmpz_set_mpz(fmpz_mat_entry(b, i, j), f.get_mpz_t());
    }
    if (scale != nullptr) (*scale)[static_cast<std::size_t>(i)] = lcm;
  }
}

// The rank of `b` modulo p and its pivot columns (those of the reduced row echelon form).
std::pair<Index, std::vector<Index>> rank_mod(const fmpz_mat_struct* b, mp_limb_t p) {
  NmodMat m(fmpz_mat_nrows(b), fmpz_mat_ncols(b), p);
  fmpz_mat_get_nmod_mat(m.get(), b);
  const Index r = nmod_mat_rref(m.get());
  std::vector<Index> pivots;
  Index col = 0;
  for (Index i = 0; i < r; ++i) {
    while (nmod_mat_entry(m.get(), i, col) == 0) ++col;
    pivots.push_back(col);
  }
  return {r, std::move(pivots)};
}

// A prime that divides none of the row scales, with the rank of `b` modulo it at least `lower`
// (a draw with a smaller rank is an unlucky prime: draw again).
struct PivotPrime {
  mp_limb_t prime = 0;
  Index rank = 0;
  std::vector<Index> pivots;
};

PivotPrime pivot_prime(const fmpz_mat_struct* b,
                       const std::vector<mpz_class>& scale,
                       PrimeDraws& draws,
                       Index lower) {
  for (int attempt = 0; attempt < 64; ++attempt) {
    const mp_limb_t p = draws.next();
    bool divides = false;
    for (const mpz_class& s : scale) divides = divides || mpz_fdiv_ui(s.get_mpz_t(), p) == 0;
    if (divides) continue;
    auto [r, pivots] = rank_mod(b, p);
    if (r >= lower) return {p, r, std::move(pivots)};
  }
  throw Error(fmt::format(
      "exact_inertia: 64 primes in [2^61, 2^62) all gave a rank below {}, which a rank modulo a "
      "random prime of this size does with probability below 2^-3000; this is a bug",
      lower));
}

// Upper bound, in bits, of the absolute value of every (r+1)-minor of the integer matrix b:
// Hadamard, the product of the r+1 largest row norms, each at most sqrt(n)·2^(bits of the row).
long minor_bound_bits(const fmpz_mat_struct* b, Index r) {
  const Index n = fmpz_mat_nrows(b), m = fmpz_mat_ncols(b);
  std::vector<long> row_bits(static_cast<std::size_t>(n), 0);
  for (Index i = 0; i < n; ++i) {
    for (Index j = 0; j < m; ++j) {
      row_bits[static_cast<std::size_t>(i)] =
          std::max(row_bits[static_cast<std::size_t>(i)],
                   static_cast<long>(fmpz_bits(fmpz_mat_entry(b, i, j))));
    }
  }
  std::sort(row_bits.begin(), row_bits.end(), std::greater<>());
  const Index rows = std::min(n, r + 1);
  long bits = std::accumulate(row_bits.begin(), row_bits.begin() + rows, 0L);
  // log2 sqrt(m) <= ceil(log2 m)/2, rounded up over the rows
  const long log2m = static_cast<long>(FLINT_CLOG2(static_cast<ulong>(std::max<Index>(m, 2))));
  return bits + (rows * log2m + 1) / 2 + 1;
}

// rank(b) ≤ r, proved when rank(b mod q) ≤ r for primes whose product exceeds the bound of the
// (r+1)-minors: each such minor is then an integer divisible by a number larger than its absolute
// value, hence 0. Returns the largest rank modulo a prime found above r instead (a lower bound on
// rank(b) that shows r was wrong), or r when proved. `primes_used` receives how many it took.
Index prove_rank_at_most(const fmpz_mat_struct* b, Index r, std::uint64_t seed, long* primes_used) {
  const long need_bits = minor_bound_bits(b, r) + 1;
  PrimeDraws draws(seed ^ 0x5851F42D4C957F2DULL);
  std::vector<mp_limb_t> primes;
  long have_bits = 0;
  while (have_bits < need_bits) {
    const mp_limb_t q = draws.next();
    if (std::find(primes.begin(), primes.end(), q) != primes.end()) continue;
    primes.push_back(q);
    have_bits += 61;  // q > 2^61
  }
  *primes_used = static_cast<long>(primes.size());
  std::atomic<Index> above{r};
  const auto count = static_cast<std::ptrdiff_t>(primes.size());
  const Index n = fmpz_mat_nrows(b), m = fmpz_mat_ncols(b);
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 4) if (count > 8)
#endif
  for (std::ptrdiff_t t = 0; t < count; ++t) {
    if (above.load() > r) continue;  // r was refuted: the rest is not needed
    NmodMat mq(n, m, primes[static_cast<std::size_t>(t)]);
    fmpz_mat_get_nmod_mat(mq.get(), b);
    const Index rq = nmod_mat_rank(mq.get());
    Index seen = above.load();
    while (rq > seen && !above.compare_exchange_weak(seen, rq)) {
    }
  }
  return above.load();
}

// In(s) for a symmetric matrix given by rationals, by LDLᵀ in balls at `prec` bits with
// Bunch–Parlett pivoting on the midpoints; every pivot (a 1×1 entry or the determinant of a 2×2
// block) is used only if its ball excludes 0. Then the exact elimination with the same pivot
// sequence has nonzero pivots inside those balls, and their signs give the inertia (Sylvester).
// Returns false when some step cannot be decided at this precision.
bool ball_ldlt_inertia(const Mat<Rational>& s, slong prec, Inertia* out) {
  const Index n = s.rows();
  arb_ptr w = _arb_vec_init(n * n);
  auto at = [w, n](Index i, Index j) { return w + (i >= j ? i + j * n : j + i * n); };
  fmpq_t q;
  fmpq_init(q);
  for (Index j = 0; j < n; ++j) {
    for (Index i = j; i < n; ++i) {
      fmpz_set_mpz(fmpq_numref(q), mpq_numref(Q(s(i, j))));
      fmpz_set_mpz(fmpq_denref(q), mpq_denref(Q(s(i, j))));
      arb_set_fmpq(at(i, j), q, prec);
    }
  }
  fmpq_clear(q);
  arb_t det, t1, t2;
  arb_init(det);
  arb_init(t1);
  arb_init(t2);
  arb_ptr l1 = _arb_vec_init(n), l2 = _arb_vec_init(n);
  std::vector<Index> rest(static_cast<std::size_t>(n));
  std::iota(rest.begin(), rest.end(), Index{0});
  Inertia in;
  bool ok = true;
  mag_t lo, hi, best_diag, best_off;
  mag_init(lo);
  mag_init(hi);
  mag_init(best_diag);
  mag_init(best_off);
  // Bunch–Kaufman's (1 + sqrt(17))/8: a diagonal pivot at least this fraction of the largest
  // off-diagonal entry bounds the growth; it only steers the pivots, soundness does not need it.
  mag_t alpha;
  mag_init(alpha);
  mag_set_d(alpha, 0.6403882032022076);
  while (ok && !rest.empty()) {
    // The diagonal entry with the largest lower bound and the off-diagonal with the largest upper.
    std::size_t di = rest.size(), oi = rest.size(), oj = rest.size();
    mag_zero(best_diag);
    mag_zero(best_off);
    for (std::size_t a = 0; a < rest.size(); ++a) {
      arb_get_mag_lower(lo, at(rest[a], rest[a]));
      if (mag_cmp(lo, best_diag) > 0) {
        mag_set(best_diag, lo);
        di = a;
      }
      for (std::size_t b = a + 1; b < rest.size(); ++b) {
        arb_get_mag(hi, at(rest[b], rest[a]));
        if (mag_cmp(hi, best_off) > 0) {
          mag_set(best_off, hi);
          oi = a;
          oj = b;
        }
      }
    }
    mag_mul(hi, best_off, alpha);
    bool one_by_one = di < rest.size() && (oi == rest.size() || mag_cmp(best_diag, hi) >= 0);
    bool two_by_two = false;
    if (!one_by_one && oi < rest.size()) {
      const Index i = rest[oi], j = rest[oj];
      arb_mul(det, at(i, i), at(j, j), prec);
      arb_submul(det, at(i, j), at(i, j), prec);
      two_by_two = !arb_contains_zero(det);
      if (!two_by_two) one_by_one = di < rest.size();  // fall back to the best diagonal
    }
    if (one_by_one) {
      const Index k = rest[di];
      rest.erase(rest.begin() + static_cast<std::ptrdiff_t>(di));
      arb_srcptr d = at(k, k);
      (arb_is_positive(d) ? in.positive : in.negative) += 1;
      for (std::size_t a = 0; a < rest.size(); ++a) arb_div(l1 + a, at(rest[a], k), d, prec);
      for (std::size_t a = 0; a < rest.size(); ++a) {
        for (std::size_t b = a; b < rest.size(); ++b) {
          arb_submul(at(rest[b], rest[a]), l1 + a, at(rest[b], k), prec);
        }
      }
    } else if (two_by_two) {
      const Index i = rest[oi], j = rest[oj];
      // contributes (1, 1) if det < 0, else two of the sign of a_ii (a_ii·a_jj > a_ij² >= 0)
      if (arb_is_negative(det)) {
        in.positive += 1;
        in.negative += 1;
      } else if (arb_is_positive(at(i, i)) || arb_is_positive(at(j, j))) {
        in.positive += 2;
      } else if (arb_is_negative(at(i, i)) || arb_is_negative(at(j, j))) {
        in.negative += 2;
      } else {
        ok = false;
        break;
      }
      rest.erase(rest.begin() + static_cast<std::ptrdiff_t>(oj));
      rest.erase(rest.begin() + static_cast<std::ptrdiff_t>(oi));
      // (l1_a, l2_a) = [a_ai, a_aj]·E⁻¹, E = [[a_ii, a_ij], [a_ij, a_jj]]
      for (std::size_t a = 0; a < rest.size(); ++a) {
        arb_srcptr x = at(rest[a], i), y = at(rest[a], j);
        arb_mul(t1, x, at(j, j), prec);
        arb_submul(t1, y, at(i, j), prec);
        arb_div(l1 + a, t1, det, prec);
        arb_mul(t2, y, at(i, i), prec);
        arb_submul(t2, x, at(i, j), prec);
        arb_div(l2 + a, t2, det, prec);
      }
      for (std::size_t a = 0; a < rest.size(); ++a) {
        for (std::size_t b = a; b < rest.size(); ++b) {
          arb_ptr target = at(rest[b], rest[a]);
          arb_submul(target, l1 + a, at(rest[b], i), prec);
          arb_submul(target, l2 + a, at(rest[b], j), prec);
        }
      }
    } else {
      ok = false;
    }
    if (ok && !rest.empty()) {
      // a non-finite ball (overflow of the radius) cannot decide anything further
      for (const Index k : rest) ok = ok && arb_is_finite(at(k, k));
    }
  }
  mag_clear(lo);
  mag_clear(hi);
  mag_clear(best_diag);
  mag_clear(best_off);
  mag_clear(alpha);
  _arb_vec_clear(l1, n);
  _arb_vec_clear(l2, n);
  arb_clear(det);
  arb_clear(t1);
  arb_clear(t2);
  _arb_vec_clear(w, n * n);
  if (ok) *out = in;
  return ok;
}

Mat<Rational> principal_block(const Mat<Rational>& a, const std::vector<Index>& idx) {
  const auto r = static_cast<Index>(idx.size());
  Mat<Rational> s(r, r);
  for (Index j = 0; j < r; ++j) {
    for (Index i = 0; i < r; ++i) {
      s(i, j) = a(idx[static_cast<std::size_t>(i)], idx[static_cast<std::size_t>(j)]);
    }
  }
  return s;
}

// Checks A·K = 0 exactly for the supplied columns (the error names the first that fails) and
// returns the rank of K modulo `p` with its pivot columns (independent columns of K).
std::pair<Index, std::vector<Index>> check_null_vectors(const Mat<Rational>& a,
                                                        const fmpz_mat_struct* b,
                                                        const Mat<Rational>& k,
                                                        mp_limb_t p) {
  const Index n = a.rows();
  if (k.rows() != n) {
    throw InvalidArgument(fmt::format(
        "exact_inertia: the supplied null vectors have {} rows, expected {} (the matrix order)",
        k.rows(),
        n));
  }
  // K·C with C = diag(lcm of the denominators of column j): integer columns of the same span.
  const Mat<Rational> kt = k.transpose();
  FmpzMat kc(k.cols(), n);
  scaled_rows(kt, kc.get(), nullptr);
  FmpzMat kcol(n, k.cols());
  fmpz_mat_transpose(kcol.get(), kc.get());
  FmpzMat prod(n, k.cols());
  fmpz_mat_mul(prod.get(), b, kcol.get());
  for (Index j = 0; j < k.cols(); ++j) {
    for (Index i = 0; i < n; ++i) {
      if (fmpz_is_zero(fmpz_mat_entry(prod.get(), i, j))) continue;
      // (A·k_j)_i: recompute it in rationals for the message
      Rational value = 0;
      for (Index t = 0; t < n; ++t) value += a(i, t) * k(t, j);
      throw InvalidArgument(fmt::format(
          "exact_inertia: supplied null vector {} is not in the kernel: (A·k)_{} = {}, expected 0",
          j,
          i,
          to_string(value)));
    }
  }
  return rank_mod(kcol.get(), p);
}

ExactInertia modular_inertia(const Mat<Rational>& a, const ExactInertiaOptions& options) {
  const Index n = a.rows();
  ExactInertia out;
  out.method = ExactInertiaMethod::Modular;
  out.seed = options.seed;
  FmpzMat b(n, n);
  std::vector<mpz_class> scale(static_cast<std::size_t>(n));
  scaled_rows(a, b.get(), &scale);
  PrimeDraws draws(options.seed);
  PivotPrime pp = pivot_prime(b.get(), scale, draws, 0);
  std::string rank_how;
  for (;;) {
    if (pp.rank == n) {
      out.rank_proof = "full rank";
      rank_how = fmt::format("rank {} = n mod p", n);
      break;
    }
    if (options.null_vectors.cols() > 0) {
      const auto [rk, cols] = check_null_vectors(a, b.get(), options.null_vectors, pp.prime);
      if (rk > n - pp.rank) {
        throw Error(fmt::format(
            "exact_inertia: {} independent exact null vectors but rank {} modulo a prime; this "
            "is a bug",
            rk,
            pp.rank));
      }
      if (rk == n - pp.rank) {
        out.rank_proof = "null vectors";
        rank_how = fmt::format(
            "rank >= {} mod p; rank <= {} from {} supplied null vectors (A·K = 0 exactly, rank {} "
            "mod p)",
            pp.rank,
            pp.rank,
            options.null_vectors.cols(),
            rk);
        if (options.with_null_basis) {
          out.null_basis.resize(n, rk);
          for (Index c = 0; c < rk; ++c) {
            out.null_basis.col(c) = options.null_vectors.col(cols[static_cast<std::size_t>(c)]);
          }
        }
        break;
      }
    }
    long primes = 0;
    const Index seen = prove_rank_at_most(b.get(), pp.rank, options.seed, &primes);
    if (seen == pp.rank) {
      out.rank_proof = "schur";
      rank_how = fmt::format(
          "rank >= {} mod p; rank <= {}: every {}-minor vanishes modulo {} prime{} past the "
          "Hadamard bound (the Schur complement of A_JJ is 0)",
          pp.rank,
          pp.rank,
          pp.rank + 1,
          primes,
          primes == 1 ? "" : "s");
      break;
    }
    pp = pivot_prime(b.get(), scale, draws, seen);  // p was unlucky: the rank is at least `seen`
  }
  out.prime = pp.prime;
  out.rank = pp.rank;
  const Mat<Rational> block = principal_block(a, pp.pivots);
  Inertia in;
  const long max_bits = 16384;
  for (long bits = 128; bits <= max_bits && out.ldlt_bits == 0; bits *= 2) {
    if (ball_ldlt_inertia(block, bits, &in)) out.ldlt_bits = bits;
  }
  if (out.ldlt_bits == 0) in = detail::fraction_free_inertia(block);
  out.inertia = {in.positive, in.negative, n - pp.rank};
  out.how = fmt::format(
      "modular (seed {}, p = {}): {}; In(A_JJ) by {}",
      options.seed,
      pp.prime,
      rank_how,
      out.ldlt_bits > 0
          ? fmt::format("ball LDLᵀ at {} bits", out.ldlt_bits)
          : fmt::format("fraction-free LDLᵀ (balls at {} bits did not decide)", max_bits));
  if (options.with_null_basis &&
      (out.null_basis.rows() != n || out.null_basis.cols() != n - out.rank)) {
    out.null_basis = out.rank == n ? Mat<Rational>(n, 0) : exact_null_space(a);
  }
  return out;
}

}  // namespace

std::string to_string(ExactInertiaMethod method) {
  switch (method) {
    case ExactInertiaMethod::Modular:
      return "modular";
    case ExactInertiaMethod::FractionFree:
      return "fraction-free";
  }
  return "unknown";
}

ExactInertia exact_inertia(const Mat<Rational>& a, const ExactInertiaOptions& options) {
  detail::check_square_symmetric(a);
  if (options.method == ExactInertiaMethod::Modular && a.rows() > 0) {
    return modular_inertia(a, options);
  }
  ExactInertia out;
  out.method = ExactInertiaMethod::FractionFree;
  out.inertia = detail::fraction_free_inertia(a);
  out.rank = out.inertia.positive + out.inertia.negative;
  out.rank_proof = "fraction-free";
  out.how = "fraction-free LDLᵀ in exact integers";
  if (options.with_null_basis) out.null_basis = exact_null_space(a);
  return out;
}

ExactInertia exact_inertia(const Mat<Rational>& a, bool with_null_basis) {
  ExactInertiaOptions options;
  options.with_null_basis = with_null_basis;
  return exact_inertia(a, options);
}

}  // namespace locus
