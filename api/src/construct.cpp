// The construct-split job (locus/api/jobs.hpp): the big problem at θ_λ with the Theorem S
// certificate (docs/constructions.md).
#include <string>

#include "locus/api/jobs.hpp"
#include "locus/constructions/split.hpp"
#include "locus/io/problem.hpp"
#include "locus/scalar/arithmetic.hpp"
#include "locus/scalar/parse.hpp"
#include "locus/version.hpp"

namespace locus::api {

namespace lc = locus::constructions;

Arithmetic arithmetic_for(const std::string& name, const Network& net) {
  return name.empty() ? lc::default_certified_arithmetic(net) : parse_arithmetic(name);
}

SplitOutcome split_with_certificate(const Problem& small,
                                    int layer,
                                    int unit,
                                    const std::string& lambda,
                                    const std::string& arithmetic,
                                    const std::string& source) {
  SplitOutcome out;
  out.spec.layer = layer;
  out.spec.unit = unit;
  out.spec.lambda = parse_rational(lambda);
  const Arithmetic a = arithmetic_for(arithmetic, small.network);
  out.certificate = lc::certify_split(small, out.spec, a);
  out.big = lc::split_problem(small, out.spec);
  out.big.provenance = {{"command", "locus construct split"},
                        {"version", kVersion},
                        {"source", source},
                        {"arithmetic", out.certificate.arithmetic},
                        {"seed", nullptr}};
  out.big.certificate = lc::to_json(out.certificate);
  return out;
}

Problem split_report(const Problem& small,
                     int layer,
                     int unit,
                     const std::string& lambda,
                     const std::string& arithmetic,
                     const std::string& source) {
  return split_with_certificate(small, layer, unit, lambda, arithmetic, source).big;
}

}  // namespace locus::api
