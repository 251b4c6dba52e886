// Exact inertia, rank and null spaces over Q (locus/linalg/inertia.hpp). Raw mpq calls on the
// matrix entries in place: Boost's operators would allocate a temporary per multiply-add.
#include "locus/linalg/inertia.hpp"

#include <algorithm>
#include <numeric>
#include <vector>

#include "linalg/inertia_internal.hpp"

#include "locus/error.hpp"

#include <fmt/format.h>

#include <gmpxx.h>

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

namespace detail {

void check_square_symmetric(const Mat<Rational>& a) {
  if (a.rows() != a.cols()) {
    throw InvalidArgument(fmt::format(
        "exact_inertia: matrix is {}x{}, expected a square matrix", a.rows(), a.cols()));
  }
  const Index n = a.rows();
  for (Index j = 0; j < n; ++j) {
    for (Index i = j + 1; i < n; ++i) {
      if (mpq_equal(Q(a(i, j)), Q(a(j, i))) == 0) {
        throw InvalidArgument(fmt::format(
            "exact_inertia: matrix is not symmetric: entry ({}, {}) = {} but ({}, {}) = {}",
            i,
            j,
            to_string(a(i, j)),
            j,
            i,
            to_string(a(j, i))));
      }
    }
  }
}

Inertia fraction_free_inertia(const Mat<Rational>& a) {
  const Index n = a.rows();
  ExactInertia out;  // only its inertia is filled here
  // Fraction-free (Bareiss) symmetric elimination on the integer matrix c·A (c = the lcm of the
  // denominators, c > 0, so In(cA) = In(A)). After k pivots the trailing block is p_k times the
  // rational Schur complement and every division by the previous pivot p_{k-1} is exact
  // (Sylvester's determinant identity); the k-th diagonal entry of D has the sign of p_k·p_{k-1}.
  // When every remaining diagonal entry is 0 but some a_ij is not, the unimodular congruence
  // "row/column i += row/column j" makes a_ii = 2 a_ij nonzero; the Bareiss state is then that of
  // the congruent integer matrix, so the divisions stay exact.
  mpz_class lcm = 1;
  for (Index j = 0; j < n; ++j) {
    for (Index i = j; i < n; ++i) {
      mpz_lcm(lcm.get_mpz_t(), lcm.get_mpz_t(), mpq_denref(Q(a(i, j))));
    }
  }
  // Lower triangle in original coordinates: (p, q) lives at (max, min), so pivoting reorders
  // indices and never moves data.
  std::vector<mpz_class> w(static_cast<std::size_t>(n * n));
  auto at = [&w, n](Index p, Index q) -> mpz_class& {
    return p >= q ? w[static_cast<std::size_t>(p + q * n)] : w[static_cast<std::size_t>(q + p * n)];
  };
  for (Index j = 0; j < n; ++j) {
    for (Index i = j; i < n; ++i) {
      mpz_divexact(at(i, j).get_mpz_t(), lcm.get_mpz_t(), mpq_denref(Q(a(i, j))));
      mpz_mul(at(i, j).get_mpz_t(), at(i, j).get_mpz_t(), mpq_numref(Q(a(i, j))));
    }
  }
  std::vector<Index> rest(static_cast<std::size_t>(n));
  std::iota(rest.begin(), rest.end(), Index{0});
  mpz_class previous = 1;
  while (!rest.empty()) {
    std::size_t best = rest.size();
    std::size_t best_size = 0;
    for (std::size_t t = 0; t < rest.size(); ++t) {
      const mpz_class& d = at(rest[t], rest[t]);
      if (sgn(d) == 0) continue;
      const std::size_t sz = mpz_sizeinbase(d.get_mpz_t(), 2);
      if (best == rest.size() || sz < best_size) {
        best = t;
        best_size = sz;
      }
    }
    if (best == rest.size()) {
      // No nonzero diagonal: find a_ij != 0 and add row/column j to row/column i.
      std::size_t ti = rest.size(), tj = rest.size();
      for (std::size_t u = 0; u < rest.size() && ti == rest.size(); ++u) {
        for (std::size_t t = u + 1; t < rest.size(); ++t) {
          if (sgn(at(rest[t], rest[u])) != 0) {
            ti = u;
            tj = t;
            break;
          }
        }
      }
      if (ti == rest.size()) {  // the rest is the zero matrix
        out.inertia.zero += static_cast<Index>(rest.size());
        break;
      }
      const Index i = rest[ti], j = rest[tj];
      // a_ii += 2 a_ij + a_jj (a_ii = a_jj = 0); then a_ik += a_jk for k != i.
      at(i, i) = 2 * at(i, j);
      for (const Index k : rest) {
        if (k != i) at(i, k) += at(j, k);
      }
      best = ti;
    }
    const Index k = rest[best];
    rest.erase(rest.begin() + static_cast<std::ptrdiff_t>(best));
    const mpz_class pivot = at(k, k);
    (sgn(pivot) * sgn(previous) > 0 ? out.inertia.positive : out.inertia.negative) += 1;
    const auto m = static_cast<std::ptrdiff_t>(rest.size());
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 4) if (m > 24)
#endif
    for (std::ptrdiff_t uu = 0; uu < m; ++uu) {
      const auto u = static_cast<std::size_t>(uu);
      mpz_class tmp;
      const mpz_class& aku = at(rest[u], k);
      for (std::size_t t = u; t < rest.size(); ++t) {
        mpz_class& target = at(rest[t], rest[u]);
        // target = (pivot·target − a_tk·a_uk) / previous
        mpz_mul(target.get_mpz_t(), target.get_mpz_t(), pivot.get_mpz_t());
        const mpz_class& atk = at(rest[t], k);
        if (sgn(atk) != 0 && sgn(aku) != 0) {
          mpz_mul(tmp.get_mpz_t(), atk.get_mpz_t(), aku.get_mpz_t());
          mpz_sub(target.get_mpz_t(), target.get_mpz_t(), tmp.get_mpz_t());
        }
        mpz_divexact(target.get_mpz_t(), target.get_mpz_t(), previous.get_mpz_t());
      }
    }
    previous = pivot;
  }
  return out.inertia;
}

}  // namespace detail

