// Balls: enclosure of every operation, three-valued comparisons, precision control.
#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <limits>
#include <vector>

#include "support/scalar_lists.hpp"

#include "locus/error.hpp"
#include "locus/scalar/all.hpp"
#include "locus/scalar/double_enclosure.hpp"
#include "locus/scalar/eigen.hpp"
#include "locus/scalar/parse.hpp"

#include <mpfr.h>

using locus::Ball;
using locus::Certainty;
using locus::Rational;

static_assert(locus::Field<Ball>);
static_assert(locus::IntervalScalar<Ball>);
static_assert(!std::totally_ordered<Ball>, "balls must not have a two-valued order");
static_assert(!locus::OrderedField<Ball>);
static_assert(locus::RealField<double>);
static_assert(locus::RealField<locus::Mpfr256>);
static_assert(locus::OrderedField<Rational>);
static_assert(!locus::RealField<Rational>, "rationals have no transcendentals");

TEST_SUITE("scalar.ball") {
  TEST_CASE("ball: + - * / enclose the exact rational results") {
    const std::uint64_t seed = 8001;
    CAPTURE(seed);
    auto g = locus::test::rng(seed);
    for (int bits : {16, 64, 128, 512}) {
      locus::ScopedBallPrecision prec(bits);
      for (int i = 0; i < 100 * locus::test::multiplier(); ++i) {
        const Rational a = locus::test::random_rational(g);
        Rational b = locus::test::random_rational(g);
        if (b == 0) b = 1;
        const Ball x(a);
        const Ball y(b);
        CAPTURE(locus::to_string(a));
        CAPTURE(locus::to_string(b));
        CHECK(contains(x + y, a + b));
        CHECK(contains(x - y, a - b));
        CHECK(contains(x * y, a * b));
        CHECK(contains(x / y, a / b));
        CHECK(contains(-x, -a));
        CHECK(contains(x * 3 - 2, a * 3 - 2));
        CHECK(contains(pow(y, -3), 1 / (b * b * b)));
        // accumulate: error grows but the enclosure holds
        Ball s(0);
        Rational exact(0);
        for (int k = 1; k <= 30; ++k) {
          s += x / Ball(k);
          exact += a / k;
        }
        CHECK(contains(s, exact));
      }
    }
  }

  TEST_CASE("ball: transcendentals at 128 bits contain the 2048-bit enclosure") {
    auto g = locus::test::rng(8002);
    for (int i = 0; i < 50 * locus::test::multiplier(); ++i) {
      const Rational a = locus::test::random_rational(g, 3000, 1000);
      const Rational pos = abs(a) + Rational(1, 7);
      auto eval = [&](int bits) {
        locus::ScopedBallPrecision prec(bits);
        const Ball x(a);
        const Ball p(pos);
        return std::array<Ball, 6>{exp(x), log(p), tanh(x), sqrt(p), log1p(p), expm1(x)};
      };
      const auto lo = eval(128);
      const auto hi = eval(2048);
      for (std::size_t k = 0; k < lo.size(); ++k) {
        CAPTURE(k);
        CHECK(contains(lo[k], hi[k]));
        CHECK(lo[k].rel_accuracy_bits() > 100);
      }
    }
    locus::ScopedBallPrecision prec(200);
    CHECK(contains(square(sqrt(Ball(2))), Rational(2)));
    CHECK(contains(exp(log(Ball(Rational(7, 3)))), Rational(7, 3)));
    CHECK(certainly_zero(tanh(Ball(0))) == Certainty::True);
  }

  TEST_CASE("ball: three-valued comparisons") {
    const Ball one(1);
    const Ball two(2);
    CHECK(certainly_less(one, two) == Certainty::True);
    CHECK(certainly_less(two, one) == Certainty::False);
    CHECK(certainly_less(one, one) == Certainty::False);
    CHECK(certainly_less_equal(one, one) == Certainty::True);
    CHECK(certainly_greater(two, one) == Certainty::True);
    CHECK(certainly_equal(one, one) == Certainty::True);
    const Ball wide = Ball::from_mid_rad(Rational(3, 2), Rational(1));  // [1/2, 5/2]
    CHECK(certainly_less(wide, two) == Certainty::Unknown);
    CHECK(certainly_less(one, wide) == Certainty::Unknown);
    CHECK(certainly_equal(wide, wide) == Certainty::Unknown);
    CHECK(certainly_positive(wide) == Certainty::True);
    CHECK(certainly_negative(wide) == Certainty::False);
    const Ball around0 = Ball::from_mid_rad(Rational(0), Rational(1, 1000));
    CHECK(certainly_zero(around0) == Certainty::Unknown);
    CHECK(certainly_positive(around0) == Certainty::Unknown);
    CHECK(possibly_zero(around0));
    CHECK(certainly_zero(Ball(0)) == Certainty::True);
    CHECK(certainly_zero(one) == Certainty::False);
    CHECK((Certainty::True && Certainty::Unknown) == Certainty::Unknown);
    CHECK((Certainty::False && Certainty::Unknown) == Certainty::False);
    CHECK((Certainty::True || Certainty::Unknown) == Certainty::True);
    CHECK(!Certainty::Unknown == Certainty::Unknown);
  }

  TEST_CASE("ball: end points, hull, from_interval") {
    const Ball b = Ball::from_interval(Rational(1, 3), Rational(1, 2));
    CHECK(contains(b, Rational(1, 3)));
    CHECK(contains(b, Rational(1, 2)));
    CHECK(contains(b, Rational(5, 12)));
    CHECK_FALSE(contains(b, Rational(1, 4)));
    CHECK(b.lower() <= Rational(1, 3));
    CHECK(b.upper() >= Rational(1, 2));
    CHECK(b.mid() - b.rad() == b.lower());
    const Ball h = hull(Ball(1), Ball(5));
    CHECK(contains(h, Rational(3)));
    CHECK(overlaps(h, Ball(5)));
    CHECK_FALSE(overlaps(Ball(1), Ball(2)));
    CHECK_THROWS_AS(Ball::from_mid_rad(Rational(0), Rational(-1)), locus::InvalidArgument);
    CHECK_THROWS_AS(Ball::from_interval(Rational(2), Rational(1)), locus::InvalidArgument);
  }

  TEST_CASE("ball: outside the domain is not finite, never a wrong number") {
    CHECK_FALSE(log(Ball(-1)).is_finite());
    CHECK_FALSE(log(Ball::from_mid_rad(Rational(0), Rational(1, 2))).is_finite());
    CHECK_FALSE((Ball(1) / Ball::from_mid_rad(Rational(0), Rational(1))).is_finite());
    CHECK_FALSE(sqrt(Ball(-4)).is_finite());
    CHECK_THROWS_AS(Ball(std::numeric_limits<double>::quiet_NaN()), locus::InvalidArgument);
    CHECK_THROWS_AS(Ball(std::numeric_limits<double>::infinity()), locus::InvalidArgument);
    CHECK_THROWS_AS((void)log(Ball(-1)).mid(), locus::InvalidArgument);
  }

  TEST_CASE("ball: precision is scoped and validated") {
    CHECK(locus::ball_precision() == 128);
    {
      locus::ScopedBallPrecision a(300);
      CHECK(locus::ball_precision() == 300);
      CHECK(locus::ScalarTraits<Ball>::name() == "ball:300");
      {
        locus::ScopedBallPrecision b(64);
        CHECK(locus::ball_precision() == 64);
      }
      CHECK(locus::ball_precision() == 300);
    }
    CHECK(locus::ball_precision() == 128);
    CHECK_THROWS_AS(locus::ScopedBallPrecision(1), locus::InvalidArgument);
    CHECK_THROWS_AS(locus::ScopedBallPrecision(0), locus::InvalidArgument);
    CHECK_THROWS_AS(locus::ScopedBallPrecision(-5), locus::InvalidArgument);
    // more precision, tighter enclosure of the same number
    auto rad_at = [](int bits) {
      locus::ScopedBallPrecision p(bits);
      return locus::ratio<Ball>(1, 3).rad();
    };
    CHECK(rad_at(256) < rad_at(128));
  }

  TEST_CASE("ball: copies, moves and self-assignment") {
    Ball a = locus::ratio<Ball>(2, 3);
    Ball b = a;
    CHECK(b == a);  // structural identity
    Ball c = std::move(b);
    CHECK(c == a);
    Ball& alias = c;
    c = alias;
    CHECK(c == a);
    c = std::move(alias);
    CHECK(contains(c, Rational(2, 3)));
    std::vector<Ball> v(100, a);
    v.resize(1000);
    CHECK(certainly_zero(v.back()) == Certainty::True);
  }

  TEST_CASE("ball: Eigen dense products enclose the exact rational product") {
    auto g = locus::test::rng(8003);
    const int n = 6;
    locus::Mat<Rational> a(n, n), b(n, n);
    for (int i = 0; i < n; ++i) {
      for (int j = 0; j < n; ++j) {
        a(i, j) = locus::test::random_rational(g);
        b(i, j) = locus::test::random_rational(g);
      }
    }
    const locus::Mat<Rational> exact = a * b + a.transpose();
    const locus::Mat<Ball> ab = locus::convert_matrix<Ball>(a);
    const locus::Mat<Ball> bb = locus::convert_matrix<Ball>(b);
    const locus::Mat<Ball> prod = ab * bb + ab.transpose();
    const locus::Vec<Ball> mv = ab * bb.col(0);
    const locus::Vec<Rational> mv_exact = a * b.col(0);
    for (int i = 0; i < n; ++i) {
      CHECK(contains(mv(i), mv_exact(i)));
      for (int j = 0; j < n; ++j) CHECK(contains(prod(i, j), exact(i, j)));
    }
  }

  TEST_CASE("enclose_in_double: the nearest double and a bound of the cut, over the whole range") {
    // Midpoints of 20 to 200 bits at exponents from 2^-1100 to 2^1100, across the edges of the
    // exact reading from one limb (2^-900, 2^1000), of the normal range and of overflow. Each
    // midpoint becomes its correctly rounded double (MPFR's, from the exact rational), and the
    // radius covers the cut plus the ball's radius; a midpoint that is a double is read exactly
    // (no cut), so an exact 53-bit ball stays exact.
    const auto nearest = [](const Rational& q) {
      mpfr_t t;
      mpfr_init2(t, 4000);
      mpfr_set_q(t, q.backend().data(), MPFR_RNDN);  // exact: a dyadic rational of <= 200 bits
      const double d = mpfr_get_d(t, MPFR_RNDN);
      mpfr_clear(t);
      return d;
    };
    int exact_seen = 0, cut_seen = 0, refused = 0;
    for (const int bits : {20, 53, 54, 64, 200}) {
      const locus::ScopedBallPrecision precision(bits);
      std::vector<int> exponents{-901,
                                 -900,
                                 -899,
                                 -959,
                                 -958,
                                 -957,
                                 -1075,
                                 -1074,
                                 -1022,
                                 -1021,
                                 -1020,
                                 999,
                                 1000,
                                 1001,
                                 1023,
                                 1024,
                                 1025};
      for (int k = -1100; k <= 1100; k += 7) exponents.push_back(k);
      for (const int e : exponents) {
        {
          // ±(1 + 1/3)·2^e rounded to `bits` bits (a ball with a radius), (1 + 2^-52)·2^e (a
          // double) and (1 + 2^-53)·2^e (54 bits: exact from 54 bits on, then a tie to round)
          for (const int which : {0, 1, 2}) {
            const auto times_pow2 = [](Rational v, long p) {
              if (p >= 0) {
                mpq_mul_2exp(v.backend().data(), v.backend().data(), static_cast<mp_bitcnt_t>(p));
              } else {
                mpq_div_2exp(v.backend().data(), v.backend().data(), static_cast<mp_bitcnt_t>(-p));
              }
              return v;
            };
            Rational q = which == 0 ? Rational(4, 3)
                                    : Rational(1) + times_pow2(Rational(1), which == 1 ? -52 : -53);
            q = times_pow2(q, e);
            if (e % 2 != 0) q = -q;
            const Ball x(q);
            const Rational mid = x.mid();
            CAPTURE(bits);
            CAPTURE(e);
            CAPTURE(which);
            double d = 0, r = 0;
            if (!locus::enclose_in_double(x, &d, &r)) {
              // refused only when the midpoint overflows, or the radius is beyond Arb's
              // mag_get_d (which answers inf from about 2^1000 on)
              Rational big(1);
              mpq_mul_2exp(big.backend().data(), big.backend().data(), 990);
              CHECK((!std::isfinite(nearest(mid)) || x.rad() > big));
              ++refused;
              continue;
            }
            CHECK(d == nearest(mid));
            CHECK(r >= 0);
            const Rational gap = mid > Rational(d) ? mid - Rational(d) : Rational(d) - mid;
            CHECK(Rational(r) >= gap + x.rad());
            if (Rational(d) == mid && x.rad() == 0) {
              CHECK(r == 0);
              ++exact_seen;
            } else if (Rational(d) != mid) {
              ++cut_seen;
            }
          }
        }
      }
    }
    CHECK(exact_seen > 100);  // both paths ran
    CHECK(cut_seen > 100);
    CHECK(refused > 0);
  }
}
