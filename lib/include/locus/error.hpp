// locus/error.hpp: the three error tiers of locus (docs/errors.md).
//
//  1. Programmer error / violated precondition: LOCUS_ASSERT(cond, fmt, args...). On in Debug and
//     sanitizer builds, in Release only with LOCUS_ENABLE_ASSERTS. Failing aborts with a message.
//  2. Bad external input (CLI arguments, files, options): throw locus::Error or a subclass, with
//  the
//     offending value and the expectation in the message. Only `main` and the claims runner catch.
//  3. Expected mathematical outcomes (no convergence, undecided interval, ...): values, never
//     exceptions (Status / Certainty / Report types of the later modules).
#pragma once

#include <stdexcept>
#include <string>

#include "locus/config.hpp"

#include <fmt/format.h>

namespace locus {

/// Base of every exception locus throws on bad external input.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

/// An argument or option has a value outside what is accepted.
class InvalidArgument : public Error {
 public:
  using Error::Error;
};

/// A string or file could not be parsed; the message names the text and the expected form.
class ParseError : public Error {
 public:
  using Error::Error;
};

/// An arithmetic (scalar type) is unknown, not built in, or cannot do what was asked
/// (e.g. `rational` asked for exp(3/10)).
class UnsupportedScalar : public Error {
 public:
  using Error::Error;
};

namespace detail {
[[noreturn]] void assert_fail(const char* expr, const char* file, int line, const std::string& msg);
}  // namespace detail

}  // namespace locus

#if !defined(NDEBUG) || defined(LOCUS_ENABLE_ASSERTS)
#define LOCUS_ASSERT(cond, ...)                                                            \
  do {                                                                                     \
    if (!(cond)) {                                                                         \
      ::locus::detail::assert_fail(#cond, __FILE__, __LINE__, ::fmt::format(__VA_ARGS__)); \
    }                                                                                      \
  } while (false)
#else
#define LOCUS_ASSERT(cond, ...) \
  do {                          \
  } while (false)
#endif
