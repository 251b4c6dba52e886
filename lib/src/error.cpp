#include "locus/error.hpp"

#include <cstdio>
#include <cstdlib>

namespace locus::detail {

void assert_fail(const char* expr, const char* file, int line, const std::string& msg) {
  std::fprintf(
      stderr, "locus: assertion failed: %s\n  at %s:%d\n  %s\n", expr, file, line, msg.c_str());
  std::fflush(stderr);
  std::abort();
}

}  // namespace locus::detail
