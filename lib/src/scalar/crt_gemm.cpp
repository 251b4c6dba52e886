// Multiprecision matrix products on double GEMMs by the Chinese remainder theorem (an Ozaki-II
// scheme); the derivation and the error bounds are in docs/math/crt-products.md.
#include "scalar/crt_gemm.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <tuple>
#include <type_traits>
#include <vector>

#include "scalar/arf_double.hpp"
#include "scalar/crt_kernels.hpp"

#include "locus/scalar/block_pool.hpp"

#include <Eigen/Core>

#include <arf.h>
#include <flint/ulong_extras.h>
#include <gmp.h>
#include <mag.h>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace locus::detail {
namespace {

using Index = std::ptrdiff_t;
using Limb = mp_limb_t;
// 128-bit carries of the reconstruction (GCC and Clang; __extension__ keeps -Wpedantic quiet)
__extension__ typedef unsigned __int128 U128;  // NOLINT(modernize-use-using)
// ---- buffers -------------------------------------------------------------------------------------

// ---- the primes --------------------------------------------------------------------------------

// Primes q_1 > q_2 > ... below a bound with M = Π q_j > 2^bits, and what the reconstruction
// needs: y_j = (M/q_j)^(-1) mod q_j, M/q_j, M and ⌊M/2⌋ as limbs, 2^(32h) mod q_j.
struct PrimeSet {
  std::vector<std::uint32_t> q;
  std::vector<double> qd, qinv, yd;
  std::vector<std::vector<Limb>> mj;  // M / q_j
  std::vector<Limb> big_m, half_m;
  Eigen::MatrixXd pow16;  // (s, j) = 2^(16s) mod q_j
  Eigen::MatrixXd
      mdig_t;           // (d, j) = 16-bit digit d of M/q_j; the last row 1/q_j (see write_results)
  Index acc_limbs = 0;  // Σ w_j·(M/q_j) < R·M fits
};

std::shared_ptr<const PrimeSet> primes_for(std::uint32_t qmax, int bits, int halves) {
  static std::mutex mutex;
  static std::map<std::tuple<std::uint32_t, int, int>, std::shared_ptr<const PrimeSet>> cache;
  const std::lock_guard<std::mutex> lock(mutex);
  const auto key = std::make_tuple(qmax, bits, halves);
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  auto set = std::make_shared<PrimeSet>();
  double total = 0;
  for (std::uint32_t c = qmax; total <= bits + 1.0 && c > 1000; --c) {
    if (n_is_prime(c) != 0) {  // FLINT: a proof for every 64-bit integer
      set->q.push_back(c);
      total += std::log2(static_cast<double>(c));
    }
  }
  if (total <= bits + 1.0) {  // not enough primes below qmax: the scheme does not apply
    cache.emplace(key, nullptr);
    return nullptr;
  }
  mpz_t m, mj, y, qz;
  mpz_inits(m, mj, y, qz, nullptr);
  mpz_set_ui(m, 1);
  for (std::uint32_t q : set->q) mpz_mul_ui(m, m, q);
  auto limbs_of = [](const mpz_t z) {
    std::vector<Limb> out(mpz_size(z));
    for (std::size_t i = 0; i < out.size(); ++i)
      out[i] = mpz_getlimbn(z, static_cast<mp_size_t>(i));
    return out;
  };
  set->big_m = limbs_of(m);
  mpz_fdiv_q_2exp(y, m, 1);
  set->half_m = limbs_of(y);
  set->half_m.resize(set->big_m.size(), 0);
  set->acc_limbs = static_cast<Index>(set->big_m.size()) + 1;
  for (std::uint32_t q : set->q) {
    mpz_divexact_ui(mj, m, q);
    mpz_set_ui(qz, q);
    mpz_invert(y, mj, qz);
    set->mj.push_back(limbs_of(mj));
    set->qd.push_back(static_cast<double>(q));
    set->qinv.push_back(1.0 / static_cast<double>(q));
    set->yd.push_back(static_cast<double>(mpz_get_ui(y)));
  }
  const auto mdigits = static_cast<Eigen::Index>(set->big_m.size()) * 4;
  set->mdig_t = Eigen::MatrixXd::Zero(mdigits + 1, static_cast<Eigen::Index>(set->q.size()));
  for (std::size_t j = 0; j < set->q.size(); ++j) {
    for (Eigen::Index d = 0; d < mdigits; ++d) {
      const auto limb = static_cast<std::size_t>(d / 4);
      if (limb < set->mj[j].size()) {
        set->mdig_t(d, static_cast<Eigen::Index>(j)) =
            static_cast<double>((set->mj[j][limb] >> (16 * (d % 4))) & 0xffffU);
      }
    }
    set->mdig_t(mdigits, static_cast<Eigen::Index>(j)) = set->qinv[j];
  }
  set->pow16.resize(2 * halves, static_cast<Eigen::Index>(set->q.size()));
  for (std::size_t j = 0; j < set->q.size(); ++j) {
    std::uint64_t v = 1;
    for (Eigen::Index d = 0; d < set->pow16.rows(); ++d) {
      set->pow16(d, static_cast<Eigen::Index>(j)) = static_cast<double>(v);
      v = (v << 16) % set->q[j];
    }
  }
  mpz_clears(m, mj, y, qz, nullptr);
  cache.emplace(key, set);
  return set;
}

// ---- entries -------------------------------------------------------------------------------------

// x = (-1)^neg · 0.L · 2^exp with L = limbs[0..n), the top bit of limbs[n-1] set.
struct Entry {
  const Limb* limbs = nullptr;
  Index n = 0;
  long exp = 0;
  bool neg = false;
  bool zero = true;
};

bool read(mpfr_srcptr x, Entry& e) {
  if (mpfr_zero_p(x)) {
    e = Entry{};
    return true;
  }
  if (mpfr_number_p(x) == 0) return false;
  e.zero = false;
  e.neg = mpfr_signbit(x) != 0;
  e.exp = mpfr_get_exp(x);
  e.n = static_cast<Index>((mpfr_get_prec(x) + GMP_NUMB_BITS - 1) / GMP_NUMB_BITS);
  e.limbs = x->_mpfr_d;
  return true;
}

bool read(arf_srcptr x, Entry& e) {
  if (arf_is_zero(x)) {
    e = Entry{};
    return true;
  }
  if (arf_is_special(x) || COEFF_IS_MPZ(ARF_EXP(x))) return false;
  mp_srcptr p = nullptr;
  mp_size_t n = 0;
  ARF_GET_MPN_READONLY(p, n, x);
  e.zero = false;
  e.neg = ARF_SGNBIT(x) != 0;
  e.exp = ARF_EXP(x);
  e.n = n;
  e.limbs = p;
  return true;
}

// The entries are read in storage order, but a ball's limbs live in their own heap block, a cache
// miss per entry: the ball 32 entries ahead and the limbs of the one 16 ahead are fetched early.
inline void prefetch_ahead(arb_srcptr const* x, Index idx, Index count) {
  if (idx + 32 < count) __builtin_prefetch(x[idx + 32]);
  if (idx + 16 < count) {
    arf_srcptr mid = arb_midref(x[idx + 16]);
    if (ARF_HAS_PTR(mid)) __builtin_prefetch(ARF_PTR_D(mid));
  }
}

// The same for MPFR numbers, whose limbs follow the struct (Boost's numbers keep them inline, in
// the next cache line).
inline void prefetch_ahead(mpfr_srcptr const* x, Index idx, Index count) {
  if (idx + 32 < count) __builtin_prefetch(x[idx + 32]);
  if (idx + 16 < count) __builtin_prefetch(x[idx + 16]->_mpfr_d);
}

// Exponents beyond this are left to the caller (no scaled double may overflow or underflow).
constexpr long kMaxExp = std::numeric_limits<long>::max() / 8;

// ---- one operand as residues ---------------------------------------------------------------------

// The fixed-point operand: line ℓ (a row of A or a column of B) is scaled by 2^(t - e_ℓ),
// |x| < 2^e_ℓ for every entry of the line; the integers X = trunc(x·2^(t-e_ℓ)) have |X| < 2^t.
// The width t is the operand's own: the smallest multiple of 32 at which every X is exact (an
// operand of doubles, such as the weights, needs about 64 bits), at most the product's t_max.
struct Operand {
  int t = 0;
  std::vector<long> scale;  // e_ℓ
  std::vector<std::uint32_t>
      cut;  // entries of the line that were truncated, each by < 2^(e_ℓ - cut_t)
  int cut_t = 0;
  // A Khatri-Rao operand (its entries products x·y of two converted operands) has two kinds of
  // cut: cut for x's entries (by < 2^(e_ℓ - cut_t)) and cut2 for y's (by < 2^(e_ℓ - cut2_t)).
  std::vector<std::uint32_t> cut2;
  int cut2_t = 0;
  Buffer<std::int32_t> res;  // [prime][entry], entry = storage index (every one written)
  // Balls: upper bounds of |mid|·2^-e_ℓ and rad·2^-e_ℓ (storage index), when any radius is nonzero.
  Buffer<double> mag, rad;
  bool any_rad = false;
};

// 2^e for -1022 <= e <= 1023, exactly, from its exponent field (std::ldexp is a library call, and
// these run once per operand entry).
inline double pow2(long e) {
  return std::bit_cast<double>(static_cast<std::uint64_t>(e + 1023) << 52);
}

// Upper bound of 0.L·2^s (s <= 0); 2^-900 for every s < -900. (hi >> 11) + 1 <= 2^53 times
// 2^(s - 53) >= 2^-953 is a normal double: the product is exact.
double scaled_abs_upper(const Entry& x, long s) {
  if (s < -900) return pow2(-900);  // x < 2^s < 2^-900
  const Limb hi = x.limbs[x.n - 1];
  return static_cast<double>((hi >> 11) + 1) * pow2(s - 53);
}

// Upper bound of r·2^-e as a double; false when it is too large for the scheme.
bool scaled_mag_upper(const mag_struct* r, long e, double& out) {
  if (mag_is_zero(r)) {
    out = 0;
    return true;
  }
  if (mag_is_inf(r) || COEFF_IS_MPZ(MAG_EXP(r))) return false;
  const long s = static_cast<long>(MAG_EXP(r)) - e;  // r < 2^(MAG_EXP)
  if (s > 900) return false;
  if (s < -900) {
    out = pow2(-900);
    return true;
  }
  // MAG_MAN < 2^30 times 2^(s - 30) in [2^-930, 2^870]: exact
  out = static_cast<double>(MAG_MAN(r)) * pow2(s - MAG_BITS);
  return true;
}

// The bit position of the lowest set bit of a nonzero x: x is an odd integer times 2^lsb.
long lowest_bit(const Entry& x) {
  Index i = 0;
  while (x.limbs[i] == 0) ++i;  // the top limb is nonzero
  return x.exp - static_cast<long>(x.n) * GMP_NUMB_BITS + static_cast<long>(i) * GMP_NUMB_BITS +
         std::countr_zero(x.limbs[i]);
}

// Pass 1 over one operand, stored column-major (rows x cols), whose lines (one scale each) are its
// rows (the left factor) or its columns (the right factor): the largest exponent e_ℓ of every
// line, and the operand's width op.t: the smallest multiple of 32 with e_ℓ - lsb(x) <= t for every
// entry x of every line (so that every X is exact), at most t_max (entries are truncated then).
// get(idx, Entry&) reads an entry; false for a number the scheme does not take.
template <class Get>
bool scan(Operand& op, Index rows, Index cols, bool lines_are_rows, int t_max, Get get) {
  const Index lines = lines_are_rows ? rows : cols;
  constexpr long kNone = std::numeric_limits<long>::min();
  constexpr long kNoBit = std::numeric_limits<long>::max();
  std::vector<long> emax(static_cast<std::size_t>(lines), kNone);
  std::vector<long> lsb(static_cast<std::size_t>(lines), kNoBit);  // lowest bit of the line
  bool ok = true;
#ifdef _OPENMP
#pragma omp parallel
#endif
  {
    const auto row_lines = static_cast<std::size_t>(lines_are_rows ? lines : 0);
    std::vector<long> local(row_lines, kNone), local_lsb(row_lines, kNoBit);
    Entry e;
#ifdef _OPENMP
#pragma omp for schedule(static) reduction(&& : ok)
#endif
    for (Index c = 0; c < cols; ++c) {
      long col_max = kNone, col_lsb = kNoBit;
      for (Index r = 0; r < rows; ++r) {
        if (!get(r + c * rows, e)) {
          ok = false;
          break;
        }
        if (e.zero) continue;
        const long low = lowest_bit(e);
        if (lines_are_rows) {
          auto& slot = local[static_cast<std::size_t>(r)];
          slot = std::max(slot, e.exp);
          auto& low_slot = local_lsb[static_cast<std::size_t>(r)];
          low_slot = std::min(low_slot, low);
        } else {
          col_max = std::max(col_max, e.exp);
          col_lsb = std::min(col_lsb, low);
        }
      }
      if (!lines_are_rows) {
        emax[static_cast<std::size_t>(c)] = col_max;
        lsb[static_cast<std::size_t>(c)] = col_lsb;
      }
    }
    if (lines_are_rows) {
#ifdef _OPENMP
#pragma omp critical(locus_crt_emax)
#endif
      for (std::size_t l = 0; l < local.size(); ++l) {
        emax[l] = std::max(emax[l], local[l]);
        lsb[l] = std::min(lsb[l], local_lsb[l]);
      }
    }
  }
  if (!ok) return false;
  op.scale.assign(static_cast<std::size_t>(lines), 0);
  long need = 1;
  for (std::size_t l = 0; l < emax.size(); ++l) {
    if (emax[l] == kNone) continue;  // an all-zero line: scale 0
    if (emax[l] > kMaxExp || emax[l] < -kMaxExp) return false;
    op.scale[l] = emax[l];
    // |lsb| <= kMaxExp + 64 n: no overflow
    need = std::max(need, emax[l] - lsb[l]);
  }
  const long rounded = (need + 31) / 32 * 32;
  op.t = static_cast<int>(std::min<long>(rounded, t_max));
  return true;
}

// Pass 2: the residues of the operand scanned by scan (op.scale, op.t), in storage order. get
// reads an entry as in scan, get_rad(idx) its radius (balls) or nullptr.
template <class Get, class GetRad>
bool convert(Operand& op,
             Index rows,
             Index cols,
             bool lines_are_rows,
             const PrimeSet& ps,
             Get get,
             GetRad get_rad) {
  const Index lines = lines_are_rows ? rows : cols;
  const int t = op.t;
  op.cut.assign(static_cast<std::size_t>(lines), 0);
  op.cut_t = t;
  const auto size = static_cast<std::size_t>(rows * cols);
  const std::size_t R = ps.q.size();
  op.res = big_buffer<std::int32_t>(R * size);  // no zero fill: every entry is written
  constexpr bool kBall = !std::is_same_v<decltype(get_rad(Index{0})), std::nullptr_t>;
  if constexpr (kBall) {
    op.mag = big_buffer<double>(size);  // every entry is written
    op.rad = big_buffer<double>(size);
  }
  const Index width = t / GMP_NUMB_BITS + 2;
  // the 16-bit digits of |X| < 2^t: 2·⌈t/32⌉ of them (an even count), at most pow16's rows
  const Index digits = 2 * ((t + 31) / 32);
  if (digits > ps.pow16.rows()) return false;
  const std::vector<long>& emax = op.scale;
  bool ok = true;
  bool any_rad = false;
  // tiles of up to 1024 entries, at least 8 per thread where the operand allows (64 or more
  // entries each): the factors of a Khatri-Rao product have a few thousand entries, and 5 tiles
  // over 2 threads left one idle for a fifth of the time
  int threads = 1;
#ifdef _OPENMP
  threads = omp_in_parallel() ? 1 : omp_get_max_threads();
#endif
  const auto size_index = static_cast<Index>(size);
  const Index kTile =
      std::clamp<Index>((size_index / (8 * threads) + 63) / 64 * 64, Index{64}, Index{1024});
#ifdef _OPENMP
#pragma omp parallel
#endif
  {
    // the residues, in storage order, by tiles: the 16-bit digits of |X| (a tile x digits matrix)
    // times the table 2^(16s) mod q_j is one small exact GEMM (digits·2^16·2^26 < 2^53), then one
    // reduction per residue.
    Entry e;
    std::vector<std::uint32_t> cuts(static_cast<std::size_t>(lines), 0);
    std::vector<Limb> x(static_cast<std::size_t>(width));
    // digits row-major (one entry's digits are written together), residues column-major (one
    // prime's residues are reduced together)
    const Buffer<double> dbuf = big_buffer<double>(static_cast<std::size_t>(kTile * digits));
    const Buffer<double> rbuf = big_buffer<double>(static_cast<std::size_t>(kTile) * R);
    Eigen::Map<Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> dtile(
        dbuf.get(), kTile, digits);
    Eigen::Map<Eigen::MatrixXd> rtile(rbuf.get(), kTile, static_cast<Eigen::Index>(R));
    std::vector<double> sign(static_cast<std::size_t>(kTile));
    const auto total = static_cast<Index>(size);
    const Index tiles = (total + kTile - 1) / kTile;
#ifdef _OPENMP
#pragma omp for schedule(static) reduction(&& : ok) reduction(|| : any_rad)
#endif
    for (Index tile = 0; tile < tiles; ++tile) {
      if (!ok) continue;
      const Index t0 = tile * kTile, t1 = std::min(total, t0 + kTile);
      for (Index idx = t0; idx < t1; ++idx) {
        const Index rr = idx - t0;
        const Index r = idx % rows, c = idx / rows;
        const auto line = static_cast<std::size_t>(lines_are_rows ? r : c);
        const long el = emax[line];
        static_cast<void>(get(idx, e));
        if constexpr (kBall) {
          double rad = 0;
          if (!scaled_mag_upper(get_rad(idx), el, rad)) {
            ok = false;
            break;
          }
          op.rad[static_cast<std::size_t>(idx)] = rad;
          any_rad = any_rad || rad != 0.0;
          op.mag[static_cast<std::size_t>(idx)] = e.zero ? 0.0 : scaled_abs_upper(e, e.exp - el);
        }
        sign[static_cast<std::size_t>(rr)] = e.neg ? -1.0 : 1.0;
        // X = trunc(0.L · 2^(exp - e_line + t)) = trunc(L · 2^sh)
        const long top = e.zero ? 0 : e.exp - el + t;  // bits of X
        std::fill(x.begin(), x.end(), Limb{0});
        if (top <= 0) {
          if (!e.zero) ++cuts[line];
        } else {
          const long sh = top - static_cast<long>(e.n) * GMP_NUMB_BITS;
          if (sh >= 0) {
            const Index ls = sh / GMP_NUMB_BITS;
            const auto bs = static_cast<unsigned>(sh % GMP_NUMB_BITS);
            if (bs == 0) {
              std::copy(e.limbs, e.limbs + e.n, x.begin() + ls);
            } else {
              x[static_cast<std::size_t>(ls + e.n)] = mpn_lshift(x.data() + ls, e.limbs, e.n, bs);
            }
          } else {
            const long rs = -sh;
            const Index ls = rs / GMP_NUMB_BITS;
            const auto bs = static_cast<unsigned>(rs % GMP_NUMB_BITS);
            bool inexact = false;
            for (Index i = 0; i < ls && !inexact; ++i) inexact = e.limbs[i] != 0;
            if (bs != 0 && (e.limbs[ls] & ((Limb{1} << bs) - 1)) != 0) inexact = true;
            const Index keep = e.n - ls;
            if (bs == 0) {
              std::copy(e.limbs + ls, e.limbs + e.n, x.begin());
            } else {
              mpn_rshift(x.data(), e.limbs + ls, keep, bs);
            }
            if (inexact) ++cuts[line];
          }
        }
        double* row = &dtile(rr, 0);
        for (Index d = 0; d < digits; d += 4) {  // digits is even; x has a limb to spare
          const Limb v = x[static_cast<std::size_t>(d / 4)];
          row[d] = static_cast<double>(v & 0xffffU);
          row[d + 1] = static_cast<double>((v >> 16) & 0xffffU);
          if (d + 2 < digits) {
            row[d + 2] = static_cast<double>((v >> 32) & 0xffffU);
            row[d + 3] = static_cast<double>(v >> 48);
          }
        }
      }
      if (!ok) continue;
      const Index len = t1 - t0;
      crt_dgemm(len,
                rtile.cols(),
                digits,
                dtile.data(),
                digits,
                true,
                ps.pow16.data(),
                ps.pow16.rows(),  // its first digits rows
                rtile.data(),
                rtile.rows(),
                false);  // exact
      for (std::size_t j = 0; j < R; ++j) {
        symmetric_residues(rtile.col(static_cast<Eigen::Index>(j)).data(),
                           sign.data(),
                           len,
                           ps.qd[j],
                           ps.qinv[j],
                           op.res.get() + j * size + t0);
      }
    }
#ifdef _OPENMP
#pragma omp critical(locus_crt_cuts)
#endif
    for (std::size_t l = 0; l < cuts.size(); ++l) op.cut[l] += cuts[l];
  }
  op.any_rad = any_rad;
  return ok;
}

// What the product's size and precision fix before the operands are scanned: the largest operand
// width t_max = prec + 8, the largest usable prime and ⌈log2 k⌉ + 1.
struct Plan {
  int t = 0;
  std::uint64_t qmax = 0;
  int log2k = 0;
};

bool plan_for(Index k, long prec, Plan& plan) {
  if (k < 1 || prec < 2 || prec > (1L << 20)) return false;
  // the largest symmetric residue h with k·h² <= 2^53 - 8 (so that mod_q's q·⌊x·qinv⌋ <= |x| + 2
  // stays below 2^53 for every product entry x), q = 2h + 1, and q² < 2^52 for the
  // reconstruction's double products
  const double two53 = 9007199254740992.0;
  auto h = static_cast<std::uint64_t>(std::floor(std::sqrt(two53 / static_cast<double>(k))));
  const auto too_big = [k](std::uint64_t c) {  // k·c² > 2^53 - 8, exactly: c² > ⌊(2^53 - 8)/k⌋
    const std::uint64_t bound = ((std::uint64_t{1} << 53) - 8) / static_cast<std::uint64_t>(k);
    return c > (std::uint64_t{1} << 27) || c * c > bound;
  };
  while (h > 0 && too_big(h)) --h;
  plan.qmax = std::min<std::uint64_t>(2 * h + 1, (1ULL << 26) - 1);
  if (plan.qmax < 4096) return false;
  plan.t = static_cast<int>(prec) + 8;
  if ((plan.t + 31) / 32 > 64)
    return false;  // beyond ~2000 bits: the caller multiplies the old way
  plan.log2k = static_cast<int>(std::ceil(std::log2(static_cast<double>(k)))) + 1;
  return true;
}

// The primes for a product whose integer operands have widths summing to t_sum: M > 2·k·2^t_sum
// (|Σ X·Y| < k·2^t_sum), with the digit table for the widest operand converted (t_widest).
std::shared_ptr<const PrimeSet> primes_for_product(const Plan& plan, int t_sum, int t_widest) {
  return primes_for(
      static_cast<std::uint32_t>(plan.qmax), t_sum + plan.log2k + 2, (t_widest + 31) / 32);
}

// w_j = (Ĉ mod q_j)·y_j mod q_j for every entry of C = A·B and every prime, one exact double GEMM
// per prime; stored [prime][entry]. The primes are shared out among the threads, each with its
// own double copies of the operands and single-threaded GEMMs: for the products of a small
// Hessian a GEMM split across threads spends more on starting and joining than on arithmetic.
// fill_b(j, bbuf) writes B's residues modulo prime j (k x n, column-major) as doubles.
template <class FillB>
Buffer<std::int32_t> residues_of_product(
    const Operand& a, Index m, Index k, Index n, const PrimeSet& ps, const FillB& fill_b) {
  const Index total = m * n;
  const auto R = static_cast<Index>(ps.q.size());
  Buffer<std::int32_t> w = big_buffer<std::int32_t>(ps.q.size() * static_cast<std::size_t>(total));
  const auto asize = m * k, bsize = k * n;
  const auto one_prime = [&](Index j, double* abuf, double* bbuf, double* cbuf) {
    const std::int32_t* ra = a.res.get() + j * asize;
    for (Index i = 0; i < asize; ++i) abuf[i] = ra[i];
    fill_b(j, bbuf);
    crt_dgemm(m, n, k, abuf, m, false, bbuf, k, cbuf, m, false);  // exact: integer sums < 2^53
    const auto uj = static_cast<std::size_t>(j);
    weighted_residues(cbuf, total, ps.qd[uj], ps.qinv[uj], ps.yd[uj], w.get() + j * total);
  };
  int threads = 1;
#ifdef _OPENMP
  if (!omp_in_parallel()) threads = static_cast<int>(std::min<Index>(omp_get_max_threads(), R));
#endif
  // every thread's buffers allocated here: nothing may throw inside the parallel region
  std::vector<Buffer<double>> abuf, bbuf, cbuf;
  for (int i = 0; i < threads; ++i) {
    abuf.push_back(big_buffer<double>(static_cast<std::size_t>(asize)));
    bbuf.push_back(big_buffer<double>(static_cast<std::size_t>(bsize)));
    cbuf.push_back(big_buffer<double>(static_cast<std::size_t>(total)));
  }
#ifdef _OPENMP
#pragma omp parallel num_threads(threads) if (threads > 1)
#endif
  {
    std::size_t me = 0;
#ifdef _OPENMP
    me = static_cast<std::size_t>(omp_get_thread_num());
#endif
    // Eigen runs its GEMM on one thread inside this parallel region
#ifdef _OPENMP
#pragma omp for schedule(dynamic)
#endif
    for (Index j = 0; j < R; ++j) one_prime(j, abuf[me].get(), bbuf[me].get(), cbuf[me].get());
  }
  return w;
}

// The same with B a converted operand.
Buffer<std::int32_t> residues_of_product(
    const Operand& a, const Operand& b, Index m, Index k, Index n, const PrimeSet& ps) {
  const auto bsize = k * n;
  return residues_of_product(a, m, k, n, ps, [&b, bsize](Index j, double* bbuf) {
    const std::int32_t* rb = b.res.get() + j * bsize;
    for (Index i = 0; i < bsize; ++i) bbuf[i] = rb[i];
  });
}

// For every entry: S = Σ_j w_j·(M/q_j), as 16-bit digit sums (a tile x R by R x D exact double
// GEMM: each sum is below R·2^26·2^16 < 2^53), carried into limbs, reduced modulo M into
// (-M/2, M/2], scaled by 2^(e_i + f_j - t_A - t_B), and handed to write.
template <class Write>
void write_results(const Operand& a,
                   const Operand& b,
                   Index m,
                   Index n,
                   const PrimeSet& ps,
                   const Buffer<std::int32_t>& w,
                   Write write) {
  const Index la = ps.acc_limbs;
  const auto nm = ps.big_m.size();
  const Index total = m * n;
  const auto R = static_cast<Index>(ps.q.size());
  const Index digits = ps.mdig_t.rows() - 1;  // and one more row: Σ_j w_j/q_j
  constexpr Index kTile = 512;
  const Index tiles = (total + kTile - 1) / kTile;
#ifdef _OPENMP
#pragma omp parallel
#endif
  {
    std::vector<Limb> out(nm + 1), acc(static_cast<std::size_t>(la));
    // one column per entry of the tile: its R weighted residues, then its digit sums, so that an
    // entry's digits are read from one place
    const Buffer<double> wbuf = big_buffer<double>(static_cast<std::size_t>(kTile * R));
    const Buffer<double> gbuf = big_buffer<double>(static_cast<std::size_t>(kTile * (digits + 1)));
    Eigen::Map<Eigen::MatrixXd> wt(wbuf.get(), R, kTile), g(gbuf.get(), digits + 1, kTile);
#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
    for (Index tile = 0; tile < tiles; ++tile) {
      const Index t0 = tile * kTile, len = std::min(kTile, total - t0);
      for (Index r = 0; r < len; ++r) {
        for (Index j = 0; j < R; ++j) wt(j, r) = w[static_cast<std::size_t>(j * total + t0 + r)];
      }
      // exact: digit sums below R·2^26·2^16 < 2^53 (the last row, Σ_j w_j/q_j, is not)
      crt_dgemm(digits + 1,
                len,
                R,
                ps.mdig_t.data(),
                digits + 1,
                false,
                wt.data(),
                R,
                g.data(),
                digits + 1,
                false);
      for (Index r = 0; r < len; ++r) {
        // a limb at a time: its four digit sums (each < 2^53), shifted into place, plus the carry
        // (< 2^40) sum to less than 2^102 in 128 bits
        U128 carry = 0;
        for (Index l = 0; l < digits / 4; ++l) {
          const Index d = 4 * l;
          // through signed 64 bits: one instruction (a double converts to 128 bits, or to
          // unsigned 64, only by a call or a branch)
          const auto digit = [&](Index dd) {
            return static_cast<U128>(static_cast<std::int64_t>(g(dd, r)));
          };
          const U128 sum =
              carry + digit(d) + (digit(d + 1) << 16) + (digit(d + 2) << 32) + (digit(d + 3) << 48);
          acc[static_cast<std::size_t>(l)] = static_cast<Limb>(sum);
          carry = sum >> 64;
        }
        for (Index l = digits / 4; l < la; ++l) {
          acc[static_cast<std::size_t>(l)] = static_cast<Limb>(carry);
          carry >>= 64;
        }
        const Index idx = t0 + r;
        const Index i = idx % m, j = idx / m;
        mp_size_t size = 0;
        // the integer ≡ S (mod M) in (-M/2, M/2]; g(digits, r) = Σ_j w_j/q_j estimates S/M
        symmetric_remainder(acc.data(),
                            ps.big_m.data(),
                            ps.half_m.data(),
                            static_cast<mp_size_t>(nm),
                            g(digits, r),
                            out.data(),
                            size);
        mpz_t z;
        mpz_roinit_n(z, out.data(), size);
        const long exp = a.scale[static_cast<std::size_t>(i)] +
                         b.scale[static_cast<std::size_t>(j)] - static_cast<long>(a.t) - b.t;
        write(idx, i, j, z, exp);
      }
    }
  }
}

}  // namespace

