// locus/constructions/common.hpp: what the constructions share: exact matrices as JSON, coordinate
// decoding, the exactness test of a network. Inertia is decided by locus::decide_inertia
// (locus/linalg/decide.hpp), the one decision every job uses.
#pragma once

#include <string>

#include "locus/core/network.hpp"
#include "locus/linalg/decide.hpp"
#include "locus/linalg/inertia.hpp"
#include "locus/scalar/all.hpp"

#include <nlohmann/json.hpp>

namespace locus::constructions {

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
