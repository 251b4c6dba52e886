// locus/scalar/eigen.hpp: Eigen integration for every locus scalar, and Mat<Scalar> / Vec<Scalar>.
//
// This is the only file that includes <boost/multiprecision/eigen.hpp>. It completes Boost 1.74's
// Eigen::NumTraits for the multiprecision types (adds infinity() and quiet_NaN(), which Eigen 3.4's
// hypot needs in SelfAdjointEigenSolver: docs/toolchain.md, item 1), gives Rational an exact
// epsilon() = 0 (so LDL^T pivots exactly), and defines NumTraits<Ball>.
//
// What works per scalar (tests/scalar/eigen_test.cpp checks each):
//   | scalar            | dense algebra | LDLT / LU | SelfAdjointEigenSolver |
//   |-------------------|---------------|-----------|------------------------|
//   | double ... Mpfr   | yes           | yes       | yes                    |
//   | Rational          | yes           | yes, exact| no (not a RealField)   |
//   | Ball              | yes (rigorous)| no: rigorous linear algebra is locus's own, or Arb's
//   arb_mat |
//
// Include cost is high (Eigen/Dense plus Boost.Multiprecision): include it only where matrices are
// used, and keep decompositions behind extern templates (linalg/dense.hpp).
#pragma once

#include <algorithm>
#include <cstddef>
#include <limits>

#include "locus/scalar/all.hpp"
#include "locus/scalar/block_pool.hpp"

#include <Eigen/Dense>

#include <boost/multiprecision/eigen.hpp>

namespace locus::detail {

/// The NumTraits members Boost 1.74 provides for multiprecision numbers, plus infinity/quiet_NaN.
template <class Number>
struct MultiprecisionNumTraits {
  using Real = Number;
  using NonInteger = Number;
  using Literal = double;
  using Nested = Number;
  enum {
    IsComplex = 0,
    IsInteger = 0,
    ReadCost = 1,
    AddCost = 4,
    MulCost = 8,
    IsSigned = 1,
    RequireInitialization = 1,
  };
  static Real epsilon() { return std::numeric_limits<Real>::epsilon(); }
  static Real dummy_precision() { return 1000 * epsilon(); }
  static Real highest() { return (std::numeric_limits<Real>::max)(); }
  static Real lowest() { return -(std::numeric_limits<Real>::max)(); }
  static int digits10() { return std::numeric_limits<Real>::digits10; }
  static int digits() { return std::numeric_limits<Real>::digits; }
  static int max_digits10() { return std::numeric_limits<Real>::max_digits10; }
  static Real infinity() { return std::numeric_limits<Real>::infinity(); }
  static Real quiet_NaN() { return std::numeric_limits<Real>::quiet_NaN(); }
};

}  // namespace locus::detail

