// Doubles as text, to the last bit (hexadecimal floating point), and back: how the reproductions'
// results travel between MPI ranks (map_over_ranks), so that every rank holds the one-process
// values exactly.
#pragma once

#include <cstdlib>
#include <string>
#include <vector>

#include <fmt/format.h>

namespace locus::reproductions {

inline std::string encode_doubles(const std::vector<double>& values) {
  std::string out;
  for (const double x : values) out += fmt::format("{}{:a}", out.empty() ? "" : " ", x);
  return out;
}

inline std::vector<double> decode_doubles(const std::string& text) {
  std::vector<double> out;
  const char* p = text.c_str();
  char* end = nullptr;
  for (double x = std::strtod(p, &end); end != p; x = std::strtod(p, &end)) {
    out.push_back(x);
    p = end;
  }
  return out;
}

}  // namespace locus::reproductions
