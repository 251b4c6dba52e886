// Eigen decompositions on every ordered scalar, checked against exact rational arithmetic.
#include "locus/linalg/dense.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <numeric>

#include "support/scalar_lists.hpp"

#include "locus/scalar/parse.hpp"

using locus::Mat;
using locus::Rational;
using locus::ScalarTraits;
using locus::Vec;

namespace {

Mat<Rational> random_symmetric_integer(std::mt19937_64& g, int n, int range) {
  std::uniform_int_distribution<int> d(-range, range);
  Mat<Rational> a(n, n);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j <= i; ++j) {
      a(i, j) = Rational(d(g));
      a(j, i) = a(i, j);
    }
  }
  return a;
}

/// I - 2 v v^T / v^T v for a random integer v: a rational orthogonal matrix.
Mat<Rational> random_householder(std::mt19937_64& g, int n) {
  std::uniform_int_distribution<int> d(-5, 5);
  Vec<Rational> v(n);
  do {
    for (int i = 0; i < n; ++i) v(i) = Rational(d(g));
  } while (v.squaredNorm() == 0);
  return Mat<Rational>::Identity(n, n) - (v * v.transpose()) * (Rational(2) / v.squaredNorm());
}

/// A rational symmetric matrix with the given eigenvalues: Q diag(d) Q^T, Q rational orthogonal.
Mat<Rational> with_spectrum(std::mt19937_64& g, const std::vector<Rational>& d) {
  const int n = static_cast<int>(d.size());
  const Mat<Rational> q =
      random_householder(g, n) * random_householder(g, n) * random_householder(g, n);
  Vec<Rational> dv(n);
  for (int i = 0; i < n; ++i) dv(i) = d[static_cast<std::size_t>(i)];
  return q * dv.asDiagonal() * q.transpose();
}

Rational max_abs(const Mat<Rational>& a) {
  Rational m(0);
  for (Eigen::Index i = 0; i < a.size(); ++i) m = std::max(m, Rational(abs(a.data()[i])));
  return m;
}

}  // namespace

