// Certified eigenvalue clusters with Arb balls, and the R7 float gap test
// (locus/linalg/spectrum.hpp). See the header for the argument; the steps are marked below.
#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <mutex>
#include <tuple>
#include <utility>
#include <vector>

#include "linalg/lapack.hpp"
#include "scalar/arf_double.hpp"
#include "scalar/gemm.hpp"

#include "locus/error.hpp"
#include "locus/linalg/dense.hpp"
#include "locus/linalg/spectrum.hpp"
#include "locus/scalar/all.hpp"
#include "locus/scalar/double_enclosure.hpp"
#include "locus/scalar/parse.hpp"

#include <fmt/format.h>

#include <arb.h>
#include <flint/flint.h>

#include <cblas.h>
#ifdef _OPENMP
#include <omp.h>
#endif

namespace locus {
namespace {

using Index = Eigen::Index;
using MatD = Eigen::MatrixXd;

arb_ptr A(Ball& b) {
  return static_cast<arb_ptr>(b.arb());
}
arb_srcptr A(const Ball& b) {
  return static_cast<arb_srcptr>(b.arb());
}

Ball mid_of(const Ball& x) {
  Ball out;
  arb_get_mid_arb(A(out), A(x));
  return out;
}

// mid(x)·2^s rounded to the nearest double.
double mid_scaled(const Ball& x, slong s) {
  arf_t t;
  arf_init(t);
  arf_mul_2exp_si(t, arb_midref(A(x)), s);
  const double d = arf_get_d(t, ARF_RND_NEAR);
  arf_clear(t);
  return d;
}

// An exact ball holding an upper bound of |x|.
Ball abs_upper(const Ball& x) {
  Ball out;
  arf_t u;
  arf_init(u);
  arb_get_abs_ubound_arf(u, A(x), 64);
  arb_set_arf(A(out), u);
  arf_clear(u);
  return out;
}

// |mid(x)| < 2^e; LONG_MIN for a zero midpoint.
slong mid_exponent(const Ball& x) {
  if (arf_is_zero(arb_midref(A(x)))) return LONG_MIN;
  return arf_abs_bound_lt_2exp_si(arb_midref(A(x)));
}

// An exact ball >= the Frobenius norm of every matrix in the ball matrix. The square root is
// taken of an upper bound of the sum: a ball around 0 with a radius would give NaN.
Ball frobenius_upper(const Eigen::Ref<const Mat<Ball>>& m) {
  Ball sum(0);
  for (Index j = 0; j < m.cols(); ++j) {
    for (Index i = 0; i < m.rows(); ++i) {
      const Ball a = abs_upper(m(i, j));
      sum.add_product(a, a);
    }
  }
  return abs_upper(sqrt(abs_upper(sum)));
}

// An upper bound on x (a nonnegative double computed in floating point with relative error at
// most `rel`), rounded up.
double inflate(double x, double rel) {
  return std::nextafter(x * (1.0 + rel), std::numeric_limits<double>::infinity());
}

// An upper bound of ‖X‖_F from Eigen's norm(): the sum of the N = rows·cols squares, in any order,
// is within γ_N of the exact sum (each square adds one rounding), plus at most N·2^-1074 lost to
// underflow; the square root adds one more rounding (Higham, Accuracy and Stability of Numerical
// Algorithms, §3.1). A relative (N + 3)·u covers that and one rounding of each entry when X is an
// expression such as |A| + B; the absolute √N·2^-537 covers the underflow.
double frobenius_bound(double computed_norm, double terms) {
  const double bound = inflate(computed_norm, (terms + 3) * std::ldexp(1.0, -53)) +
                       std::sqrt(terms) * std::ldexp(1.0, -537);
  return std::nextafter(bound, std::numeric_limits<double>::infinity());
}

template <class Derived>
double frobenius_upper_d(const Eigen::MatrixBase<Derived>& x) {
  return frobenius_bound(x.norm(), static_cast<double>(x.rows()) * static_cast<double>(x.cols()));
}

// The bounds frobenius_upper_d gives for |A| + B, B and A, from one pass over A and B (sums of
// squares in any order, as the bound allows; the columns are shared among the threads).
struct ThreeNorms {
  double abs_a_plus_b, b, a;
};
ThreeNorms frobenius_three(const MatD& a, const MatD& b) {
  double s_sum = 0, s_b = 0, s_a = 0;
  const auto columns = static_cast<std::ptrdiff_t>(a.cols());
#ifdef _OPENMP
#pragma omp parallel for schedule(static) reduction(+ : s_sum, s_b, s_a) if (columns > 256)
#endif
  for (std::ptrdiff_t jj = 0; jj < columns; ++jj) {
    const auto j = static_cast<Index>(jj);
    s_sum += (a.col(j).cwiseAbs() + b.col(j)).squaredNorm();
    s_b += b.col(j).squaredNorm();
    s_a += a.col(j).squaredNorm();
  }
  const double terms = static_cast<double>(a.rows()) * static_cast<double>(a.cols());
  return {frobenius_bound(std::sqrt(s_sum), terms),
          frobenius_bound(std::sqrt(s_b), terms),
          frobenius_bound(std::sqrt(s_a), terms)};
}

// testing::ScopedEigenPerturbation's sizes on this thread (0: none).
thread_local double vector_perturbation = 0;
thread_local double value_perturbation = 0;

// The test seam's fixed pattern: q_ij += vectors·sin(7i + 3j + 1), d_i += values·scale·cos(5i + 2).
void perturb(double scale, Eigen::VectorXd& d, MatD& q) {
  for (Index j = 0; j < q.cols(); ++j) {
    for (Index i = 0; i < q.rows(); ++i) {
      q(i, j) += vector_perturbation * std::sin(static_cast<double>(7 * i + 3 * j + 1));
    }
  }
  for (Index i = 0; i < d.size(); ++i) {
    d(i) += value_perturbation * scale * std::cos(static_cast<double>(5 * i + 2));
  }
}

struct Level {
  std::vector<Ball> enclosures;  // matched one-to-one to the eigenvalues
  bool proved = true;            // every congruence had η < 1
  Index refined = 0;
  std::string reason;
  // For certificates (when asked): the basis of the nested congruences, its groups of columns
  // resolved one level after another, and the trailing cluster (ClusterCertificate::basis).
  Mat<Ball> basis;
  std::vector<Index> groups;
  Index cluster = 0;
  // An exact ball >= ‖m‖_F for every symmetric matrix m in the input balls (units of the input).
  Ball norm;
};

// enclose's noise argument at the top level: derive the noise level from the norm bound it
// computes anyway, ‖M‖_F·2^(−bits)·(n + 1)·2^8 (no separate pass over the n × n balls).
constexpr slong kNoiseFromNorm = LONG_MIN;

slong noise_exponent(const Ball& norm_upper, Index n, long bits) {
  const slong ne = mid_exponent(norm_upper);
  return (ne == LONG_MIN ? 0 : ne) - bits + static_cast<slong>(std::ceil(std::log2(n + 1.0))) + 8;
}

Level all_in_norm_ball(Index n, const Ball& norm_upper) {
  Level out;
  out.norm = norm_upper;
  Ball e(0);
  arb_add_error(A(e), A(norm_upper));
  out.enclosures.assign(static_cast<std::size_t>(n), e);
  out.basis = Mat<Ball>::Identity(n, n);
  out.cluster = n;
  return out;
}

// ‖·‖_F of every symmetric matrix in the balls, from the lower triangle (an exact ball).
Ball frobenius_upper_symmetric(const Mat<Ball>& m) {
  Ball sum(0);
  for (Index j = 0; j < m.cols(); ++j) {
    for (Index i = j; i < m.rows(); ++i) {
      const Ball a = abs_upper(m(i, j));
      sum.add_product(a, i == j ? a : Ball(2) * a);
    }
  }
  return abs_upper(sqrt(abs_upper(sum)));
}

// C = A·B in double through the system BLAS (OpenBLAS on Debian), into c (A.rows() × B.cols(),
// column-major, leading dimension A.rows()).
void blas_product_into(const MatD& a, const MatD& b, double* c) {
  if (a.rows() == 0 || b.cols() == 0 || a.cols() == 0) return;
  cblas_dgemm(CblasColMajor,
              CblasNoTrans,
              CblasNoTrans,
              static_cast<int>(a.rows()),
              static_cast<int>(b.cols()),
              static_cast<int>(a.cols()),
              1.0,
              a.data(),
              static_cast<int>(a.rows()),
              b.data(),
              static_cast<int>(b.rows()),
              0.0,
              c,
              static_cast<int>(a.rows()));
}

// QᵀQ through BLAS (dsyrk, the lower triangle, mirrored), into g (k × k, k = Q.cols()).
void blas_gram_into(const MatD& q, Eigen::Ref<MatD> g) {
  const Index k = q.cols();
  if (k == 0 || q.rows() == 0) {
    g.setZero();
    return;
  }
  cblas_dsyrk(CblasColMajor,
              CblasLower,
              CblasTrans,
              static_cast<int>(k),
              static_cast<int>(q.rows()),
              1.0,
              q.data(),
              static_cast<int>(q.rows()),
              0.0,
              g.data(),
              static_cast<int>(g.outerStride()));
  for (Index j = 0; j < k; ++j) {
    for (Index i = j + 1; i < k; ++i) g(j, i) = g(i, j);
  }
}

// An upper bound of ‖|X|‖₂ ≤ sqrt(‖X‖₁·‖X‖_∞) (Hölder), for the rigorous product bounds below.
double abs_spectral_upper(const MatD& x) {
  const double nu = static_cast<double>(std::max(x.rows(), x.cols()) + 2) * std::ldexp(1.0, -53);
  const double c1 = x.cwiseAbs().colwise().sum().maxCoeff();
  const double ci = x.cwiseAbs().rowwise().sum().maxCoeff();
  return inflate(std::sqrt(inflate(c1 * ci, 4 * nu)), 4 * nu);
}

// mid(x)·2^s rounded to the nearest double, and an upper bound (rounded up) of
// |mid(x)·2^s − that double| + rad(x)·2^s: the ball x·2^s lies in mid ± bound. `t` and `r` are
// scratch (the caller owns them, so a loop over a matrix allocates nothing).
std::pair<double, double> double_and_bound(arb_srcptr x, slong s, arf_t t, arf_t r) {
  arf_mul_2exp_si(t, arb_midref(x), s);
  double d = 0, cut = 0;
  detail::nearest_double(t, t, r, &d, &cut);  // t is read before it is used as scratch
  arf_set_mag(r, arb_radref(x));
  arf_mul_2exp_si(r, r, s);
  const double rad = arf_get_d(r, ARF_RND_UP);
  return {d, std::nextafter(cut + rad, std::numeric_limits<double>::infinity())};
}

// B as double midpoints b̃ (nearest) and radii r_B ≥ |mid B − b̃| + rad B (rounded up); false when
// an entry does not fit in double.
bool balls_as_doubles(const Mat<Ball>& b, MatD* bm, MatD* br) {
  arf_t t, u;
  arf_init(t);
  arf_init(u);
  bool finite = true;
  for (Index j = 0; j < b.cols() && finite; ++j) {
    for (Index i = 0; i < b.rows(); ++i) {
      std::tie((*bm)(i, j), (*br)(i, j)) = double_and_bound(A(b(i, j)), 0, t, u);
      finite = finite && std::isfinite((*bm)(i, j)) && std::isfinite((*br)(i, j));
    }
  }
  arf_clear(t);
  arf_clear(u);
  return finite;
}

// The balls mid ± (bound·(1 + 4γ) + under)·(1 + 4ν), rounded up, for a bound evaluated in floating
// point as a sum of nonnegative terms; false when a midpoint or a radius is not finite.
bool balls_from_doubles(
    const MatD& mid, const MatD& bound, double gamma, double nu, double under, Mat<Ball>* out) {
  Mat<Ball> r(mid.rows(), mid.cols());
  for (Index j = 0; j < mid.cols(); ++j) {
    for (Index i = 0; i < mid.rows(); ++i) {
      arb_set_d(A(r(i, j)), mid(i, j));
      const double rad = inflate(bound(i, j) * (1.0 + 4 * gamma) + under, 4 * nu);
      if (!std::isfinite(rad) || !std::isfinite(mid(i, j))) return false;
      mag_set_d(arb_radref(A(r(i, j))), rad);
    }
  }
  *out = std::move(r);
  return true;
}

// The transposed products of the certificate with a few columns, in one pass over the large
// matrices: for every column c of A (n × m), p(c, :) = A(:, c)ᵀX and q(c, :) = |A(:, c)|ᵀY, plus
// B(:, c)ᵀZ when B is given (X, Y, Z: n × k with k small). A column of A stays in cache for its
// 3k dot products; the columns are shared among the threads. Dot products in any order: the
// callers' error bounds hold for any summation order.
void column_products(
    const MatD& a, const MatD* b, const MatD& x, const MatD& y, const MatD* z, MatD* p, MatD* q) {
  const Index m = a.cols(), k = x.cols();
  p->resize(m, k);
  q->resize(m, k);
  const auto columns = static_cast<std::ptrdiff_t>(m);
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (columns > 256 && !omp_in_parallel())
#endif
  for (std::ptrdiff_t cc = 0; cc < columns; ++cc) {
    const auto c = static_cast<Index>(cc);
    const auto col = a.col(c);
    for (Index j = 0; j < k; ++j) {
      (*p)(c, j) = col.dot(x.col(j));
      double bound = col.cwiseAbs().dot(y.col(j));
      if (b != nullptr) bound += b->col(c).dot(z->col(j));
      (*q)(c, j) = bound;
    }
  }
}

// Aᵀ·B as balls for a double matrix A (n × m) and a ball matrix B (n × k) whose entries fit in
// double: the midpoint product fl(Aᵀb̃), and a radius covering |fl(Aᵀ b̃) − Aᵀb̃| ≤ γ_{n+2}|A|ᵀ|b̃|
// (any summation order) plus |A|ᵀ(rad B + |mid B − b̃|), where b̃ = mid B rounded to double; the
// nonnegative bound product is itself evaluated in floating point, so it is inflated by
// (1 + 4γ) and an absolute n·2^-1021 per entry covers underflow. Returns false if an entry of B
// does not fit (the caller then multiplies in balls).
bool double_t_times_balls(const MatD& a, const Mat<Ball>& b, Mat<Ball>* out) {
  const Index n = a.rows(), k = b.cols();
  MatD bm(n, k), br(n, k);
  if (!balls_as_doubles(b, &bm, &br)) return false;
  const double nu = static_cast<double>(n + 2) * std::ldexp(1.0, -53);
  const double gamma = nu / (1.0 - nu);
  const MatD w = gamma * bm.cwiseAbs() + br;  // entries rounded: a relative u, inside 4γ
  MatD mid, bound;
  column_products(a, nullptr, bm, w, nullptr, &mid, &bound);
  const double under = static_cast<double>(n + 2) * std::ldexp(1.0, -1021);
  return balls_from_doubles(mid, bound, gamma, nu, under, out);
}

// A·B as balls for a symmetric matrix of balls given as double midpoints and radii, A ⊂ am ± ar
// (am and ar symmetric, as enclose builds them), and a ball matrix B whose entries fit in double:
// the midpoint product and the radius |am|(γ_{n+2}|b̃| + r_B) + ar(|b̃| + r_B) (b̃ = mid B rounded
// to double, r_B ≥ |mid B − b̃| + rad B), evaluated as in double_t_times_balls. By symmetry row c
// of am·B is column c of am times B: one pass over am and ar.
// Returns false if an entry of B does not fit (the caller then multiplies in balls).
bool pair_times_balls(const MatD& am, const MatD& ar, const Mat<Ball>& b, Mat<Ball>* out) {
  const Index n = am.cols(), k = b.cols();
  MatD bm(n, k), br(n, k);
  if (!balls_as_doubles(b, &bm, &br)) return false;
  const double nu = static_cast<double>(n + 2) * std::ldexp(1.0, -53);
  const double gamma = nu / (1.0 - nu);
  const MatD w = gamma * bm.cwiseAbs() + br;
  const MatD v = bm.cwiseAbs() + br;
  MatD mid, bound;
  column_products(am, &ar, bm, w, &v, &mid, &bound);
  const double under = 3.0 * static_cast<double>(n + 2) * std::ldexp(1.0, -1021);
  return balls_from_doubles(mid, bound, gamma, nu, under, out);
}

// Orthonormalise the columns of v in place (Cholesky QR at the working precision), midpoints only.
void orthonormalise(Mat<Ball>& v) {
  const Index k = v.cols();
  Mat<Ball> g = detail::product<Ball>(v, true, v);
  Mat<Ball> l = Mat<Ball>::Zero(k, k);
  for (Index j = 0; j < k; ++j) {
    Ball d = g(j, j);
    for (Index t = 0; t < j; ++t) d -= l(j, t) * l(j, t);
    l(j, j) = mid_of(sqrt(d));
    for (Index i = j + 1; i < k; ++i) {
      Ball x = g(i, j);
      for (Index t = 0; t < j; ++t) x -= l(i, t) * l(j, t);
      l(i, j) = mid_of(x / l(j, j));
    }
  }
  // V ← V L^{-T}: solve for each row r of V: r = y Lᵀ.
  for (Index r = 0; r < v.rows(); ++r) {
    for (Index j = 0; j < k; ++j) {
      Ball x = v(r, j);
      for (Index t = 0; t < j; ++t) x -= v(r, t) * l(j, t);
      v(r, j) = mid_of(x / l(j, j));
    }
  }
}

Level enclose_scaled(
    MatD md, MatD dm, slong s, const Mat<Ball>* m_in, slong noise_exp, int depth, bool with_basis);

// Enclosures of the eigenvalues of the symmetric ball matrix m. noise_exp: matrices with
// ‖m‖_F <= 2^noise_exp are indistinguishable from 0 at this precision (units of m).
Level enclose(const Mat<Ball>& m_in, slong noise_exp, int depth, bool with_basis) {
  const Index n = m_in.rows();
  if (n == 0) return Level{};
  // A symmetric matrix in the balls has a_ij = a_ji in the ball (i, j) of the lower triangle: the
  // lower triangle alone describes the set (and is at least as tight as the hull of both).
  // The scale: |mid| < 2^emax for every midpoint, and radii (which may dominate a midpoint that
  // cancelled) below 2^emax too, so that nothing overflows a double after scaling.
  slong emax = LONG_MIN;
  bool any_mid = false;
  {
    arf_t r;
    arf_init(r);
    for (Index j = 0; j < n; ++j) {
      for (Index i = j; i < n; ++i) {
        const slong e = mid_exponent(m_in(i, j));
        any_mid = any_mid || e != LONG_MIN;
        emax = std::max(emax, e);
        if (!mag_is_zero(arb_radref(A(m_in(i, j))))) {
          arf_set_mag(r, arb_radref(A(m_in(i, j))));
          emax = std::max(emax, arf_abs_bound_lt_2exp_si(r));
        }
      }
    }
    arf_clear(r);
  }
  if (!any_mid || depth > 8) return all_in_norm_ball(n, frobenius_upper_symmetric(m_in));
  // ---- 1. scale to |entries| < 1, round to double, bound the rounding and the radii -----------
  const slong s = -emax;
  MatD md(n, n);
  MatD dm(n, n);
  const auto columns = static_cast<std::ptrdiff_t>(n);
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 16) if (n > 256)
#endif
  for (std::ptrdiff_t jj = 0; jj < columns; ++jj) {
    const auto j = static_cast<Index>(jj);
    arf_t t, r;
    arf_init(t);
    arf_init(r);
    for (Index i = j; i < n; ++i) {
      // md = mid·2^s to nearest; dm >= |mid·2^s − md| + rad·2^s, rounded up
      const auto [d, bound] = double_and_bound(A(m_in(i, j)), s, t, r);
      md(i, j) = md(j, i) = d;
      dm(i, j) = dm(j, i) = bound;
    }
    arf_clear(t);
    arf_clear(r);
  }
  return enclose_scaled(std::move(md), std::move(dm), s, &m_in, noise_exp, depth, with_basis);
}

// enclose for a matrix given as doubles, md ± dm = m.mid ± m.rad: step 1 is an exact scaling
// by 2^s (a subnormal result that rounds adds one unit of the last place to the radius).
Level enclose_doubles(DoubleEnclosure m, bool with_basis) {
  const Index n = m.mid.rows();
  if (n == 0) return Level{};
  // The largest |midpoint| and radius of the lower triangle (the entries are finite): |x| < 2^emax
  // for every entry x, emax = ilogb(max) + 1.
  double max_mid = 0, max_all = 0;
  for (Index j = 0; j < n; ++j) {
    max_mid = std::max(max_mid, m.mid.col(j).tail(n - j).cwiseAbs().maxCoeff());
    max_all = std::max(max_all, m.rad.col(j).tail(n - j).maxCoeff());
  }
  max_all = std::max(max_all, max_mid);
  if (max_mid == 0) {  // ‖·‖_F of the symmetric matrices in the lower triangle's balls
    const MatD radii = m.rad.selfadjointView<Eigen::Lower>();
    return all_in_norm_ball(n, Ball(frobenius_upper_d(radii)));
  }
  const int emax = std::ilogb(max_all) + 1;
  // In place (the lower triangle, mirrored): no second pair of n × n matrices. The scaling by
  // 2^s is a product by an exact power of two, exact whenever the result is a normal number;
  // otherwise (a subnormal result, or 2^s itself out of range) ldexp, and the radius is widened
  // by one unit in its last place for each value that lost bits.
  const int s = -emax;
  const bool p_normal = s >= std::numeric_limits<double>::min_exponent - 1 &&
                        s < std::numeric_limits<double>::max_exponent;
  const double p = p_normal ? std::ldexp(1.0, s) : 0.0;
  const double tiny = std::numeric_limits<double>::min();
  MatD md = std::move(m.mid);
  MatD dm = std::move(m.rad);
  // In tiles of 64 × 64 of the lower triangle, so that the mirrored writes stay in cache.
  constexpr Index kTile = 64;
  const auto blocks = static_cast<std::ptrdiff_t>((n + kTile - 1) / kTile);
  const auto scale_entry = [&](Index i, Index j) {
    const double mid = md(i, j), rad = dm(i, j);
    double d = mid * p;
    double r = rad * p;
    if (!p_normal || (std::abs(d) < tiny && mid != 0) || (r < tiny && rad != 0)) {
      d = std::ldexp(mid, s);
      r = std::ldexp(rad, s);
      const double up = std::numeric_limits<double>::infinity();
      if (std::ldexp(r, -s) < rad) r = std::nextafter(r, up);
      if (std::ldexp(d, -s) != mid) r = std::nextafter(r, up);
    }
    md(i, j) = md(j, i) = d;
    dm(i, j) = dm(j, i) = r;
  };
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 1) if (n > 256)
#endif
  for (std::ptrdiff_t jb = 0; jb < blocks; ++jb) {
    const Index j0 = static_cast<Index>(jb) * kTile, j1 = std::min(n, j0 + kTile);
    for (Index i0 = j0; i0 < n; i0 += kTile) {
      const Index i1 = std::min(n, i0 + kTile);
      for (Index j = j0; j < j1; ++j) {
        for (Index i = std::max(i0, j); i < i1; ++i) scale_entry(i, j);
      }
    }
  }
  return enclose_scaled(std::move(md), std::move(dm), s, nullptr, kNoiseFromNorm, 0, with_basis);
}

