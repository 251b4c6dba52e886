// Balls: enclosure of every operation, three-valued comparisons, precision control.
#include <doctest/doctest.h>

#include <array>

#include "support/scalar_lists.hpp"

#include "locus/error.hpp"
#include "locus/scalar/all.hpp"
#include "locus/scalar/eigen.hpp"
#include "locus/scalar/parse.hpp"

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
}
