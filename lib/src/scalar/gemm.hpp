// scalar/gemm.hpp (internal): C = op(A) B for every scalar, the product kernel of the derivatives,
// the certificates and the existence proofs. It depends on the scalar layer only.
//
// For the hardware types this is Eigen's GEMM. For MPFR and balls Eigen's GEMM creates a
// temporary number (an allocation plus mpfr_init2/mpfr_clear) for every multiply-add; perf showed
// that bookkeeping at ~40% of an MPFR Hessian. Here every product goes into one preallocated
// accumulator in place (mpfr_mul + mpfr_add into fixed temporaries, arb_addmul for balls), and
// exact zeros are skipped (K_m, T_{m,l} and the Khatri-Rao panels are sparse at structured points).
// The rounding is the same as the generic code: one rounded product, one rounded sum per term.
#ifndef LOCUS_SRC_SCALAR_GEMM_HPP_
#define LOCUS_SRC_SCALAR_GEMM_HPP_

#include <type_traits>
#include <utility>
#include <vector>

#include "scalar/crt_gemm.hpp"

#include "locus/scalar/all.hpp"
#include "locus/scalar/eigen.hpp"

#include <arb_mat.h>
#ifdef _OPENMP
#include <omp.h>
#endif

namespace locus::detail {

template <class S>
inline constexpr bool kInPlaceGemm =
    ScalarTraits<S>::kind == ScalarKind::Mpfr || ScalarTraits<S>::is_interval;

template <class S>
using GemmRef = Eigen::Ref<Mat<S>, 0, Eigen::OuterStride<>>;
template <class S>
using GemmConstRef = Eigen::Ref<const Mat<S>, 0, Eigen::OuterStride<>>;

// acc += a * b without temporaries; tmp is scratch of the accumulator's precision.
template <class S>
inline void add_product(S& acc, const S& a, const S& b, S& tmp) {
  if constexpr (ScalarTraits<S>::kind == ScalarKind::Mpfr) {
    mpfr_mul(tmp.backend().data(), a.backend().data(), b.backend().data(), MPFR_RNDN);
    mpfr_add(acc.backend().data(), acc.backend().data(), tmp.backend().data(), MPFR_RNDN);
  } else {
    static_cast<void>(tmp);
    acc.add_product(a, b);
  }
}

// dst = a·b, one rounding, with no temporary number (Eigen's cwiseProduct assigned to a matrix
// makes a temporary per entry and copies it, two allocations per entry for balls), and for MPFR
// and balls one call: no copy of a into dst first (for balls that copy allocates limbs).
template <class S>
inline void multiply_into(S& dst, const S& a, const S& b) {
  if constexpr (ScalarTraits<S>::kind == ScalarKind::Mpfr) {
    mpfr_mul(dst.backend().data(), a.backend().data(), b.backend().data(), MPFR_RNDN);
  } else if constexpr (ScalarTraits<S>::is_interval) {
    arb_mul(static_cast<arb_ptr>(dst.arb()),
            static_cast<arb_srcptr>(a.arb()),
            static_cast<arb_srcptr>(b.arb()),
            ball_precision());
  } else {
    dst = a;
    dst *= b;
  }
}

// out = init + Σ_{c < len} x[c]·y[c] (init may be nullptr: 0), x and y contiguous; out must not
// be one of the inputs. Balls: Arb's arb_dot, one enclosure of the whole sum (tighter and faster
// than a rounded product and sum per term). Otherwise one rounded product and one rounded sum per
// term, in order, as the generic loop would (tmp: scratch).
template <class S>
inline void dot_into(S& out, const S* init, const S* x, const S* y, Eigen::Index len, S& tmp) {
  if constexpr (ScalarTraits<S>::is_interval) {
    static_cast<void>(tmp);
    arb_dot(static_cast<arb_ptr>(out.arb()),
            init != nullptr ? static_cast<arb_srcptr>(init->arb()) : nullptr,
            0,
            static_cast<arb_srcptr>(x->arb()),
            1,
            static_cast<arb_srcptr>(y->arb()),
            1,
            len,
            ball_precision());
  } else {
    if (init != nullptr) {
      out = *init;
    } else {
      out = 0;
    }
    for (Eigen::Index c = 0; c < len; ++c) {
      if constexpr (kInPlaceGemm<S>) {
        add_product(out, x[c], y[c], tmp);
      } else {
        out += x[c] * y[c];
      }
    }
  }
}

template <class S>
inline bool is_exact_zero(const S& x) {
  if constexpr (ScalarTraits<S>::kind == ScalarKind::Mpfr) {
    return mpfr_zero_p(x.backend().data()) != 0;
  } else {
    return x.is_zero();
  }
}

// Large ball products go to Arb's arb_mat_mul (block algorithm over FLINT integer matrices, several
// times faster than one arb_addmul per term). An Eigen column-major matrix seen through arb_mat
// row pointers (one per Eigen column) is its transpose, so Cᵀ = Bᵀ op(A)ᵀ is computed on views;
// aᵀ's transpose (a itself) has strided rows and is copied.
inline bool arb_gemm(GemmRef<Ball> c,
                     GemmConstRef<Ball> a,
                     bool transpose_a,
                     GemmConstRef<Ball> b) {
  static_assert(sizeof(Ball) == sizeof(arb_struct),
                "Ball must be layout-compatible with arb_struct");
  const Eigen::Index m = transpose_a ? a.cols() : a.rows();
  const Eigen::Index depth = transpose_a ? a.rows() : a.cols();
  const Eigen::Index ncols = b.cols();
  if (static_cast<double>(m) * static_cast<double>(ncols) * static_cast<double>(depth) < 32768.0) {
    return false;
  }
#ifdef _OPENMP
  if (omp_in_parallel()) return false;
#endif
  auto view = [](arb_mat_struct& v,
                 std::vector<arb_ptr>& rows,
                 const Ball* data,
                 Eigen::Index eig_rows,
                 Eigen::Index eig_cols,
                 Eigen::Index stride) {
    rows.resize(static_cast<std::size_t>(eig_cols));
    for (Eigen::Index j = 0; j < eig_cols; ++j) {
      rows[static_cast<std::size_t>(j)] =
          static_cast<arb_ptr>(const_cast<void*>(data[j * stride].arb()));  // NOLINT
    }
    v.entries = rows.empty() ? nullptr : rows[0];
    v.r = eig_cols;
    v.c = eig_rows;
    v.rows = rows.data();
  };
  std::vector<arb_ptr> rc, rb, ra;
  arb_mat_struct vc, vb, va;
  view(vc, rc, c.data(), c.rows(), c.cols(), c.outerStride());
  view(vb, rb, b.data(), b.rows(), b.cols(), b.outerStride());
  arb_mat_t copy;
  if (transpose_a) {
    // op(A)ᵀ = A (depth x m) with contiguous rows.
    arb_mat_init(copy, depth, m);
    for (Eigen::Index k = 0; k < depth; ++k) {
      for (Eigen::Index i = 0; i < m; ++i) {
        arb_set(arb_mat_entry(copy, k, i),
                static_cast<arb_srcptr>(a.data()[k + i * a.outerStride()].arb()));
      }
    }
  } else {
    view(va, ra, a.data(), a.rows(), a.cols(), a.outerStride());  // Aᵀ: depth x m
  }
  arb_mat_mul(&vc, &vb, transpose_a ? copy : &va, ball_precision());
  if (transpose_a) arb_mat_clear(copy);
  return true;
}

// Products for the CRT scheme (scalar/crt_gemm.hpp): exact integer products on double GEMMs, for
// MPFR and balls. Its cost is mostly in the conversions, per operand entry and per result entry,
// not in the GEMMs; the alternatives cost per term: an mpfr_mul and an mpfr_add (~35 ns), or Arb's
// arb_mat_mul, which on full-width entries measured no faster. So the CRT is used once the
// conversions cost less than the terms, which holds for narrow products with a deep sum too. The
// weights, 2 terms per operand entry and 4 per result entry, are timed on the P = 371 Hessian of
// docs/benchmarks.md: with the earlier 3 and 6 (before the kernels moved to AVX-512) its
// 3 x 16 by 16 x 4800 product T_{3,1} stayed in place, and on the CRT the mpfr:256 Hessian took
// 62 ms instead of 66-68 ms. Measured at 256 bits, balls with random entries (CRT against
// arb_mat_mul): 136 x 300 by 300 x 6 0.006 s against 0.013 s, 256 x 300 by 300 x 9 0.012 s
// against 0.033 s, 1983 x 1983 by 1983 x 5 0.57 s against 2.3 s. From 16384 terms (it was
// 32768): the 16 x 300 by 300 x 6 product of the first layer's diagonal term (docs/derivatives.md)
// took 0.8 ms in place and 0.18 ms on the CRT, in the mpfr:256 and ball:256 Hessians at P = 371.
inline bool crt_worthwhile(Eigen::Index m, Eigen::Index depth, Eigen::Index ncols) {
  const double dm = static_cast<double>(m), dk = static_cast<double>(depth),
               dn = static_cast<double>(ncols);
  return depth >= 16 && m >= 2 && ncols >= 2 && dm * dn * dk >= 16384.0 &&
         2.0 * (dm * dk + dk * dn) + 4.0 * dm * dn <= dm * dn * dk;
}

// The MPFR number or Arb ball inside x, as the CRT kernels take it.
template <class S>
auto raw_number(const S& x) {
  if constexpr (ScalarTraits<S>::kind == ScalarKind::Mpfr) {
    return static_cast<mpfr_srcptr>(x.backend().data());
  } else {
    return static_cast<arb_srcptr>(x.arb());
  }
}
template <class S>
using RawSrc = decltype(raw_number(std::declval<const S&>()));
template <class S>
using RawDst = std::remove_const_t<std::remove_pointer_t<RawSrc<S>>>*;

// Pointers to the numbers of a rows x cols matrix given entry by entry (entry(i, j) a reference
// to an existing number), column-major.
template <class S, class Entry>
Buffer<RawSrc<S>> number_pointers(Eigen::Index rows, Eigen::Index cols, const Entry& entry) {
  Buffer<RawSrc<S>> p = big_buffer<RawSrc<S>>(static_cast<std::size_t>(rows * cols));
  for (Eigen::Index j = 0; j < cols; ++j) {
    for (Eigen::Index i = 0; i < rows; ++i) {
      p[static_cast<std::size_t>(i + j * rows)] = raw_number(entry(i, j));
    }
  }
  return p;
}

// Writable pointers to the numbers of c, column-major.
template <class S>
Buffer<RawDst<S>> result_pointers(GemmRef<S> c) {
  Buffer<RawDst<S>> p = big_buffer<RawDst<S>>(static_cast<std::size_t>(c.rows() * c.cols()));
  for (Eigen::Index j = 0; j < c.cols(); ++j) {
    for (Eigen::Index i = 0; i < c.rows(); ++i) {
      p[static_cast<std::size_t>(i + j * c.rows())] =
          const_cast<RawDst<S>>(raw_number(c.data()[i + j * c.outerStride()]));  // NOLINT
    }
  }
  return p;
}

// c = A b by the CRT, with A (m x depth) given entry by entry: a(i, l) is a reference to an
// existing number, so a gathered or transposed A is read in place. False when not worthwhile.
template <class S, class Entry>
bool crt_gemm_entries(
    GemmRef<S> c, Eigen::Index m, Eigen::Index depth, const Entry& a, GemmConstRef<S> b) {
  const Eigen::Index ncols = b.cols();
  if (!crt_worthwhile(m, depth, ncols)) return false;
  const auto pa = number_pointers<S>(m, depth, a);
  const auto pb =
      number_pointers<S>(depth, ncols, [&b](Eigen::Index l, Eigen::Index j) -> const S& {
        return b.data()[l + j * b.outerStride()];
      });
  const auto pc = result_pointers<S>(c);
  if constexpr (ScalarTraits<S>::kind == ScalarKind::Mpfr) {
    return crt_gemm_mpfr(pc.get(), pa.get(), pb.get(), m, depth, ncols);
  } else {
    return crt_gemm_arb(pc.get(), pa.get(), pb.get(), m, depth, ncols, ball_precision());
  }
}

// Pointers to every number of v, column-major.
template <class S>
Buffer<RawSrc<S>> all_numbers(const Mat<S>& v) {
  return number_pointers<S>(
      v.rows(), v.cols(), [&v](Eigen::Index i, Eigen::Index j) -> const S& { return v(i, j); });
}

// The pairs (q, k) as the CRT kernels take them: q_0, k_0, q_1, k_1, ...
inline std::vector<std::int64_t> flat_pairs(
    const std::vector<std::pair<Eigen::Index, Eigen::Index>>& pairs) {
  std::vector<std::int64_t> flat(2 * pairs.size());
  for (std::size_t j = 0; j < pairs.size(); ++j) {
    flat[2 * j] = pairs[j].first;
    flat[2 * j + 1] = pairs[j].second;
  }
  return flat;
}

// c = A b by the CRT for B (depth x pairs.size()) the Khatri-Rao product of the columns of x and
// y: B(l, j) = x(l, q)·y(l, k) with (q, k) = pairs[j]. B is never formed (crt_gemm_khatri_rao_*).
// False when not worthwhile or not applicable: the caller forms B and multiplies.
template <class S, class Entry>
bool crt_gemm_entries_khatri_rao(GemmRef<S> c,
                                 Eigen::Index m,
                                 Eigen::Index depth,
                                 const Entry& a,
                                 const Mat<S>& x,
                                 const Mat<S>& y,
                                 const std::vector<std::pair<Eigen::Index, Eigen::Index>>& pairs) {
  const auto ncols = static_cast<Eigen::Index>(pairs.size());
  if (x.rows() != depth || y.rows() != depth || !crt_worthwhile(m, depth, ncols)) return false;
  const auto pa = number_pointers<S>(m, depth, a);
  const auto px = all_numbers<S>(x);
  const bool same = &x == &y;
  const auto py = same ? Buffer<RawSrc<S>>() : all_numbers<S>(y);
  const RawSrc<S>* ys = same ? px.get() : py.get();
  const std::vector<std::int64_t> flat = flat_pairs(pairs);
  const auto pc = result_pointers<S>(c);
  if constexpr (ScalarTraits<S>::kind == ScalarKind::Mpfr) {
    return crt_gemm_khatri_rao_mpfr(
        pc.get(), pa.get(), px.get(), ys, m, depth, x.cols(), y.cols(), flat.data(), ncols);
  } else {
    return crt_gemm_khatri_rao_arb(pc.get(),
                                   pa.get(),
                                   px.get(),
                                   ys,
                                   m,
                                   depth,
                                   x.cols(),
                                   y.cols(),
                                   flat.data(),
                                   ncols,
                                   ball_precision());
  }
}

// c = A b by the CRT for B (depth x pairs.size()) = (E V) ⊙ (x ⊙ y) in `groups` groups of
// columns: for column j = g nv + v (nv = pairs.size()/groups), B(l, j) = (E_g V)(l, v)·x(l, q)·
// y(l, k) with (q, k) = pairs[j], E_g columns g r.. g r + r - 1 of E (depth x groups r), V
// r x nv; without y (y null) the factor y(l, k) is 1. E is given as its e_stored distinct columns,
// entry by entry (e(l, s) a reference to an existing number), and e_map: column ec of E is stored
// column e_map[ec] (empty: e_stored = groups r, in order). B is never formed
// (crt_gemm_hadamard_*). False when not worthwhile or not applicable (the scheme's limits,
// r > depth): the caller then forms B.
template <class S, class Entry, class EntryE>
bool crt_gemm_entries_hadamard(GemmRef<S> c,
                               Eigen::Index m,
                               Eigen::Index depth,
                               const Entry& a,
                               const EntryE& e,
                               Eigen::Index e_stored,
                               const std::vector<std::int64_t>& e_map,
                               Eigen::Index groups,
                               const Mat<S>& v,
                               const Mat<S>& x,
                               const Mat<S>* y,
                               const std::vector<std::pair<Eigen::Index, Eigen::Index>>& pairs) {
  const auto ncols = static_cast<Eigen::Index>(pairs.size());
  const Eigen::Index r = v.rows();
  if (groups <= 0 || v.cols() * groups != ncols || x.rows() != depth ||
      (e_map.empty() ? e_stored != groups * r
                     : static_cast<Eigen::Index>(e_map.size()) != groups * r) ||
      (y != nullptr && y->rows() != depth) || !crt_worthwhile(m, depth, ncols))
    return false;
  const auto pa = number_pointers<S>(m, depth, a);
  const auto pe = number_pointers<S>(depth, e_stored, e);
  const std::int64_t* map = e_map.empty() ? nullptr : e_map.data();
  const auto pv = all_numbers<S>(v), px = all_numbers<S>(x);
  const bool same = y == &x;
  const auto py = same || y == nullptr ? Buffer<RawSrc<S>>() : all_numbers<S>(*y);
  const RawSrc<S>* ys = y == nullptr ? nullptr : same ? px.get() : py.get();
  const Eigen::Index ky = y == nullptr ? 0 : y->cols();
  const std::vector<std::int64_t> flat = flat_pairs(pairs);
  const HadamardShape shape{r, groups, map, e_stored, x.cols(), ky, flat.data(), ncols};
  const auto pc = result_pointers<S>(c);
  if constexpr (ScalarTraits<S>::kind == ScalarKind::Mpfr) {
    return crt_gemm_hadamard_mpfr(
        pc.get(), pa.get(), pe.get(), pv.get(), px.get(), ys, m, depth, shape);
  } else {
    return crt_gemm_hadamard_arb(
        pc.get(), pa.get(), pe.get(), pv.get(), px.get(), ys, m, depth, shape, ball_precision());
  }
}

template <class S>
bool crt_gemm(GemmRef<S> c, GemmConstRef<S> a, bool transpose_a, GemmConstRef<S> b) {
  const Eigen::Index m = transpose_a ? a.cols() : a.rows();
  const Eigen::Index depth = transpose_a ? a.rows() : a.cols();
  const S* data = a.data();
  const Eigen::Index stride = a.outerStride();
  if (transpose_a) {
    return crt_gemm_entries<S>(
        c,
        m,
        depth,
        [data, stride](Eigen::Index i, Eigen::Index l) -> const S& { return data[l + i * stride]; },
        b);
  }
  return crt_gemm_entries<S>(
      c,
      m,
      depth,
      [data, stride](Eigen::Index i, Eigen::Index l) -> const S& { return data[i + l * stride]; },
      b);
}

// Balls of at most 53 bits: midpoints and radii in double, the sums over the inner dimension in
// three double GEMMs with rigorous bounds (scalar/crt_gemm.hpp, double_gemm_arb). At such
// precisions Arb's own products carry radii of the same order, at several times the cost.
inline bool double_ball_gemm(GemmRef<Ball> c,
                             GemmConstRef<Ball> a,
                             bool transpose_a,
                             GemmConstRef<Ball> b) {
  const Eigen::Index m = transpose_a ? a.cols() : a.rows();
  const Eigen::Index depth = transpose_a ? a.rows() : a.cols();
  const Eigen::Index ncols = b.cols();
  if (static_cast<double>(m) * static_cast<double>(ncols) * static_cast<double>(depth) < 32768.0) {
    return false;
  }
  std::vector<arb_srcptr> pa(static_cast<std::size_t>(m * depth)),
      pb(static_cast<std::size_t>(depth * ncols));
  std::vector<arb_ptr> pc(static_cast<std::size_t>(m * ncols));
  for (Eigen::Index l = 0; l < depth; ++l) {
    for (Eigen::Index i = 0; i < m; ++i) {
      const Ball& x =
          transpose_a ? a.data()[l + i * a.outerStride()] : a.data()[i + l * a.outerStride()];
      pa[static_cast<std::size_t>(i + l * m)] = static_cast<arb_srcptr>(x.arb());
    }
  }
  for (Eigen::Index j = 0; j < ncols; ++j) {
    for (Eigen::Index l = 0; l < depth; ++l) {
      pb[static_cast<std::size_t>(l + j * depth)] =
          static_cast<arb_srcptr>(b.data()[l + j * b.outerStride()].arb());
    }
    for (Eigen::Index i = 0; i < m; ++i) {
      pc[static_cast<std::size_t>(i + j * m)] =
          static_cast<arb_ptr>(c.data()[i + j * c.outerStride()].arb());
    }
  }
  return double_gemm_arb(pc.data(), pa.data(), pb.data(), m, depth, ncols);
}

/// Whether products of S go to double_ball_gemm instead of the CRT: balls of at most 53 bits.
template <class S>
inline bool narrow_balls() {
  return ScalarTraits<S>::is_interval && ball_precision() <= 53;
}

/// A b for B the Khatri-Rao product of x and y at `pairs` (as crt_gemm_entries_khatri_rao), with
/// A (m x depth) given entry by entry: by the CRT where it takes the two factors (B never formed),
/// otherwise fallback(), which forms B (or what stands for it) and multiplies.
template <class S, class Entry, class Fallback>
Mat<S> product_khatri_rao(Eigen::Index m,
                          Eigen::Index depth,
                          const Entry& a,
                          const Mat<S>& x,
                          const Mat<S>& y,
                          const std::vector<std::pair<Eigen::Index, Eigen::Index>>& pairs,
                          const Fallback& fallback) {
  if constexpr (kInPlaceGemm<S>) {
    if (!narrow_balls<S>()) {
      Mat<S> c(m, static_cast<Eigen::Index>(pairs.size()));
      if (crt_gemm_entries_khatri_rao<S>(c, m, depth, a, x, y, pairs)) return c;
    }
  }
  return fallback();
}

/// c = op(a) * b, op(a) = a or aᵀ; c must already have the result's shape.
template <class S>
void gemm(GemmRef<S> c, GemmConstRef<S> a, bool transpose_a, GemmConstRef<S> b) {
  const Eigen::Index m = transpose_a ? a.cols() : a.rows();
  const Eigen::Index depth = transpose_a ? a.rows() : a.cols();
  if constexpr (!kInPlaceGemm<S>) {
    if (transpose_a) {
      c.noalias() = a.transpose() * b;
    } else {
      c.noalias() = a * b;
    }
  } else {
    if (depth == 0 || m == 0 || b.cols() == 0) {
      c.setZero();
      return;
    }
    if constexpr (ScalarTraits<S>::is_interval) {
      if (narrow_balls<S>() && double_ball_gemm(c, a, transpose_a, b)) return;
    }
    if (crt_gemm<S>(c, a, transpose_a, b)) return;
    if constexpr (ScalarTraits<S>::is_interval) {
      if (arb_gemm(c, a, transpose_a, b)) return;
    }
    // op(A) row-major as pointers, zeros dropped: for row i the nonzero (k, a_ik) pairs.
    std::vector<const S*> avals;
    std::vector<Eigen::Index> aidx;
    std::vector<Eigen::Index> start(static_cast<std::size_t>(m) + 1, 0);
    avals.reserve(static_cast<std::size_t>(m * depth));
    aidx.reserve(static_cast<std::size_t>(m * depth));
    for (Eigen::Index i = 0; i < m; ++i) {
      for (Eigen::Index k = 0; k < depth; ++k) {
        // Through data(): Ref's operator() may return by value.
        const S& v =
            transpose_a ? a.data()[k + i * a.outerStride()] : a.data()[i + k * a.outerStride()];
        if (!is_exact_zero(v)) {
          avals.push_back(&v);
          aidx.push_back(k);
        }
      }
      start[static_cast<std::size_t>(i) + 1] = static_cast<Eigen::Index>(avals.size());
    }
    // Products of more than 4096 terms run on all threads (inside an outer parallel region this is
    // one thread: nested parallelism is off): a multiprecision multiply-add costs 30-50 ns, so
    // 4096 of them outweigh starting a parallel region many times over (the 300 x 3 by 3 x 16
    // product of a forward pass took 0.67 ms on one thread). Ball precision is thread-local, so
    // each thread takes the caller's.
    const int bits = ball_precision();
    const Eigen::Index ncols = b.cols();
    const bool parallel =
        static_cast<double>(m) * static_cast<double>(ncols) * static_cast<double>(depth) > 4096.0;
#ifdef _OPENMP
#pragma omp parallel if (parallel)
#endif
    {
      static_cast<void>(parallel);
      ScopedBallPrecision precision(bits);
      S acc(0);
      S tmp(0);
#ifdef _OPENMP
#pragma omp for collapse(2) schedule(static)
#endif
      for (Eigen::Index j = 0; j < ncols; ++j) {
        for (Eigen::Index i = 0; i < m; ++i) {
          const S* bj = b.data() + j * b.outerStride();
          acc = 0;
          const auto e = static_cast<std::size_t>(start[static_cast<std::size_t>(i) + 1]);
          for (auto s = static_cast<std::size_t>(start[static_cast<std::size_t>(i)]); s < e; ++s) {
            add_product(acc, *avals[s], bj[aidx[s]], tmp);
          }
          if constexpr (ScalarTraits<S>::is_interval) {
            c(i, j) = std::move(acc);  // a swap: the limbs move, acc takes c's old number
          } else {
            c(i, j) = acc;
          }
        }
      }
    }
  }
}

/// op(a) * b as a new matrix.
template <class S>
Mat<S> product(GemmConstRef<S> a, bool transpose_a, GemmConstRef<S> b) {
  Mat<S> c(transpose_a ? a.cols() : a.rows(), b.cols());
  gemm<S>(c, a, transpose_a, b);
  return c;
}

/// A b as a new matrix, with A (m x depth) given entry by entry: a(i, l) returns a reference to
/// an existing number (rows gathered from other matrices, blocks restacked). Where the CRT applies
/// A is read in place; otherwise it is first copied into a matrix.
template <class S, class Entry>
Mat<S> product_of_entries(Eigen::Index m, Eigen::Index depth, const Entry& a, GemmConstRef<S> b) {
  Mat<S> c(m, b.cols());
  if constexpr (kInPlaceGemm<S>) {
    if (!narrow_balls<S>() && m > 0 && depth > 0 && crt_gemm_entries<S>(c, m, depth, a, b))
      return c;
  }
  Mat<S> full(m, depth);
  const auto copy_column = [&](Eigen::Index l) {
    for (Eigen::Index i = 0; i < m; ++i) full(i, l) = a(i, l);
  };
  if constexpr (ScalarTraits<S>::is_multiprecision) {  // an Arb copy may allocate: every thread
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (Eigen::Index l = 0; l < depth; ++l) copy_column(l);
  } else {
    for (Eigen::Index l = 0; l < depth; ++l) copy_column(l);
  }
  gemm<S>(c, full, false, b);
  return c;
}

}  // namespace locus::detail

#endif  // LOCUS_SRC_SCALAR_GEMM_HPP_