// enclose from step 2 on: the scaled matrix M·2^s lies in md ± dm (both symmetric, |md| < 1),
// and m_in holds the balls M themselves when there are any (nullptr: md ± dm is all there is,
// the input of certify_cluster(const DoubleEnclosure&)).
Level enclose_scaled(
    MatD md, MatD dm, slong s, const Mat<Ball>* m_in, slong noise_exp, int depth, bool with_basis) {
  const Index n = md.rows();
  Level out;
  const long bits = ball_precision();
  const double u = std::ldexp(1.0, -53);
  const double dn = static_cast<double>(n);
  // ‖M·2^s‖_F <= ‖|md| + dm‖_F, and the noise test on it (units of m: times 2^-s)
  const ThreeNorms norms = frobenius_three(md, dm);
  const double normf_upper = norms.abs_a_plus_b;
  if (!std::isfinite(normf_upper)) {  // not expected after the scaling; balls decide then
    if (m_in == nullptr) {
      out.proved = false;
      out.reason = "the norm of the scaled matrix does not fit in double";
      return out;
    }
    const Ball exact_norm = frobenius_upper_symmetric(*m_in);
    if (noise_exp == kNoiseFromNorm) noise_exp = noise_exponent(exact_norm, n, bits);
    if (mid_exponent(exact_norm) <= noise_exp) return all_in_norm_ball(n, exact_norm);
    out.proved = false;
    out.reason = "the matrix does not fit in double after scaling";
    out.norm = exact_norm;
    return out;
  }
  Ball norm_upper(normf_upper);
  norm_upper = ldexp(norm_upper, static_cast<int>(-s));
  out.norm = norm_upper;
  if (noise_exp == kNoiseFromNorm) noise_exp = noise_exponent(norm_upper, n, bits);
  if (mid_exponent(norm_upper) <= noise_exp) return all_in_norm_ball(n, norm_upper);
  const double delta_m = norms.b;  // ≥ ‖M·2^s − md‖_F
  // ---- 2. approximate eigendecomposition in double --------------------------------------------
  // (LAPACK's dsyevd; nothing below trusts its accuracy). Its workspace (at least 2n² + 6n + 1
  // doubles) is kept: the two n × n matrices of step 3 are written into it, so the process faults
  // in two n × n matrices fewer (64 MB at n = 2000).
  MatD q = md;  // dsyevd overwrites its input with the eigenvectors (and reads the lower triangle)
  Eigen::VectorXd d;
  std::unique_ptr<double[]> work;
  const detail::DsyevdStatus status = detail::dsyevd_in_place(q, true, d, &work);
  if (status == detail::DsyevdStatus::TooLarge) {
    out.proved = false;
    out.reason = fmt::format("the matrix ({0} x {0}) is too large for LAPACK's workspace", n);
    return out;
  }
  if (status != detail::DsyevdStatus::Ok) {
    out.proved = false;
    out.reason = "the double eigensolver did not converge";
    return out;
  }
  if (vector_perturbation != 0 || value_perturbation != 0) perturb(md.norm(), d, q);
  // ---- 3. rigorous float bounds for the congruence by the double eigenvectors ----------------
  // Z = QᵀMQ is bounded through the residual, never formed (one n × n product less): with
  // R = md·Q − QD and G = QᵀQ, Qᵀ md Q = G·D + QᵀR, so for every M in md ± dm
  //   ‖Z − D‖_F <= ‖(G − I)D‖_F + ‖Q‖₂‖R‖_F + ‖Q‖₂²‖dm‖_F.
  // In floating point (γ = γ_{n+2}, any summation order; docs/spectra.md, step 3):
  //   Y = fl(md·Q), |Y − md·Q| <= γ|md||Q|, so ‖Y − md·Q‖_F <= γ‖md‖_F‖|Q|‖₂;
  //   R̃ = fl(Y − fl(Q·D)) entrywise, |R̃ − (Y − QD)| <= u|R̃|/(1 − u) + u|Q||D| + 2^-1074;
  //   G̃ = fl(QᵀQ), |G̃ − G| <= γ|Q|ᵀ|Q|, so ‖(G̃ − G)D‖_F <= γ‖|Q|‖₂‖Q‖₂‖d‖₂;
  // with ‖Q‖₂² <= 1 + η_Q and ‖|Q|‖₂ bounded by Hölder: one BLAS product (md·Q), one Gram
  // matrix (dsyrk) and no products of absolute values.
  const double nu = (dn + 2) * u;
  const double gamma = nu / (1.0 - nu);
  const double abs_q = abs_spectral_upper(q);
  const double d_norm = inflate(d.norm(), (dn + 3) * u);  // >= ‖d‖₂
  const double under = dn * std::ldexp(1.0, -1021) * dn * dn;
  double r_norm = 0;  // >= ‖R̃‖_F
  {
    Eigen::Map<MatD> r(work.get(), n, n);  // in dsyevd's workspace
    blas_product_into(md, q, r.data());
    r -= q * d.asDiagonal();  // entrywise: fl(y − fl(q·d))
    r_norm = inflate(frobenius_upper_d(r), 2 * u);
  }
  double eta_q = 0, gd_norm = 0;  // >= ‖G − I‖_F, >= ‖(G̃ − I)D‖_F
  {
    Eigen::Map<MatD> qtq(work.get() + n * n, n, n);  // in dsyevd's workspace too
    blas_gram_into(q, qtq);
    qtq.diagonal().array() -= 1.0;
    eta_q = inflate(
        frobenius_upper_d(qtq) + inflate(gamma * abs_q * frobenius_upper_d(q), 4 * nu) + under,
        4 * nu);
    // one more rounding per entry (the product by d_j) than frobenius_upper_d covers
    qtq *= d.asDiagonal();
    gd_norm = inflate(frobenius_upper_d(qtq), 4 * u);
  }
  work.reset();
  const double q_norm = inflate(std::sqrt(1.0 + eta_q), 4 * u);
  const double md_norm = norms.a;
  // ‖R‖_F for R = md·Q − QD: R̃'s rounding and Y's
  const double r_exact = inflate(
      r_norm * (1.0 + 2 * u) + u * q_norm * d_norm + gamma * md_norm * abs_q + under, 8 * nu);
  const double gd_exact = inflate(gd_norm + gamma * abs_q * q_norm * d_norm + under, 8 * nu);
  // Weyl radius for the double-resolved eigenvalues (scaled units), centred on d.
  const double e_rest = inflate(gd_exact + q_norm * r_exact + (1.0 + eta_q) * delta_m, 8 * u);
  // ---- 4. split: near-zero block Z refined at the working precision, the rest from double ---
  const double normf = md_norm;  // (an upper bound: the split's threshold is a heuristic)
  double tau = 1024.0 * dn * u * normf;
  std::vector<Index> zi, ri;
  for (int pass = 0; pass < 64; ++pass) {
    zi.clear();
    ri.clear();
    for (Index i = 0; i < n; ++i) (std::abs(d(i)) <= tau ? zi : ri).push_back(i);
    double worst = 0;
    for (const Index i : ri) {
      if (std::abs(d(i)) <= 16 * e_rest) worst = std::max(worst, std::abs(d(i)));
    }
    if (worst == 0) break;
    tau = std::max(2 * tau, worst);
  }
  const auto k = static_cast<Index>(zi.size());
  const Index nr = n - k;
  out.refined = k;
  if (ri.empty()) {  // nothing resolved in double: the whole matrix is (relatively) tiny
    return all_in_norm_ball(n, norm_upper);
  }
  // Q_r (the columns ri of Q) is never copied: products with it are products with Q, of which
  // the rows or columns zi are dropped or zero.
  Eigen::VectorXd dr(nr);
  for (Index t = 0; t < nr; ++t) dr(t) = d(ri[static_cast<std::size_t>(t)]);
  const auto rest_rows = [&](const Mat<Ball>& full, Index col0, Index cols) {
    Mat<Ball> out_rows(nr, cols);
    for (Index j = 0; j < cols; ++j) {
      for (Index t = 0; t < nr; ++t)
        out_rows(t, j) = full(ri[static_cast<std::size_t>(t)], col0 + j);
    }
    return out_rows;
  };
  const auto rest_as_balls = [&] {
    Mat<Ball> qrb(n, nr);
    for (Index j = 0; j < nr; ++j) {
      const Index col = ri[static_cast<std::size_t>(j)];
      for (Index i = 0; i < n; ++i) qrb(i, j) = Ball(q(i, col));
    }
    return qrb;
  };
  // (M·2^s)·X at the working precision (the refinement needs all of M, not md ± dm): M itself
  // is used, entry by entry it contains the symmetric matrices of the statement, and the product
  // is scaled after (exact), so no scaled n × n copy is made.
  // At 53 bits or fewer, M·2^s ⊂ md ± dm loses nothing against M itself, and the product runs on
  // the double matrices of step 1 (no conversion of the n × n balls per product).
  const auto scaled_product = [&](const Mat<Ball>& x) {
    if (bits <= 53) {
      Mat<Ball> prod;
      if (pair_times_balls(md, dm, x, &prod)) return prod;
    }
    if (m_in == nullptr) {  // md ± dm is the scaled matrix itself
      Mat<Ball> mb(n, n);
      for (Index j = 0; j < n; ++j) {
        for (Index i = 0; i < n; ++i) mb(i, j) = ball_from_double(md(i, j), dm(i, j));
      }
      return detail::product<Ball>(mb, false, x);
    }
    Mat<Ball> prod = detail::product<Ball>(*m_in, false, x);
    for (Index j = 0; j < prod.cols(); ++j) {
      for (Index i = 0; i < prod.rows(); ++i) arb_mul_2exp_si(A(prod(i, j)), A(prod(i, j)), s);
    }
    return prod;
  };
  Mat<Ball> bcc, c, qrt_v, vtv;
  Mat<Ball> v(n, k);
  bool used_double = false;
  Level sub;
  const auto products_in_balls = [&](const Mat<Ball>& mv) {
    const Mat<Ball> qrb = rest_as_balls();
    c = detail::product<Ball>(qrb, true, mv);
    qrt_v = detail::product<Ball>(qrb, true, v);
  };
  Mat<Ball> mv;
  if (k > 0) {
    for (Index t = 0; t < k; ++t) {
      for (Index i = 0; i < n; ++i) v(i, t) = Ball(q(i, zi[static_cast<std::size_t>(t)]));
    }
    // ---- 5. refine span(V) to the working precision: V += −Q_r (Q_rᵀR)/(d_r − h) -------------
    // The working precision of the refinement grows with its accuracy (128 bits, then doubling
    // up to `bits`): the early iterations only need a few limbs, and balls of <= 128 bits keep
    // their mantissas inline (no allocation).
    const double log_scale = std::log2(dn) + std::log2(normf);
    long stage = std::min<long>(bits, 128);
    double previous = std::numeric_limits<double>::infinity();
    for (int it = 0; it < 200; ++it) {
      const ScopedBallPrecision stage_precision(static_cast<int>(stage));
      const Mat<Ball> w = scaled_product(v);
      const Mat<Ball> h = detail::product<Ball>(v, true, w);
      Mat<Ball> r = w - detail::product<Ball>(v, false, h);
      slong rexp = LONG_MIN;
      for (Index j = 0; j < k; ++j) {
        for (Index i = 0; i < n; ++i) rexp = std::max(rexp, mid_exponent(r(i, j)));
      }
      if (rexp == LONG_MIN) break;
      const auto rlog = static_cast<double>(rexp);
      if (rlog <= log_scale - static_cast<double>(stage) + 6) {
        if (stage >= bits) break;  // converged at the working precision
        stage = std::min<long>(bits, 2 * stage);
        previous = std::numeric_limits<double>::infinity();
        continue;
      }
      if (rlog > previous - 1) {  // stagnation: more precision does not help the double solve
        if (stage >= bits) break;
        stage = std::min<long>(bits, 2 * stage);
        previous = std::numeric_limits<double>::infinity();
        continue;
      }
      previous = rlog;
      MatD rd(n, k);
      for (Index j = 0; j < k; ++j) {
        for (Index i = 0; i < n; ++i) rd(i, j) = mid_scaled(r(i, j), -rexp);
      }
      // −Q_r (Q_rᵀR)/(d_r − h) as products with Q whose rows zi of QᵀR are set to 0
      MatD x = q.transpose() * rd;
      for (Index j = 0; j < k; ++j) {
        const double hj = mid_scaled(h(j, j), 0);
        for (const Index i : ri) x(i, j) /= (d(i) - hj);
        for (const Index i : zi) x(i, j) = 0;
      }
      const MatD dv = -(q * x);
      for (Index j = 0; j < k; ++j) {
        for (Index i = 0; i < n; ++i) {
          v(i, j) += ldexp(Ball(dv(i, j)), static_cast<int>(rexp));
          v(i, j) = mid_of(v(i, j));
        }
      }
      orthonormalise(v);
    }
    // ---- 6. the blocks of B = QᵀMQ that involve V, in balls ----------------------------------
    mv = scaled_product(v);
    bcc = detail::product<Ball>(v, true, mv);
    // Q_rᵀ·MV and Q_rᵀ·V: n × n_r × k products of a double matrix, in BLAS with rigorous radii
    // (only their norms enter below); balls when an entry does not fit in double.
    // Their radii are n·u relative to |MV|, not 2^-bits: when that leaves an enclosure touching
    // 0 (a cluster to resolve), they are recomputed in balls at the working precision below.
    // Both in one product QᵀX with X = [MV | V], of which the rows ri are kept.
    {
      Mat<Ball> both(n, 2 * k), full;
      both.leftCols(k) = mv;
      both.rightCols(k) = v;
      used_double = double_t_times_balls(q, both, &full);
      if (used_double) {
        c = rest_rows(full, 0, k);
        qrt_v = rest_rows(full, k, k);
      }
    }
    if (!used_double) products_in_balls(mv);
    vtv = detail::product<Ball>(v, true, v);
    for (Index i = 0; i < k; ++i) vtv(i, i) -= Ball(1);
    // The cluster block: its own level at the same precision (it can hold eigenvalues far below
    // double's resolution, e.g. 1e-30 next to exact zeros).
    sub = enclose(bcc, noise_exp + s, depth + 1, with_basis);
    if (!sub.proved) return sub;
    out.refined += sub.refined;
  }
  if (with_basis) {
    // [Q_r − V E | V·(the cluster block's own basis)], E = VᵀQ_r: the basis whose congruence the
    // steps below bound (Q_r' of the comment below), as midpoints (exact dyadic numbers).
    out.basis.resize(n, n);
    Mat<Ball> qrp = rest_as_balls();
    if (k > 0) {
      qrp -= detail::product<Ball>(v, false, Mat<Ball>(qrt_v.transpose()));
      out.basis.rightCols(k) = detail::product<Ball>(v, false, sub.basis);
    }
    out.basis.leftCols(nr) = qrp;
    for (Index j = 0; j < n; ++j) {
      for (Index i = 0; i < n; ++i) out.basis(i, j) = mid_of(out.basis(i, j));
    }
    out.groups.assign(1, nr);
    out.groups.insert(out.groups.end(), sub.groups.begin(), sub.groups.end());
    out.cluster = k > 0 ? sub.cluster : 0;
  }
  for (;;) {
    // Q_r is only double-orthogonal to V (E = VᵀQ_r ~ u), so the coupling Q_rᵀMV ≈ EᵀΛ_V would be
    // u times the cluster's own eigenvalues and would blur a zero cluster sitting next to small
    // nonzero eigenvalues. Use Q_r' = Q_r − V E instead (never formed): its coupling is
    // C' = C − Eᵀ B_cc, its diagonal block is Q_rᵀMQ_r − EᵀCᵀ − CE + EᵀB_ccE (the extra terms go
    // into the Weyl radius) and VᵀQ_r' = −(VᵀV − I)E.
    Ball coupling(0);
    Ball extra_rest(0);
    Ball eta2 = Ball(eta_q) * Ball(eta_q);
    if (k > 0) {
      const Ball a = frobenius_upper(vtv);    // ‖VᵀV − I‖
      const Ball b = frobenius_upper(qrt_v);  // ‖E‖
      const Ball cn = frobenius_upper(c);     // ‖C‖
      const Ball bn = frobenius_upper(bcc);   // ‖B_cc‖
      const Mat<Ball> c2 = c - detail::product<Ball>(qrt_v, false, bcc);
      coupling = frobenius_upper(c2);
      extra_rest = abs_upper(2 * b * cn + b * b * bn);
      const Ball q_block = Ball(eta_q) + b * b + a * b * b;  // ≥ ‖Q_r'ᵀQ_r' − I‖
      eta2 = a * a + 2 * (a * b) * (a * b) + q_block * q_block;
    }
    const Ball eta = abs_upper(sqrt(eta2));
    if (!is_certain(certainly_less(eta, Ball(1)))) {
      if (used_double) {  // the double radii may be what spoils η: retry in balls
        used_double = false;
        products_in_balls(mv);
        continue;
      }
      out.proved = false;
      out.reason = fmt::format("the approximate eigenvectors are not provably independent (η = {})",
                               eta.to_string(5));
      return out;
    }
    // ---- 7. enclosures: Weyl per block, coupling, Ostrowski, unscale ---------------------------
    std::vector<Ball> enc;
    enc.reserve(static_cast<std::size_t>(n));
    // The rest block's Weyl radius: e_rest covered ‖Q_rᵀMQ_r − diag(d_r)‖ with ‖Q_r‖² <= 1 + η_q;
    // Q_r' adds extra_rest.
    Ball rest_radius = Ball(e_rest) + extra_rest + coupling;
    for (Index t = 0; t < nr; ++t) {
      Ball e(dr(t));
      arb_add_error(A(e), A(rest_radius));
      enc.push_back(e);
    }
    if (k > 0) {
      for (Ball e : sub.enclosures) {
        arb_add_error(A(e), A(coupling));
        enc.push_back(e);
      }
    }
    if (used_double && std::any_of(enc.begin(), enc.end(), [](const Ball& e) {
          return arb_contains_zero(A(e)) != 0;
        })) {
      used_double = false;
      products_in_balls(mv);
      continue;
    }
    Ball theta(1);
    arb_add_error(A(theta), A(eta));
    for (Ball& e : enc) {
      e /= theta;
      e = ldexp(e, static_cast<int>(-s));
    }
    out.enclosures = std::move(enc);
    break;
  }
  return out;
}

