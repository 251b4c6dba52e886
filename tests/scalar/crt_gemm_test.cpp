// The CRT matrix product (lib/src/scalar/crt_gemm.cpp) against exact sums: MPFR results within
// the documented bound (correctly rounded when no entry is cut), ball results containing every
// product of points of the balls.
#include "scalar/crt_gemm.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "scalar/arf_double.hpp"
#include "support/scalar_lists.hpp"

#include <arb_mat.h>

namespace {

constexpr long kExactBits = 4096;  // holds every sum below exactly

struct MpfrMatrix {
  std::vector<mpfr_t> v;
  MpfrMatrix(std::ptrdiff_t size, long prec) : v(static_cast<std::size_t>(size)) {
    for (auto& x : v) mpfr_init2(x, prec);
  }
  ~MpfrMatrix() {
    for (auto& x : v) mpfr_clear(x);
  }
  MpfrMatrix(const MpfrMatrix&) = delete;
  MpfrMatrix& operator=(const MpfrMatrix&) = delete;
  std::vector<mpfr_srcptr> src() const {
    std::vector<mpfr_srcptr> p;
    for (const auto& x : v) p.push_back(x);
    return p;
  }
  std::vector<mpfr_ptr> dst() {
    std::vector<mpfr_ptr> p;
    for (auto& x : v) p.push_back(x);
    return p;
  }
};

// A random p-bit number with exponent in [lo, hi] (or zero with probability 1/10).
void random_mpfr(mpfr_t x, std::mt19937_64& g, int lo, int hi) {
  std::uniform_int_distribution<int> zero(0, 9), ex(lo, hi);
  if (zero(g) == 0) {
    mpfr_set_zero(x, 1);
    return;
  }
  mpfr_set_ui(x, 0, MPFR_RNDN);
  const long p = mpfr_get_prec(x);
  mpfr_t limb;
  mpfr_init2(limb, 64);
  for (long bit = 0; bit < p; bit += 64) {
    mpfr_set_ui(limb, static_cast<unsigned long>(g() >> 1), MPFR_RNDN);
    mpfr_mul_2si(limb, limb, -bit - 63, MPFR_RNDN);
    mpfr_add(x, x, limb, MPFR_RNDN);
  }
  mpfr_clear(limb);
  if (mpfr_zero_p(x)) mpfr_set_ui(x, 1, MPFR_RNDN);
  mpfr_set_exp(x, ex(g));
  if ((g() & 1) != 0) mpfr_neg(x, x, MPFR_RNDN);
}

// The same with `bits` significant bits at most (a double's 53, say), stored at x's precision.
void random_short_mpfr(mpfr_t x, std::mt19937_64& g, int lo, int hi, long bits) {
  mpfr_t s;
  mpfr_init2(s, bits);
  random_mpfr(s, g, lo, hi);
  mpfr_set(x, s, MPFR_RNDN);  // exact: bits <= x's precision
  mpfr_clear(s);
}

long max_exp(const std::vector<const __mpfr_struct*>& xs) {
  long e = std::numeric_limits<long>::min();
  for (auto* x : xs) {
    if (!mpfr_zero_p(x)) e = std::max<long>(e, mpfr_get_exp(x));
  }
  return e == std::numeric_limits<long>::min() ? 0 : e;
}

// Whether c = s rounded to nearest at prec bits (rounded) or |c - s| <= ½ulp(c) + count·2^exponent
// (s exact).
bool agrees(mpfr_srcptr c, mpfr_srcptr s, bool rounded, unsigned long count, long exponent) {
  const long prec = mpfr_get_prec(c);
  if (rounded) {
    mpfr_t r;
    mpfr_init2(r, prec);
    mpfr_set(r, s, MPFR_RNDN);
    const bool equal = mpfr_equal_p(r, c) != 0;
    mpfr_clear(r);
    return equal;
  }
  mpfr_t diff, bound;
  mpfr_inits2(kExactBits, diff, bound, nullptr);
  mpfr_sub(diff, c, s, MPFR_RNDN);
  mpfr_abs(diff, diff, MPFR_RNDN);
  mpfr_set_ui(bound, count, MPFR_RNDN);
  mpfr_mul_2si(bound, bound, exponent, MPFR_RNDN);
  if (!mpfr_zero_p(c)) {  // + ½ulp(c)
    mpfr_t half_ulp;
    mpfr_init2(half_ulp, 64);
    mpfr_set_ui_2exp(half_ulp, 1, mpfr_get_exp(c) - prec - 1, MPFR_RNDN);
    mpfr_add(bound, bound, half_ulp, MPFR_RNDN);
    mpfr_clear(half_ulp);
  }
  const bool within = mpfr_cmp(diff, bound) <= 0;
  mpfr_clears(diff, bound, nullptr);
  return within;
}

// Checks c = a·b against the exact sums: |c - s| <= ½ulp(c) + 2k·2^(e_i + f_j - t), and c is the
// correctly rounded s when `exact_inputs` (no entry is cut).
void check_mpfr(std::ptrdiff_t m,
                std::ptrdiff_t k,
                std::ptrdiff_t n,
                int lo,
                int hi,
                std::uint64_t seed,
                bool expect_rounded,
                long b_bits = 0,  // B's entries: b_bits significant bits (0: all 256)
                int b_lo = 0,     // and exponents in [b_lo, b_hi] (both 0: [lo, hi])
                int b_hi = 0) {
  CAPTURE(seed);
  CAPTURE(b_bits);
  CAPTURE(m);
  CAPTURE(k);
  CAPTURE(n);
  auto g = locus::test::rng(seed);
  const long prec = 256;
  MpfrMatrix a(m * k, prec), b(k * n, prec), c(m * n, prec);
  for (auto& x : a.v) random_mpfr(x, g, lo, hi);
  for (auto& x : b.v) {
    const bool own_range = b_lo != 0 || b_hi != 0;
    if (b_bits > 0) {
      random_short_mpfr(x, g, own_range ? b_lo : lo, own_range ? b_hi : hi, b_bits);
    } else {
      random_mpfr(x, g, own_range ? b_lo : lo, own_range ? b_hi : hi);
    }
  }
  const auto pa = a.src(), pb = b.src();
  auto pc = c.dst();
  REQUIRE(locus::detail::crt_gemm_mpfr(pc.data(), pa.data(), pb.data(), m, k, n));
  const long t = prec + 8;
  mpfr_t s, prod;
  mpfr_inits2(kExactBits, s, prod, nullptr);
  int bad = 0;
  for (std::ptrdiff_t i = 0; i < m; ++i) {
    std::vector<const __mpfr_struct*> row;
    for (std::ptrdiff_t l = 0; l < k; ++l) row.push_back(pa[static_cast<std::size_t>(i + l * m)]);
    const long ei = max_exp(row);
    for (std::ptrdiff_t j = 0; j < n; ++j) {
      std::vector<const __mpfr_struct*> col;
      for (std::ptrdiff_t l = 0; l < k; ++l) col.push_back(pb[static_cast<std::size_t>(l + j * k)]);
      const long fj = max_exp(col);
      mpfr_set_zero(s, 1);
      for (std::ptrdiff_t l = 0; l < k; ++l) {
        mpfr_mul(
            prod, row[static_cast<std::size_t>(l)], col[static_cast<std::size_t>(l)], MPFR_RNDN);
        REQUIRE(mpfr_add(s, s, prod, MPFR_RNDN) == 0);  // exact
      }
      const mpfr_srcptr cij = pc[static_cast<std::size_t>(i + j * m)];
      if (!agrees(cij, s, expect_rounded, static_cast<unsigned long>(2 * k), ei + fj - t)) ++bad;
    }
  }
  mpfr_clears(s, prod, nullptr);
  CHECK(bad == 0);
}

// Random balls: midpoints of `bits` significant bits (0: the precision of tmp) with exponents in
// [lo, hi], and radii 0 (half of them), 3·2^(4 - prec) (relative size) or 2^-40 (a wide one).
void fill_balls(std::vector<arb_struct>& v,
                mpfr_t tmp,
                std::mt19937_64& g,
                int lo,
                int hi,
                long bits,
                long prec) {
  std::uniform_int_distribution<int> radius_kind(0, 3);
  for (auto& e : v) {
    if (bits > 0) {
      random_short_mpfr(tmp, g, lo, hi, bits);
    } else {
      random_mpfr(tmp, g, lo, hi);
    }
    arf_set_mpfr(arb_midref(&e), tmp);  // exact midpoint
    mag_zero(arb_radref(&e));
    const int kind = radius_kind(g);
    if (kind == 1) mag_set_ui_2exp_si(arb_radref(&e), 3, -prec + 4);
    if (kind == 2) mag_set_ui_2exp_si(arb_radref(&e), 1, -40);
  }
}

// Points of the balls, exactly: the midpoints (trial 0), else mid + s·rad with s random in [-1, 1].
std::vector<arf_struct> ball_points(const std::vector<arb_struct>& v,
                                    int trial,
                                    std::mt19937_64& g) {
  std::uniform_int_distribution<int> sdist(-1024, 1024);
  std::vector<arf_struct> out(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    arf_ptr x = &out[i];
    arf_init(x);
    arf_set_mag(x, arb_radref(&v[i]));
    arf_mul_si(x, x, trial == 0 ? 0 : sdist(g), ARF_PREC_EXACT, ARF_RND_DOWN);
    arf_mul_2exp_si(x, x, -10);
    arf_add(x, x, arb_midref(&v[i]), ARF_PREC_EXACT, ARF_RND_DOWN);
  }
  return out;
}

void clear_points(std::vector<arf_struct>& v) {
  for (auto& x : v) arf_clear(&x);
}

}  // namespace

