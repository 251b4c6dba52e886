// locus/version.hpp: the library version and what it was built with.
#pragma once

#include <string>

#include "locus/config.hpp"

namespace locus {

/// "0.1.0".
inline constexpr const char* kVersion = LOCUS_VERSION_STRING;

/// The version with the versions of the libraries locus was built against, one per line.
std::string build_info();

}  // namespace locus