// arb_mat_mul (large ball products) runs on FLINT's thread pool. The pool is sized once per
// process: flint_set_num_threads aborts ("called while global thread pool in use") when another
// thread, e.g. a second claims worker, is using the pool at that moment.
void size_flint_pool() {
#ifdef _OPENMP
  static std::once_flag pool_sized;
  if (omp_in_parallel() == 0) {
    std::call_once(pool_sized, [] { flint_set_num_threads(omp_get_max_threads()); });
  }
#endif
}

ClusterCertificate finish(Level level, bool with_basis);

// The first column (in order) holding an entry (i, j) with bad(i, j), or n. bad may read (j, i)
// too (the symmetry checks): the columns are tested in tiles of 64 × 64, so that those reads stay
// in cache, 64 columns to a thread; the answer is the same whatever the number of threads.
template <class Bad>
Index first_bad_column(Index n, const Bad& bad) {
  constexpr Index kTile = 64;
  std::vector<char> flagged(static_cast<std::size_t>(n), 0);
  const auto blocks = static_cast<std::ptrdiff_t>((n + kTile - 1) / kTile);
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 1) if (n > 256)
#endif
  for (std::ptrdiff_t jb = 0; jb < blocks; ++jb) {
    const Index j0 = static_cast<Index>(jb) * kTile, j1 = std::min(n, j0 + kTile);
    for (Index i0 = 0; i0 < n; i0 += kTile) {
      const Index i1 = std::min(n, i0 + kTile);
      for (Index j = j0; j < j1; ++j) {
        if (flagged[static_cast<std::size_t>(j)] != 0) continue;
        for (Index i = i0; i < i1; ++i) {
          if (bad(i, j)) {
            flagged[static_cast<std::size_t>(j)] = 1;
            break;
          }
        }
      }
    }
  }
  for (Index j = 0; j < n; ++j) {
    if (flagged[static_cast<std::size_t>(j)] != 0) return j;
  }
  return n;
}