namespace Eigen {

template <unsigned D10>
struct NumTraits<boost::multiprecision::number<
    boost::multiprecision::mpfr_float_backend<D10, boost::multiprecision::allocate_stack>,
    boost::multiprecision::et_off>>
    : locus::detail::MultiprecisionNumTraits<boost::multiprecision::number<
          boost::multiprecision::mpfr_float_backend<D10, boost::multiprecision::allocate_stack>,
          boost::multiprecision::et_off>> {};

#if LOCUS_HAS_FLOAT128
template <>
struct NumTraits<locus::Float128> : locus::detail::MultiprecisionNumTraits<locus::Float128> {};
#endif

/// Exact rationals: epsilon and dummy_precision are 0, so decompositions treat only exact zeros as
/// zero (Eigen's CustomizingEigen_CustomScalar recipe for mpq_class).
template <>
struct NumTraits<locus::Rational> : locus::detail::MultiprecisionNumTraits<locus::Rational> {
  enum { AddCost = 16, MulCost = 32 };
  static Real epsilon() { return Real(0); }
  static Real dummy_precision() { return Real(0); }
  static Real highest() = delete;
  static Real lowest() = delete;
  static Real infinity() = delete;
  static Real quiet_NaN() = delete;
  static int digits10() { return 0; }
};

/// Balls: dense algebra only (sums, products, transposes, blocks). Decompositions that compare
/// magnitudes must not be used with balls; they do not compile, since balls have no operator<.
template <>
struct NumTraits<locus::Ball> {
  using Real = locus::Ball;
  using NonInteger = locus::Ball;
  using Literal = locus::Ball;
  using Nested = locus::Ball;
  enum {
    IsComplex = 0,
    IsInteger = 0,
    ReadCost = 1,
    AddCost = 8,
    MulCost = 16,
    IsSigned = 1,
    RequireInitialization = 1,
  };
  static Real epsilon() { return locus::ScalarTraits<locus::Ball>::epsilon(); }
  static Real dummy_precision() { return locus::ScalarTraits<locus::Ball>::default_tolerance(); }
  static int digits10() { return locus::ball_precision() * 301 / 1000; }
  static int digits() { return locus::ball_precision(); }
};

template <typename BinaryOp>
struct ScalarBinaryOpTraits<locus::Ball, int, BinaryOp> {
  using ReturnType = locus::Ball;
};
template <typename BinaryOp>
struct ScalarBinaryOpTraits<int, locus::Ball, BinaryOp> {
  using ReturnType = locus::Ball;
};

namespace internal {

// The entries of dynamic matrices of MPFR numbers and balls live in blocks of the shared pool
// (locus/scalar/block_pool.hpp) instead of fresh malloc blocks: a matrix of a few megabytes is
// then usually memory already touched, not thousands of page faults. These are explicit
// specialisations of Eigen 3.4's allocation functions (util/Memory.h) for those scalars only;
// the elements are constructed and destroyed as Eigen would, those of large arrays on every
// thread when the caller is outside a parallel region (construct_numbers, construct_balls,
// destroy_balls). A conservative resize copies the
// kept entries by assignment: an MPFR number of Boost's allocate_stack points into itself, so
// moving its bytes (what Eigen's generic realloc does) would leave it pointing at freed memory.
template <class T>
void locus_construct(T* p, std::size_t n) {
  construct_elements_of_array(p, n);
}
inline void locus_construct(locus::Ball* p, std::size_t n) {
  locus::detail::construct_balls(p, n);
}
inline void locus_construct(locus::Mpfr128* p, std::size_t n) {
  locus::detail::construct_numbers<128>(p, n);
}
inline void locus_construct(locus::Mpfr256* p, std::size_t n) {
  locus::detail::construct_numbers<256>(p, n);
}
inline void locus_construct(locus::Mpfr512* p, std::size_t n) {
  locus::detail::construct_numbers<512>(p, n);
}
inline void locus_construct(locus::Mpfr1024* p, std::size_t n) {
  locus::detail::construct_numbers<1024>(p, n);
}
template <class T>
void locus_destruct(T* p, std::size_t n) {
  destruct_elements_of_array<T>(p, n);
}
inline void locus_destruct(locus::Ball* p, std::size_t n) {
  locus::detail::destroy_balls(p, n);
}
template <class T>
T* locus_pooled_new(std::size_t size) {
  if (size == 0) return nullptr;
  check_size_for_overflow<T>(size);
  T* result = static_cast<T*>(locus::detail::take_block(sizeof(T) * size));
  try {
    locus_construct(result, size);
  } catch (...) {
    locus::detail::give_block(result);
    throw;
  }
  return result;
}
template <class T>
void locus_pooled_delete(T* ptr, std::size_t size) {
  if (ptr == nullptr) return;
  locus_destruct(ptr, size);
  locus::detail::give_block(ptr);
}
template <class T>
T* locus_pooled_realloc(T* ptr, std::size_t new_size, std::size_t old_size) {
  T* result = locus_pooled_new<T>(new_size);
  for (std::size_t i = 0; i < std::min(new_size, old_size); ++i) result[i] = ptr[i];
  locus_pooled_delete<T>(ptr, old_size);
  return result;
}

#define LOCUS_POOLED_EIGEN_STORAGE(T, ALIGN)                                         \
  template <>                                                                        \
  inline T* conditional_aligned_new_auto<T, ALIGN>(std::size_t size) {               \
    return locus_pooled_new<T>(size);                                                \
  }                                                                                  \
  template <>                                                                        \
  inline void conditional_aligned_delete_auto<T, ALIGN>(T * ptr, std::size_t size) { \
    locus_pooled_delete<T>(ptr, size);                                               \
  }                                                                                  \
  template <>                                                                        \
  inline T* conditional_aligned_realloc_new_auto<T, ALIGN>(                          \
      T * ptr, std::size_t new_size, std::size_t old_size) {                         \
    return locus_pooled_realloc<T>(ptr, new_size, old_size);                         \
  }
#define LOCUS_POOLED_EIGEN_SCALAR(T)  \
  LOCUS_POOLED_EIGEN_STORAGE(T, true) \
  LOCUS_POOLED_EIGEN_STORAGE(T, false)
LOCUS_POOLED_EIGEN_SCALAR(locus::Mpfr128)
LOCUS_POOLED_EIGEN_SCALAR(locus::Mpfr256)
LOCUS_POOLED_EIGEN_SCALAR(locus::Mpfr512)
LOCUS_POOLED_EIGEN_SCALAR(locus::Mpfr1024)
LOCUS_POOLED_EIGEN_SCALAR(locus::Ball)
#undef LOCUS_POOLED_EIGEN_SCALAR
#undef LOCUS_POOLED_EIGEN_STORAGE

}  // namespace internal

}  // namespace Eigen

namespace locus {

/// Dense column-major matrix over Scalar.
template <class Scalar>
using Mat = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
/// Dense column vector over Scalar.
template <class Scalar>
using Vec = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;

/// Converts every entry from one locus scalar to another through the exact rational value
/// (ScalarTraits<From>::to_rational, then ScalarTraits<To>::from_rational): the result is the
/// correctly rounded (or enclosing) image of each entry, never a double-rounded one.
template <class To, class From>
Mat<To> convert_matrix(const Mat<From>& a) {
  Mat<To> out(a.rows(), a.cols());
  for (Eigen::Index j = 0; j < a.cols(); ++j) {
    for (Eigen::Index i = 0; i < a.rows(); ++i) {
      out(i, j) = ScalarTraits<To>::from_rational(ScalarTraits<From>::to_rational(a(i, j)));
    }
  }
  return out;
}

}  // namespace locus