ExactLdlt exact_ldlt(const Mat<Rational>& a) {
  detail::check_square_symmetric(a);
  const Index n = a.rows();
  Mat<Rational> w = a;  // the trailing block is the Schur complement
  ExactLdlt out;
  out.l = Mat<Rational>::Identity(n, n);
  out.permutation.resize(static_cast<std::size_t>(n));
  for (Index i = 0; i < n; ++i) out.permutation[static_cast<std::size_t>(i)] = i;
  // Symmetric swap of positions i and j (i, j >= k): rows and columns of w, the finished rows
  // of L, and the permutation.
  const auto swap = [&](Index i, Index j, Index k) {
    if (i == j) return;
    w.row(i).swap(w.row(j));
    w.col(i).swap(w.col(j));
    for (Index c = 0; c < k; ++c) std::swap(out.l(i, c), out.l(j, c));
    std::swap(out.permutation[static_cast<std::size_t>(i)],
              out.permutation[static_cast<std::size_t>(j)]);
  };
  Index k = 0;
  while (k < n) {
    Index pivot = -1;
    for (Index i = k; i < n && pivot < 0; ++i) {
      if (w(i, i) != 0) pivot = i;
    }
    if (pivot >= 0) {  // 1×1 pivot
      swap(pivot, k, k);
      const Rational d = w(k, k);
      for (Index i = k + 1; i < n; ++i) out.l(i, k) = w(i, k) / d;
      for (Index j = k + 1; j < n; ++j) {
        if (w(j, k) == 0) continue;
        for (Index i = j; i < n; ++i) {
          if (out.l(i, k) != 0) w(i, j) -= out.l(i, k) * w(j, k);
          w(j, i) = w(i, j);
        }
      }
      out.blocks.push_back({d});
      if (d > 0)
        ++out.inertia.positive;
      else
        ++out.inertia.negative;
      k += 1;
      continue;
    }
    Index pi = -1, pj = -1;  // every diagonal entry is 0: a nonzero off-diagonal one
    for (Index j = k; j < n && pi < 0; ++j) {
      for (Index i = j + 1; i < n; ++i) {
        if (w(i, j) != 0) {
          pi = i;
          pj = j;
          break;
        }
      }
    }
    if (pi < 0) {  // the Schur complement is zero
      for (; k < n; ++k) {
        out.blocks.push_back({Rational(0)});
        ++out.inertia.zero;
      }
      break;
    }
    swap(pj, k, k);
    swap(pi, k + 1, k);
    // E = [[0, b], [b, 0]] (both diagonal entries are 0), E⁻¹ = [[0, 1/b], [1/b, 0]]
    const Rational b = w(k + 1, k);
    for (Index i = k + 2; i < n; ++i) {
      out.l(i, k) = w(i, k + 1) / b;
      out.l(i, k + 1) = w(i, k) / b;
    }
    for (Index j = k + 2; j < n; ++j) {
      for (Index i = j; i < n; ++i) {
        w(i, j) -= out.l(i, k) * w(j, k) + out.l(i, k + 1) * w(j, k + 1);
        w(j, i) = w(i, j);
      }
    }
    out.blocks.push_back({Rational(0), b, Rational(0)});  // det = −b² < 0: one of each sign
    ++out.inertia.positive;
    ++out.inertia.negative;
    k += 2;
  }
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
