// locus/api/evaluate.hpp: the job behind `locus eval` and `locus.evaluate`: the loss and its
// derivatives at a point, as matrices in the arithmetic that computed them (no text anywhere).
//
//   \code
//   locus::api::EvaluateOptions opt;
//   opt.quantities = {locus::api::Quantity::Loss, locus::api::Quantity::Hessian};
//   auto r = locus::api::evaluate<double>(problem, opt);
//   const locus::Mat<double>& h = r.items[1].values;   // P x P, computed once, never formatted
//   \endcode
//
// Interfaces choose the scalar at run time with locus::dispatch (scalar/arithmetic.hpp) and write
// the matrices as they like (.npy from the buffer, JSON entry by entry, numpy arrays by buffer).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "locus/core/derivatives.hpp"
#include "locus/error.hpp"
#include "locus/io/problem.hpp"
#include "locus/parallel/distributed.hpp"
#include "locus/scalar/rigour.hpp"

namespace locus::api {

/// A quantity `locus eval` can compute.
enum class Quantity {
  Loss,             ///< L(θ), 1 x 1
  Gradient,         ///< ∇L(θ), P x 1 (shape {P})
  Hessian,          ///< ∇²L(θ), P x P
  GaussNewton,      ///< G, P x P
  ResidualHessian,  ///< H = ∇²L − G, P x P
  Jacobian,         ///< ∂Φ/∂θ, (N·n_L) x P
  Outputs,          ///< f(x_i; θ), N x n_L
  Residuals,        ///< ∇_f ℓ(f_i, y_i), N x n_L
};

/// The command-line name: "loss", "gradient", "hessian", "gauss-newton", "residual-hessian",
/// "jacobian", "outputs", "residuals".
std::string_view to_string(Quantity q) noexcept;
/// The JSON key and Python name: as to_string with '_' for '-' ("gauss_newton").
std::string_view json_key(Quantity q) noexcept;
/// Every quantity, in the order above.
const std::vector<Quantity>& all_quantities();
/// Parses a command-line name. \throws InvalidArgument naming the text and every accepted name.
Quantity parse_quantity(std::string_view text);
/// Parses a comma-separated list ("loss,hessian"); empty items are skipped.
/// \throws InvalidArgument for an unknown name or an empty list.
std::vector<Quantity> parse_quantities(std::string_view text);

/// Options of evaluate().
struct EvaluateOptions {
  std::vector<Quantity> quantities = {Quantity::Loss, Quantity::Gradient, Quantity::Hessian};
  /// Refuse when a rank's share of the samples needs more than this many bytes for its
  /// derivatives (shard_bytes, locus/parallel/distributed.hpp); none: no limit.
  std::optional<std::size_t> memory_budget;
};

/// One computed quantity.
template <class Scalar>
struct EvaluatedQuantity {
  Quantity quantity = Quantity::Loss;
  /// {} for the loss, {P} for the gradient, {rows, cols} for matrices.
  std::vector<long> shape;
  /// The entries (the loss as 1 x 1, the gradient as P x 1), column-major as Eigen stores them.
  Mat<Scalar> values;
};

/// The result of evaluate(): the quantities in the order asked, and how sure they are.
template <class Scalar>
struct Evaluation {
  /// Exact for rational, enclosures for balls, rounded otherwise; names the arithmetic.
  Evidence evidence;
  std::vector<EvaluatedQuantity<Scalar>> items;
};

namespace detail {
/// The quantities at θ from `fn`: a LossFunction (every quantity) or a DistributedLoss (the sums
/// over samples; a per-sample quantity is refused, it is not summed over ranks).
template <class Scalar, class F>
Evaluation<Scalar> evaluate_with(const F& fn,
                                 const Vec<Scalar>& theta,
                                 const EvaluateOptions& options) {
  Evaluation<Scalar> out{Evidence::of<Scalar>(), {}};
  for (const Quantity q : options.quantities) {
    EvaluatedQuantity<Scalar> item;
    item.quantity = q;
    switch (q) {
      case Quantity::Loss:
        item.values = Mat<Scalar>::Constant(1, 1, fn.loss(theta));
        break;
      case Quantity::Gradient:
        item.values = fn.gradient(theta);
        item.shape = {static_cast<long>(item.values.rows())};
        break;
      case Quantity::Hessian:
        item.values = fn.hessian(theta, HessianPart::Full);
        break;
      case Quantity::GaussNewton:
        item.values = fn.hessian(theta, HessianPart::GaussNewton);
        break;
      case Quantity::ResidualHessian:
        item.values = fn.hessian(theta, HessianPart::Residual);
        break;
      case Quantity::Jacobian:
      case Quantity::Outputs:
      case Quantity::Residuals:
        if constexpr (requires { fn.output_jacobian(theta); }) {
          item.values = q == Quantity::Jacobian  ? fn.output_jacobian(theta)
                        : q == Quantity::Outputs ? fn.outputs(theta)
                                                 : fn.residuals(theta);
        } else {
          throw InvalidArgument("'" + std::string(to_string(q)) +
                                "' is per sample and not distributed over MPI ranks: compute it "
                                "in one process");
        }
        break;
    }
    if (q != Quantity::Loss && q != Quantity::Gradient) {
      item.shape = {static_cast<long>(item.values.rows()), static_cast<long>(item.values.cols())};
    }
    out.items.push_back(std::move(item));
  }
  return out;
}
}  // namespace detail

/// Evaluates the quantities at the problem's point θ in Scalar (θ and the data are rounded or
/// enclosed into Scalar once). Under mpirun with several ranks the samples are spread over the
/// ranks and the sums over samples (loss, gradient, Hessian, G, H) are summed over them
/// (DistributedLoss; how each arithmetic adds is in locus/parallel/distributed.hpp); every rank
/// returns the same values.
/// \throws InvalidArgument when the problem has no point, a quantity is asked twice, a per-sample
///   quantity (Jacobian, outputs, residuals) is asked under several ranks, or the memory budget is
///   exceeded; whatever LossFunction throws (UnsupportedScalar, NotDifferentiable).
template <class Scalar>
Evaluation<Scalar> evaluate(const Problem& problem, const EvaluateOptions& options) {
  if (!problem.point) {
    throw InvalidArgument(
        "the problem has no \"point\"; evaluating needs the parameter vector θ (P = " +
        std::to_string(problem.network.num_parameters()) + " numbers)");
  }
  for (std::size_t i = 0; i < options.quantities.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (options.quantities[i] == options.quantities[j]) {
        throw InvalidArgument("quantity '" + std::string(to_string(options.quantities[i])) +
                              "' is asked twice");
      }
    }
  }
  bool any_hessian = false;
  for (const Quantity q : options.quantities) {
    any_hessian = any_hessian || q == Quantity::Hessian || q == Quantity::GaussNewton ||
                  q == Quantity::ResidualHessian;
  }
  const Vec<Scalar> theta = problem.point_as<Scalar>();
  if (mpi_ranks().size > 1) {
    return detail::evaluate_with<Scalar>(
        DistributedLoss<Scalar>(problem, options.memory_budget, any_hessian), theta, options);
  }
  if (options.memory_budget) {
    // one process holds every sample: the same estimate as a rank's
    (void)DistributedLoss<Scalar>(problem, options.memory_budget, any_hessian);
  }
  return detail::evaluate_with<Scalar>(
      LossFunction<Scalar>(problem.network, problem.data), theta, options);
}

}  // namespace locus::api