void symmetric_remainder(mp_limb_t* s,
                         const mp_limb_t* m,
                         const mp_limb_t* half_m,
                         mp_size_t nm,
                         double quotient,
                         mp_limb_t* out,
                         mp_size_t& size) {
  const double fk = std::floor(quotient);
  const Limb k = fk > 0 ? static_cast<Limb>(fk) : Limb{0};
  // S - k·M over the nm + 1 limbs of S; a borrow out of the top limb means S < k·M (k one too
  // large)
  const Limb high = mpn_submul_1(s, m, nm, k);
  Limb top = s[nm];
  const bool negative = top < high;
  top -= high;
  if (negative) {  // add M back: the value was in [-M, 0)
    const Limb carry = mpn_add_n(s, s, m, nm);
    top += carry;                                   // wraps to 0
  } else if (top != 0 || mpn_cmp(s, m, nm) >= 0) {  // k one too small
    const Limb borrow = mpn_sub_n(s, s, m, nm);
    top -= borrow;
  }
  static_cast<void>(top);  // 0 here: the remainder is below M
  std::copy(s, s + nm, out);
  if (mpn_cmp(out, half_m, nm) > 0) {
    mpn_sub_n(out, m, out, nm);  // |value| = M - r
    mp_size_t n = nm;
    while (n > 0 && out[n - 1] == 0) --n;
    size = -n;
  } else {
    mp_size_t n = nm;
    while (n > 0 && out[n - 1] == 0) --n;
    size = n;
  }
}