// Six significant digits where the value fits a double, all digits otherwise.
template <class Scalar>
std::string short_text(const Scalar& x) {
  const double d = ScalarTraits<Scalar>::to_double(x);
  if (std::isfinite(d) && (d != 0 || x == 0) && std::abs(d) > 1e-300)
    return fmt::format("{:.6g}", d);
  if (x == 0) return "0";
  return ScalarTraits<Scalar>::to_string(x);
}

}  // namespace

testing::ScopedEigenPerturbation::ScopedEigenPerturbation(double vectors, double values)
    : previous_vectors_(vector_perturbation), previous_values_(value_perturbation) {
  vector_perturbation = vectors;
  value_perturbation = values;
}

testing::ScopedEigenPerturbation::~ScopedEigenPerturbation() {
  vector_perturbation = previous_vectors_;
  value_perturbation = previous_values_;
}

std::string to_string(SpectrumMethod method) {
  switch (method) {
    case SpectrumMethod::ExactLdlt:
      return "exact-ldlt";
    case SpectrumMethod::BallCluster:
      return "ball-cluster";
    case SpectrumMethod::FloatGap:
      return "float-gap";
  }
  return "?";
}

Rational norm_upper_bound(const Eigen::Ref<const Mat<Ball>>& m) {
  return frobenius_upper(m).upper();
}