TEST_SUITE("scalar.crt_gemm") {
  TEST_CASE("mpfr: entries of one binade give the correctly rounded sums") {
    // exponents within 8 bits of each line's maximum: no entry is cut, the integer product is exact
    check_mpfr(7, 40, 9, 0, 3, 9101, true);
    check_mpfr(4, 3000, 5, -2, 2, 9102, true);  // a deep product: smaller primes, more of them
  }

  TEST_CASE("mpfr: entries over a wide range stay within the documented bound") {
    for (int r = 0; r < 3 * locus::test::multiplier(); ++r) {
      check_mpfr(6, 50, 8, -60, 60, 9200 + static_cast<std::uint64_t>(r), false);
      check_mpfr(13, 17, 5, -300, 20, 9300 + static_cast<std::uint64_t>(r), false);
    }
  }

  TEST_CASE("mpfr: an operand of short numbers gets a narrow width and stays exact") {
    // B of doubles (53 bits) or of 2-bit numbers over a range of exponents that still fits in
    // fewer than t bits: B is converted exactly at its own narrow width (fewer primes), and
    // every sum is the correctly rounded exact one.
    for (int r = 0; r < 2 * locus::test::multiplier(); ++r) {
      const auto seed = 9500 + static_cast<std::uint64_t>(r);
      check_mpfr(9, 16, 7, 0, 3, seed, true, 53, -20, 20);     // width 96 of B
      check_mpfr(5, 300, 6, -3, 3, seed, true, 53);            // a deep product
      check_mpfr(6, 40, 5, 0, 3, seed, true, 2, -100, 100);    // a wide range of 2-bit numbers
      check_mpfr(6, 40, 5, 0, 3, seed, false, 53, -150, 150);  // wider than t: B is cut at t
    }
  }

  TEST_CASE("reconstruction: the symmetric remainder from a quotient estimate that is one off") {
    // S = Q·M + r with 0 <= r < M; the estimate's floor is Q (S/M itself), Q - 1 (k too small:
    // one subtraction of M) or Q + 1 (k too large: one addition of M). Every case must give
    // r or r - M, whichever lies in (-M/2, M/2], exactly as GMP's division gives it.
    std::mt19937_64 g(9401);
    int wrong = 0, low = 0, high = 0;
    for (int trial = 0; trial < 3000; ++trial) {
      const mp_size_t nm = 1 + static_cast<mp_size_t>(trial % 9);
      std::vector<mp_limb_t> m(static_cast<std::size_t>(nm)), r(static_cast<std::size_t>(nm));
      for (auto& x : m) x = g();
      m.back() |= mp_limb_t{1} << 40;  // nm limbs exactly
      mpz_t zm, zr, zs, zh, want, got;
      mpz_inits(zm, zr, zs, zh, want, got, nullptr);
      mpz_import(zm, static_cast<std::size_t>(nm), -1, sizeof(mp_limb_t), 0, 0, m.data());
      for (auto& x : r) x = g();
      mpz_import(zr, static_cast<std::size_t>(nm), -1, sizeof(mp_limb_t), 0, 0, r.data());
      if (trial % 7 == 0) mpz_set_ui(zr, static_cast<unsigned long>(trial % 3));  // tiny remainders
      if (trial % 11 == 0) mpz_sub_ui(zr, zm, 1);                                 // r = M - 1
      if (trial % 13 == 0) mpz_fdiv_q_2exp(zr, zm, 1);                            // r = ⌊M/2⌋
      mpz_mod(zr, zr, zm);
      const unsigned long q = g() % 60;
      mpz_mul_ui(zs, zm, q);
      mpz_add(zs, zs, zr);  // S < 61·M
      mpz_fdiv_q_2exp(zh, zm, 1);
      mpz_set(want, zr);
      if (mpz_cmp(want, zh) > 0) mpz_sub(want, want, zm);
      const double frac = mpz_get_d(zr) / mpz_get_d(zm);
      for (const double estimate : {static_cast<double>(q) + frac * 0.999,
                                    static_cast<double>(q) - 1e-9,
                                    static_cast<double>(q) + 1.0 + 1e-9}) {
        if (estimate < 0) continue;
        std::vector<mp_limb_t> sl(static_cast<std::size_t>(nm) + 1, 0), half(m.size(), 0),
            out(m.size(), 0);
        std::size_t count = 0;
        mpz_export(sl.data(), &count, -1, sizeof(mp_limb_t), 0, 0, zs);
        REQUIRE(count <= sl.size());
        std::size_t hcount = 0;
        mpz_export(half.data(), &hcount, -1, sizeof(mp_limb_t), 0, 0, zh);
        mp_size_t size = 0;
        locus::detail::symmetric_remainder(
            sl.data(), m.data(), half.data(), nm, estimate, out.data(), size);
        mpz_t view;
        mpz_roinit_n(view, out.data(), size);
        if (mpz_cmp(view, want) != 0) ++wrong;
        if (std::floor(estimate) < static_cast<double>(q)) ++low;
        if (std::floor(estimate) > static_cast<double>(q)) ++high;
      }
      mpz_clears(zm, zr, zs, zh, want, got, nullptr);
    }
    CHECK(wrong == 0);
    CHECK(low > 1000);  // both corrections were exercised
    CHECK(high > 1000);
  }

  TEST_CASE("mpfr: NaN or an infinity is left to the caller") {
    MpfrMatrix a(4 * 20, 256), b(20 * 4, 256), c(16, 256);
    for (auto& x : a.v) mpfr_set_ui(x, 1, MPFR_RNDN);
    for (auto& x : b.v) mpfr_set_ui(x, 2, MPFR_RNDN);
    mpfr_set_nan(a.v[5]);
    const auto pa = a.src(), pb = b.src();
    auto pc = c.dst();
    CHECK_FALSE(locus::detail::crt_gemm_mpfr(pc.data(), pa.data(), pb.data(), 4, 20, 4));
    mpfr_set_inf(a.v[5], 1);
    CHECK_FALSE(locus::detail::crt_gemm_mpfr(pc.data(), pa.data(), pb.data(), 4, 20, 4));
    mpfr_set_ui(a.v[5], 1, MPFR_RNDN);
    CHECK(locus::detail::crt_gemm_mpfr(pc.data(), pa.data(), pb.data(), 4, 20, 4));
    CHECK(mpfr_cmp_ui(pc[0], 40) == 0);
  }

  TEST_CASE("ball: the double scheme leaves huge, NaN and infinite entries to the caller") {
    const std::ptrdiff_t m = 4, k = 20, n = 4;
    std::vector<arb_struct> a(static_cast<std::size_t>(m * k)), b(static_cast<std::size_t>(k * n)),
        c(static_cast<std::size_t>(m * n));
    for (auto* v : {&a, &b, &c}) {
      for (auto& x : *v) arb_init(&x);
    }
    for (auto& x : a) arb_set_si(&x, 1);
    for (auto& x : b) arb_set_si(&x, 2);
    std::vector<arb_srcptr> pa, pb;
    std::vector<arb_ptr> pc;
    for (auto& x : a) pa.push_back(&x);
    for (auto& x : b) pb.push_back(&x);
    for (auto& x : c) pc.push_back(&x);
    REQUIRE(locus::detail::double_gemm_arb(pc.data(), pa.data(), pb.data(), m, k, n));
    CHECK(arb_is_exact(pc[0]) == 0);  // the radius bounds the double GEMM's rounding too
    CHECK(arf_cmp_si(arb_midref(pc[0]), 40) == 0);
    // Exact double inputs whose sum the double GEMM rounds: column 0 of B is 1, 2^-60, -1,
    // 2^-60, ... (the exact sum is 10·2^-60; a double sum in order gives 0). Only the rounding
    // term of the radius can contain it.
    for (std::ptrdiff_t l = 0; l < k; ++l) {
      arb_set_si(&b[static_cast<std::size_t>(l)], l % 2 == 1 ? 1 : (l % 4 == 0 ? 1 : -1));
      if (l % 2 == 1)
        arb_mul_2exp_si(&b[static_cast<std::size_t>(l)], &b[static_cast<std::size_t>(l)], -60);
    }
    REQUIRE(locus::detail::double_gemm_arb(pc.data(), pa.data(), pb.data(), m, k, n));
    {
      arb_t exact;
      arb_init(exact);
      arb_set_si(exact, 10);
      arb_mul_2exp_si(exact, exact, -60);
      CHECK(arb_contains(pc[0], exact) != 0);
      arb_clear(exact);
    }
    for (auto& x : b) arb_set_si(&x, 2);
    arb_set_si(&a[3], 1);
    arb_mul_2exp_si(&a[3], &a[3], 400);  // 2^400
    CHECK_FALSE(locus::detail::double_gemm_arb(pc.data(), pa.data(), pb.data(), m, k, n));
    arb_set_si(&a[3], 1);
    arb_indeterminate(&b[7]);
    CHECK_FALSE(locus::detail::double_gemm_arb(pc.data(), pa.data(), pb.data(), m, k, n));
    arb_set_si(&b[7], 2);
    mag_inf(arb_radref(&b[7]));
    CHECK_FALSE(locus::detail::double_gemm_arb(pc.data(), pa.data(), pb.data(), m, k, n));
    for (auto* v : {&a, &b, &c}) {
      for (auto& x : *v) arb_clear(&x);
    }
  }

  TEST_CASE("ball: every product of points of the balls is contained") {
    // 53 bits: the double scheme (double_gemm_arb), on 64-bit midpoints it must round
    for (const long prec : {53L, 64L, 256L}) {
      const bool on_doubles = prec <= 53;
      // r bit 0: B's midpoints of 53 bits (an operand of doubles, converted at a narrow width
      // when it fits); r bit 1: B's exponents over 40 binades instead of 200 (200 do not fit)
      for (int r = 0; r < 4 * locus::test::multiplier(); ++r) {
        const std::uint64_t seed =
            9400 + static_cast<std::uint64_t>(r) + static_cast<std::uint64_t>(prec);
        const long b_bits = (r & 1) != 0 ? 53 : 0;
        const int b_lo = (r & 2) != 0 ? -40 : -200;
        CAPTURE(seed);
        CAPTURE(prec);
        CAPTURE(b_bits);
        CAPTURE(b_lo);
        auto g = locus::test::rng(seed);
        const std::ptrdiff_t m = 5, k = 60, n = 7;
        std::vector<arb_struct> a(static_cast<std::size_t>(m * k)),
            b(static_cast<std::size_t>(k * n)), c(static_cast<std::size_t>(m * n));
        for (auto* v : {&a, &b, &c}) {
          for (auto& x : *v) arb_init(&x);
        }
        mpfr_t tmp;
        mpfr_init2(tmp, on_doubles ? 64 : prec);
        fill_balls(a, tmp, g, -30, 10, 0, prec);
        fill_balls(b, tmp, g, b_lo, 0, b_bits, prec);
        std::vector<arb_srcptr> pa, pb;
        std::vector<arb_ptr> pc;
        for (auto& x : a) pa.push_back(&x);
        for (auto& x : b) pb.push_back(&x);
        for (auto& x : c) pc.push_back(&x);
        if (on_doubles) {
          REQUIRE(locus::detail::double_gemm_arb(pc.data(), pa.data(), pb.data(), m, k, n));
        } else {
          REQUIRE(locus::detail::crt_gemm_arb(pc.data(), pa.data(), pb.data(), m, k, n, prec));
        }
        // points: the midpoints, and random points of the balls
        int missed = 0;
        for (int trial = 0; trial < 4; ++trial) {
          auto xa = ball_points(a, trial, g), xb = ball_points(b, trial, g);
          arf_t s, p;
          arf_init(s);
          arf_init(p);
          for (std::ptrdiff_t i = 0; i < m; ++i) {
            for (std::ptrdiff_t j = 0; j < n; ++j) {
              arf_zero(s);
              for (std::ptrdiff_t l = 0; l < k; ++l) {
                arf_mul(p,
                        &xa[static_cast<std::size_t>(i + l * m)],
                        &xb[static_cast<std::size_t>(l + j * k)],
                        ARF_PREC_EXACT,
                        ARF_RND_DOWN);
                arf_add(s, s, p, ARF_PREC_EXACT, ARF_RND_DOWN);
              }
              if (arb_contains_arf(pc[static_cast<std::size_t>(i + j * m)], s) == 0) ++missed;
            }
          }
          arf_clear(s);
          arf_clear(p);
          clear_points(xa);
          clear_points(xb);
        }
        CHECK(missed == 0);
        // and the radii are not much wider than Arb's own product
        arb_mat_t am, bm, cm;
        arb_mat_init(am, m, k);
        arb_mat_init(bm, k, n);
        arb_mat_init(cm, m, n);
        for (std::ptrdiff_t i = 0; i < m; ++i) {
          for (std::ptrdiff_t l = 0; l < k; ++l)
            arb_set(arb_mat_entry(am, i, l), &a[static_cast<std::size_t>(i + l * m)]);
        }
        for (std::ptrdiff_t l = 0; l < k; ++l) {
          for (std::ptrdiff_t j = 0; j < n; ++j)
            arb_set(arb_mat_entry(bm, l, j), &b[static_cast<std::size_t>(l + j * k)]);
        }
        arb_mat_mul_classical(cm, am, bm, prec);
        int wide = 0;
        for (std::ptrdiff_t i = 0; i < m; ++i) {
          for (std::ptrdiff_t j = 0; j < n; ++j) {
            mag_t ref;
            mag_init(ref);
            mag_mul_ui(ref, arb_radref(arb_mat_entry(cm, i, j)), 4 * static_cast<unsigned long>(k));
            mag_t slack;  // + the cut: 2k·2^(e_i + f_j - t) ≤ 2k·2^(10 + 0 - prec - 8)
            mag_init(slack);
            mag_set_ui_2exp_si(slack, 2 * static_cast<unsigned long>(k), 2 - prec);
            mag_add(ref, ref, slack);
            if (mag_cmp(arb_radref(pc[static_cast<std::size_t>(i + j * m)]), ref) > 0) ++wide;
            mag_clear(ref);
            mag_clear(slack);
          }
        }
        CHECK(wide == 0);
        arb_mat_clear(am);
        arb_mat_clear(bm);
        arb_mat_clear(cm);
        mpfr_clear(tmp);
        for (auto* v : {&a, &b, &c}) {
          for (auto& x : *v) arb_clear(&x);
        }
      }
    }
  }
}

