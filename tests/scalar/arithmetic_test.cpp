// Arithmetic names and the run-time dispatcher.
#include "locus/scalar/arithmetic.hpp"

#include <doctest/doctest.h>

#include "locus/error.hpp"
#include "locus/scalar/parse.hpp"

using locus::Arithmetic;
using locus::parse_arithmetic;
using locus::ScalarKind;

TEST_SUITE("scalar.arithmetic") {
  TEST_CASE("arithmetic: accepted names round-trip") {
    for (const char* name : {"double",
                             "long-double",
                             "mpfr:128",
                             "mpfr:256",
                             "mpfr:512",
                             "mpfr:1024",
                             "rational",
                             "ball:2",
                             "ball:53",
                             "ball:128",
                             "ball:4096",
                             "ball:16777216"}) {
      CAPTURE(name);
      CHECK(parse_arithmetic(name).name() == name);
    }
#if LOCUS_HAS_FLOAT128
    CHECK(parse_arithmetic("float128").kind == ScalarKind::Quad);
#endif
    CHECK(parse_arithmetic("ball:300") == Arithmetic{ScalarKind::Ball, 300});
  }

  TEST_CASE("arithmetic: bad names are rejected naming the accepted forms") {
    for (const char* bad : {"mpfr:0",        "mpfr:abc",  "ball:-5",
                            "quad",          "",          "mpfr",
                            "ball",          "mpfr:",     "ball:",
                            "ball:0",        "ball:1",    "mpfr:300",
                            "mpfr:64",       "MPFR:128",  "double ",
                            " double",       "mpfr:+128", "ball:99999999999999999999",
                            "ball:16777217", "ball:12.5", "float",
                            "rational:5",    "mpfr:128x"}) {
      CAPTURE(bad);
      try {
        (void)parse_arithmetic(bad);
        FAIL("accepted");
      } catch (const locus::UnsupportedScalar& e) {
        const std::string what = e.what();
        CHECK(what.find(std::string("'") + bad + "'") != std::string::npos);
        CHECK(what.find("mpfr:BITS") != std::string::npos);
        CHECK(what.find("ball:BITS") != std::string::npos);
        CHECK(what.find("rational") != std::string::npos);
      }
    }
  }

  TEST_CASE("arithmetic: dispatch reaches the compiled scalar") {
    for (const auto& info : locus::builtin_arithmetics()) {
      const std::string name = info.name == "ball:BITS" ? "ball:77" : info.name;
      CAPTURE(name);
      const auto [got, digits] = locus::dispatch(name, []<class S>(std::type_identity<S>) {
        return std::pair{locus::ScalarTraits<S>::name(), locus::ScalarTraits<S>::digits()};
      });
      CHECK(got == name);
      if (name != "rational") CHECK(digits >= parse_arithmetic(name).bits);
    }
    CHECK(locus::ball_precision() == 128);  // restored after the ball dispatch
  }

  TEST_CASE("arithmetic: the same generic code runs in every arithmetic") {
    // 1/3 + 1/6 = 1/2 exactly representable everywhere after rounding
    for (const auto& info : locus::builtin_arithmetics()) {
      const std::string name = info.name == "ball:BITS" ? "ball:128" : info.name;
      const bool ok = locus::dispatch(name, []<class S>(std::type_identity<S>) {
        const S x = locus::parse_scalar<S>("1/3") + locus::parse_scalar<S>("1/6");
        using T = locus::ScalarTraits<S>;
        if constexpr (T::is_interval) {
          return contains(x, locus::Rational(1, 2));
        } else {
          using std::abs;
          return abs(x - locus::ratio<S>(1, 2)) <= T::default_tolerance();
        }
      });
      CHECK(ok);
    }
  }
}
