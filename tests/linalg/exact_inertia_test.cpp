// The hybrid modular exact inertia (docs/math/exact-inertia.md) against the fraction-free LDLᵀ on
// every matrix: rank-deficient congruences, zero diagonals, huge and tiny entries that force the
// ball LDLᵀ to escalate, an unlucky pivot prime, and supplied null vectors (right, wrong, too few).
#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "locus/error.hpp"
#include "locus/linalg/inertia.hpp"
#include "locus/scalar/all.hpp"

using locus::ExactInertiaMethod;
using locus::ExactInertiaOptions;
using locus::Inertia;
using locus::Mat;
using locus::Rational;

namespace {

Rational random_rational(std::mt19937_64& g, int num_max, int den_max) {
  std::uniform_int_distribution<int> num(-num_max, num_max), den(1, den_max);
  return Rational(num(g)) / den(g);
}

// Gᵀ·D·G for a random m × n rational G: rank ≤ min(m, rank D), inertia that of D when G has full
// row rank m (checked by the caller through the fraction-free result, never assumed).
Mat<Rational> congruence(std::mt19937_64& g, const Mat<Rational>& d, Eigen::Index n) {
  Mat<Rational> x(d.rows(), n);
  for (Eigen::Index j = 0; j < n; ++j) {
    for (Eigen::Index i = 0; i < d.rows(); ++i) x(i, j) = random_rational(g, 9, 5);
  }
  return x.transpose() * d * x;
}

Inertia fraction_free(const Mat<Rational>& m) {
  ExactInertiaOptions ff;
  ff.method = ExactInertiaMethod::FractionFree;
  return locus::exact_inertia(m, ff).inertia;
}

}  // namespace

TEST_CASE("modular inertia agrees with the fraction-free LDLᵀ on 60 random symmetric matrices") {
  std::mt19937_64 g(20261202);
  int deficient = 0, with_two_by_two = 0;
  for (int trial = 0; trial < 60; ++trial) {
    const int m = 1 + trial % 9;         // inner dimension: rank ≤ m
    const int n = 2 + (trial * 7) % 14;  // order of the matrix
    Mat<Rational> d = Mat<Rational>::Zero(m, m);
    std::uniform_int_distribution<int> pick(-1, 1);
    for (int i = 0; i < m; ++i) d(i, i) = Rational(pick(g)) * (1 + i);
    if (trial % 5 == 0 && m >= 2) {  // an indefinite block with a zero diagonal
      d(0, 0) = d(1, 1) = 0;
      d(0, 1) = d(1, 0) = Rational(3, 7);
      ++with_two_by_two;
    }
    Mat<Rational> a = congruence(g, d, n);
    if (trial % 7 == 3) {  // a zero diagonal in the matrix itself: [[0, b], [b, 0]] blocks
      a = Mat<Rational>::Zero(n, n);
      for (int i = 0; i + 1 < n; i += 2) a(i, i + 1) = a(i + 1, i) = random_rational(g, 9, 5);
    }
    CAPTURE(trial);
    CAPTURE(n);
    const Inertia truth = fraction_free(a);
    ExactInertiaOptions opt;
    opt.with_null_basis = true;
    opt.seed = 1000 + static_cast<std::uint64_t>(trial);
    const locus::ExactInertia ex = locus::exact_inertia(a, opt);
    CHECK(ex.inertia == truth);
    CHECK(ex.rank == truth.positive + truth.negative);
    CHECK(ex.null_basis.cols() == truth.zero);
    CHECK((a * ex.null_basis).isZero());
    CHECK(locus::exact_rank(ex.null_basis) == truth.zero);
    CHECK(ex.method == ExactInertiaMethod::Modular);
    CHECK(ex.prime > (std::uint64_t{1} << 61));
    if (truth.zero > 0) {
      ++deficient;
      CHECK(ex.rank_proof == "schur");
    }
  }
  CHECK(deficient >= 20);  // the rank proof was exercised, not only full-rank matrices
  CHECK(with_two_by_two >= 5);
}

