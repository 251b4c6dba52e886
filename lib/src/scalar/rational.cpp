// Exact parsing and printing of rationals.
#include "locus/scalar/rational.hpp"

#include <cctype>
#include <cstdlib>
#include <string>

#include "locus/error.hpp"

#include <fmt/format.h>

namespace locus {

namespace {

constexpr long kMaxDecimalExponent = 100000;

[[noreturn]] void fail(std::string_view text, std::string_view why) {
  throw ParseError(fmt::format(
      "cannot read '{}' as an exact number ({}); expected a decimal such as -1.25e-3 or a ratio "
      "such as -1/3",
      text,
      why));
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

Integer integer_from_digits(const std::string& digits) {
  Integer r;
  mpz_set_str(r.backend().data(), digits.c_str(), 10);
  return r;
}

Integer pow10(long e) {
  Integer r;
  mpz_ui_pow_ui(r.backend().data(), 10, static_cast<unsigned long>(e));
  return r;
}

}  // namespace

Rational parse_rational(std::string_view original) {
  std::string_view text = trim(original);
  if (text.empty()) fail(original, "empty");
  bool negative = false;
  std::string_view body = text;
  if (body.front() == '+' || body.front() == '-') {
    negative = body.front() == '-';
    body.remove_prefix(1);
  }

  const auto slash = body.find('/');
  if (slash != std::string_view::npos) {
    const std::string_view num = body.substr(0, slash);
    const std::string_view den = body.substr(slash + 1);
    if (!all_digits(num) || !all_digits(den)) fail(original, "a ratio needs digits on both sides");
    const Integer p = integer_from_digits(std::string(num));
    const Integer q = integer_from_digits(std::string(den));
    if (q == 0) fail(original, "zero denominator");
    Rational r(p, q);
    return negative ? Rational(-r) : r;
  }

  // decimal: digits [. digits] [e [+-] digits]
  std::string_view mantissa = body;
  long exponent = 0;
  const auto e_pos = body.find_first_of("eE");
  if (e_pos != std::string_view::npos) {
    mantissa = body.substr(0, e_pos);
    std::string_view exp_text = body.substr(e_pos + 1);
    bool exp_negative = false;
    if (!exp_text.empty() && (exp_text.front() == '+' || exp_text.front() == '-')) {
      exp_negative = exp_text.front() == '-';
      exp_text.remove_prefix(1);
    }
    if (!all_digits(exp_text)) fail(original, "malformed exponent");
    if (exp_text.size() > 7) fail(original, "exponent beyond +-100000");
    exponent = std::strtol(std::string(exp_text).c_str(), nullptr, 10);
    if (exponent > kMaxDecimalExponent) fail(original, "exponent beyond +-100000");
    if (exp_negative) exponent = -exponent;
  }
  const auto dot = mantissa.find('.');
  std::string_view int_part = mantissa;
  std::string_view frac_part;
  if (dot != std::string_view::npos) {
    int_part = mantissa.substr(0, dot);
    frac_part = mantissa.substr(dot + 1);
  }
  if (int_part.empty() && frac_part.empty()) fail(original, "no digits");
  if ((!int_part.empty() && !all_digits(int_part)) ||
      (!frac_part.empty() && !all_digits(frac_part))) {
    fail(original, "unexpected character");
  }
  std::string digits(int_part);
  digits += frac_part;
  const Integer m = integer_from_digits(digits);
  const long scale = exponent - static_cast<long>(frac_part.size());
  Rational r = scale >= 0 ? Rational(m * pow10(scale)) : Rational(m, pow10(-scale));
  return negative ? Rational(-r) : r;
}

std::string to_string(const Rational& x) {
  const auto num = numerator(x);
  const auto den = denominator(x);
  if (den == 1) return num.str();
  return num.str() + "/" + den.str();
}

}  // namespace locus