std::string format_bound(const Rational& x, bool up, int digits) {
  mpfr_t t;
  mpfr_init2(t, 128);
  mpfr_set_q(t, x.backend().data(), up ? MPFR_RNDU : MPFR_RNDD);
  char* buf = nullptr;
  const std::string fmtstr = fmt::format("%.{}R{}e", std::max(0, digits - 1), up ? 'U' : 'D');
  mpfr_asprintf(&buf, fmtstr.c_str(), t);
  std::string out(buf);
  mpfr_free_str(buf);
  mpfr_clear(t);
  return out;
}

ClusterCertificate certify_cluster(const Mat<Ball>& m, bool with_basis) {
  const Index n = m.rows();
  if (m.cols() != n) {
    throw InvalidArgument(fmt::format(
        "certify_cluster: matrix is {}x{}, expected a square matrix", m.rows(), m.cols()));
  }
  // Every entry finite and the two triangles overlapping: in parallel over the columns; the first
  // offending column (in order) is then reported, the same whatever the number of threads.
  const Index bad_column = first_bad_column(n, [&m](Index i, Index j) {
    return !m(i, j).is_finite() || (i > j && !overlaps(m(i, j), m(j, i)));
  });
  if (bad_column < n) {
    const Index j = bad_column;
    for (Index i = 0; i < n; ++i) {
      if (!m(i, j).is_finite()) {
        throw InvalidArgument(
            fmt::format("certify_cluster: entry ({}, {}) is {}, expected a finite number",
                        i,
                        j,
                        m(i, j).to_string(6)));
      }
      if (i > j && !overlaps(m(i, j), m(j, i))) {
        throw InvalidArgument(fmt::format(
            "certify_cluster: matrix is not symmetric: entry ({}, {}) = {} but ({}, {}) = {}",
            i,
            j,
            m(i, j).to_string(8),
            j,
            i,
            m(j, i).to_string(8)));
      }
    }
  }
  // The noise level is derived inside from its own bound of ‖M‖_F (kNoiseFromNorm).
  size_flint_pool();
  return finish(enclose(m, kNoiseFromNorm, 0, with_basis), with_basis);
}

