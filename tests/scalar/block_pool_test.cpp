// The pool of large blocks (locus/scalar/block_pool.hpp) and the Eigen storage of MPFR and ball
// matrices that lives in it (locus/scalar/eigen.hpp).
#include "locus/scalar/block_pool.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>

#include "locus/scalar/all.hpp"
#include "locus/scalar/eigen.hpp"

namespace {

bool aligned_to(const void* p, std::uintptr_t to) {
  return reinterpret_cast<std::uintptr_t>(p) % to == 0;  // NOLINT
}

}  // namespace

TEST_CASE("block pool: blocks are aligned, writable, and large ones are reused") {
  using locus::detail::give_block;
  using locus::detail::take_block;
  for (const std::size_t bytes : {std::size_t{1},
                                  std::size_t{1000},
                                  std::size_t{64} << 10,
                                  std::size_t{3} << 20,
                                  (std::size_t{5} << 20) + 17}) {
    void* p = take_block(bytes);
    REQUIRE(p != nullptr);
    CHECK(aligned_to(p, 64));
    std::memset(p, 0xab, bytes);  // every byte asked for is usable
    give_block(p);
  }
  // A freed block of 64 KiB or more serves the next request of the same size.
  const std::size_t big = std::size_t{3} << 20;
  void* a = take_block(big);
  give_block(a);
  void* b = take_block(big);
  CHECK(b == a);
  // ... but not one of less than half its size.
  give_block(b);
  void* c = take_block(std::size_t{1} << 20);
  CHECK(c != a);
  give_block(c);
  CHECK(locus::detail::release_pooled_blocks() >= big);
  CHECK(locus::detail::release_pooled_blocks() == 0);
  give_block(nullptr);  // ignored
}

TEST_CASE("block pool: MPFR matrices keep their values through resizes and reuse") {
  using S = locus::Mpfr256;
  // 20000 entries of 72 bytes: pooled storage.
  locus::Vec<S> v(20000);
  for (Eigen::Index i = 0; i < v.size(); ++i) v(i) = S(i) / S(3);
  // A conservative resize keeps the first entries. An MPFR number of Boost's allocate_stack
  // points into itself, so its bytes must not just be moved.
  v.conservativeResize(30000);
  for (Eigen::Index i = 0; i < 20000; i += 997) CHECK(v(i) * S(3) == S(i));
  for (Eigen::Index i = 20000; i < 30000; i += 997) v(i) = S(i);
  v.conservativeResize(100);
  CHECK(v(99) * S(3) == S(99));
  // Storage freed by one matrix and taken by the next holds default-constructed (zero) entries.
  {
    locus::Mat<S> a = locus::Mat<S>::Constant(300, 256, S(7));
    CHECK(a(299, 255) == S(7));
  }
  locus::Mat<S> b(300, 256);
  CHECK(b(0, 0) == S(0));
  CHECK(b(299, 255) == S(0));
  const locus::Mat<S> c = b.transpose() * locus::Mat<S>::Ones(300, 1);
  CHECK(c.rows() == 256);
  CHECK(c(255, 0) == S(0));
}

TEST_CASE("block pool: ball matrices in pooled storage stay rigorous") {
  const locus::ScopedBallPrecision bits(256);
  locus::Mat<locus::Ball> a(200, 200);
  for (Eigen::Index j = 0; j < a.cols(); ++j) {
    for (Eigen::Index i = 0; i < a.rows(); ++i) a(i, j) = locus::Ball(1) / locus::Ball(3);
  }
  a.conservativeResize(200, 300);  // columns added: the storage is reallocated
  CHECK(locus::contains(a(199, 199), locus::Rational(1, 3)));
  CHECK(locus::contains(a(0, 250), locus::Rational(0)));
  const locus::Mat<locus::Ball> s = a.leftCols(200).rowwise().sum();
  CHECK(locus::contains(s(0, 0), locus::Rational(200, 3)));
}
