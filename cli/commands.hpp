// Subcommands of the `locus` executable. Each registers its options on the CLI11 app and returns a
// callback that runs it; the callbacks throw locus::Error on bad input (exit status 2).
#pragma once

#include <functional>

#include "locus/api/figures.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

namespace locus::cli {

/// Exit status of a command: 0 success, 1 an unexpected verdict (commands that check), 2 bad input.
using Run = std::function<int()>;

Run add_scalars(CLI::App& app);
Run add_demo(CLI::App& app);
Run add_eval(CLI::App& app);
Run add_spectrum(CLI::App& app);
Run add_refine(CLI::App& app);
Run add_certify(CLI::App& app);
Run add_classify(CLI::App& app);
Run add_construct(CLI::App& app);
Run add_path(CLI::App& app);
Run add_check(CLI::App& app);
Run add_search(CLI::App& app);
Run add_reproduce(CLI::App& app);
Run add_data(CLI::App& app, int argc, char** argv);

/// The "existence" line of refine and certify: the Krawczyk proof of a refine report, or why not.
void print_existence(const nlohmann::json& existence);

/// The "figure" lines of certify and spectrum --plot: the files written, or why nothing was drawn.
void print_figure(const api::FigureFiles& figure);

}  // namespace locus::cli
