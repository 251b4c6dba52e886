// locus::Ball over Arb. Every operation runs at the thread's working precision, ball_precision().
#include "locus/scalar/ball.hpp"

#include <cmath>
#include <cstring>
#include <limits>
#include <new>
#include <string>

#include "scalar/arf_double.hpp"
#include "scalar/share_out.hpp"
#include "scalar/thread_caches.hpp"

#include "locus/error.hpp"
#include "locus/scalar/double_enclosure.hpp"

#include <fmt/format.h>

#include <arb.h>
#include <arb_hypgeom.h>
#include <flint/flint.h>
#include <flint/fmpq.h>
#include <mpfr.h>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace locus {

static_assert(sizeof(arb_struct) == sizeof(detail::ArbStorage),
              "locus::Ball storage does not match Arb's arb_struct");
static_assert(alignof(arb_struct) <= alignof(detail::ArbStorage));

namespace {

thread_local int g_ball_precision = 128;

arb_ptr A(Ball& b) {
  return static_cast<arb_ptr>(b.arb());
}
arb_srcptr A(const Ball& b) {
  return static_cast<arb_srcptr>(b.arb());
}
slong prec() {
  return static_cast<slong>(g_ball_precision);
}

/// RAII fmpq_t holding a copy of a Rational.
class Fmpq {
 public:
  Fmpq() { fmpq_init(v_); }
  explicit Fmpq(const Rational& r) {
    fmpq_init(v_);
    fmpq_set_mpq(v_, r.backend().data());
  }
  ~Fmpq() { fmpq_clear(v_); }
  Fmpq(const Fmpq&) = delete;
  Fmpq& operator=(const Fmpq&) = delete;
  fmpq* get() { return v_; }
  [[nodiscard]] Rational to_rational() const {
    Rational r;
    fmpq_get_mpq(r.backend().data(), v_);
    return r;
  }

 private:
  fmpq_t v_;
};

Rational arf_to_rational(const arf_t x) {
  Fmpq q;
  arf_get_fmpq(q.get(), x);
  return q.to_rational();
}

Certainty from_pair(int certainly_true, int certainly_false) {
  if (certainly_true != 0) return Certainty::True;
  if (certainly_false != 0) return Certainty::False;
  return Certainty::Unknown;
}

template <class Op>
Ball unary(const Ball& x, Op op) {
  Ball out;
  op(A(out), A(x), prec());
  return out;
}

}  // namespace

int ball_precision() noexcept {
  return g_ball_precision;
}

ScopedBallPrecision::ScopedBallPrecision(int bits) : previous_(g_ball_precision) {
  if (bits < 2 || bits > kBallMaxBits) {
    throw InvalidArgument(fmt::format(
        "ball precision {} bits is out of range; expected 2 to {}", bits, kBallMaxBits));
  }
  g_ball_precision = bits;
}

ScopedBallPrecision::~ScopedBallPrecision() {
  g_ball_precision = previous_;
}

void detail::release_thread_caches() noexcept {
  flint_cleanup();
  mpfr_free_cache2(MPFR_FREE_LOCAL_CACHE);
}

Ball::Ball() noexcept {
  arb_init(A(*this));
}
Ball::Ball(int n) noexcept {
  arb_init(A(*this));
  arb_set_si(A(*this), n);
}
Ball::Ball(long n) noexcept {
  arb_init(A(*this));
  arb_set_si(A(*this), n);
}
Ball::Ball(long long n) noexcept {
  arb_init(A(*this));
  arb_set_si(A(*this), static_cast<slong>(n));
}
Ball::Ball(double x) {
  arb_init(A(*this));
  if (!std::isfinite(x)) {
    arb_clear(A(*this));
    throw InvalidArgument(
        fmt::format("cannot make a ball from the double {}: expected a finite "
                    "number",
                    x));
  }
  arb_set_d(A(*this), x);
}
Ball::Ball(const Rational& r) {
  arb_init(A(*this));
  Fmpq q(r);
  arb_set_fmpq(A(*this), q.get(), prec());
}

Ball Ball::from_mid_rad(const Rational& mid, const Rational& rad) {
  if (rad < 0) {
    throw InvalidArgument(
        fmt::format("ball radius {} is negative; expected >= 0", locus::to_string(rad)));
  }
  Ball out(mid);
  const Ball r(rad);
  Ball r_abs = abs(r);
  arb_add_error(A(out), A(r_abs));
  return out;
}

Ball Ball::from_interval(const Rational& lo, const Rational& hi) {
  if (hi < lo) {
    throw InvalidArgument(fmt::format("interval [{}, {}] is empty; expected lo <= hi",
                                      locus::to_string(lo),
                                      locus::to_string(hi)));
  }
  return from_mid_rad((lo + hi) / 2, (hi - lo) / 2);
}

