// locus/api/certificate.hpp: proof-carrying results. A locus-certificate/1 file holds a problem
// (network, data and point, exact numbers) and the facts proved about it, each with the data that
// makes re-checking cheap (docs/certificates.md); `locus-verify` re-checks it without this
// library.
#pragma once

#include <string>
#include <vector>

#include "locus/io/problem.hpp"
#include "locus/linalg/inertia.hpp"

#include <nlohmann/json.hpp>

namespace locus::api {

/// The format tag of the files.
inline constexpr const char* kCertificateFormat = "locus-certificate/1";

/// A certificate: what is claimed (one sentence), what produced it, the problem, and the facts.
struct Certificate {
  std::string statement;
  std::string produced_by;
  nlohmann::json problem;  ///< certificate_problem(...)
  std::vector<nlohmann::json> facts;
};

/// The problem in the certificate's form: widths, one activation per hidden layer, one bias flag
/// per layer, loss, reduction, scale, L2 term, inputs, targets and the point, every number exact
/// ("p/q"). \throws InvalidArgument when the problem has no point.
nlohmann::json certificate_problem(const Problem& p);

/// "critical": ∇L(θ) = 0 exactly over Q (the checker recomputes the gradient).
nlohmann::json critical_fact();

/// "inertia-ldlt": the inertia of the exact Hessian from P·H·Pᵀ = L·D·Lᵀ (the checker recomputes
/// H, multiplies the factors back and counts the signs of D).
nlohmann::json ldlt_fact(const ExactLdlt& f);

/// The whole certificate as JSON.
nlohmann::json to_json(const Certificate& c);

/// Writes to_json(c) to `path`. \throws Error if the file cannot be written.
void write_certificate(const Certificate& c, const std::string& path);

}  // namespace locus::api