namespace {

// The Khatri-Rao product c = A·B with B(l, j) = x(l, q_j)·y(l, k_j), never formed: checked against
// the exact sums Σ_l a_il·x_lq·y_lk. MPFR: correctly rounded when no entry is cut (every line
// within 8 binades), else within ½ulp + 3k·2^(e_i + f_j - t), f_j = e_q + e_k (a cut entry of A, x
// or y moves its term by less than 2^(e_i + f_j - t)).
void check_khatri_rao_mpfr(std::ptrdiff_t m,
                           std::ptrdiff_t k,
                           std::ptrdiff_t qx,
                           int lo,
                           int hi,
                           bool same,
                           std::uint64_t seed,
                           bool expect_rounded) {
  CAPTURE(seed);
  CAPTURE(same);
  auto g = locus::test::rng(seed);
  const long prec = 256;
  const std::ptrdiff_t ky = same ? qx : qx + 2;
  MpfrMatrix a(m * k, prec), x(k * qx, prec), y(k * ky, prec);
  for (auto& v : a.v) random_mpfr(v, g, lo, hi);
  for (auto& v : x.v) random_mpfr(v, g, lo, hi);
  for (auto& v : y.v) random_mpfr(v, g, lo, hi);
  std::vector<std::int64_t> pairs;  // every (q, k) with q >= k when same, as a diagonal block
  for (std::ptrdiff_t kk = 0; kk < ky; ++kk) {
    for (std::ptrdiff_t q = same ? kk : 0; q < qx; ++q) {
      pairs.push_back(q);
      pairs.push_back(kk);
    }
  }
  const auto n = static_cast<std::ptrdiff_t>(pairs.size() / 2);
  MpfrMatrix c(m * n, prec);
  const auto pa = a.src(), px = x.src(), py = y.src();
  auto pc = c.dst();
  REQUIRE(locus::detail::crt_gemm_khatri_rao_mpfr(pc.data(),
                                                  pa.data(),
                                                  px.data(),
                                                  same ? px.data() : py.data(),
                                                  m,
                                                  k,
                                                  qx,
                                                  ky,
                                                  pairs.data(),
                                                  n));
  const auto& yy = same ? px : py;
  const long t = prec + 8;
  mpfr_t s, prod;
  mpfr_inits2(kExactBits, s, prod, nullptr);
  int bad = 0;
  for (std::ptrdiff_t i = 0; i < m; ++i) {
    std::vector<const __mpfr_struct*> row;
    for (std::ptrdiff_t l = 0; l < k; ++l) row.push_back(pa[static_cast<std::size_t>(i + l * m)]);
    for (std::ptrdiff_t j = 0; j < n; ++j) {
      const auto q = pairs[static_cast<std::size_t>(2 * j)];
      const auto kk = pairs[static_cast<std::size_t>(2 * j + 1)];
      std::vector<const __mpfr_struct*> cx, cy;
      for (std::ptrdiff_t l = 0; l < k; ++l) {
        cx.push_back(px[static_cast<std::size_t>(l + q * k)]);
        cy.push_back(yy[static_cast<std::size_t>(l + kk * k)]);
      }
      mpfr_set_zero(s, 1);
      for (std::ptrdiff_t l = 0; l < k; ++l) {
        const auto ul = static_cast<std::size_t>(l);
        REQUIRE(mpfr_mul(prod, row[ul], cx[ul], MPFR_RNDN) == 0);  // exact
        REQUIRE(mpfr_mul(prod, prod, cy[ul], MPFR_RNDN) == 0);
        REQUIRE(mpfr_add(s, s, prod, MPFR_RNDN) == 0);
      }
      const mpfr_srcptr cij = pc[static_cast<std::size_t>(i + j * m)];
      const long exponent = max_exp(row) + max_exp(cx) + max_exp(cy) - t;
      if (!agrees(cij, s, expect_rounded, static_cast<unsigned long>(3 * k), exponent)) ++bad;
    }
  }
  mpfr_clears(s, prod, nullptr);
  CHECK(bad == 0);
}

}  // namespace