Ball::Ball(const Ball& other) noexcept {
  arb_init(A(*this));
  arb_set(A(*this), A(other));
}
Ball::Ball(Ball&& other) noexcept {
  arb_init(A(*this));
  arb_swap(A(*this), A(other));
}
Ball& Ball::operator=(const Ball& other) noexcept {
  if (this != &other) arb_set(A(*this), A(other));
  return *this;
}
Ball& Ball::operator=(Ball&& other) noexcept {
  if (this != &other) arb_swap(A(*this), A(other));
  return *this;
}
Ball::~Ball() {
  arb_clear(A(*this));
}

void detail::construct_balls(Ball* p, std::size_t n) noexcept {
  detail::for_each_entry(p, n, [](Ball* b) { new (b) Ball(); });
}

void detail::destroy_balls(Ball* p, std::size_t n) noexcept {
  // Above two limbs (128 bits) a midpoint's limbs are a heap block of their own, and freeing
  // them costs enough that arrays from 2048 balls are shared out (at P = 371 the Hessian's
  // forward and backward matrices, 4800 balls each, were freed serially, about 1 ms of ball:256).
  // The caller's working precision stands for the numbers' own: only the speed depends on it.
  const std::size_t threshold = ball_precision() > 2 * FLINT_BITS ? 2048 : detail::kShareOutEntries;
  detail::for_each_entry(
      p, n, [](Ball* b) { b->~Ball(); }, threshold);
}

Ball& Ball::operator+=(const Ball& b) noexcept {
  arb_add(A(*this), A(*this), A(b), prec());
  return *this;
}
Ball& Ball::operator-=(const Ball& b) noexcept {
  arb_sub(A(*this), A(*this), A(b), prec());
  return *this;
}
Ball& Ball::operator*=(const Ball& b) noexcept {
  arb_mul(A(*this), A(*this), A(b), prec());
  return *this;
}
Ball& Ball::add_product(const Ball& a, const Ball& b) noexcept {
  arb_addmul(A(*this), A(a), A(b), prec());
  return *this;
}
bool Ball::is_zero() const noexcept {
  return arb_is_zero(A(*this)) != 0;
}
Ball& Ball::operator/=(const Ball& b) noexcept {
  arb_div(A(*this), A(*this), A(b), prec());
  return *this;
}
Ball operator-(const Ball& a) noexcept {
  Ball out;
  arb_neg(A(out), A(a));
  return out;
}

bool operator==(const Ball& a, const Ball& b) noexcept {
  return arb_equal(A(a), A(b)) != 0;
}

Rational Ball::mid() const {
  if (!is_finite()) throw InvalidArgument("the ball is not finite, so it has no rational midpoint");
  return arf_to_rational(arb_midref(A(*this)));
}
Rational Ball::rad() const {
  if (!is_finite()) throw InvalidArgument("the ball is not finite, so it has no rational radius");
  arf_t r;
  arf_init(r);
  arf_set_mag(r, arb_radref(A(*this)));
  Rational out = arf_to_rational(r);
  arf_clear(r);
  return out;
}
Rational Ball::lower() const {
  return mid() - rad();
}
Rational Ball::upper() const {
  return mid() + rad();
}
double Ball::mid_double() const noexcept {
  return arf_get_d(arb_midref(A(*this)), ARF_RND_NEAR);
}
double Ball::rad_double() const noexcept {
  return mag_get_d(arb_radref(A(*this)));
}
bool Ball::is_exact() const noexcept {
  return arb_is_exact(A(*this)) != 0;
}
bool Ball::is_finite() const noexcept {
  return arb_is_finite(A(*this)) != 0;
}
long Ball::rel_accuracy_bits() const noexcept {
  return static_cast<long>(arb_rel_accuracy_bits(A(*this)));
}

std::string Ball::to_string(int digits) const {
  char* s = arb_get_str(A(*this), digits < 1 ? 1 : digits, 0);
  std::string out(s);
  flint_free(s);
  if (out.empty() || out.front() != '[') {
    out = "[" + out + " +/- 0]";
  } else if (out.rfind("[+/-", 0) == 0) {
    out = "[0 " + out.substr(1);  // Arb writes a zero midpoint as "[+/- r]"
  }
  return out;
}

std::string ScalarTraits<Ball>::to_string(const Ball& x) {
  return x.to_string(round_trip_decimal_digits(ball_precision()));
}

