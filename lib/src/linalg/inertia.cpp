// Exact inertia, rank and null spaces over Q (locus/linalg/inertia.hpp). Raw mpq calls on the
// matrix entries in place: Boost's operators would allocate a temporary per multiply-add.
#include "locus/linalg/inertia.hpp"

#include <algorithm>
#include <numeric>
#include <vector>

#include "locus/error.hpp"

#include <fmt/format.h>

namespace locus {
namespace {

using Index = Eigen::Index;

mpq_ptr Q(Rational& x) {
  return x.backend().data();
}
mpq_srcptr Q(const Rational& x) {
  return x.backend().data();
}

std::size_t bit_size(const Rational& x) {
  return mpz_sizeinbase(mpq_numref(Q(x)), 2) + mpz_sizeinbase(mpq_denref(Q(x)), 2);
}

// The symmetric matrix kept as its lower triangle in original coordinates: entry (p, q) lives
// at (max(p, q), min(p, q)), so pivoting is a reordering of indices, never a data move.
class SymmetricStore {
 public:
  explicit SymmetricStore(Mat<Rational> a) : a_(std::move(a)) {}
  Rational& operator()(Index p, Index q) { return p >= q ? a_(p, q) : a_(q, p); }

 private:
  Mat<Rational> a_;
};

// Gaussian elimination to (reduced) row echelon form in place; returns the pivot columns.
std::vector<Index> row_echelon(Mat<Rational>& a, bool reduced) {
  std::vector<Index> pivots;
  Index row = 0;
  Rational f, tmp;
  for (Index col = 0; col < a.cols() && row < a.rows(); ++col) {
    Index best = -1;
    std::size_t best_size = 0;
    for (Index r = row; r < a.rows(); ++r) {
      if (mpq_sgn(Q(a(r, col))) == 0) continue;
      const std::size_t s = bit_size(a(r, col));
      if (best < 0 || s < best_size) {
        best = r;
        best_size = s;
      }
    }
    if (best < 0) continue;
    if (best != row) a.row(best).swap(a.row(row));
    // Normalise the pivot row.
    const Rational inv = 1 / a(row, col);
    for (Index c = col; c < a.cols(); ++c) mpq_mul(Q(a(row, c)), Q(a(row, c)), Q(inv));
    for (Index r = reduced ? 0 : row + 1; r < a.rows(); ++r) {
      if (r == row || mpq_sgn(Q(a(r, col))) == 0) continue;
      f = a(r, col);
      for (Index c = col; c < a.cols(); ++c) {
        if (mpq_sgn(Q(a(row, c))) == 0) continue;
        mpq_mul(Q(tmp), Q(f), Q(a(row, c)));
        mpq_sub(Q(a(r, c)), Q(a(r, c)), Q(tmp));
      }
    }
    pivots.push_back(col);
    ++row;
  }
  return pivots;
}

}  // namespace

std::string to_string(const Inertia& inertia) {
  return fmt::format("({}, {}, {})", inertia.positive, inertia.negative, inertia.zero);
}

ExactInertia exact_inertia(const Mat<Rational>& a, bool with_null_basis) {
  if (a.rows() != a.cols()) {
    throw InvalidArgument(
        fmt::format("exact_inertia: matrix is {}x{}, expected a square matrix", a.rows(), a.cols()));
  }
  const Index n = a.rows();
  for (Index j = 0; j < n; ++j) {
    for (Index i = j + 1; i < n; ++i) {
      if (mpq_equal(Q(a(i, j)), Q(a(j, i))) == 0) {
        throw InvalidArgument(fmt::format(
            "exact_inertia: matrix is not symmetric: entry ({}, {}) = {} but ({}, {}) = {}", i, j,
            to_string(a(i, j)), j, i, to_string(a(j, i))));
      }
    }
  }
  ExactInertia out;
  SymmetricStore s(a);
  std::vector<Index> rest(static_cast<std::size_t>(n));
  std::iota(rest.begin(), rest.end(), Index{0});
  std::vector<Rational> f(static_cast<std::size_t>(n)), g(static_cast<std::size_t>(n));
  Rational tmp;
  while (!rest.empty()) {
    // 1x1 pivot: the nonzero diagonal entry of least bit size.
    std::size_t best = rest.size();
    std::size_t best_size = 0;
    for (std::size_t t = 0; t < rest.size(); ++t) {
      Rational& d = s(rest[t], rest[t]);
      if (mpq_sgn(Q(d)) == 0) continue;
      const std::size_t sz = bit_size(d);
      if (best == rest.size() || sz < best_size) {
        best = t;
        best_size = sz;
      }
    }
    if (best < rest.size()) {
      const Index k = rest[best];
      rest.erase(rest.begin() + static_cast<std::ptrdiff_t>(best));
      const Rational d = s(k, k);
      (mpq_sgn(Q(d)) > 0 ? out.inertia.positive : out.inertia.negative) += 1;
      // A_rs -= A_rk A_sk / d for the remaining pairs r >= s (in `rest` order).
      for (std::size_t t = 0; t < rest.size(); ++t) {
        mpq_div(Q(f[t]), Q(s(rest[t], k)), Q(d));
      }
      for (std::size_t u = 0; u < rest.size(); ++u) {
        if (mpq_sgn(Q(f[u])) == 0) continue;
        for (std::size_t t = u; t < rest.size(); ++t) {
          const Rational& ark = s(rest[t], k);
          if (mpq_sgn(Q(ark)) == 0) continue;
          mpq_mul(Q(tmp), Q(ark), Q(f[u]));
          Rational& target = s(rest[t], rest[u]);
          mpq_sub(Q(target), Q(target), Q(tmp));
        }
      }
      continue;
    }
    // Every remaining diagonal entry is 0: a 2x2 pivot [[0, b], [b, 0]] on a nonzero b.
    std::size_t pi = rest.size(), pj = rest.size();
    std::size_t best_b = 0;
    for (std::size_t u = 0; u < rest.size(); ++u) {
      for (std::size_t t = u + 1; t < rest.size(); ++t) {
        Rational& b = s(rest[t], rest[u]);
        if (mpq_sgn(Q(b)) == 0) continue;
        const std::size_t sz = bit_size(b);
        if (pi == rest.size() || sz < best_b) {
          pi = t;
          pj = u;
          best_b = sz;
        }
      }
    }
    if (pi == rest.size()) {  // the rest is the zero matrix
      out.inertia.zero += static_cast<Index>(rest.size());
      break;
    }
    const Index ki = rest[pi], kj = rest[pj];
    rest.erase(rest.begin() + static_cast<std::ptrdiff_t>(pi));  // pi > pj
    rest.erase(rest.begin() + static_cast<std::ptrdiff_t>(pj));
    out.inertia.positive += 1;
    out.inertia.negative += 1;
    const Rational b = s(ki, kj);
    // D⁻¹ = [[0, 1/b], [1/b, 0]]: A_rs -= (A_r,ki A_s,kj + A_r,kj A_s,ki) / b.
    for (std::size_t t = 0; t < rest.size(); ++t) {
      mpq_div(Q(f[t]), Q(s(rest[t], kj)), Q(b));  // A_t,kj / b
      mpq_div(Q(g[t]), Q(s(rest[t], ki)), Q(b));  // A_t,ki / b
    }
    for (std::size_t u = 0; u < rest.size(); ++u) {
      for (std::size_t t = u; t < rest.size(); ++t) {
        Rational& target = s(rest[t], rest[u]);
        const Rational& ati = s(rest[t], ki);
        const Rational& atj = s(rest[t], kj);
        if (mpq_sgn(Q(ati)) != 0 && mpq_sgn(Q(f[u])) != 0) {
          mpq_mul(Q(tmp), Q(ati), Q(f[u]));
          mpq_sub(Q(target), Q(target), Q(tmp));
        }
        if (mpq_sgn(Q(atj)) != 0 && mpq_sgn(Q(g[u])) != 0) {
          mpq_mul(Q(tmp), Q(atj), Q(g[u]));
          mpq_sub(Q(target), Q(target), Q(tmp));
        }
      }
    }
  }
  out.rank = out.inertia.positive + out.inertia.negative;
  if (with_null_basis) out.null_basis = exact_null_space(a);
  return out;
}

Eigen::Index exact_rank(const Mat<Rational>& a) {
  Mat<Rational> work = a;
  return static_cast<Index>(row_echelon(work, false).size());
}

Mat<Rational> exact_null_space(const Mat<Rational>& a) {
  Mat<Rational> r = a;
  const std::vector<Index> pivots = row_echelon(r, true);
  const Index n = a.cols();
  std::vector<bool> is_pivot(static_cast<std::size_t>(n), false);
  for (const Index p : pivots) is_pivot[static_cast<std::size_t>(p)] = true;
  Mat<Rational> basis = Mat<Rational>::Zero(n, n - static_cast<Index>(pivots.size()));
  Index col = 0;
  for (Index free = 0; free < n; ++free) {
    if (is_pivot[static_cast<std::size_t>(free)]) continue;
    basis(free, col) = 1;
    for (std::size_t t = 0; t < pivots.size(); ++t) {
      basis(pivots[t], col) = -r(static_cast<Index>(t), free);
    }
    ++col;
  }
  return basis;
}

}  // namespace locus