TEST_SUITE("scalar.crt_gemm") {
  TEST_CASE("khatri-rao: mpfr products with a Khatri-Rao factor are the exact sums, rounded") {
    for (int r = 0; r < 2 * locus::test::multiplier(); ++r) {
      const auto seed = 9600 + static_cast<std::uint64_t>(r);
      check_khatri_rao_mpfr(7, 40, 5, 0, 3, false, seed, true);
      check_khatri_rao_mpfr(6, 300, 4, -2, 2, true, seed, true);      // one factor, converted once
      check_khatri_rao_mpfr(5, 30, 4, -150, 60, false, seed, false);  // cut entries: the bound
      check_khatri_rao_mpfr(5, 30, 4, -150, 60, true, seed, false);
    }
  }

  TEST_CASE("khatri-rao: ball products contain every product of points of the balls") {
    for (int r = 0; r < 3 * locus::test::multiplier(); ++r) {
      const std::uint64_t seed = 9700 + static_cast<std::uint64_t>(r);
      const bool same = r % 3 == 1;
      const long prec = 256;
      const long x_bits = r % 3 == 2 ? 53 : 0;  // x of doubles: a narrow factor
      CAPTURE(seed);
      auto g = locus::test::rng(seed);
      const std::ptrdiff_t m = 4, k = 50, qx = 4, ky = same ? qx : 3;
      std::vector<std::int64_t> pairs;
      for (std::ptrdiff_t kk = 0; kk < ky; ++kk) {
        for (std::ptrdiff_t q = 0; q < qx; ++q) {
          pairs.push_back(q);
          pairs.push_back(kk);
        }
      }
      const auto n = static_cast<std::ptrdiff_t>(pairs.size() / 2);
      std::vector<arb_struct> a(static_cast<std::size_t>(m * k)),
          x(static_cast<std::size_t>(k * qx)), y(static_cast<std::size_t>(k * ky)),
          c(static_cast<std::size_t>(m * n));
      for (auto* v : {&a, &x, &y, &c}) {
        for (auto& e : *v) arb_init(&e);
      }
      mpfr_t tmp;
      mpfr_init2(tmp, prec);
      fill_balls(a, tmp, g, -30, 10, 0, prec);
      fill_balls(x, tmp, g, -120, 0, x_bits, prec);  // cut entries too
      fill_balls(y, tmp, g, -20, 5, 0, prec);
      std::vector<arb_srcptr> pa, px, py;
      std::vector<arb_ptr> pc;
      for (auto& e : a) pa.push_back(&e);
      for (auto& e : x) px.push_back(&e);
      for (auto& e : y) py.push_back(&e);
      for (auto& e : c) pc.push_back(&e);
      const auto& yy = same ? x : y;
      REQUIRE(locus::detail::crt_gemm_khatri_rao_arb(pc.data(),
                                                     pa.data(),
                                                     px.data(),
                                                     same ? px.data() : py.data(),
                                                     m,
                                                     k,
                                                     qx,
                                                     ky,
                                                     pairs.data(),
                                                     n,
                                                     prec));
      int missed = 0;
      for (int trial = 0; trial < 4; ++trial) {
        auto xa = ball_points(a, trial, g), xx = ball_points(x, trial, g),
             xy = ball_points(yy, trial, g);
        arf_t s, p;
        arf_init(s);
        arf_init(p);
        for (std::ptrdiff_t i = 0; i < m; ++i) {
          for (std::ptrdiff_t j = 0; j < n; ++j) {
            const auto q = pairs[static_cast<std::size_t>(2 * j)];
            const auto kk = pairs[static_cast<std::size_t>(2 * j + 1)];
            arf_zero(s);
            for (std::ptrdiff_t l = 0; l < k; ++l) {
              arf_mul(p,
                      &xa[static_cast<std::size_t>(i + l * m)],
                      &xx[static_cast<std::size_t>(l + q * k)],
                      ARF_PREC_EXACT,
                      ARF_RND_DOWN);
              arf_mul(
                  p, p, &xy[static_cast<std::size_t>(l + kk * k)], ARF_PREC_EXACT, ARF_RND_DOWN);
              arf_add(s, s, p, ARF_PREC_EXACT, ARF_RND_DOWN);
            }
            if (arb_contains_arf(pc[static_cast<std::size_t>(i + j * m)], s) == 0) ++missed;
          }
        }
        arf_clear(s);
        arf_clear(p);
        for (auto* v : {&xa, &xx, &xy}) clear_points(*v);
      }
      CHECK(missed == 0);
      // and the radii are not wide: below the widest input radius 2^-40 times the entries'
      // scale 2^(10 + 0 + 5) times k < 2^6
      int wide = 0;
      for (auto& e : c) {
        if (mag_cmp_2exp_si(arb_radref(&e), 15 + 6 - 40) > 0) ++wide;
      }
      CHECK(wide == 0);
      mpfr_clear(tmp);
      for (auto* v : {&a, &x, &y, &c}) {
        for (auto& e : *v) arb_clear(&e);
      }
    }
  }
}