namespace {

// The certificate from the top level's enclosures: clusters, inertia, and whether the cluster of
// 0 is resolved at the working precision.
ClusterCertificate finish(Level level, bool with_basis) {
  ClusterCertificate out;
  out.bits = ball_precision();
  out.tried_bits.push_back(out.bits);
  const Ball norm = level.norm;
  out.refined = level.refined;
  if (with_basis) {
    out.basis = std::move(level.basis);
    out.basis_groups = std::move(level.groups);
    out.basis_cluster = level.cluster;
  }
  if (!level.proved) {
    out.reason = level.reason;
    return out;
  }
  out.proved = true;
  auto& enc = level.enclosures;
  std::sort(enc.begin(), enc.end(), [](const Ball& a, const Ball& b) {
    return arf_cmp(arb_midref(A(a)), arb_midref(A(b))) < 0;
  });
  // Connected components of the union of the enclosures: each holds exactly as many eigenvalues
  // as enclosures (one-to-one matching); the component containing 0 is the cluster.
  std::vector<std::pair<Rational, Rational>> iv;
  iv.reserve(enc.size());
  for (const Ball& e : enc) iv.emplace_back(e.lower(), e.upper());
  std::vector<std::size_t> order(iv.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return iv[a].first < iv[b].first;
  });
  Rational eps(0);
  Rational delta(0);
  bool have_delta = false;
  std::size_t t = 0;
  while (t < order.size()) {
    Rational lo = iv[order[t]].first, hi = iv[order[t]].second;
    std::size_t count = 1;
    std::size_t u = t + 1;
    while (u < order.size() && iv[order[u]].first <= hi) {
      hi = std::max(hi, iv[order[u]].second);
      ++count;
      ++u;
    }
    const auto cnt = static_cast<Index>(count);
    if (hi < 0) {
      out.inertia.negative += cnt;
      const Rational dist = -hi;
      if (!have_delta || dist < delta) delta = dist;
      have_delta = true;
    } else if (lo > 0) {
      out.inertia.positive += cnt;
      if (!have_delta || lo < delta) delta = lo;
      have_delta = true;
    } else {
      out.inertia.zero += cnt;
      eps = std::max(-lo, hi);
    }
    t = u;
  }
  out.epsilon = eps;
  out.delta = delta;
  out.has_rest = have_delta;
  out.eigenvalues = std::move(enc);
  // Resolved: the cluster is below half the working precision relative to ‖M‖_F.
  const Rational scale = norm.upper();
  Rational limit = scale;
  {
    const long half = out.bits / 2;
    Rational p2(1);
    mpq_div_2exp(p2.backend().data(), p2.backend().data(), static_cast<mp_bitcnt_t>(half));
    limit = scale * p2;
  }
  if (out.inertia.zero > 0 && eps > limit) {
    out.reason = fmt::format(
        "{} eigenvalues lie in [-{}, {}], not resolved at {} bits (needs <= 2^-{} ||M||_F)",
        out.inertia.zero,
        format_bound(eps, true, 3),
        format_bound(eps, true, 3),
        out.bits,
        out.bits / 2);
    return out;
  }
  out.decided = true;
  return out;
}

}  // namespace

