// locus/constructions/common.hpp: what the constructions share: inertia in the arithmetic that
// can decide it (exact LDLᵀ over Q, the ball-cluster certificate otherwise), exact matrices as
// JSON.
#pragma once

#include <string>

#include "locus/core/network.hpp"
#include "locus/linalg/inertia.hpp"
#include "locus/scalar/all.hpp"

#include <nlohmann/json.hpp>

namespace locus::constructions {

/// An inertia with how it was decided.
struct DecidedInertia {
  bool decided = false;
  Inertia inertia;
  std::string method;  ///< "exact-ldlt (rational)" or "ball-cluster, N bits"
  std::string reason;  ///< when undecided
};

/// The inertia of a symmetric matrix: exact for Rational, certified (balls at the thread's
/// precision, no escalation) for Ball.
DecidedInertia decide_inertia(const Mat<Rational>& m);
DecidedInertia decide_inertia(const Mat<Ball>& m);

/// In(a) + In(b).
Inertia operator+(const Inertia& a, const Inertia& b);

/// JSON of an inertia {"positive", "negative", "zero"}.
nlohmann::json to_json(const Inertia& in);

/// Rows of exact strings ("p/q") for rational matrices; "[mid +/- rad]" strings for balls.
nlohmann::json matrix_json(const Mat<Rational>& m);
nlohmann::json matrix_json(const Mat<Ball>& m);
/// The columns of m as a list of P-vectors of exact strings (tangent bases, directions).
nlohmann::json columns_json(const Mat<Rational>& m);

/// Where a coordinate of θ lives: weight layer m (1-based), row j, column k (k = n_{m-1} is the
/// bias).
struct Coordinate {
  int m = 0, j = 0, k = 0;
};
/// \throws InvalidArgument for an index outside 0..P-1.
Coordinate decode_index(const Network& net, Eigen::Index i);

/// True when every quantity of the problem is exact over Q at rational points: a polynomial,
/// identity or ReLU activation (ReLU away from its kink) with the squared loss.
bool exact_over_q(const Network& net);

/// σ(z) = Σ_{k<=5} z^k / k!, the dense exact polynomial of docs/constructions.md (pitfall 9).
Activation exp_taylor5();

/// The midpoint of every entry (exact).
Mat<Rational> midpoints(const Mat<Ball>& m);
inline const Mat<Rational>& midpoints(const Mat<Rational>& m) {
  return m;
}

}  // namespace locus::constructions