TEST_SUITE("scalar.crt_gemm") {
  TEST_CASE("khatri-rao: a ball result covers the bits cut from either factor") {
    // A = [-2^-20, 1], and in one factor the entries [1, 2^-20(1 + 2^-250)], in the other
    // [1, 1]: the exact sum is 2^-270, but 2^-20(1 + 2^-250) has bits below 2^(1 - t) of its line
    // and is cut to 2^-20, so the integer product is 0 exactly. Only the cut's term of the radius
    // can contain 2^-270, for a cut in x and for one in y.
    for (const bool cut_in_x : {true, false}) {
      CAPTURE(cut_in_x);
      const long prec = 256;
      std::vector<arb_struct> a(2), x(2), y(2), c(1);
      for (auto* v : {&a, &x, &y, &c}) {
        for (auto& e : *v) arb_init(&e);
      }
      arb_set_si(&a[0], -1);
      arb_mul_2exp_si(&a[0], &a[0], -20);
      arb_set_si(&a[1], 1);
      auto& cut = cut_in_x ? x : y;
      auto& whole = cut_in_x ? y : x;
      arb_set_si(&cut[0], 1);
      arb_set_si(&cut[1], 1);
      arb_mul_2exp_si(&cut[1], &cut[1], -250);
      arb_add_si(&cut[1], &cut[1], 1, ARF_PREC_EXACT);
      arb_mul_2exp_si(&cut[1], &cut[1], -20);
      arb_set_si(&whole[0], 1);
      arb_set_si(&whole[1], 1);
      std::vector<arb_srcptr> pa{&a[0], &a[1]}, px{&x[0], &x[1]}, py{&y[0], &y[1]};
      std::vector<arb_ptr> pc{&c[0]};
      const std::int64_t pairs[2] = {0, 0};
      REQUIRE(locus::detail::crt_gemm_khatri_rao_arb(
          pc.data(), pa.data(), px.data(), py.data(), 1, 2, 1, 1, pairs, 1, prec));
      arb_t exact;
      arb_init(exact);
      arb_one(exact);
      arb_mul_2exp_si(exact, exact, -270);
      CHECK(arb_contains(&c[0], exact) != 0);
      arb_clear(exact);
      for (auto* v : {&a, &x, &y, &c}) {
        for (auto& e : *v) arb_clear(&e);
      }
    }
  }
}