namespace {

// err += count·2^shift (part is scratch).
void add_cut_bound(mag_t err, mag_t part, std::uint32_t count, long shift) {
  if (count == 0) return;
  mag_set_ui(part, count);
  mag_mul_2exp_si(part, part, shift);
  mag_add(err, err, part);
}

// The MPFR results from the residues w of C = A·B (m x n): each rounded to nearest.
void write_mpfr(mpfr_ptr const* c,
                const Operand& oa,
                const Operand& ob,
                Index m,
                Index n,
                const PrimeSet& ps,
                const Buffer<std::int32_t>& w) {
  write_results(oa, ob, m, n, ps, w, [c](Index idx, Index, Index, const mpz_t z, long exp) {
    mpfr_set_z_2exp(c[idx], z, exp, MPFR_RNDN);
  });
}

// The ball results from the residues w of C = A·B (m x k by k x n): the midpoints rounded down to
// prec bits; the radii hold that rounding, the cuts and the operands' radii.
void write_balls(arb_ptr const* c,
                 const Operand& oa,
                 const Operand& ob,
                 Index m,
                 Index k,
                 Index n,
                 const PrimeSet& ps,
                 const Buffer<std::int32_t>& w,
                 long prec) {
  // The radii: Σ_l |mid a|·rad b + rad a·(|mid b| + rad b) ≤ (|mid A| + rad A)·rad B + rad A·|mid B|,
  // scaled by 2^-(e_i + f_j), by double GEMMs of nonnegative numbers (accounted for below).
  const Buffer<double> rbuf = big_buffer<double>(static_cast<std::size_t>(m * n));
  Eigen::Map<Eigen::MatrixXd> radius(rbuf.get(), m, n);
  radius.setZero();
  if (ob.any_rad) {
    Eigen::Map<const Eigen::MatrixXd> ma(oa.mag.get(), m, k), ra(oa.rad.get(), m, k);
    const Buffer<double> sbuf = big_buffer<double>(static_cast<std::size_t>(m * k));
    Eigen::Map<Eigen::MatrixXd> sum(sbuf.get(), m, k);
    sum = ma + ra;
    crt_dgemm(m, n, k, sum.data(), m, false, ob.rad.get(), k, radius.data(), m, true);
  }
  if (oa.any_rad) {
    crt_dgemm(m, n, k, oa.rad.get(), m, false, ob.mag.get(), k, radius.data(), m, true);
  }
  // Each of the ≤ 2k + 1 roundings of a sum of nonnegative terms loses at most a factor (1 + 2^-53),
  // each underflow at most 2^-1074: 3k·2^-53 and 2^-1000 cover both.
  const double grow = 1.0 + 3.0 * static_cast<double>(k + 1) * std::ldexp(1.0, -53);
  const double floor_abs = (oa.any_rad || ob.any_rad) ? std::ldexp(1.0, -1000) : 0.0;
  // Whether some term of entry (i, j)'s radius sum is nonzero: a zero sum of nonzero terms may be
  // underflow (so 2^-1000 is added), one of exact zeros is not (an exact result stays exact).
  // Looked at only where the sum came out zero.
  const auto some_term = [&](Index i, Index j) {
    for (Index l = 0; l < k; ++l) {
      const auto ia = static_cast<std::size_t>(i + l * m), ib = static_cast<std::size_t>(l + j * k);
      if (ob.any_rad && ob.rad[ib] != 0.0 && (oa.mag[ia] != 0.0 || oa.rad[ia] != 0.0)) return true;
      if (oa.any_rad && oa.rad[ia] != 0.0 && ob.mag[ib] != 0.0) return true;
    }
    return false;
  };
  write_results(oa, ob, m, n, ps, w, [&](Index idx, Index i, Index j, const mpz_t z, long exp) {
    // the midpoint rounded down to prec bits, the rounding (< 1 ulp) into the radius; no
    // fmpz temporaries (FLINT caches freed big fmpz per thread, and OpenMP threads persist)
    arf_ptr mid = arb_midref(c[idx]);
    const int inexact = arf_set_round_mpz(mid, z, prec, ARF_RND_DOWN);
    arf_mul_2exp_si(mid, mid, exp);
    const long ef = oa.scale[static_cast<std::size_t>(i)] + ob.scale[static_cast<std::size_t>(j)];
    const std::uint32_t cut_a = oa.cut[static_cast<std::size_t>(i)];
    const std::uint32_t cut_b = ob.cut[static_cast<std::size_t>(j)];
    const std::uint32_t cut_b2 = ob.cut2.empty() ? 0 : ob.cut2[static_cast<std::size_t>(j)];
    const double r = radius(i, j);
    const double floor_ij = floor_abs != 0.0 && (r != 0.0 || some_term(i, j)) ? floor_abs : 0.0;
    mag_ptr rad = arb_radref(c[idx]);
    if (!std::isfinite(r)) {
      mag_inf(rad);
      return;
    }
    if (prec <= 900 && (inexact == 0 || !COEFF_IS_MPZ(ARF_EXP(mid)))) {
      // Every part of the radius scaled by 2^-ef, as nonnegative doubles: the GEMM bound, the
      // cuts (below; cut_t <= prec + 8 <= 908, so 2^-cut_t is a normal double and count·2^-cut_t
      // exact), and the rounding of the midpoint, ulp = 2^(E - prec) for the midpoint's exponent E
      // (E - ef <= log2 k + 1, and 2^-1000 bounds a smaller one). Four additions rounded to
      // nearest lose less than a factor (1 + 2^-50); mag_set_d rounds up.
      double total = r != 0.0 || floor_ij != 0.0 ? r * grow + floor_ij : 0.0;
      if (cut_a != 0) total += static_cast<double>(cut_a) * pow2(-oa.cut_t);
      if (cut_b != 0) total += static_cast<double>(cut_b) * pow2(-ob.cut_t);
      if (cut_b2 != 0) total += static_cast<double>(cut_b2) * pow2(-ob.cut2_t);
      if (inexact != 0) total += pow2(std::max(ARF_EXP(mid) - prec - ef, -1000L));
      if (total == 0.0) {
        mag_zero(rad);
      } else {
        mag_set_d(rad, total * (1.0 + std::ldexp(1.0, -50)));
        mag_mul_2exp_si(rad, rad, ef);
      }
      return;
    }
    if (inexact != 0) {
      arf_mag_set_ulp(rad, mid, prec);
    } else {
      mag_zero(rad);
    }
    mag_t err, part;
    mag_init(err);
    mag_init(part);
    // Σ |a - ã||b| + |ã||b - b̃| < cut_i·2^(e_i + f_j - t_A) + cut_j·2^(e_i + f_j - t_B), with
    // two kinds of cut for a Khatri-Rao B
    add_cut_bound(err, part, cut_a, ef - oa.cut_t);
    add_cut_bound(err, part, cut_b, ef - ob.cut_t);
    add_cut_bound(err, part, cut_b2, ef - ob.cut2_t);
    if (r != 0.0 || floor_ij != 0.0) {
      mag_set_d(part, r * grow + floor_ij);
      mag_mul_2exp_si(part, part, ef);
      mag_add(err, err, part);
    }
    if (!mag_is_zero(err)) arb_add_error_mag(c[idx], err);
    mag_clear(err);
    mag_clear(part);
  });
}

// A right operand B (k x n) that is a Khatri-Rao product of two converted operands x (k x qx) and
// y (k x ky): column col of B is column pairs[2 col] of x times column pairs[2 col + 1] of y, entry
// by entry. Its lines are its columns, with scale e_q + e_kk (|x·y| < 2^(e_q + e_kk)) and width
// t_x + t_y: the integers X̂·Ŷ are B's, exactly, |X̂·Ŷ| < 2^(t_x + t_y). A cut entry of x moves the
// product by less than 2^(e_q - t_x)·2^e_kk, one of y by less than 2^e_q·2^(e_kk - t_y) (|x̃| <= |x|):
// two kinds of cut. Balls: the midpoint of B is the exact product of the midpoints, and every
// product of points of the balls lies within |x̂|·r_y + r_x·|ŷ| + r_x·r_y of it; the scaled bounds
// of both are products of x's and y's, rounded up (× (1 + 2^-50), plus 2^-1060 for underflow).
void khatri_rao_operand(Operand& b,
                        const Operand& x,
                        const Operand& y,
                        Index k,
                        const std::int64_t* pairs,
                        Index n,
                        bool ball) {
  b.t = x.t + y.t;
  b.scale.resize(static_cast<std::size_t>(n));
  b.cut.resize(static_cast<std::size_t>(n));
  b.cut2.resize(static_cast<std::size_t>(n));
  b.cut_t = x.t;
  b.cut2_t = y.t;
  for (Index col = 0; col < n; ++col) {
    const auto q = static_cast<std::size_t>(pairs[2 * col]);
    const auto kk = static_cast<std::size_t>(pairs[2 * col + 1]);
    const auto uc = static_cast<std::size_t>(col);
    b.scale[uc] = x.scale[q] + y.scale[kk];
    b.cut[uc] = x.cut[q];
    b.cut2[uc] = y.cut[kk];
  }
  b.any_rad = x.any_rad || y.any_rad;
  if (!ball) return;
  b.mag = big_buffer<double>(static_cast<std::size_t>(k * n));
  b.rad = big_buffer<double>(static_cast<std::size_t>(k * n));
  const double up = 1.0 + std::ldexp(1.0, -50);
  const double tiny = std::ldexp(1.0, -1060);
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (k * n > 65536 && !omp_in_parallel())
#endif
  for (Index col = 0; col < n; ++col) {
    const Index q = pairs[2 * col], kk = pairs[2 * col + 1];
    const double* mx = x.mag.get() + q * k;
    const double* my = y.mag.get() + kk * k;
    const double* rx = x.rad.get() + q * k;
    const double* ry = y.rad.get() + kk * k;
    double* mb = b.mag.get() + col * k;
    double* rb = b.rad.get() + col * k;
    for (Index l = 0; l < k; ++l) {
      // bounds of exact zeros stay zero (an exact zero times a ball with a radius is exact)
      mb[l] = mx[l] == 0.0 || my[l] == 0.0 ? 0.0 : mx[l] * my[l] * up + tiny;
      const bool rzero =
          (mx[l] == 0.0 || ry[l] == 0.0) && (rx[l] == 0.0 || (my[l] == 0.0 && ry[l] == 0.0));
      rb[l] = b.any_rad && !rzero ? (mx[l] * ry[l] + rx[l] * (my[l] + ry[l])) * up + tiny : 0.0;
    }
  }
}

// C = A·B for a Khatri-Rao B (khatri_rao_operand) of the factors x and y: the factors are scanned
// and converted, never B itself; B's residues modulo each prime are products of theirs. x and y
// may be the same matrix (same), converted once. write(oa, ob, ps, w) writes the results.
template <class GetA, class GetX, class GetY, class RadA, class RadX, class RadY, class Write>
bool khatri_rao_product(Index m,
                        Index k,
                        Index qx,
                        Index ky,
                        const std::int64_t* pairs,
                        Index n,
                        bool same,
                        long prec,
                        GetA get_a,
                        GetX get_x,
                        GetY get_y,
                        RadA rad_a,
                        RadX rad_x,
                        RadY rad_y,
                        Write write) {
  if (m <= 0 || n <= 0 || k <= 0 || qx <= 0 || ky <= 0) return false;
  constexpr bool kBall = !std::is_same_v<decltype(rad_a(Index{0})), std::nullptr_t>;
  Plan plan;
  if (!plan_for(k, prec, plan)) return false;
  Operand oa, ox, oy_own;
  if (!scan(ox, k, qx, false, plan.t, get_x)) return false;
  if (!same && !scan(oy_own, k, ky, false, plan.t, get_y)) return false;
  const Operand& oy = same ? ox : oy_own;
  // Worthwhile? Per entry of B, forming it costs a rounded product and a conversion, measured at
  // about the time of 3000 GEMM terms; this way costs the extra primes for B's wider integers (m
  // GEMM terms each) and one modular product per prime (~16 terms). So it pays for small m or
  // narrow factors (the P = 371 Hessian's blocks, m <= 256), not for the wide blocks of large
  // Hessians (m in the thousands), where the caller forms B.
  const double bits_per_prime = std::log2(static_cast<double>(plan.qmax));
  const int extra_bits = ox.t + oy.t - std::min(ox.t + oy.t, plan.t);
  const double kr_primes = (plan.t + ox.t + oy.t + plan.log2k + 2) / bits_per_prime;
  if (extra_bits / bits_per_prime * static_cast<double>(m) + 16.0 * kr_primes > 3000.0)
    return false;
  if (!scan(oa, m, k, true, plan.t, get_a)) return false;
  const auto primes = primes_for_product(plan, oa.t + ox.t + oy.t, std::max({oa.t, ox.t, oy.t}));
  if (primes == nullptr) return false;
  const PrimeSet& ps = *primes;
  if (!convert(oa, m, k, true, ps, get_a, rad_a) || !convert(ox, k, qx, false, ps, get_x, rad_x))
    return false;
  if (!same && !convert(oy_own, k, ky, false, ps, get_y, rad_y)) return false;
  Operand ob;
  khatri_rao_operand(ob, ox, oy, k, pairs, n, kBall);
  const auto w = residues_of_product(oa, m, k, n, ps, [&](Index j, double* bbuf) {
    const auto uj = static_cast<std::size_t>(j);
    const std::int32_t* rx = ox.res.get() + j * k * qx;
    const std::int32_t* ry = oy.res.get() + j * k * ky;
    for (Index col = 0; col < n; ++col) {
      product_residues(rx + pairs[2 * col] * k,
                       ry + pairs[2 * col + 1] * k,
                       k,
                       ps.qd[uj],
                       ps.qinv[uj],
                       bbuf + col * k);
    }
  });
  write(oa, ob, ps, w);
  return true;
}

// Arb magnitudes, cleared when the holder goes.
class MagArray {
 public:
  explicit MagArray(std::size_t n) : v_(n) {
    for (auto& x : v_) mag_init(&x);
  }
  ~MagArray() {
    for (auto& x : v_) mag_clear(&x);
  }
  MagArray(const MagArray&) = delete;
  MagArray& operator=(const MagArray&) = delete;
  mag_struct* operator[](std::size_t i) { return &v_[i]; }

