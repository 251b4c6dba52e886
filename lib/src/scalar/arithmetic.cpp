// Parsing of arithmetic names and the table of built-in arithmetics.
#include "locus/scalar/arithmetic.hpp"

#include <charconv>
#include <string>

#include <fmt/format.h>

namespace locus {

namespace {

std::string mpfr_bits_list() {
  std::string s;
  for (std::size_t i = 0; i < kMpfrBuiltinBits.size(); ++i) {
    if (i > 0) s += (i + 1 == kMpfrBuiltinBits.size()) ? " or " : ", ";
    s += std::to_string(kMpfrBuiltinBits[i]);
  }
  return s;
}

[[noreturn]] void reject(std::string_view text, std::string_view why) {
  throw UnsupportedScalar(fmt::format(
      "unknown arithmetic '{}' ({}); accepted: {}", text, why, accepted_arithmetic_forms()));
}

/// Parses BITS: decimal digits only, no sign, within [lo, hi].
int parse_bits(std::string_view text, std::string_view bits, int lo, int hi) {
  if (bits.empty()) reject(text, "missing BITS after ':'");
  for (char c : bits) {
    if (c < '0' || c > '9') reject(text, fmt::format("BITS '{}' is not a positive integer", bits));
  }
  long value = 0;
  const auto [ptr, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), value);
  if (ec != std::errc() || ptr != bits.data() + bits.size() || value < lo || value > hi) {
    reject(text, fmt::format("BITS {} is out of range; expected {} to {}", bits, lo, hi));
  }
  return static_cast<int>(value);
}

}  // namespace

std::string Arithmetic::name() const {
  switch (kind) {
    case ScalarKind::Binary:
      return "double";
    case ScalarKind::Extended:
      return "long-double";
    case ScalarKind::Quad:
      return "float128";
    case ScalarKind::Mpfr:
      return "mpfr:" + std::to_string(bits);
    case ScalarKind::Rational:
      return "rational";
    case ScalarKind::Ball:
      return "ball:" + std::to_string(bits);
  }
  return "?";
}

std::string accepted_arithmetic_forms() {
  return fmt::format(
      "double, long-double, {}mpfr:BITS (BITS = {}), rational, ball:BITS (BITS an integer from 2 "
      "to {})",
      LOCUS_HAS_FLOAT128 ? "float128, " : "",
      mpfr_bits_list(),
      kBallMaxBits);
}

Arithmetic parse_arithmetic(std::string_view text) {
  if (text == "double") return {ScalarKind::Binary, 53};
  if (text == "long-double") return {ScalarKind::Extended, 64};
  if (text == "float128") {
#if LOCUS_HAS_FLOAT128
    return {ScalarKind::Quad, 113};
#else
    reject(text, "this build has no float128 (LOCUS_WITH_FLOAT128=OFF)");
#endif
  }
  if (text == "rational") return {ScalarKind::Rational, 0};
  if (text.starts_with("mpfr:")) {
    const int bits = parse_bits(text, text.substr(5), 2, kBallMaxBits);
    for (int b : kMpfrBuiltinBits) {
      if (b == bits) return {ScalarKind::Mpfr, bits};
    }
    reject(text,
           fmt::format("mpfr:{} is not built in; MPFR precisions are {}; ball:{} gives any "
                       "precision",
                       bits,
                       mpfr_bits_list(),
                       bits));
  }
  if (text.starts_with("ball:")) {
    return {ScalarKind::Ball, parse_bits(text, text.substr(5), 2, kBallMaxBits)};
  }
  if (text == "mpfr" || text == "ball") reject(text, "the precision is missing");
  reject(text, "not an arithmetic name");
}

namespace detail {
void throw_not_built(const Arithmetic& a) {
  throw UnsupportedScalar(fmt::format("arithmetic '{}' is not built into this locus; accepted: {}",
                                      a.name(),
                                      accepted_arithmetic_forms()));
}
}  // namespace detail

bool is_rigorous(const Arithmetic& a) {
  return dispatch(a, []<class S>(std::type_identity<S>) { return ScalarTraits<S>::is_rigorous; });
}

bool is_native_double(const Arithmetic& a) {
  return dispatch(a,
                  []<class S>(std::type_identity<S>) { return ScalarTraits<S>::is_native_double; });
}

bool same_scalar_type(const Arithmetic& a, const Arithmetic& b) {
  return dispatch(a, [&]<class S>(std::type_identity<S>) {
    return dispatch(b, []<class T>(std::type_identity<T>) { return std::is_same_v<S, T>; });
  });
}

std::optional<Arithmetic> certifying_arithmetic(const Arithmetic& a) {
  return dispatch(a, [&]<class S>(std::type_identity<S>) -> std::optional<Arithmetic> {
    if constexpr (ScalarTraits<S>::is_rigorous) {
      return a;
    } else if constexpr (ScalarTraits<S>::is_multiprecision) {
      return Arithmetic::ball(a.bits);
    } else {
      return std::nullopt;
    }
  });
}

std::vector<ArithmeticInfo> builtin_arithmetics() {
  std::vector<ArithmeticInfo> out;
  out.push_back({"double",
                 "double",
                 ScalarTraits<double>::digits(),
                 false,
                 false,
                 "IEEE binary64, hardware",
                 parse_arithmetic("double")});
  out.push_back({"long-double",
                 "long double",
                 ScalarTraits<long double>::digits(),
                 false,
                 false,
                 "x87 extended precision, hardware",
                 parse_arithmetic("long-double")});
#if LOCUS_HAS_FLOAT128
  out.push_back({"float128",
                 "locus::Float128",
                 ScalarTraits<Float128>::digits(),
                 false,
                 false,
                 "IEEE binary128, libquadmath (software)",
                 parse_arithmetic("float128")});
#endif
  out.push_back({"mpfr:128",
                 "locus::Mpfr<128>",
                 ScalarTraits<Mpfr<128>>::digits(),
                 false,
                 false,
                 "MPFR, round to nearest",
                 parse_arithmetic("mpfr:128")});
  out.push_back({"mpfr:256",
                 "locus::Mpfr<256>",
                 ScalarTraits<Mpfr<256>>::digits(),
                 false,
                 false,
                 "MPFR, round to nearest",
                 parse_arithmetic("mpfr:256")});
  out.push_back({"mpfr:512",
                 "locus::Mpfr<512>",
                 ScalarTraits<Mpfr<512>>::digits(),
                 false,
                 false,
                 "MPFR, round to nearest",
                 parse_arithmetic("mpfr:512")});
  out.push_back({"mpfr:1024",
                 "locus::Mpfr<1024>",
                 ScalarTraits<Mpfr<1024>>::digits(),
                 false,
                 false,
                 "MPFR, round to nearest",
                 parse_arithmetic("mpfr:1024")});
  out.push_back({"rational",
                 "locus::Rational",
                 0,
                 true,
                 true,
                 "GMP rationals, exact (no transcendentals)",
                 parse_arithmetic("rational")});
  out.push_back({"ball:BITS",
                 "locus::Ball",
                 ball_precision(),
                 false,
                 true,
                 fmt::format("Arb balls, certified enclosures; any BITS from 2 to {} (default {})",
                             kBallMaxBits,
                             ball_precision()),
                 Arithmetic{ScalarKind::Ball, 128}});
  return out;
}

}  // namespace locus