namespace {

// E's columns for a Hadamard product in groups: with more than one group they repeat, column ec
// being stored column map[ec] (mult·ec + add mod stored) of `stored` fewer than groups·r.
struct RepeatedColumns {
  std::ptrdiff_t stored;
  std::vector<std::int64_t> map;
  RepeatedColumns(std::ptrdiff_t groups, std::ptrdiff_t r, std::ptrdiff_t fewer, int mult, int add)
      : stored(groups > 1 ? groups * r - fewer : r) {
    for (std::ptrdiff_t ec = 0; groups > 1 && ec < groups * r; ++ec)
      map.push_back((mult * ec + add) % stored);
  }
  const std::int64_t* data() const { return map.empty() ? nullptr : map.data(); }
  std::ptrdiff_t operator()(std::ptrdiff_t ec) const {
    return map.empty() ? ec : static_cast<std::ptrdiff_t>(map[static_cast<std::size_t>(ec)]);
  }
};

// The Hadamard product c = A·B with B(l, j) = (Σ_c E(l, g r + c)·V(c, v))·x(l, q_j)·y(l, k_j)
// for column j = g nv + v (groups of nv columns; y = 1 without y), never formed, against the
// exact sums. MPFR: correctly rounded when no entry is cut (every line within
// 8 binades), else within ½ulp + 5kr·2^(e_i + f_j - t), f_j = e'_j + e_q + e_k with e'_j the
// largest exponent of V(c, j)·2^(e_c) (docs/math/crt-products.md, "Hadamard right factors").
void check_hadamard_mpfr(std::ptrdiff_t m,
                         std::ptrdiff_t k,
                         std::ptrdiff_t r,
                         std::ptrdiff_t qx,
                         int lo,
                         int hi,
                         bool same,
                         std::uint64_t seed,
                         bool expect_rounded,
                         std::ptrdiff_t groups = 1,
                         bool has_y = true) {
  CAPTURE(seed);
  CAPTURE(same);
  CAPTURE(groups);
  CAPTURE(has_y);
  auto g = locus::test::rng(seed);
  const long prec = 256;
  const std::ptrdiff_t ky = same ? qx : qx + 1;
  const RepeatedColumns stored(groups, r, groups, 5, 1);
  const std::ptrdiff_t e_stored = stored.stored;
  MpfrMatrix a(m * k, prec), e(k * e_stored, prec), x(k * qx, prec), y(k * ky, prec);
  for (auto* mat : {&a, &e, &x, &y}) {
    for (auto& v : mat->v) random_mpfr(v, g, lo, hi);
  }
  std::vector<std::int64_t> pairs;
  for (std::ptrdiff_t kk = 0; kk < ky; ++kk) {
    for (std::ptrdiff_t q = same ? kk : 0; q < qx; ++q) {
      pairs.push_back(q);
      pairs.push_back(kk);
    }
  }
  const auto nv = static_cast<std::ptrdiff_t>(pairs.size() / 2);  // V's columns
  for (std::ptrdiff_t gg = 1; gg < groups; ++gg) {  // every group: the same x and y columns
    for (std::ptrdiff_t j = 0; j < 2 * nv; ++j) pairs.push_back(pairs[static_cast<std::size_t>(j)]);
  }
  const std::ptrdiff_t n = groups * nv;
  MpfrMatrix v(r * nv, prec), c(m * n, prec);
  for (auto& w : v.v) random_mpfr(w, g, lo, hi);
  const auto pa = a.src(), pe = e.src(), pv = v.src(), px = x.src(), py = y.src();
  auto pc = c.dst();
  const locus::detail::HadamardShape shape{
      r, groups, stored.data(), e_stored, qx, ky, pairs.data(), n};
  const mpfr_srcptr* ys = !has_y ? nullptr : same ? px.data() : py.data();
  REQUIRE(locus::detail::crt_gemm_hadamard_mpfr(
      pc.data(), pa.data(), pe.data(), pv.data(), px.data(), ys, m, k, shape));
  const auto& yy = same ? px : py;
  const long t = prec + 8;
  std::vector<long> ecol(static_cast<std::size_t>(r * groups));  // E's column scales
  for (std::ptrdiff_t cc = 0; cc < r * groups; ++cc) {
    std::vector<const __mpfr_struct*> col;
    for (std::ptrdiff_t l = 0; l < k; ++l)
      col.push_back(pe[static_cast<std::size_t>(l + stored(cc) * k)]);
    ecol[static_cast<std::size_t>(cc)] = max_exp(col);
  }
  mpfr_t s, ev, prod;
  mpfr_inits2(kExactBits, s, ev, prod, nullptr);
  int bad = 0;
  for (std::ptrdiff_t j = 0; j < n; ++j) {
    const auto q = pairs[static_cast<std::size_t>(2 * j)];
    const auto kk = pairs[static_cast<std::size_t>(2 * j + 1)];
    const std::ptrdiff_t e0 = (j / nv) * r, vj = j % nv;  // the group's columns of E, V's column
    long ev_scale = std::numeric_limits<long>::min();
    for (std::ptrdiff_t cc = 0; cc < r; ++cc) {
      const mpfr_srcptr w = pv[static_cast<std::size_t>(cc + vj * r)];
      if (!mpfr_zero_p(w))
        ev_scale = std::max(ev_scale, mpfr_get_exp(w) + ecol[static_cast<std::size_t>(e0 + cc)]);
    }
    std::vector<const __mpfr_struct*> cx, cy;
    for (std::ptrdiff_t l = 0; l < k; ++l) {
      cx.push_back(px[static_cast<std::size_t>(l + q * k)]);
      cy.push_back(yy[static_cast<std::size_t>(l + kk * k)]);
    }
    for (std::ptrdiff_t i = 0; i < m; ++i) {
      std::vector<const __mpfr_struct*> row;
      for (std::ptrdiff_t l = 0; l < k; ++l) row.push_back(pa[static_cast<std::size_t>(i + l * m)]);
      mpfr_set_zero(s, 1);
      for (std::ptrdiff_t l = 0; l < k; ++l) {
        mpfr_set_zero(ev, 1);
        for (std::ptrdiff_t cc = 0; cc < r; ++cc) {
          REQUIRE(mpfr_mul(prod,
                           pe[static_cast<std::size_t>(l + stored(e0 + cc) * k)],
                           pv[static_cast<std::size_t>(cc + vj * r)],
                           MPFR_RNDN) == 0);  // exact
          REQUIRE(mpfr_add(ev, ev, prod, MPFR_RNDN) == 0);
        }
        const auto ul = static_cast<std::size_t>(l);
        REQUIRE(mpfr_mul(prod, row[ul], ev, MPFR_RNDN) == 0);
        REQUIRE(mpfr_mul(prod, prod, cx[ul], MPFR_RNDN) == 0);
        if (has_y) REQUIRE(mpfr_mul(prod, prod, cy[ul], MPFR_RNDN) == 0);
        REQUIRE(mpfr_add(s, s, prod, MPFR_RNDN) == 0);
      }
      const mpfr_srcptr cij = pc[static_cast<std::size_t>(i + j * m)];
      const long exponent = max_exp(row) + ev_scale + max_exp(cx) + (has_y ? max_exp(cy) : 0) - t;
      if (!agrees(cij, s, expect_rounded, static_cast<unsigned long>(5 * k * r), exponent)) ++bad;
    }
  }
  mpfr_clears(s, ev, prod, nullptr);
  CHECK(bad == 0);
}

}  // namespace