 private:
  std::vector<mag_struct> v_;
};

// An upper bound of 2^-t for t >= 0 (2^-1000 for every t > 1000).
inline double pow2_neg_upper(int t) {
  return pow2(-std::min(t, 1000));
}

// C = A·B for a right factor B (k x n) = (E·V) ⊙ (x ⊙ y) in G groups of columns (G divides n,
// nv = n/G): E k x (G·r), V r x nv, x k x qx, y k x ky or absent (has_y false: y = 1), and for
// column j = g·nv + v of B
//   B(l, j) = (Σ_c E(l, g·r + c)·V(c, v))·x(l, pairs[2j])·y(l, pairs[2j + 1])
// (docs/math/crt-products.md, "Hadamard right factors"; G = 1 is one product E·V). B is never
// formed: E, V, x and y are converted, and B's residues modulo each prime are the residues of
// the products E_g·V (exact double GEMMs of depth r <= k) times those of x and y. E's lines are
// its columns (g, c); V is converted once per group, its row c scaled by 2^(e_(g,c)) (exactly),
// e_(g,c) E's scale, so that the sum over c has one scale per column j of B:
// Σ_c Ê(l, g·r + c)·V̂_g(c, v) = (Ẽ_g·Ṽ)(l, v)·2^(t_E + t_V - e'_j). Then
// |B̂| < r·2^(t_E + t_V + t_x + t_y), and B's scale carries ⌈log2 r⌉ more bits so that
// |B̃| < 2^(its scale) (what the cut bound of A assumes). The cuts of E, V, x and y are not counted
// as cuts of B: for balls they go into B's radius with the operands' radii (each cut entry of a
// line moves it by less than one unit of the line's scale); for MPFR the result is the rounding
// of Σ ã·b̃, b̃ = (Ẽ_g·Ṽ)·x̃·ỹ.
template <class GetA,
          class GetE,
          class GetV,
          class GetX,
          class GetY,
          class RadA,
          class RadE,
          class RadV,
          class RadX,
          class RadY,
          class Write>
bool hadamard_product(Index m,
                      Index k,
                      const HadamardShape& shape,
                      bool same,
                      bool has_y,
                      long prec,
                      GetA get_a,
                      GetE get_e,
                      GetV get_v,
                      GetX get_x,
                      GetY get_y,
                      RadA rad_a,
                      RadE rad_e,
                      RadV rad_v,
                      RadX rad_x,
                      RadY rad_y,
                      Write write) {
  const Index r = shape.r, groups = shape.groups, e_stored = shape.e_stored, qx = shape.qx,
              ky = shape.ky, n = shape.n;
  const std::int64_t *e_map = shape.e_map, *pairs = shape.pairs;
  if (m <= 0 || n <= 0 || k <= 0 || r <= 0 || r > k || qx <= 0 || (has_y && ky <= 0) ||
      groups <= 0 || n % groups != 0 || e_stored <= 0)
    return false;
  if (!has_y) same = false;
  const Index nv = n / groups;  // V's columns
  const Index re = groups * r;  // E's columns
  if (e_map == nullptr && e_stored != re) return false;
  if (e_map != nullptr) {
    for (Index ec = 0; ec < re; ++ec) {
      if (e_map[ec] < 0 || e_map[ec] >= e_stored) return false;
    }
  }
  // the stored column of E's column ec (columns with the same numbers are stored once)
  const auto stored = [e_map](Index ec) -> Index { return e_map != nullptr ? e_map[ec] : ec; };
  constexpr bool kBall = !std::is_same_v<decltype(rad_a(Index{0})), std::nullptr_t>;
  Plan plan;
  if (!plan_for(k, prec, plan)) return false;  // depth k: the sums over c (r <= k terms) fit too
  Operand oa, oe, ov, ox, oy_own;
  if (!scan(oe, k, e_stored, false, plan.t, get_e)) return false;
  // V as converted: r x n, its column g·nv + v being V's column v for the group g, row c scaled
  // by 2^(e_(g,c))
  const auto v_index = [r, nv](Index idx) { return idx % r + (idx / r % nv) * r; };
  const auto e_column = [r, nv, &stored](Index idx) {
    return stored((idx / r / nv) * r + idx % r);
  };
  const auto get_v_shifted = [&](Index idx, Entry& e) {
    if (!get_v(v_index(idx), e)) return false;
    if (!e.zero) e.exp += oe.scale[static_cast<std::size_t>(e_column(idx))];
    return true;
  };
  if (!scan(ov, r, n, false, plan.t, get_v_shifted)) return false;
  if (!scan(ox, k, qx, false, plan.t, get_x)) return false;
  if (has_y && !same && !scan(oy_own, k, ky, false, plan.t, get_y)) return false;
  const Operand& oy = same ? ox : oy_own;
  if (!scan(oa, m, k, true, plan.t, get_a)) return false;
  int pad = 0;
  while ((Index{1} << pad) < r) ++pad;
  const int ty = has_y ? oy.t : 0;
  const int tb = oe.t + ov.t + ox.t + ty + pad;
  const auto primes = primes_for_product(plan, oa.t + tb, std::max({oa.t, oe.t, ov.t, ox.t, ty}));
  if (primes == nullptr) return false;
  const PrimeSet& ps = *primes;
  // V's radii in the same frame as its midpoints: scaled by 2^(e_(g,c))
  std::unique_ptr<MagArray> v_radii;
  if constexpr (kBall) {
    v_radii = std::make_unique<MagArray>(static_cast<std::size_t>(r * n));
    for (Index idx = 0; idx < r * n; ++idx) {
      mag_mul_2exp_si((*v_radii)[static_cast<std::size_t>(idx)],
                      rad_v(v_index(idx)),
                      oe.scale[static_cast<std::size_t>(e_column(idx))]);
    }
  }
  const auto rad_v_shifted = [&](Index idx) {
    if constexpr (kBall) {
      return static_cast<const mag_struct*>((*v_radii)[static_cast<std::size_t>(idx)]);
    } else {
      return rad_v(v_index(idx));
    }
  };
  if (!convert(oa, m, k, true, ps, get_a, rad_a) ||
      !convert(oe, k, e_stored, false, ps, get_e, rad_e) ||
      !convert(ov, r, n, false, ps, get_v_shifted, rad_v_shifted) ||
      !convert(ox, k, qx, false, ps, get_x, rad_x))
    return false;
  if (has_y && !same && !convert(oy_own, k, ky, false, ps, get_y, rad_y)) return false;
  const auto y_column = [&](Index col) -> Index { return has_y ? pairs[2 * col + 1] : 0; };
  Operand ob;
  ob.t = tb;
  ob.scale.resize(static_cast<std::size_t>(n));
  ob.cut.assign(static_cast<std::size_t>(n), 0);
  ob.cut_t = tb;
  for (Index col = 0; col < n; ++col) {
    ob.scale[static_cast<std::size_t>(col)] =
        ov.scale[static_cast<std::size_t>(col)] +
        ox.scale[static_cast<std::size_t>(pairs[2 * col])] +
        (has_y ? oy.scale[static_cast<std::size_t>(y_column(col))] : 0) + pad;
  }
  if constexpr (kBall) {
    // In units of the lines' scales: δ = radius + (one unit of the line, where the line has a
    // cut entry); |E_g·V - Ẽ_g·Ṽ| <= δ_E·(|Ṽ| + δ_V) + |Ẽ|·δ_V and |Ẽ_g·Ṽ| <= |Ẽ|·|Ṽ| by double
    // GEMMs of nonnegative numbers (each sum of at most 2r terms within a factor
    // 1 + 3(2r + 1)·2^-53 of its value; underflows below 2^-1000 in all); then
    //   |B - B̃| <= ρ_EV·(|x̃||ỹ| + ρ_xy) + |Ẽ_g·Ṽ|·ρ_xy,  ρ_xy = δ_x·(|ỹ| + δ_y) + |x̃|·δ_y,
    // (|ỹ| = 1, δ_y = 0 without y) times 2^-pad, each rounded up (× (1 + 2^-48) for the few
    // roundings, plus 2^-1000). Exact operands (no radius, no cut entry) give an exact B: no
    // radius, as for the others.
    const auto any_cut = [](const Operand& op) {
      return std::any_of(op.cut.begin(), op.cut.end(), [](std::uint32_t v) { return v != 0; });
    };
    ob.any_rad = oe.any_rad || ov.any_rad || ox.any_rad || any_cut(oe) || any_cut(ov) ||
                 any_cut(ox) || (has_y && (oy.any_rad || any_cut(oy)));
    // left: group g's columns g·2r.. (k x 2r): δ_E then |Ẽ|; right (2r x n): |Ṽ| + δ_V then δ_V;
    // and their 0/1 patterns. Scratch from the pool (no fresh pages per product), filled and
    // multiplied on every thread.
    const auto count = [](Index rows, Index cols) { return static_cast<std::size_t>(rows * cols); };
    Buffer<double> left = big_buffer<double>(count(k, 2 * re)),
                   left_nz = big_buffer<double>(count(k, 2 * re)),
                   right = big_buffer<double>(count(2 * r, n)),
                   right_nz = big_buffer<double>(count(2 * r, n)),
                   iv = big_buffer<double>(count(r, n)), rho = big_buffer<double>(count(k, n)),
                   mag_ev = big_buffer<double>(count(k, n)),
                   support = big_buffer<double>(count(k, n)),
                   rho_support = big_buffer<double>(count(k, n));
    const double cut_e = pow2_neg_upper(oe.t), cut_v = pow2_neg_upper(ov.t);
    const auto nz = [](double v) { return v != 0.0 ? 1.0 : 0.0; };
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (Index ec = 0; ec < re; ++ec) {  // E's column (g, c)
      const Index g = ec / r, c = ec % r;
      const Index se = stored(ec);
      const double unit = oe.cut[static_cast<std::size_t>(se)] != 0 ? cut_e : 0.0;
      double* lr = left.get() + (2 * g * r + c) * k;
      double* lm = lr + r * k;
      double* nr = left_nz.get() + (2 * g * r + c) * k;
      double* nm = nr + r * k;
      for (Index l = 0; l < k; ++l) {
        const auto idx = static_cast<std::size_t>(l + se * k);
        lr[l] = oe.rad[idx] + unit;
        lm[l] = oe.mag[idx];
        nr[l] = nz(lr[l]);
        nm[l] = nz(lm[l]);
      }
    }
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (Index col = 0; col < n; ++col) {
      const double unit = ov.cut[static_cast<std::size_t>(col)] != 0 ? cut_v : 0.0;
      for (Index c = 0; c < r; ++c) {
        const auto idx = static_cast<std::size_t>(c + col * r);
        const double dv = ov.rad[idx] + unit;
        const auto i1 = static_cast<std::size_t>(c + col * 2 * r),
                   i2 = static_cast<std::size_t>(r + c + col * 2 * r);
        right[i1] = ov.mag[idx] + dv;
        right[i2] = dv;
        right_nz[i1] = nz(right[i1]);
        right_nz[i2] = nz(dv);
        iv[idx] = nz(ov.mag[idx]);
      }
    }
    // per group: ρ_EV, μ_EV, and which of them are sums of exact zeros (mag 0 exactly): those
    // stay exact zeros, where the bound above could have underflowed instead
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic)
#endif
    for (Index g = 0; g < groups; ++g) {
      // the group's block of left (k x depth) times its columns of a depth x n right factor
      const auto group_product = [&](const double* lg, const double* rf, Index depth, double* out) {
        crt_dgemm(
            k, nv, depth, lg, k, false, rf + g * nv * depth, depth, out + g * nv * k, k, false);
      };
      const double* lg = left.get() + 2 * g * r * k;     // δ_E, then |Ẽ_g| (r columns each)
      const double* ng = left_nz.get() + 2 * g * r * k;  // their 0/1 patterns
      group_product(lg, right.get(), 2 * r, rho.get());  // ρ_EV
      group_product(lg + r * k, ov.mag.get(), r, mag_ev.get());  // μ_EV
      group_product(ng + r * k, iv.get(), r, support.get());
      group_product(ng, right_nz.get(), 2 * r, rho_support.get());
    }
    const double grow = 1.0 + 3.0 * static_cast<double>(2 * r + 1) * std::ldexp(1.0, -53);
    const double up = 1.0 + std::ldexp(1.0, -48);
    const double tiny = std::ldexp(1.0, -1000);
    const double unpad = std::ldexp(1.0, -pad);
    const double cut_x = pow2_neg_upper(ox.t), cut_y = has_y ? pow2_neg_upper(oy.t) : 0.0;
    ob.mag = big_buffer<double>(static_cast<std::size_t>(k * n));
    ob.rad = big_buffer<double>(static_cast<std::size_t>(k * n));
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (Index col = 0; col < n; ++col) {
      const Index p = pairs[2 * col], q = y_column(col);
      const double ux = ox.cut[static_cast<std::size_t>(p)] != 0 ? cut_x : 0.0;
      const double uy = has_y && oy.cut[static_cast<std::size_t>(q)] != 0 ? cut_y : 0.0;
      for (Index l = 0; l < k; ++l) {
        const auto ix = static_cast<std::size_t>(l + p * k),
                   iy = static_cast<std::size_t>(l + q * k);
        const double mx = ox.mag[ix], my = has_y ? oy.mag[iy] : 1.0;
        const double dx = ox.rad[ix] + ux, dy = has_y ? oy.rad[iy] + uy : 0.0;
        const auto out = static_cast<std::size_t>(l + col * k);
        // which bounds are sums of exact zeros (they stay zero; the others may have underflowed,
        // hence the 2^-1000 added)
        const bool ev_zero = support[out] == 0.0, rho_ev_zero = rho_support[out] == 0.0;
        const bool xy_zero = mx == 0.0 || my == 0.0;
        const bool rho_xy_zero =
            (dx == 0.0 || (my == 0.0 && dy == 0.0)) && (mx == 0.0 || dy == 0.0);
        const double rho_xy = dx * (my + dy) + mx * dy;
        const double m_ev = ev_zero ? 0.0 : mag_ev[out] * grow + tiny;
        const double r_ev = rho_ev_zero ? 0.0 : rho[out] * grow + tiny;
        ob.mag[out] = ev_zero || xy_zero ? 0.0 : m_ev * mx * my * unpad * up + tiny;
        const bool rad_zero = (rho_ev_zero || (xy_zero && rho_xy_zero)) && (ev_zero || rho_xy_zero);
        ob.rad[out] = ob.any_rad && !rad_zero
                          ? (r_ev * (mx * my + rho_xy) + m_ev * rho_xy) * unpad * up + tiny
                          : 0.0;
      }
    }
  }
  // scratch for E's and V's residues as doubles, one pair per thread
  int threads = 1;
#ifdef _OPENMP
  threads = omp_get_max_threads();
#endif
  std::vector<Buffer<double>> ebuf, vbuf;
  for (int i = 0; i < threads; ++i) {
    ebuf.push_back(big_buffer<double>(static_cast<std::size_t>(k * re)));
    vbuf.push_back(big_buffer<double>(static_cast<std::size_t>(r * n)));
  }
  const auto w = residues_of_product(oa, m, k, n, ps, [&](Index j, double* bbuf) {
    std::size_t me = 0;
#ifdef _OPENMP
    me = static_cast<std::size_t>(omp_get_thread_num());
#endif
    const auto uj = static_cast<std::size_t>(j);
    const std::int32_t* rep = oe.res.get() + j * k * e_stored;
    const std::int32_t* rv = ov.res.get() + j * r * n;
    double* eb = ebuf[me].get();
    double* vb = vbuf[me].get();
    for (Index ec = 0; ec < re; ++ec) {
      const std::int32_t* from = rep + stored(ec) * k;
      double* to = eb + ec * k;
      for (Index l = 0; l < k; ++l) to[l] = from[l];
    }
    for (Index i = 0; i < r * n; ++i) vb[i] = rv[i];
    // exact: r <= k terms below h^2 each, k·h^2 <= 2^53 - 8 (plan_for)
    for (Index g = 0; g < groups; ++g)
      crt_dgemm(
          k, nv, r, eb + g * r * k, k, false, vb + g * nv * r, r, bbuf + g * nv * k, k, false);
    const std::int32_t* rx = ox.res.get() + j * k * qx;
    const std::int32_t* ry = has_y ? oy.res.get() + j * k * ky : nullptr;
    for (Index col = 0; col < n; ++col) {
      hadamard_residues(bbuf + col * k,
                        rx + pairs[2 * col] * k,
                        has_y ? ry + pairs[2 * col + 1] * k : nullptr,
                        k,
                        ps.qd[uj],
                        ps.qinv[uj]);
    }
  });
  write(oa, ob, ps, w);
  return true;
}

