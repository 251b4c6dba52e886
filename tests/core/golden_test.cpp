// Golden cases (docs/constructions.md) that need only the derivatives.
#include <doctest/doctest.h>

#include <filesystem>

#include "locus/core/derivatives.hpp"
#include "locus/io/problem.hpp"
#include "locus/linalg/dense.hpp"
#include "locus/scalar/parse.hpp"

#ifndef LOCUS_SOURCE_DIR
#error "LOCUS_SOURCE_DIR must name the source tree"
#endif

TEST_SUITE("core.golden") {
  TEST_CASE("golden G1: the 1-1-1 sigmoid minimum has L = 1/2 and the published spectrum") {
    const std::filesystem::path file =
        std::filesystem::path(LOCUS_SOURCE_DIR) / "examples" / "problems" / "g1_small.json";
    const locus::Problem p = locus::read_problem_file(file.string());
    using S = locus::Mpfr256;
    const locus::LossFunction<S> fn(p.network, p.data);
    const locus::Vec<S> theta = p.point_as<S>();
    const S half = locus::ratio<S>(1, 2);
    // the targets are the spec's 10-digit roundings: L and ∇L are 1/2 and 0 to ~1e-10
    // (comparisons are evaluated to bool first: doctest's printing of MPFR values trips a GCC 12
    // -Wrestrict false positive inside Boost's float formatting)
    const bool loss_ok = abs(fn.loss(theta) - half) < locus::parse_scalar<S>("1e-9");
    const bool grad_ok = fn.gradient(theta).cwiseAbs().maxCoeff() < locus::parse_scalar<S>("1e-9");
    CHECK(loss_ok);
    CHECK(grad_ok);
    const auto eig = locus::symmetric_eigen<S>(fn.hessian(theta));
    const char* golden[] = {"0.0510211", "0.0599395", "1.1526906", "11.6370939"};
    for (int i = 0; i < 4; ++i) {
      const S g = locus::parse_scalar<S>(golden[i]);
      CAPTURE(i);
      CAPTURE(locus::ScalarTraits<S>::to_string(eig.values(i)));
      const bool ok = abs(eig.values(i) - g) <= g * locus::parse_scalar<S>("1e-6");
      CHECK(ok);
    }
  }
}