TEST_CASE("the ball LDLᵀ escalates its precision and falls back to exact elimination") {
  std::mt19937_64 g(5);
  // Eigenvalue scales 1e-60 .. 1e60 (congruent to diag): 128 bits cannot order the pivots.
  Rational tiny(1), huge(1);
  for (int i = 0; i < 60; ++i) {
    tiny /= 10;
    huge *= 10;
  }
  Mat<Rational> d = Mat<Rational>::Zero(6, 6);
  d.diagonal() << huge, -huge, tiny, -tiny, Rational(1), Rational(0);
  const Mat<Rational> a = congruence(g, d, 7);
  const Inertia truth = fraction_free(a);
  CHECK(truth == Inertia{3, 2, 2});
  const locus::ExactInertia ex = locus::exact_inertia(a);
  CHECK(ex.inertia == truth);
  CHECK(ex.ldlt_bits > 128);
  // 2^-20000 next to 1: no ball precision up to 16384 bits separates it, the exact step does.
  Rational minute(1);
  for (int i = 0; i < 20000; ++i) minute /= 2;
  Mat<Rational> e = Mat<Rational>::Zero(3, 3);
  e.diagonal() << Rational(1), -minute, Rational(2);
  e(0, 1) = e(1, 0) = Rational(1, 3);  // couple them so that the tiny pivot is a Schur complement
  e(1, 1) = Rational(1, 9) - minute;   // a_11 − a_01²/a_00 = −minute
  const locus::ExactInertia ee = locus::exact_inertia(e);
  CHECK(ee.inertia == fraction_free(e));
  CHECK(ee.inertia == Inertia{2, 1, 0});
  CHECK(ee.ldlt_bits == 0);
}

TEST_CASE("an unlucky pivot prime is detected and replaced") {
  // The first prime drawn from a seed does not depend on the matrix; diag(1, p) has rank 1 modulo
  // p and rank 2 over Q, so the rank proof must refute r = 1 and draw another prime.
  ExactInertiaOptions opt;
  opt.seed = 77;
  const locus::ExactInertia probe = locus::exact_inertia(Mat<Rational>::Identity(2, 2), opt);
  const std::uint64_t p = probe.prime;
  Mat<Rational> a = Mat<Rational>::Zero(3, 3);
  a(0, 0) = 1;
  a(1, 1) = Rational(static_cast<unsigned long>(p));
  a(2, 2) = -Rational(static_cast<unsigned long>(p)) * 3;
  const locus::ExactInertia ex = locus::exact_inertia(a, opt);
  CHECK(ex.inertia == Inertia{2, 1, 0});
  CHECK(ex.prime != p);
  CHECK(ex.rank_proof == "full rank");
}

TEST_CASE("supplied null vectors: checked exactly, used when they span, refused when wrong") {
  std::mt19937_64 g(11);
  Mat<Rational> d = Mat<Rational>::Zero(5, 5);
  d.diagonal() << Rational(2), Rational(-1), Rational(3), Rational(1, 2), Rational(-5);
  const Mat<Rational> a = congruence(g, d, 9);  // rank 5, nullity 4
  const Mat<Rational> kernel = locus::exact_null_space(a);
  REQUIRE(kernel.cols() == 4);
  const Inertia truth = fraction_free(a);
  REQUIRE(truth == Inertia{3, 2, 4});

  ExactInertiaOptions opt;
  opt.with_null_basis = true;
  // a dependent extra column (the sum of two) is allowed: the span is what counts
  Mat<Rational> k(9, 5);
  k << kernel, kernel.col(0) + kernel.col(2);
  opt.null_vectors = k;
  const locus::ExactInertia ex = locus::exact_inertia(a, opt);
  CHECK(ex.inertia == truth);
  CHECK(ex.rank_proof == "null vectors");
  CHECK(ex.null_basis.cols() == 4);
  CHECK((a * ex.null_basis).isZero());
  CHECK(locus::exact_rank(ex.null_basis) == 4);

  // too few: they prove nothing on their own, the Schur proof does the rest
  opt.null_vectors = kernel.leftCols(3);
  const locus::ExactInertia fewer = locus::exact_inertia(a, opt);
  CHECK(fewer.inertia == truth);
  CHECK(fewer.rank_proof == "schur");

  // a wrong vector (one entry off by 1/1000) is an error naming it, not a trusted hypothesis
  Mat<Rational> wrong = kernel;
  wrong(3, 2) += Rational(1, 1000);
  opt.null_vectors = wrong;
  CHECK_THROWS_WITH_AS(locus::exact_inertia(a, opt),
                       doctest::Contains("supplied null vector 2 is not in the kernel"),
                       locus::InvalidArgument);
  opt.null_vectors = Mat<Rational>::Zero(8, 1);
  CHECK_THROWS_WITH_AS(
      locus::exact_inertia(a, opt), doctest::Contains("expected 9"), locus::InvalidArgument);
}