// C = A·B (m x k by k x n) for converted operands A and B: get_a, get_b read their entries,
// rad_a, rad_b their radii (balls) or nullptr; write(oa, ob, ps, w) writes the results.
template <class GetA, class GetB, class RadA, class RadB, class Write>
bool plain_product(Index m,
                   Index k,
                   Index n,
                   long prec,
                   GetA get_a,
                   GetB get_b,
                   RadA rad_a,
                   RadB rad_b,
                   Write write) {
  if (m <= 0 || n <= 0 || k <= 0) return false;
  Plan plan;
  if (!plan_for(k, prec, plan)) return false;
  Operand oa, ob;
  if (!scan(oa, m, k, true, plan.t, get_a) || !scan(ob, k, n, false, plan.t, get_b)) return false;
  const auto primes = primes_for_product(plan, oa.t + ob.t, std::max(oa.t, ob.t));
  if (primes == nullptr) return false;
  const PrimeSet& ps = *primes;
  if (!convert(oa, m, k, true, ps, get_a, rad_a) || !convert(ob, k, n, false, ps, get_b, rad_b))
    return false;
  write(oa, ob, ps, residues_of_product(oa, ob, m, k, n, ps));
  return true;
}

// Readers of the entries (midpoints) and radii of an operand of count numbers, for scan/convert.
auto entries_of(mpfr_srcptr const* v, Index count) {
  return [v, count](Index idx, Entry& e) {
    prefetch_ahead(v, idx, count);
    return read(v[idx], e);
  };
}
auto entries_of(arb_srcptr const* v, Index count) {
  return [v, count](Index idx, Entry& e) {
    prefetch_ahead(v, idx, count);
    return read(arb_midref(v[idx]), e);
  };
}
auto radii_of(mpfr_srcptr const*) {
  return [](Index) { return nullptr; };
}
auto radii_of(arb_srcptr const* v) {
  return [v](Index idx) -> const mag_struct* { return arb_radref(v[idx]); };
}