Ball exp(const Ball& x) {
  return unary(x, arb_exp);
}
Ball log(const Ball& x) {
  return unary(x, arb_log);
}
Ball sqrt(const Ball& x) {
  return unary(x, arb_sqrt);
}
Ball tanh(const Ball& x) {
  return unary(x, arb_tanh);
}
Ball sin(const Ball& x) {
  return unary(x, arb_sin);
}
Ball atan(const Ball& x) {
  return unary(x, arb_atan);
}
Ball asin(const Ball& x) {
  return unary(x, arb_asin);
}
Ball acos(const Ball& x) {
  return unary(x, arb_acos);
}
Ball erf(const Ball& x) {
  return unary(x, arb_hypgeom_erf);
}
Ball cos(const Ball& x) {
  return unary(x, arb_cos);
}
Ball log1p(const Ball& x) {
  return unary(x, arb_log1p);
}
Ball expm1(const Ball& x) {
  return unary(x, arb_expm1);
}
Ball abs(const Ball& x) {
  Ball out;
  arb_abs(A(out), A(x));
  return out;
}
Ball pow(const Ball& x, int n) {
  Ball out;
  const ulong e = n >= 0 ? static_cast<ulong>(n) : static_cast<ulong>(-static_cast<long>(n));
  arb_pow_ui(A(out), A(x), e, prec());
  if (n < 0) arb_inv(A(out), A(out), prec());
  return out;
}
Ball pow(const Ball& x, const Ball& y) {
  Ball out;
  arb_pow(A(out), A(x), A(y), prec());
  return out;
}
Ball ldexp(const Ball& x, int e) {
  Ball out;
  arb_mul_2exp_si(A(out), A(x), e);
  return out;
}
Ball hull(const Ball& a, const Ball& b) {
  Ball out;
  arb_union(A(out), A(a), A(b), prec());
  return out;
}

Certainty certainly_less(const Ball& a, const Ball& b) {
  return from_pair(arb_lt(A(a), A(b)), arb_ge(A(a), A(b)));
}
Certainty certainly_less_equal(const Ball& a, const Ball& b) {
  return from_pair(arb_le(A(a), A(b)), arb_gt(A(a), A(b)));
}
Certainty certainly_greater(const Ball& a, const Ball& b) {
  return certainly_less(b, a);
}
Certainty certainly_greater_equal(const Ball& a, const Ball& b) {
  return certainly_less_equal(b, a);
}
Certainty certainly_equal(const Ball& a, const Ball& b) {
  return from_pair(arb_eq(A(a), A(b)), arb_ne(A(a), A(b)));
}
Certainty certainly_positive(const Ball& a) {
  return from_pair(arb_is_positive(A(a)), arb_is_nonpositive(A(a)));
}
Certainty certainly_negative(const Ball& a) {
  return from_pair(arb_is_negative(A(a)), arb_is_nonnegative(A(a)));
}
Certainty certainly_zero(const Ball& a) {
  return from_pair(arb_is_zero(A(a)), arb_contains_zero(A(a)) == 0 ? 1 : 0);
}
bool possibly_zero(const Ball& a) {
  return arb_contains_zero(A(a)) != 0;
}

bool contains(const Ball& ball, const Rational& x) {
  Fmpq q(x);
  return arb_contains_fmpq(A(ball), q.get()) != 0;
}
bool contains(const Ball& outer, const Ball& inner) {
  return arb_contains(A(outer), A(inner)) != 0;
}
bool overlaps(const Ball& a, const Ball& b) {
  return arb_overlaps(A(a), A(b)) != 0;
}

bool enclose_in_double(const Ball& x, double* mid, double* rad) noexcept {
  if (arb_is_finite(A(x)) == 0) return false;
  arf_t t, r;
  arf_init(t);
  arf_init(r);
  double d = 0, cut = 0;
  detail::nearest_double(arb_midref(A(x)), t, r, &d, &cut);
  arf_clear(t);
  arf_clear(r);
  if (!std::isfinite(d)) return false;
  const double radius = mag_get_d(arb_radref(A(x)));  // an upper bound
  const double sum = cut + radius;
  const double bound = sum == 0 ? 0.0 : detail::next_up(sum);
  if (!std::isfinite(bound)) return false;
  *mid = d;
  *rad = bound;
  return true;
}

Ball ball_from_double(double mid, double rad) {
  if (!std::isfinite(mid) || !std::isfinite(rad) || rad < 0) {
    throw InvalidArgument(fmt::format(
        "ball_from_double: midpoint {} and radius {}, expected finite numbers and a radius >= 0",
        mid,
        rad));
  }
  Ball out(mid);
  mag_set_d(arb_radref(A(out)), rad);  // rounds up
  return out;
}

}  // namespace locus