TEST_SUITE("scalar.crt_gemm") {
  TEST_CASE("hadamard: mpfr products with a Hadamard right factor are the exact sums, rounded") {
    for (int rep = 0; rep < 2 * locus::test::multiplier(); ++rep) {
      const auto seed = 9650 + static_cast<std::uint64_t>(rep);
      check_hadamard_mpfr(6, 40, 5, 4, 0, 3, false, seed, true);
      check_hadamard_mpfr(6, 300, 16, 5, -2, 2, true, seed, true);     // x = y, converted once
      check_hadamard_mpfr(4, 30, 3, 3, -150, 60, false, seed, false);  // cut entries: the bound
      check_hadamard_mpfr(4, 30, 3, 3, -150, 60, true, seed, false);
      // groups of columns, each with its own columns of E (K_{m,i} W_m D1 in the Hessian)
      check_hadamard_mpfr(5, 40, 4, 3, -2, 2, false, seed, true, 3);
      check_hadamard_mpfr(5, 40, 4, 3, -2, 2, false, seed, true, 4, false);  // without y
      check_hadamard_mpfr(4, 30, 3, 3, -150, 60, false, seed, false, 3, false);
    }
  }

  TEST_CASE("hadamard: ball products contain every value at points of the balls") {
    for (int rep = 0; rep < 4 * locus::test::multiplier(); ++rep) {
      const std::uint64_t seed = 9750 + static_cast<std::uint64_t>(rep);
      const bool same = rep % 3 != 2;
      // groups of columns with their own columns of E (rep 1 and 3), no y factor (rep 3)
      const std::ptrdiff_t groups = rep % 2 == 1 ? 3 : 1;
      const bool has_y = rep % 4 != 3;
      const long prec = 256;
      CAPTURE(seed);
      auto g = locus::test::rng(seed);
      const std::ptrdiff_t m = 3, k = 40, r = 4, qx = 3, ky = same ? qx : 2;
      std::vector<std::int64_t> pairs;
      for (std::ptrdiff_t kk = 0; kk < ky; ++kk) {
        for (std::ptrdiff_t q = 0; q < qx; ++q) {
          pairs.push_back(q);
          pairs.push_back(kk);
        }
      }
      const auto nv = static_cast<std::ptrdiff_t>(pairs.size() / 2);
      for (std::ptrdiff_t gg = 1; gg < groups; ++gg) {
        for (std::ptrdiff_t j = 0; j < 2 * nv; ++j)
          pairs.push_back(pairs[static_cast<std::size_t>(j)]);
      }
      const std::ptrdiff_t n = groups * nv;
      const RepeatedColumns stored(groups, r, 2, 7, 3);
      const std::ptrdiff_t e_stored = stored.stored;
      std::vector<arb_struct> a(static_cast<std::size_t>(m * k)),
          e(static_cast<std::size_t>(k * e_stored)), v(static_cast<std::size_t>(r * nv)),
          x(static_cast<std::size_t>(k * qx)), y(static_cast<std::size_t>(k * ky)),
          c(static_cast<std::size_t>(m * n));
      for (auto* w : {&a, &e, &v, &x, &y, &c}) {
        for (auto& z : *w) arb_init(&z);
      }
      mpfr_t tmp;
      mpfr_init2(tmp, prec);
      fill_balls(a, tmp, g, -30, 10, 0, prec);
      fill_balls(e, tmp, g, -120, 0, rep % 3 == 1 ? 53 : 0, prec);  // cut entries too
      fill_balls(v, tmp, g, -100, 4, 0, prec);
      fill_balls(x, tmp, g, -110, 0, 0, prec);
      fill_balls(y, tmp, g, -20, 5, 0, prec);
      std::vector<arb_srcptr> pa, pe, pv, px, py;
      std::vector<arb_ptr> pc;
      for (auto& z : a) pa.push_back(&z);
      for (auto& z : e) pe.push_back(&z);
      for (auto& z : v) pv.push_back(&z);
      for (auto& z : x) px.push_back(&z);
      for (auto& z : y) py.push_back(&z);
      for (auto& z : c) pc.push_back(&z);
      const auto& yy = same ? x : y;
      const locus::detail::HadamardShape shape{
          r, groups, stored.data(), e_stored, qx, ky, pairs.data(), n};
      const arb_srcptr* ys = !has_y ? nullptr : same ? px.data() : py.data();
      REQUIRE(locus::detail::crt_gemm_hadamard_arb(
          pc.data(), pa.data(), pe.data(), pv.data(), px.data(), ys, m, k, shape, prec));
      int missed = 0;
      for (int trial = 0; trial < 4; ++trial) {
        auto xa = ball_points(a, trial, g), xe = ball_points(e, trial, g),
             xv = ball_points(v, trial, g), xx = ball_points(x, trial, g),
             xy = ball_points(yy, trial, g);
        arf_t s, p, ev;
        arf_init(s);
        arf_init(p);
        arf_init(ev);
        for (std::ptrdiff_t i = 0; i < m; ++i) {
          for (std::ptrdiff_t j = 0; j < n; ++j) {
            const auto q = pairs[static_cast<std::size_t>(2 * j)];
            const auto kk = pairs[static_cast<std::size_t>(2 * j + 1)];
            const std::ptrdiff_t e0 = (j / nv) * r, vj = j % nv;
            arf_zero(s);
            for (std::ptrdiff_t l = 0; l < k; ++l) {
              arf_zero(ev);
              for (std::ptrdiff_t cc = 0; cc < r; ++cc) {
                arf_mul(p,
                        &xe[static_cast<std::size_t>(l + stored(e0 + cc) * k)],
                        &xv[static_cast<std::size_t>(cc + vj * r)],
                        ARF_PREC_EXACT,
                        ARF_RND_DOWN);
                arf_add(ev, ev, p, ARF_PREC_EXACT, ARF_RND_DOWN);
              }
              arf_mul(
                  p, &xa[static_cast<std::size_t>(i + l * m)], ev, ARF_PREC_EXACT, ARF_RND_DOWN);
              arf_mul(p, p, &xx[static_cast<std::size_t>(l + q * k)], ARF_PREC_EXACT, ARF_RND_DOWN);
              if (has_y) {
                arf_mul(
                    p, p, &xy[static_cast<std::size_t>(l + kk * k)], ARF_PREC_EXACT, ARF_RND_DOWN);
              }
              arf_add(s, s, p, ARF_PREC_EXACT, ARF_RND_DOWN);
            }
            if (arb_contains_arf(pc[static_cast<std::size_t>(i + j * m)], s) == 0) ++missed;
          }
        }
        arf_clear(s);
        arf_clear(p);
        arf_clear(ev);
        for (auto* w : {&xa, &xe, &xv, &xx, &xy}) clear_points(*w);
      }
      CHECK(missed == 0);
      // and the radii are not wide: below the widest input radius 2^-40 times the scales
      // 2^(10 + (0 + 4) + 0 + 5) times k·r < 2^8
      int wide = 0;
      for (auto& z : c) {
        if (mag_cmp_2exp_si(arb_radref(&z), 19 + 8 - 40) > 0) ++wide;
      }
      CHECK(wide == 0);
      mpfr_clear(tmp);
      for (auto* w : {&a, &e, &v, &x, &y, &c}) {
        for (auto& z : *w) arb_clear(&z);
      }
    }
  }

  TEST_CASE(
      "hadamard: a ball result covers the bits cut from E, V or x, and exact zeros stay exact") {
    // A = [-2^-20, 1] and B's column [1, 2^-20(1 + 2^-250)] with the small entry made in E, in V
    // or in x: 2^-20(1 + 2^-250) has bits more than t below its line's largest entry and is cut
    // to 2^-20, so the integer product is 0 exactly, while the exact sum is 2^-270. Only the
    // cut's term of the radius can contain it.
    const long prec = 256;
    const auto set_small = [](arb_ptr z) {  // 2^-20 (1 + 2^-250)
      arb_one(z);
      arb_mul_2exp_si(z, z, -250);
      arb_add_si(z, z, 1, ARF_PREC_EXACT);
      arb_mul_2exp_si(z, z, -20);
    };
    for (int where = 0; where < 4; ++where) {  // the cut in E, V, x; 3: E = 0 (an exact zero)
      CAPTURE(where);
      // k = 2 samples, r = 2 (E = I when the cut is elsewhere), n = 1
      std::vector<arb_struct> a(2), e(4), v(2), x(2), y(2), c(1);
      for (auto* w : {&a, &e, &v, &x, &y, &c}) {
        for (auto& z : *w) arb_init(&z);
      }
      arb_set_si(&a[0], -1);
      arb_mul_2exp_si(&a[0], &a[0], -20);
      arb_set_si(&a[1], 1);
      if (where == 3) mag_set_ui_2exp_si(arb_radref(&a[0]), 1, -30);  // A with a radius
      // E(l, c) column-major: E = I, V = [1, 1]ᵀ, x = [1, 1]: B = [1, 1] before the cut entry
      arb_one(&e[0]);
      arb_one(&e[3]);
      arb_one(&v[0]);
      arb_one(&v[1]);
      arb_one(&x[0]);
      arb_one(&x[1]);
      arb_one(&y[0]);
      arb_one(&y[1]);
      if (where == 0) {
        set_small(&e[3]);  // E(1, 1): column 1 is [0, small], its own line: not cut
        set_small(&e[1]);  // E(1, 0): column 0 is [1, small]: cut
        arb_zero(&e[3]);
      } else if (where == 1) {
        set_small(&v[1]);  // V(1, 0)·2^(e_1) in the column of V(0, 0)·2^(e_0) = 1: cut
      } else if (where == 2) {
        set_small(&x[1]);
      } else {
        for (auto& z : e) arb_zero(&z);
      }
      std::vector<arb_srcptr> pa{&a[0], &a[1]}, pe{&e[0], &e[1], &e[2], &e[3]}, pv{&v[0], &v[1]},
          px{&x[0], &x[1]}, py{&y[0], &y[1]};
      std::vector<arb_ptr> pc{&c[0]};
      const std::int64_t pairs[2] = {0, 0};
      // m = 1, k = 2; r = 2, one group, E stored in order (2 columns), x and y one column each,
      // n = 1
      const locus::detail::HadamardShape shape{2, 1, nullptr, 2, 1, 1, pairs, 1};
      REQUIRE(locus::detail::crt_gemm_hadamard_arb(
          pc.data(), pa.data(), pe.data(), pv.data(), px.data(), py.data(), 1, 2, shape, prec));
      if (where == 3) {
        CHECK(arb_is_zero(&c[0]) != 0);
      } else {
        arb_t exact;
        arb_init(exact);
        arb_one(exact);
        arb_mul_2exp_si(exact, exact, -270);
        CHECK(arb_contains(&c[0], exact) != 0);
        CHECK(mag_cmp_2exp_si(arb_radref(&c[0]), -200) < 0);
        arb_clear(exact);
      }
      for (auto* w : {&a, &e, &v, &x, &y, &c}) {
        for (auto& z : *w) arb_clear(&z);
      }
    }
  }
}

