// locus-verify: the three number types of the checker.
//   Q        exact rationals (FLINT's fmpq)
//   B        real balls (Arb's arb_t) at one precision for the whole run; every operation encloses
//            the exact result
//   Dual<T>  a + b·ε with ε² = 0, for one directional derivative (Hessian columns)
// This file shares no code with the locus library on purpose: it is the second opinion.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>

#include <arb.h>
#include <arb_hypgeom.h>
#include <flint/fmpq.h>

namespace verify {

/// A check that cannot be made (unsupported input, a value with no exact form): the certificate
/// is rejected with this text.
struct Reject : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// ---------------------------------------------------------------------------------------------
class Q {
 public:
  Q() { fmpq_init(v_); }
  Q(long n) : Q() { fmpq_set_si(v_, n, 1); }  // NOLINT(google-explicit-constructor)
  Q(const Q& o) : Q() { fmpq_set(v_, o.v_); }
  Q& operator=(const Q& o) {
    fmpq_set(v_, o.v_);
    return *this;
  }
  ~Q() { fmpq_clear(v_); }
  /// "p", "p/q", or a decimal "-1.25e-3"; throws Reject on anything else.
  static Q parse(const std::string& text);
  [[nodiscard]] std::string str() const {
    char* s = fmpq_get_str(nullptr, 10, v_);
    std::string out(s);
    flint_free(s);
    return out;
  }
  [[nodiscard]] int sign() const { return fmpq_sgn(v_); }
  fmpq* raw() { return v_; }
  [[nodiscard]] const fmpq* raw() const { return v_; }

  friend Q operator+(const Q& a, const Q& b) {
    Q r;
    fmpq_add(r.v_, a.v_, b.v_);
    return r;
  }
  friend Q operator-(const Q& a, const Q& b) {
    Q r;
    fmpq_sub(r.v_, a.v_, b.v_);
    return r;
  }
  friend Q operator*(const Q& a, const Q& b) {
    Q r;
    fmpq_mul(r.v_, a.v_, b.v_);
    return r;
  }
  friend Q operator/(const Q& a, const Q& b) {
    if (b.sign() == 0) throw Reject("division by an exact zero");
    Q r;
    fmpq_div(r.v_, a.v_, b.v_);
    return r;
  }
  friend Q operator-(const Q& a) {
    Q r;
    fmpq_neg(r.v_, a.v_);
    return r;
  }
  friend bool operator==(const Q& a, const Q& b) { return fmpq_equal(a.v_, b.v_) != 0; }
  friend bool operator<(const Q& a, const Q& b) { return fmpq_cmp(a.v_, b.v_) < 0; }

 private:
  fmpq_t v_;
};

// ---------------------------------------------------------------------------------------------
/// The working precision of every ball operation (set once from the certificate).
inline slong& precision() {
  static slong bits = 128;
  return bits;
}

class B {
 public:
  B() { arb_init(v_); }
  B(long n) : B() { arb_set_si(v_, n); }  // NOLINT(google-explicit-constructor)
  explicit B(const Q& q) : B() { arb_set_fmpq(v_, q.raw(), precision()); }
  B(const B& o) : B() { arb_set(v_, o.v_); }
  B& operator=(const B& o) {
    arb_set(v_, o.v_);
    return *this;
  }
  ~B() { arb_clear(v_); }
  arb_ptr raw() { return v_; }
  [[nodiscard]] arb_srcptr raw() const { return v_; }
  [[nodiscard]] bool finite() const { return arb_is_finite(v_) != 0; }
  [[nodiscard]] bool positive() const { return arb_is_positive(v_) != 0; }
  [[nodiscard]] bool negative() const { return arb_is_negative(v_) != 0; }
  [[nodiscard]] bool contains_zero() const { return arb_contains_zero(v_) != 0; }
  /// Upper bound of |x| (a ball with zero radius).
  [[nodiscard]] B abs_upper() const {
    B r;
    arb_get_abs_ubound_arf(arb_midref(r.v_), v_, precision());
    return r;
  }
  /// Lower bound of |x| (0 when the ball contains 0).
  [[nodiscard]] B abs_lower() const {
    B r;
    arb_get_abs_lbound_arf(arb_midref(r.v_), v_, precision());
    return r;
  }
  [[nodiscard]] std::string str(int digits = 6) const {
    char* s = arb_get_str(v_, digits, 0);
    std::string out(s);
    flint_free(s);
    return out;
  }
  /// Certainly a < b (every point of a below every point of b).
  friend bool certainly_less(const B& a, const B& b) { return arb_lt(a.v_, b.v_) != 0; }
  /// Certainly a <= b.
  friend bool certainly_at_most(const B& a, const B& b) { return arb_le(a.v_, b.v_) != 0; }

