// locus/api/figures.hpp: the figures of `locus certify --plot` and `locus spectrum --plot`.
//
// Each writes its data as whitespace-separated columns (PREFIX-*.dat) and a gnuplot script
// (PREFIX.gp), and, when gnuplot is installed, draws PREFIX.svg and PREFIX.png. The spectrum panel
// plots |λ| on a logarithmic axis by index, positive and negative eigenvalues apart, and draws the
// certified zero cluster as its own group at the bottom of the axis with its bound in the key: the
// double values of those eigenvalues are rounding noise and are not plotted as numbers.
#pragma once

#include <string>
#include <vector>

#include "locus/api/certify.hpp"
#include "locus/api/jobs.hpp"
#include "locus/io/problem.hpp"

namespace locus::api {

/// What a figure wrote.
struct FigureFiles {
  std::vector<std::string> files;  ///< every file written, the drawings last
  bool drawn = false;              ///< gnuplot ran and drew PREFIX.svg and PREFIX.png
  std::string note;                ///< why nothing was drawn, or empty
};

/// The spectrum of a `locus spectrum` run: its eigenvalues (midpoints) and, for ball certificates,
/// the certified cluster of eigenvalues in [−ε, ε] (or the exact zeros).
/// \throws Error when a file cannot be written.
FigureFiles plot_spectrum(const SpectrumResult& spectrum,
                          const std::string& title,
                          const std::string& prefix);

/// The certify figure: L and ‖∇L‖ along the flow (all legs, log flow time; the legs' ends
/// marked), and the Hessian spectrum (double) at the refined point, or at the flow's end when no
/// critical point was reached, with the certified zero cluster of the classification.
/// \throws Error when a file cannot be written.
FigureFiles plot_certify(const CertifyOutcome& outcome,
                         const Problem& problem,
                         const std::string& prefix);

}  // namespace locus::api