TEST_SUITE("scalar.crt_gemm") {
  TEST_CASE("ball: a radius sum that underflows to zero still gets its floor") {
    // A = [1, 2^-262] (nothing cut: 2^-262 is within t bits of its row), B = [0, 1 ± 2^-2000]:
    // the scaled radius term 2^-263 · 2^-900 underflows to 0 in doubles, while the product's
    // points 2^-262 (1 ± 2^-2000) are not its midpoint 2^-262. Only the underflow floor of the
    // radius can hold them; an exact zero term (A(0)·B(0)) must not be mistaken for it (the test
    // above of exact zeros).
    const long prec = 256;
    std::vector<arb_struct> a(2), b(2), c(1);
    for (auto* w : {&a, &b, &c}) {
      for (auto& z : *w) arb_init(&z);
    }
    arb_one(&a[0]);
    arb_one(&a[1]);
    arb_mul_2exp_si(&a[1], &a[1], -262);
    arb_zero(&b[0]);
    arb_one(&b[1]);
    mag_set_ui_2exp_si(arb_radref(&b[1]), 1, -2000);
    std::vector<arb_srcptr> pa{&a[0], &a[1]}, pb{&b[0], &b[1]};
    std::vector<arb_ptr> pc{&c[0]};
    REQUIRE(locus::detail::crt_gemm_arb(pc.data(), pa.data(), pb.data(), 1, 2, 1, prec));
    for (const int sign : {-1, 1}) {
      arb_t point;
      arb_init(point);
      arb_one(point);
      arb_mul_2exp_si(point, point, -2000);
      arb_mul_si(point, point, sign, ARF_PREC_EXACT);
      arb_add_si(point, point, 1, ARF_PREC_EXACT);
      arb_mul_2exp_si(point, point, -262);
      CHECK(arb_contains(&c[0], point) != 0);
      arb_clear(point);
    }
    for (auto* w : {&a, &b, &c}) {
      for (auto& z : *w) arb_clear(&z);
    }
  }
}

TEST_SUITE("scalar.crt_gemm") {
  TEST_CASE("ball: exact balls give the rounded sum, its rounding inside the radius") {
    // exact 256-bit midpoints in one binade (nothing cut): the integer product is exact, and only
    // the rounding of the sum down to prec bits (less than one ulp) is in the radius; for the
    // plain product and for a Khatri-Rao right factor
    const long prec = 256;
    auto g = locus::test::rng(9900);
    const std::ptrdiff_t m = 3, k = 20, n = 4;
    std::vector<arb_struct> a(static_cast<std::size_t>(m * k)), b(static_cast<std::size_t>(k * n)),
        c(static_cast<std::size_t>(m * n)), c2(static_cast<std::size_t>(m * n));
    for (auto* v : {&a, &b, &c, &c2}) {
      for (auto& e : *v) arb_init(&e);
    }
    mpfr_t tmp;
    mpfr_init2(tmp, prec);
    for (auto* v : {&a, &b}) {
      for (auto& e : *v) {
        random_mpfr(tmp, g, 0, 3);
        arf_set_mpfr(arb_midref(&e), tmp);
      }
    }
    mpfr_clear(tmp);
    std::vector<arb_srcptr> pa, pb, ones;
    std::vector<arb_ptr> pc, pc2;
    for (auto& e : a) pa.push_back(&e);
    for (auto& e : b) pb.push_back(&e);
    for (auto& e : c) pc.push_back(&e);
    for (auto& e : c2) pc2.push_back(&e);
    REQUIRE(locus::detail::crt_gemm_arb(pc.data(), pa.data(), pb.data(), m, k, n, prec));
    // B as the Khatri-Rao product of B's columns and a column of ones
    std::vector<arb_struct> one(static_cast<std::size_t>(k));
    for (auto& e : one) {
      arb_init(&e);
      arb_one(&e);
      ones.push_back(&e);
    }
    std::vector<std::int64_t> pairs;
    for (std::ptrdiff_t j = 0; j < n; ++j) {
      pairs.push_back(j);
      pairs.push_back(0);
    }
    REQUIRE(locus::detail::crt_gemm_khatri_rao_arb(
        pc2.data(), pa.data(), pb.data(), ones.data(), m, k, n, 1, pairs.data(), n, prec));
    int missed = 0, exact_radius = 0;
    arf_t s, p;
    arf_init(s);
    arf_init(p);
    for (std::ptrdiff_t i = 0; i < m; ++i) {
      for (std::ptrdiff_t j = 0; j < n; ++j) {
        arf_zero(s);
        for (std::ptrdiff_t l = 0; l < k; ++l) {
          arf_mul(p,
                  arb_midref(&a[static_cast<std::size_t>(i + l * m)]),
                  arb_midref(&b[static_cast<std::size_t>(l + j * k)]),
                  ARF_PREC_EXACT,
                  ARF_RND_DOWN);
          arf_add(s, s, p, ARF_PREC_EXACT, ARF_RND_DOWN);
        }
        for (arb_srcptr r :
             {pc[static_cast<std::size_t>(i + j * m)], pc2[static_cast<std::size_t>(i + j * m)]}) {
          if (arb_contains_arf(r, s) == 0) ++missed;
          if (mag_is_zero(arb_radref(r)) != 0) ++exact_radius;  // the sum has > 256 bits
          // the radius is about one ulp: below 2^(exp(s) - prec + 2)
          if (mag_cmp_2exp_si(arb_radref(r), arf_abs_bound_lt_2exp_si(s) - prec + 2) > 0) ++missed;
        }
      }
    }
    arf_clear(s);
    arf_clear(p);
    CHECK(missed == 0);
    CHECK(exact_radius == 0);
    for (auto* v : {&a, &b, &c, &c2, &one}) {
      for (auto& e : *v) arb_clear(&e);
    }
  }
}

TEST_CASE("next_up: the next double above a nonnegative double, as std::nextafter") {
  const double inf = std::numeric_limits<double>::infinity();
  for (const double x : {0.0,
                         -0.0,
                         std::numeric_limits<double>::denorm_min(),
                         1e-310,
                         std::numeric_limits<double>::min(),
                         0.1,
                         1.0,
                         3.0,
                         1e300,
                         std::numeric_limits<double>::max(),
                         inf}) {
    CAPTURE(x);
    CHECK(locus::detail::next_up(x) == std::nextafter(x, inf));
    CHECK(locus::detail::next_up(x) >= x);
  }
  CHECK(std::isnan(locus::detail::next_up(std::nan(""))));
}
