// Scalar lists for TEST_CASE_TEMPLATE, and small helpers shared by the tests.
#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>

#include "locus/scalar/all.hpp"

#if LOCUS_HAS_FLOAT128
#define LOCUS_TEST_FLOAT128 locus::Float128,
#else
#define LOCUS_TEST_FLOAT128
#endif

/// The floating (RealField) scalars.
#define LOCUS_TEST_FLOATING_SCALARS                                                        \
  double, long double, LOCUS_TEST_FLOAT128 locus::Mpfr128, locus::Mpfr256, locus::Mpfr512, \
      locus::Mpfr1024
/// Floating + exact: the scalars Eigen's decompositions accept.
#define LOCUS_TEST_ORDERED_SCALARS LOCUS_TEST_FLOATING_SCALARS, locus::Rational
/// Every built-in scalar.
#define LOCUS_TEST_SCALARS LOCUS_TEST_ORDERED_SCALARS, locus::Ball

// Readable test names: "...<mpfr:256>" instead of the Boost template spelled out.
TYPE_TO_STRING_AS("mpfr:128", locus::Mpfr128);
TYPE_TO_STRING_AS("mpfr:256", locus::Mpfr256);
TYPE_TO_STRING_AS("mpfr:512", locus::Mpfr512);
TYPE_TO_STRING_AS("mpfr:1024", locus::Mpfr1024);
TYPE_TO_STRING_AS("rational", locus::Rational);
TYPE_TO_STRING_AS("ball", locus::Ball);
#if LOCUS_HAS_FLOAT128
TYPE_TO_STRING_AS("float128", locus::Float128);
#endif

namespace locus::test {

/// LOCUS_TEST_MULTIPLIER (default 1) scales the number of random instances (Arb's convention).
inline int multiplier() {
  const char* env = std::getenv("LOCUS_TEST_MULTIPLIER");
  if (env == nullptr) return 1;
  const int m = std::atoi(env);
  return m > 0 ? m : 1;
}

/// The seeded generator every randomised test uses; the seed is reported on failure.
inline std::mt19937_64 rng(std::uint64_t seed) {
  return std::mt19937_64(seed);
}

/// A random rational p/q with |p| <= pmax, 1 <= q <= qmax.
inline Rational random_rational(std::mt19937_64& g, long long pmax = 1000, long long qmax = 97) {
  std::uniform_int_distribution<long long> p(-pmax, pmax);
  std::uniform_int_distribution<long long> q(1, qmax);
  return Rational(p(g), q(g));
}

/// |a - b| <= tol * max(1, |b|), in exact rationals.
inline bool close_relative(const Rational& a, const Rational& b, const Rational& tol) {
  const Rational diff = abs(a - b);
  const Rational scale = abs(b) > 1 ? Rational(abs(b)) : Rational(1);
  return diff <= tol * scale;
}

}  // namespace locus::test
