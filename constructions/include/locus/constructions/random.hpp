// locus/constructions/random.hpp: random small networks with critical points that are not built
// by any construction: teacher data, descent and Newton from a random initialisation. Shared by the
// counterexample search (locus/api/search.hpp) and the claims whose instances must not come from
// designs (docs/search.md, docs/claims.md).
#pragma once

#include <optional>
#include <random>
#include <string>
#include <vector>

#include "locus/io/problem.hpp"
#include "locus/scalar/ball.hpp"

namespace locus::constructions {

/// A random problem on `widths` (one output) with `activation` and bias: N = `samples` distinct
/// integer input rows in [−3, 3]^n0; targets of a random [n0, 2, 1] teacher with the same
/// activation (weights ~ N(0, 1.5²) rounded to 1/2), rounded to 1/8, so that best fits by narrower
/// students are finite; θ ~ N(0, 1) (exact binary values). The teacher's point is kept in
/// extra["teacher_point"] (doubles). \throws InvalidArgument when no distinct inputs are drawn.
Problem teacher_problem(std::mt19937& rng,
                        const std::vector<int>& widths,
                        const std::string& activation,
                        int samples);

/// Gradient descent with a backtracking step from θ, until ‖∇L‖ <= tol or `iterations` steps.
Vec<double> descend(const Problem& p, Vec<double> theta, int iterations, double tol);

/// A critical point in double next to p's point: Newton when ‖∇L‖ <= 1e-2 (warm starts),
/// otherwise (or when that fails) descent while ‖∇L‖ > 1e-4, then Newton (11 digits).
/// \throws InvalidArgument saying why when Newton does not converge or θ runs off (|θ| > 1e3).
Vec<double> polish_double(const Problem& p);

/// p's point as doubles (nearest) and a double vector as exact rationals.
Vec<double> point_double(const Problem& p);
Vec<Rational> exact_point(const Vec<double>& x);

/// A critical point next to p's point refined by MPFR-256 Newton to 60 digits, as the problem with
/// that exact (binary) point; none when Newton does not converge. Existence is not proved here
/// (certify_split and classify prove it by Krawczyk).
std::optional<Problem> refine_to_critical(const Problem& p);

/// The loss enclosed in 256-bit balls over the max-norm box of `radius` around p's point (the box
/// in which Krawczyk proved a true critical point; the point itself when `radius` is empty).
Ball loss_over_box(const Problem& p, const std::optional<Rational>& radius);

}  // namespace locus::constructions