// The results' precision and write step, for MPFR results (their own precision) or balls (prec).
long precision_of(mpfr_ptr const* c, long) {
  return mpfr_get_prec(c[0]);
}
long precision_of(arb_ptr const*, long prec) {
  return prec;
}
auto writer(mpfr_ptr const* c, Index m, Index, Index n, long) {
  return [c, m, n](const Operand& oa,
                   const Operand& ob,
                   const PrimeSet& ps,
                   const Buffer<std::int32_t>& w) { write_mpfr(c, oa, ob, m, n, ps, w); };
}
auto writer(arb_ptr const* c, Index m, Index k, Index n, long prec) {
  return
      [c, m, k, n, prec](
          const Operand& oa, const Operand& ob, const PrimeSet& ps, const Buffer<std::int32_t>& w) {
        write_balls(c, oa, ob, m, k, n, ps, w, prec);
      };
}

// The entry points below for MPFR numbers (Dst mpfr_ptr const*) and balls (arb_ptr const*).
template <class Dst, class Src>
bool plain_entry(Dst c, Src a, Src b, Index m, Index k, Index n, long prec) {
  if (m <= 0 || n <= 0) return false;
  return plain_product(m,
                       k,
                       n,
                       precision_of(c, prec),
                       entries_of(a, m * k),
                       entries_of(b, k * n),
                       radii_of(a),
                       radii_of(b),
                       writer(c, m, k, n, prec));
}

