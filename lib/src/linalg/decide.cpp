// The one inertia decision (locus/linalg/decide.hpp).
#include "locus/linalg/decide.hpp"

#include <algorithm>
#include <utility>

#include "locus/error.hpp"
#include "locus/linalg/dense.hpp"

#include <fmt/format.h>

namespace locus {

DecidedInertia decide_inertia(const ClusterCertificate& c) {
  DecidedInertia out;
  out.decided = c.decided;
  out.counts_proved = c.proved;
  out.inertia = c.inertia;
  out.zero_exact = c.decided && c.inertia.zero == 0;
  out.algorithm = SpectrumMethod::BallCluster;
  out.method = fmt::format("ball-cluster, {} bits", c.bits);
  if (!c.decided) out.reason = c.reason;
  const ScopedBallPrecision precision(static_cast<int>(c.bits));
  out.evidence = Evidence::of<Ball>();
  return out;
}

namespace {

DecidedInertia decide_exact(const Mat<Rational>& m, const ExactInertiaOptions& options) {
  DecidedInertia out;
  out.decided = true;
  out.counts_proved = true;
  ExactInertia ex = exact_inertia(m, options);
  out.inertia = ex.inertia;
  out.kernel = std::move(ex.null_basis);
  out.zero_exact = true;
  out.algorithm = SpectrumMethod::ExactLdlt;
  out.method = "exact-ldlt (rational)";
  out.proof = std::move(ex.how);
  out.evidence = Evidence::of<Rational>();
  return out;
}

DecidedInertia decide_ball(const Mat<Ball>& m) {
  // A matrix whose entries all contain 0 (e.g. K_λ at λ ∈ {0,1} enclosed around a critical
  // point): by Gershgorin every eigenvalue lies in [−ε, ε] with ε = n·max|entry|, the whole
  // spectrum is the zero cluster.
  bool all_zero = true;
  Rational mx(0);
  for (Eigen::Index j = 0; j < m.cols() && all_zero; ++j) {
    for (Eigen::Index i = 0; i < m.rows() && all_zero; ++i) {
      all_zero = possibly_zero(m(i, j));
      mx = std::max(mx, abs(m(i, j)).upper());
    }
  }
  if (all_zero) {
    DecidedInertia out;
    out.decided = true;
    out.counts_proved = true;
    out.inertia = {0, 0, m.rows()};
    out.zero_exact = m.rows() == 0;
    out.algorithm = SpectrumMethod::BallCluster;
    out.method = fmt::format(
        "every entry contains 0: all eigenvalues in [-ε, ε], ε = n·max|entry| <= {} (Gershgorin, "
        "balls at {} bits)",
        format_bound(mx * static_cast<long>(m.rows()), true, 4),
        ball_precision());
    out.evidence = Evidence::of<Ball>();
    return out;
  }
  return decide_inertia(certify_cluster(m));
}

template <class Scalar>
DecidedInertia decide_floating(const Mat<Scalar>& m) {
  if (m.rows() != m.cols()) {
    throw InvalidArgument(
        fmt::format("decide_inertia: expected a square matrix, got {} x {}", m.rows(), m.cols()));
  }
  const SymmetricEigen<Scalar> es = symmetric_eigen<Scalar>(m);
  if (!es.converged) throw Error("the symmetric eigensolver did not converge");
  return decide_inertia_numerically<Scalar>(es.values, m.norm());
}

}  // namespace

template <class Scalar>
DecidedInertia decide_inertia_numerically(const Vec<Scalar>& eigenvalues,
                                          const Scalar& frobenius_norm) {
  const NumericalNullity nn = float_gap<Scalar>(eigenvalues, frobenius_norm);
  DecidedInertia out;
  out.decided = nn.decided;
  out.inertia = nn.inertia;
  // A rounded eigenvalue below τ cannot be told from 0: n₀ counts zeros only when none is below τ
  // (and even then as evidence).
  out.zero_exact = nn.decided && nn.inertia.zero == 0;
  out.algorithm = SpectrumMethod::FloatGap;
  out.method = fmt::format("float-gap ({}, evidence only)", ScalarTraits<Scalar>::name());
  out.reason = nn.reason;
  out.tolerance = nn.tolerance;
  out.gap_ratio = nn.gap_ratio;
  out.evidence = Evidence::of<Scalar>();
  return out;
}

DecidedInertia decide_inertia(const Mat<Rational>& m, const ExactInertiaOptions& options) {
  return decide_exact(m, options);
}

template <class Scalar>
DecidedInertia decide_inertia(const Mat<Scalar>& m, bool with_kernel) {
  if constexpr (ScalarTraits<Scalar>::is_exact) {
    ExactInertiaOptions options;
    options.with_null_basis = with_kernel;
    return decide_exact(m, options);
  } else if constexpr (ScalarTraits<Scalar>::is_interval) {
    return decide_ball(m);
  } else {
    return decide_floating(m);
  }
}

#define LOCUS_DECIDE_INSTANTIATE(Scalar, tag) \
  template DecidedInertia decide_inertia<Scalar>(const Mat<Scalar>&, bool);
LOCUS_FOR_EACH_SCALAR(LOCUS_DECIDE_INSTANTIATE)
#undef LOCUS_DECIDE_INSTANTIATE
#define LOCUS_DECIDE_INSTANTIATE_FLOATING(Scalar, tag) \
  template DecidedInertia decide_inertia_numerically<Scalar>(const Vec<Scalar>&, const Scalar&);
LOCUS_FOR_EACH_FLOATING_SCALAR(LOCUS_DECIDE_INSTANTIATE_FLOATING)
#undef LOCUS_DECIDE_INSTANTIATE_FLOATING

}  // namespace locus