TEST_SUITE("linalg.dense") {
  TEST_CASE_TEMPLATE(
      "eigen: known spectra of rational matrices Q D Q^T", S, LOCUS_TEST_FLOATING_SCALARS) {
    using T = ScalarTraits<S>;
    const std::uint64_t seed = 10001;
    CAPTURE(seed);
    CAPTURE(T::name());
    auto g = locus::test::rng(seed);
    for (int trial = 0; trial < 6 * locus::test::multiplier(); ++trial) {
      const int n = 3 + trial % 6;
      std::vector<Rational> d;
      for (int i = 0; i < n; ++i) d.push_back(locus::test::random_rational(g, 40, 7));
      if (trial % 2 == 0) d[0] = 0;  // an exact zero eigenvalue
      const Mat<Rational> a = with_spectrum(g, d);
      std::sort(d.begin(), d.end());
      const auto eig = locus::symmetric_eigen<S>(locus::convert_matrix<S>(a), true);
      REQUIRE(eig.converged);
      const Rational tol = T::to_rational(T::default_tolerance()) * (max_abs(a) + 1) * n;
      for (int i = 0; i < n; ++i) {
        CAPTURE(i);
        CHECK(abs(T::to_rational(eig.values(i)) - d[static_cast<std::size_t>(i)]) <= tol);
      }
      // eigenvectors: A V = V diag(values), V^T V = I
      const Mat<S> as = locus::convert_matrix<S>(a);
      const Mat<S> residual = as * eig.vectors - eig.vectors * eig.values.asDiagonal();
      const Mat<S> gram = eig.vectors.transpose() * eig.vectors - Mat<S>::Identity(n, n);
      CHECK(T::to_rational(residual.cwiseAbs().maxCoeff()) <= tol);
      CHECK(T::to_rational(gram.cwiseAbs().maxCoeff()) <= tol);
    }
  }

  TEST_CASE_TEMPLATE("eigen: random symmetric integer matrices match exact invariants",
                     S,
                     LOCUS_TEST_FLOATING_SCALARS) {
    // The characteristic polynomial's coefficients are exact rationals: trace, trace(A^2) and the
    // determinant (exact LU over Q) must equal the power sums and product of the eigenvalues.
    using T = ScalarTraits<S>;
    auto g = locus::test::rng(10002);
    for (int trial = 0; trial < 8 * locus::test::multiplier(); ++trial) {
      const int n = 2 + trial % 7;
      const Mat<Rational> a = random_symmetric_integer(g, n, 9);
      const Rational trace = a.trace();
      const Rational trace2 = (a * a).trace();
      const Rational det = locus::determinant<Rational>(a);
      const auto eig = locus::symmetric_eigen<S>(locus::convert_matrix<S>(a));
      REQUIRE(eig.converged);
      S sum(0), sum2(0), prod(1);
      for (int i = 0; i < n; ++i) {
        sum += eig.values(i);
        sum2 += eig.values(i) * eig.values(i);
        prod *= eig.values(i);
      }
      const Rational tol = T::to_rational(T::default_tolerance());
      Rational scale = max_abs(a) * n + 1;
      CHECK(abs(T::to_rational(sum) - trace) <= tol * scale);
      CHECK(abs(T::to_rational(sum2) - trace2) <= tol * scale * scale);
      Rational scale_n(1);
      for (int i = 0; i < n; ++i) scale_n *= scale;
      CHECK(abs(T::to_rational(prod) - det) <= tol * scale_n);
      // ascending order
      for (int i = 1; i < n; ++i) CHECK(eig.values(i - 1) <= eig.values(i));
    }
  }

  TEST_CASE("eigen: tridiagonal(-1, 2, -1) has eigenvalues 2 - 2 cos(k pi / (n + 1))") {
    using S = locus::Mpfr512;
    using T = ScalarTraits<S>;
    const int n = 12;
    Mat<S> a = Mat<S>::Zero(n, n);
    for (int i = 0; i < n; ++i) {
      a(i, i) = 2;
      if (i + 1 < n) a(i, i + 1) = a(i + 1, i) = -1;
    }
    const auto eig = locus::symmetric_eigen<S>(a);
    const S pi = acos(S(-1));
    for (int k = 1; k <= n; ++k) {
      const S expected = 2 - 2 * cos(S(k) * pi / (n + 1));
      CHECK(abs(eig.values(k - 1) - expected) <= T::default_tolerance());
    }
  }

  TEST_CASE_TEMPLATE(
      "ldlt: solves agree with the exact rational solution", S, LOCUS_TEST_ORDERED_SCALARS) {
    using T = ScalarTraits<S>;
    auto g = locus::test::rng(10003);
    for (int trial = 0; trial < 10 * locus::test::multiplier(); ++trial) {
      const int n = 2 + trial % 6;
      // X^T D X with D of chosen signs: symmetric, nonsingular with probability 1, indefinite
      Mat<Rational> x = random_symmetric_integer(g, n, 5) + Mat<Rational>::Identity(n, n) * 11;
      Vec<Rational> dsign(n);
      for (int i = 0; i < n; ++i) dsign(i) = (i % 3 == 0) ? -1 : 2;
      const Mat<Rational> a = x.transpose() * dsign.asDiagonal() * x;
      Vec<Rational> b(n);
      for (int i = 0; i < n; ++i) b(i) = locus::test::random_rational(g, 20, 3);
      bool exact_ok = false;
      const Vec<Rational> exact = locus::ldlt_solve<Rational>(a, b, &exact_ok);
      REQUIRE(exact_ok);
      REQUIRE(a * exact == b);  // exact over Q
      bool ok = false;
      const Vec<S> got = locus::ldlt_solve<S>(
          locus::convert_matrix<S>(a), locus::convert_matrix<S>(Mat<Rational>(b)), &ok);
      REQUIRE(ok);
      const Rational cond_scale = max_abs(a) * 1000 * n;
      for (int i = 0; i < n; ++i) {
        CHECK(locus::test::close_relative(
            T::to_rational(got(i)), exact(i), T::to_rational(T::default_tolerance()) * cond_scale));
      }
      // Sylvester: the signs of the exact LDL^T pivots are the signs of D
      if constexpr (T::is_exact) {
        const Vec<Rational> piv = locus::ldlt_diagonal<Rational>(a);
        int neg = 0, pos = 0;
        for (int i = 0; i < n; ++i) (piv(i) < 0 ? neg : pos) += 1;
        int neg_expected = 0;
        for (int i = 0; i < n; ++i) neg_expected += dsign(i) < 0 ? 1 : 0;
        CHECK(neg == neg_expected);
        CHECK(pos == n - neg_expected);
        CHECK(locus::determinant<Rational>(a) ==
              std::accumulate(piv.data(), piv.data() + n, Rational(1), std::multiplies<>()));
      }
    }
  }

  TEST_CASE("ldlt: a singular system is reported, not solved") {
    Mat<Rational> a(2, 2);
    a << 1, 2, 2, 4;
    Vec<Rational> b(2);
    b << 1, 1;
    bool ok = true;
    (void)locus::ldlt_solve<Rational>(a, b, &ok);
    CHECK_FALSE(ok);
    CHECK(locus::determinant<Rational>(a) == 0);
  }
}
