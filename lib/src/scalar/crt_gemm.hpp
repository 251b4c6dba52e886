// scalar/crt_gemm.hpp (internal): multiprecision matrix products on double GEMMs by the Chinese
// remainder theorem (an Ozaki-II scheme). docs/math/crt-products.md derives the scheme and its
// error bounds; this header only declares the two entry points used by scalar/gemm.hpp.
//
// C = A·B with A (m x k), B (k x n). Every row of A and every column of B is scaled by a power of
// two to integers of t = p + 8 bits (p the result's precision). The integer product is exact: it is
// computed modulo primes q with k·((q-1)/2)² < 2^53, one double GEMM per prime (every partial sum
// is an integer below 2^53, so the GEMM is exact in any order), and reassembled by the CRT.
// Both functions return false (and leave C untouched) when the operands are outside the scheme
// (NaN, infinities, exponents or radii out of range, a tiny depth): the caller then multiplies
// the old way.
#ifndef LOCUS_SRC_SCALAR_CRT_GEMM_HPP_
#define LOCUS_SRC_SCALAR_CRT_GEMM_HPP_

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <new>
#include <type_traits>

#include "locus/scalar/block_pool.hpp"

#include <arb.h>
#include <gmp.h>
#include <mpfr.h>

namespace locus::detail {

// Scratch arrays of the products come from the shared pool of large blocks
// (locus/scalar/block_pool.hpp): a Hessian makes dozens of products of similar sizes, and a fresh
// block's page faults cost as much as the arithmetic on this kind of machine. (glibc maps blocks
// of 128 KiB or more afresh, or trims them off its heap when freed: measured, the page faults
// of such scratch arrays were 6% of the main thread's time in an MPFR-256 Hessian.)
struct BlockDeleter {
  void operator()(void* p) const { give_block(p); }
};
template <class T>
using Buffer = std::unique_ptr<T[], BlockDeleter>;

/// n uninitialised entries from the pool.
template <class T>
Buffer<T> big_buffer(std::size_t n) {
  static_assert(std::is_trivially_default_constructible_v<T>);
  if (n > std::numeric_limits<std::size_t>::max() / sizeof(T)) throw std::bad_alloc();
  return Buffer<T>(static_cast<T*>(take_block(n == 0 ? 1 : n * sizeof(T))));
}

/// c[i + j·m] = Σ_l a[i + l·m]·b[l + j·k], each result rounded to nearest at its own precision.
/// The error of c_ij is at most half an ulp plus (n_i + n'_j)·2^(e_i + f_j − t), where 2^e_i and
/// 2^f_j bound row i of A and column j of B and n_i, n'_j count the entries cut to t bits.
bool crt_gemm_mpfr(mpfr_ptr const* c,
                   mpfr_srcptr const* a,
                   mpfr_srcptr const* b,
                   std::ptrdiff_t m,
                   std::ptrdiff_t k,
                   std::ptrdiff_t n);

/// The same product of balls: every c_ij contains every a·b with a, b in the balls. The
/// midpoints' product is computed as for MPFR; the cut, the rounding to prec bits and the radii
/// (|mid A|·rad B + rad A·(|mid B| + rad B), by double GEMMs with rounding accounted for) go into
/// the radius.
bool crt_gemm_arb(arb_ptr const* c,
                  arb_srcptr const* a,
                  arb_srcptr const* b,
                  std::ptrdiff_t m,
                  std::ptrdiff_t k,
                  std::ptrdiff_t n,
                  long prec);

/// c = A·B for a right factor B (k x n) given as a Khatri-Rao product of x (k x qx) and y (k x ky),
/// all column-major: B(l, j) = x(l, pairs[2j])·y(l, pairs[2j + 1]). B is never formed: x and y are
/// converted, and B's residues are products of theirs (B's width is the sum of theirs, so it needs
/// more primes than a converted B, but no multiprecision product or conversion per entry of B).
/// x and y may be the same array (then converted once). Rounding and error bound as for
/// crt_gemm_mpfr, with the cut entries of x and y each moving B's entries by less than one unit
/// of x's or y's line scale times the other's bound (docs/math/crt-products.md).
bool crt_gemm_khatri_rao_mpfr(mpfr_ptr const* c,
                              mpfr_srcptr const* a,
                              mpfr_srcptr const* x,
                              mpfr_srcptr const* y,
                              std::ptrdiff_t m,
                              std::ptrdiff_t k,
                              std::ptrdiff_t qx,
                              std::ptrdiff_t ky,
                              const std::int64_t* pairs,
                              std::ptrdiff_t n);

/// The same product of balls: B's entries are the balls x·y, with the exact product of the
/// midpoints as midpoint; every c_ij contains every a·b with a in A's balls and b in B's.
bool crt_gemm_khatri_rao_arb(arb_ptr const* c,
                             arb_srcptr const* a,
                             arb_srcptr const* x,
                             arb_srcptr const* y,
                             std::ptrdiff_t m,
                             std::ptrdiff_t k,
                             std::ptrdiff_t qx,
                             std::ptrdiff_t ky,
                             const std::int64_t* pairs,
                             std::ptrdiff_t n,
                             long prec);

/// The shape of a right factor B (k x n) = (E·V) ⊙ (x ⊙ y) in `groups` groups of columns (groups
/// divides n, nv = n/groups): for column j = g·nv + v of B,
///   B(l, j) = (Σ_c E(l, g·r + c)·V(c, v))·x(l, pairs[2j])·y(l, pairs[2j + 1]),
/// E k x (groups·r) (r <= k), V r x nv, x k x qx, y k x ky, all column-major; y may be null (no
/// y factor; ky and pairs[2j + 1] unused). E's columns may repeat: with e_map, column ec of E is
/// column e_map[ec] of the e_stored columns given (each converted once); without, e_stored is
/// groups·r.
struct HadamardShape {
  std::ptrdiff_t r = 0;
  std::ptrdiff_t groups = 1;
  const std::int64_t* e_map = nullptr;
  std::ptrdiff_t e_stored = 0;
  std::ptrdiff_t qx = 0;
  std::ptrdiff_t ky = 0;
  const std::int64_t* pairs = nullptr;
  std::ptrdiff_t n = 0;
};

/// c = A·B (m x k by k x n) for a right factor B of that shape. B is never formed: its residues
/// are those of the products E_g·V times those of x and y (docs/math/crt-products.md, "Hadamard
/// right factors"). MPFR: the rounding of Σ ã·b̃ with b̃ = (Ẽ_g·Ṽ)·x̃·ỹ from the truncated operands
/// (error bound there). x and y may be the same array.
bool crt_gemm_hadamard_mpfr(mpfr_ptr const* c,
                            mpfr_srcptr const* a,
                            mpfr_srcptr const* e,
                            mpfr_srcptr const* v,
                            mpfr_srcptr const* x,
                            mpfr_srcptr const* y,
                            std::ptrdiff_t m,
                            std::ptrdiff_t k,
                            const HadamardShape& shape);

/// The same product of balls: every c_ij contains every Σ a·b with a in A's balls and b any value
/// of (E_g·V)·x·y with E, V, x, y in theirs.
bool crt_gemm_hadamard_arb(arb_ptr const* c,
                           arb_srcptr const* a,
                           arb_srcptr const* e,
                           arb_srcptr const* v,
                           arb_srcptr const* x,
                           arb_srcptr const* y,
                           std::ptrdiff_t m,
                           std::ptrdiff_t k,
                           const HadamardShape& shape,
                           long prec);

/// The reconstruction's last step: for S (nm + 1 limbs, S < 2^64·M) with quotient within 1 of
/// S/M (the sum Σ_j w_j/q_j in doubles), the integer ≡ S (mod M) in (-M/2, M/2] as limbs (out,
/// nm limbs) and a signed size (an mpz view). ⌊quotient⌋ is ⌊S/M⌋ or one off; S - ⌊quotient⌋·M
/// is one multiply-subtract and at most one correction by M, exact, instead of a division by M.
/// S is overwritten. half_m = ⌊M/2⌋ (nm limbs).
void symmetric_remainder(mp_limb_t* s,
                         const mp_limb_t* m,
                         const mp_limb_t* half_m,
                         mp_size_t nm,
                         double quotient,
                         mp_limb_t* out,
                         mp_size_t& size);

/// The same product of balls for precisions of at most 53 bits: midpoints rounded to doubles
/// (the rounding into the radius), one double GEMM for the midpoints and two for a rigorous
/// radius (|Ã|(γ_k|B̃| + R_B) + R_A(|B̃| + R_B), rounding and underflow accounted for). Returns false
/// for entries of magnitude 2^400 or more, NaN or infinities.
bool double_gemm_arb(arb_ptr const* c,
                     arb_srcptr const* a,
                     arb_srcptr const* b,
                     std::ptrdiff_t m,
                     std::ptrdiff_t k,
                     std::ptrdiff_t n);

}  // namespace locus::detail

#endif  // LOCUS_SRC_SCALAR_CRT_GEMM_HPP_