ClusterCertificate certify_cluster(DoubleEnclosure m, bool with_basis) {
  const Index n = m.mid.rows();
  if (m.mid.cols() != n || m.rad.rows() != n || m.rad.cols() != n) {
    throw InvalidArgument(fmt::format(
        "certify_cluster: midpoints {}x{} and radii {}x{}, expected square matrices of one size",
        m.mid.rows(),
        m.mid.cols(),
        m.rad.rows(),
        m.rad.cols()));
  }
  // Finite entries, radii >= 0, and the two triangles overlapping (exactly equal, as a Hessian
  // enclosure writes them, or else tested as balls), in parallel over the columns; the first
  // offending column (in order) is reported, the same whatever the number of threads.
  const auto bad_entry = [&m](Index i, Index j) {
    if (!std::isfinite(m.mid(i, j)) || !std::isfinite(m.rad(i, j)) || !(m.rad(i, j) >= 0)) {
      return true;
    }
    if (i <= j || (m.mid(i, j) == m.mid(j, i) && m.rad(i, j) == m.rad(j, i))) return false;
    if (!std::isfinite(m.mid(j, i)) || !std::isfinite(m.rad(j, i)) || !(m.rad(j, i) >= 0)) {
      return true;
    }
    return !overlaps(ball_from_double(m.mid(i, j), m.rad(i, j)),
                     ball_from_double(m.mid(j, i), m.rad(j, i)));
  };
  if (const Index j = first_bad_column(n, bad_entry); j < n) {
    for (Index i = 0; i < n; ++i) {
      if (!bad_entry(i, j)) continue;
      const bool own =
          !std::isfinite(m.mid(i, j)) || !std::isfinite(m.rad(i, j)) || !(m.rad(i, j) >= 0);
      const Index r = own ? i : j, c = own ? j : i;
      if (own || !std::isfinite(m.mid(r, c)) || !std::isfinite(m.rad(r, c)) ||
          !(m.rad(r, c) >= 0)) {
        throw InvalidArgument(fmt::format(
            "certify_cluster: entry ({}, {}) is {} ± {}, expected a finite midpoint and a finite "
            "radius >= 0",
            r,
            c,
            m.mid(r, c),
            m.rad(r, c)));
      }
      throw InvalidArgument(fmt::format(
          "certify_cluster: matrix is not symmetric: entry ({}, {}) = {} ± {} but ({}, {}) = {} ± "
          "{}",
          i,
          j,
          m.mid(i, j),
          m.rad(i, j),
          j,
          i,
          m.mid(j, i),
          m.rad(j, i)));
    }
  }
  size_flint_pool();
  return finish(enclose_doubles(std::move(m), with_basis), with_basis);
}