template <class Dst, class Src>
bool khatri_rao_entry(Dst c,
                      Src a,
                      Src x,
                      Src y,
                      Index m,
                      Index k,
                      Index qx,
                      Index ky,
                      const std::int64_t* pairs,
                      Index n,
                      long prec) {
  if (m <= 0 || n <= 0) return false;
  return khatri_rao_product(m,
                            k,
                            qx,
                            ky,
                            pairs,
                            n,
                            x == y && qx == ky,
                            precision_of(c, prec),
                            entries_of(a, m * k),
                            entries_of(x, k * qx),
                            entries_of(y, k * ky),
                            radii_of(a),
                            radii_of(x),
                            radii_of(y),
                            writer(c, m, k, n, prec));
}

template <class Dst, class Src>
bool hadamard_entry(
    Dst c, Src a, Src e, Src v, Src x, Src y, Index m, Index k, const HadamardShape& s, long prec) {
  if (m <= 0 || s.n <= 0 || s.groups <= 0 || s.n % s.groups != 0 || s.e_stored <= 0) return false;
  const bool has_y = y != nullptr;
  return hadamard_product(m,
                          k,
                          s,
                          x == y && s.qx == s.ky,
                          has_y,
                          precision_of(c, prec),
                          entries_of(a, m * k),
                          entries_of(e, k * s.e_stored),
                          entries_of(v, s.r * (s.n / s.groups)),
                          entries_of(x, k * s.qx),
                          entries_of(y, has_y ? k * s.ky : 0),
                          radii_of(a),
                          radii_of(e),
                          radii_of(v),
                          radii_of(x),
                          radii_of(y),
                          writer(c, m, k, s.n, prec));
}

}  // namespace