  friend B operator+(const B& a, const B& b) { return op(arb_add, a, b); }
  friend B operator-(const B& a, const B& b) { return op(arb_sub, a, b); }
  friend B operator*(const B& a, const B& b) { return op(arb_mul, a, b); }
  friend B operator/(const B& a, const B& b) { return op(arb_div, a, b); }
  friend B operator-(const B& a) {
    B r;
    arb_neg(r.v_, a.v_);
    return r;
  }

 private:
  static B op(void (*f)(arb_ptr, arb_srcptr, arb_srcptr, slong), const B& a, const B& b) {
    B r;
    f(r.v_, a.v_, b.v_, precision());
    return r;
  }
  arb_t v_;
};

// The elementary functions the activations and losses use. Rationals have none of them: an
// exact value exists only in the cases the callers treat before calling these.
inline B apply(void (*f)(arb_ptr, arb_srcptr, slong), const B& x) {
  B r;
  f(r.raw(), x.raw(), precision());
  return r;
}
inline B exp(const B& x) {
  return apply(arb_exp, x);
}
inline B log1p(const B& x) {
  return apply(arb_log1p, x);
}
inline B tanh(const B& x) {
  return apply(arb_tanh, x);
}
inline B erf(const B& x) {
  return apply(arb_hypgeom_erf, x);
}
inline B sqrt(const B& x) {
  return apply(arb_sqrt, x);
}
inline B pi_of(const B&) {
  B r;
  arb_const_pi(r.raw(), precision());
  return r;
}
[[noreturn]] inline Q no_exact(const char* what) {
  throw Reject(std::string(what) + " has no exact rational value here; use a ball certificate");
}
inline Q exp(const Q&) {
  no_exact("exp");
}
inline Q log1p(const Q&) {
  no_exact("log");
}
inline Q tanh(const Q&) {
  no_exact("tanh");
}
inline Q erf(const Q&) {
  no_exact("erf");
}
inline Q sqrt(const Q&) {
  no_exact("a square root");
}
inline Q pi_of(const Q&) {
  no_exact("pi");
}

/// Sign decisions: +1 / −1 when certain, 0 when exactly zero (rationals) or undecided (balls).
inline int certain_sign(const Q& x) {
  return x.sign();
}
inline int certain_sign(const B& x) {
  return x.positive() ? 1 : (x.negative() ? -1 : 0);
}
inline bool is_exact_zero(const Q& x) {
  return x.sign() == 0;
}
inline bool is_exact_zero(const B& x) {
  return arb_is_zero(x.raw()) != 0;
}

// ---------------------------------------------------------------------------------------------
template <class T>
struct Dual {
  T a, b;  // value and derivative along one direction
  Dual() : a(0), b(0) {}
  Dual(long n) : a(n), b(0) {}  // NOLINT(google-explicit-constructor)
  Dual(T value, T slope) : a(std::move(value)), b(std::move(slope)) {}
  friend Dual operator+(const Dual& x, const Dual& y) { return {x.a + y.a, x.b + y.b}; }
  friend Dual operator-(const Dual& x, const Dual& y) { return {x.a - y.a, x.b - y.b}; }
  friend Dual operator-(const Dual& x) { return {-x.a, -x.b}; }
  friend Dual operator*(const Dual& x, const Dual& y) { return {x.a * y.a, x.a * y.b + x.b * y.a}; }
  friend Dual operator/(const Dual& x, const Dual& y) {
    const T q = x.a / y.a;
    return {q, (x.b - q * y.b) / y.a};
  }
};
template <class T>
Dual<T> exp(const Dual<T>& x) {
  const T e = exp(x.a);
  return {e, e * x.b};
}
template <class T>
Dual<T> log1p(const Dual<T>& x) {
  return {log1p(x.a), x.b / (T(1) + x.a)};
}
template <class T>
int certain_sign(const Dual<T>& x) {
  return certain_sign(x.a);
}
template <class T>
bool is_exact_zero(const Dual<T>& x) {
  return is_exact_zero(x.a);
}

}  // namespace verify