TEST_CASE("edge cases: empty, zero and 1x1 matrices; bad input") {
  CHECK(locus::exact_inertia(Mat<Rational>(0, 0)).inertia == Inertia{0, 0, 0});
  const locus::ExactInertia z = locus::exact_inertia(Mat<Rational>::Zero(4, 4), true);
  CHECK(z.inertia == Inertia{0, 0, 4});
  CHECK(z.null_basis.cols() == 4);
  Mat<Rational> one(1, 1);
  one(0, 0) = Rational(-3, 7);
  CHECK(locus::exact_inertia(one).inertia == Inertia{0, 1, 0});
  Mat<Rational> bad = Mat<Rational>::Zero(3, 3);
  bad(0, 2) = Rational(1);
  CHECK_THROWS_WITH_AS(
      locus::exact_inertia(bad), doctest::Contains("not symmetric"), locus::InvalidArgument);
  CHECK_THROWS_AS(locus::exact_inertia(Mat<Rational>::Zero(2, 3)), locus::InvalidArgument);
}

TEST_CASE("exact_ldlt: P·A·Pᵀ = L·D·Lᵀ exactly, and In(D) is the fraction-free inertia") {
  std::mt19937_64 g(7);
  int two_by_two = 0, singular = 0;
  for (int trial = 0; trial < 40; ++trial) {
    const int m = 1 + trial % 6;
    const int n = 1 + (trial * 5) % 11;
    Mat<Rational> d = Mat<Rational>::Zero(m, m);
    std::uniform_int_distribution<int> pick(-1, 1);
    for (int i = 0; i < m; ++i) d(i, i) = Rational(pick(g)) * (1 + i);
    Mat<Rational> a = congruence(g, d, n);
    if (trial % 4 == 1) {  // zero diagonal: only 2×2 pivots are available at first
      a = Mat<Rational>::Zero(n, n);
      for (int i = 0; i + 1 < n; i += 2) a(i, i + 1) = a(i + 1, i) = random_rational(g, 9, 5);
    }
    const locus::ExactLdlt f = locus::exact_ldlt(a);
    // L unit lower triangular, D block diagonal from the blocks, the permutation a bijection
    Mat<Rational> dm = Mat<Rational>::Zero(n, n);
    Eigen::Index at = 0;
    for (const auto& b : f.blocks) {
      REQUIRE((b.size() == 1 || b.size() == 3));
      if (b.size() == 1) {
        dm(at, at) = b[0];
        at += 1;
      } else {
        dm(at, at) = b[0];
        dm(at, at + 1) = dm(at + 1, at) = b[1];
        dm(at + 1, at + 1) = b[2];
        at += 2;
        ++two_by_two;
      }
    }
    REQUIRE(at == n);
    std::vector<bool> seen(static_cast<std::size_t>(n), false);
    for (Eigen::Index i = 0; i < n; ++i) {
      CHECK(f.l(i, i) == 1);
      for (Eigen::Index j = i + 1; j < n; ++j) CHECK(f.l(i, j) == 0);
      seen[static_cast<std::size_t>(f.permutation[static_cast<std::size_t>(i)])] = true;
    }
    CHECK(std::all_of(seen.begin(), seen.end(), [](bool s) { return s; }));
    Mat<Rational> pap(n, n);
    for (Eigen::Index i = 0; i < n; ++i) {
      for (Eigen::Index j = 0; j < n; ++j) {
        pap(i, j) = a(f.permutation[static_cast<std::size_t>(i)],
                      f.permutation[static_cast<std::size_t>(j)]);
      }
    }
    CHECK(pap == f.l * dm * f.l.transpose());
    CHECK(f.inertia == fraction_free(a));
    if (f.inertia.zero > 0) ++singular;
  }
  CHECK(two_by_two > 5);  // both pivot kinds and singular matrices were exercised
  CHECK(singular > 5);
  CHECK_THROWS_AS(locus::exact_ldlt(Mat<Rational>::Zero(2, 3)), locus::InvalidArgument);
}