bool crt_gemm_mpfr(
    mpfr_ptr const* c, mpfr_srcptr const* a, mpfr_srcptr const* b, Index m, Index k, Index n) {
  return plain_entry(c, a, b, m, k, n, 0);
}

bool crt_gemm_arb(arb_ptr const* c,
                  arb_srcptr const* a,
                  arb_srcptr const* b,
                  Index m,
                  Index k,
                  Index n,
                  long prec) {
  return plain_entry(c, a, b, m, k, n, prec);
}

bool crt_gemm_khatri_rao_mpfr(mpfr_ptr const* c,
                              mpfr_srcptr const* a,
                              mpfr_srcptr const* x,
                              mpfr_srcptr const* y,
                              Index m,
                              Index k,
                              Index qx,
                              Index ky,
                              const std::int64_t* pairs,
                              Index n) {
  return khatri_rao_entry(c, a, x, y, m, k, qx, ky, pairs, n, 0);
}

bool crt_gemm_khatri_rao_arb(arb_ptr const* c,
                             arb_srcptr const* a,
                             arb_srcptr const* x,
                             arb_srcptr const* y,
                             Index m,
                             Index k,
                             Index qx,
                             Index ky,
                             const std::int64_t* pairs,
                             Index n,
                             long prec) {
  return khatri_rao_entry(c, a, x, y, m, k, qx, ky, pairs, n, prec);
}

bool crt_gemm_hadamard_mpfr(mpfr_ptr const* c,
                            mpfr_srcptr const* a,
                            mpfr_srcptr const* e,
                            mpfr_srcptr const* v,
                            mpfr_srcptr const* x,
                            mpfr_srcptr const* y,
                            Index m,
                            Index k,
                            const HadamardShape& shape) {
  return hadamard_entry(c, a, e, v, x, y, m, k, shape, 0);
}

bool crt_gemm_hadamard_arb(arb_ptr const* c,
                           arb_srcptr const* a,
                           arb_srcptr const* e,
                           arb_srcptr const* v,
                           arb_srcptr const* x,
                           arb_srcptr const* y,
                           Index m,
                           Index k,
                           const HadamardShape& shape,
                           long prec) {
  return hadamard_entry(c, a, e, v, x, y, m, k, shape, prec);
}

// ---- balls of at most 53 bits on double GEMMs ------------------------------------------------
// (docs/math/crt-products.md, "Balls of at most 53 bits"). Every entry x becomes x̃ ± r with x̃
// its midpoint rounded to the nearest double and r ≥ |mid x − x̃| + rad x rounded up, so the ball
// lies in x̃ ± r. For a ∈ Ã ± R_A and b ∈ B̃ ± R_B entrywise,
//   |a·b − fl(Ã·B̃)| ≤ γ_k|Ã||B̃| + |Ã|R_B + R_A(|B̃| + R_B) + underflow
//                  = |Ã|(γ_k|B̃| + R_B) + R_A(|B̃| + R_B) + underflow,
// (γ_k = k·u/(1 − k·u), u = 2^-53, any summation order, with or without FMA). The bound is two
// double GEMMs of nonnegative matrices, each sum at least (1 − γ_{k+2}) times its exact value, so
// (1 + 4γ_{k+2}) and one more rounding up cover its own evaluation; (k + 2)·2^-1021 per product
// covers the underflows (each at most 2^-1075 per term).
bool double_gemm_arb(
    arb_ptr const* c, arb_srcptr const* a, arb_srcptr const* b, Index m, Index k, Index n) {
  if (m <= 0 || n <= 0 || k <= 0) return false;
  // Entries of magnitude ≥ 2^400 are left to the other schemes, so that no product or sum of
  // k ≤ 2^40 of them can overflow.
  const double big = std::ldexp(1.0, 400);
  Eigen::MatrixXd am(m, k), ar(m, k), bm(k, n), br(k, n);
  const bool parallel = static_cast<double>(m + n) * static_cast<double>(k) > 65536.0;
  const auto convert = [big, parallel](
                           arb_srcptr const* x, Index count, double* mid, double* radii) {
    bool ok = true;
    bool any_rad = false;
#ifdef _OPENMP
#pragma omp parallel if (parallel && !omp_in_parallel()) reduction(&& : ok) reduction(|| : any_rad)
#endif
    {
      static_cast<void>(parallel);
      arf_t t, r;
      arf_init(t);
      arf_init(r);
#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
      for (Index idx = 0; idx < count; ++idx) {
        double d = 0, cut = 0;
        nearest_double(arb_midref(x[idx]), t, r, &d, &cut);
        const double rad = mag_get_d(arb_radref(x[idx]));  // an upper bound
        const double bound =
            cut + rad == 0 ? 0.0
                           : std::nextafter(cut + rad, std::numeric_limits<double>::infinity());
        mid[idx] = d;
        radii[idx] = bound;
        ok = ok && std::abs(d) < big && bound < big;  // false for NaN and infinities too
        any_rad = any_rad || bound != 0;
      }
      arf_clear(t);
      arf_clear(r);
    }
    return std::pair{ok, any_rad};
  };
  const auto [ok_a, rad_a] = convert(a, m * k, am.data(), ar.data());
  if (!ok_a) return false;
  const auto [ok_b, rad_b] = convert(b, k * n, bm.data(), br.data());
  if (!ok_b) return false;
  const double u = std::ldexp(1.0, -53);
  const double nu = static_cast<double>(k + 2) * u;
  const double gamma = nu / (1.0 - nu);
  Eigen::MatrixXd mid(m, n), bound(m, n);
  mid.noalias() = am * bm;
  {
    const Eigen::MatrixXd w = gamma * bm.cwiseAbs() + br;
    bound.noalias() = am.cwiseAbs() * w;
  }
  if (rad_a) {
    const Eigen::MatrixXd w = bm.cwiseAbs() + br;
    bound.noalias() += ar * w;
  }
  static_cast<void>(rad_b);
  const double under = 3.0 * static_cast<double>(k + 2) * std::ldexp(1.0, -1021);
  const double grow = 1.0 + 4.0 * gamma;
  bool finite = true;
  const Index total = m * n;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (total > 65536 && !omp_in_parallel()) \
    reduction(&& : finite)
#endif
  for (Index idx = 0; idx < total; ++idx) {
    const double rad = next_up((bound.data()[idx] * grow + under) * (1.0 + 4.0 * nu));
    finite = finite && std::isfinite(rad) && std::isfinite(mid.data()[idx]);
    arf_set_d(arb_midref(c[idx]), mid.data()[idx]);
    mag_set_d(arb_radref(c[idx]), rad);  // rounds up
  }
  // Not finite cannot happen below 2^400 (checked above); if it did, the products are redone by
  // the caller's other schemes, which overwrite every entry of c.
  return finite;
}

}  // namespace locus::detail