ClusterCertificate certify_cluster(const BallMatrixAt& matrix_at,
                                   long start_bits,
                                   long max_bits,
                                   bool with_basis) {
  if (start_bits < 2) {
    throw InvalidArgument(
        fmt::format("certify_cluster: start precision {} bits, expected at least 2", start_bits));
  }
  std::vector<long> tried;
  ClusterCertificate last;
  for (long bits = start_bits; bits <= std::max(max_bits, start_bits); bits *= 2) {
    const ScopedBallPrecision precision(static_cast<int>(bits));
    last = certify_cluster(matrix_at(bits), with_basis);
    tried.push_back(bits);
    if (last.decided) break;
  }
  last.tried_bits = tried;
  if (!last.decided) {
    last.reason += fmt::format(" (precision cap {} bits reached)", max_bits);
  }
  return last;
}

template <class Scalar>
NumericalNullity float_gap(const Vec<Scalar>& eigenvalues, const Scalar& frobenius_norm) {
  using std::abs;
  using Tr = ScalarTraits<Scalar>;
  NumericalNullity out;
  const auto n = static_cast<long>(eigenvalues.size());
  const Scalar tau = Scalar(10) * Scalar(n) * Tr::epsilon() * frobenius_norm;
  out.tolerance = short_text(tau);
  bool any_cluster = false, any_rest = false;
  Scalar cluster_max(0), rest_min(0);
  for (long i = 0; i < n; ++i) {
    const Scalar& mu = eigenvalues(i);
    if (!Tr::is_finite(mu)) {
      throw InvalidArgument(fmt::format(
          "float_gap: eigenvalue {} is {}, expected a finite number", i, short_text(mu)));
    }
    const Scalar a = abs(mu);
    if (a <= tau) {
      out.inertia.zero += 1;
      if (!any_cluster || a > cluster_max) cluster_max = a;
      any_cluster = true;
    } else {
      (mu > 0 ? out.inertia.positive : out.inertia.negative) += 1;
      if (!any_rest || a < rest_min) rest_min = a;
      any_rest = true;
    }
  }
  if (!any_cluster || !any_rest || cluster_max == 0) {
    out.gap_ratio = "inf";
    out.decided = true;
    return out;
  }
  const Scalar ratio = rest_min / cluster_max;
  out.gap_ratio = short_text(ratio);
  if (ratio >= Scalar(1000)) {
    out.decided = true;
  } else {
    out.reason = fmt::format(
        "no gap: the smallest |eigenvalue| above the tolerance {} is only {} times the largest "
        "below it (R7 needs 1e3)",
        out.tolerance,
        out.gap_ratio);
  }
  return out;
}

#define LOCUS_FLOAT_GAP_INSTANTIATE(Scalar, tag) \
  template NumericalNullity float_gap<Scalar>(const Vec<Scalar>&, const Scalar&);
LOCUS_FOR_EACH_FLOATING_SCALAR(LOCUS_FLOAT_GAP_INSTANTIATE)
#undef LOCUS_FLOAT_GAP_INSTANTIATE

}  // namespace locus
