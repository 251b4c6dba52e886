// Paths and their certified monotonicity (locus/constructions/path.hpp).
#include "locus/constructions/path.hpp"

#include <algorithm>
#include <cmath>
#include <random>

#include "locus/core/derivatives.hpp"
#include "locus/error.hpp"
#include "locus/io/json_number.hpp"
#include "locus/linalg/spectrum.hpp"

#include <fmt/format.h>

namespace locus::constructions {
namespace {

using Index = Eigen::Index;

// ---- function-preserving segments ------------------------------------------------------------
bool incoming_rows_equal(const Network& net, const Vec<Rational>& t, int l, int u, int v) {
  const int cols = net.input_columns(l);
  for (int k = 0; k < cols; ++k) {
    if (t(net.augmented_index(l, u, k)) != t(net.augmented_index(l, v, k))) return false;
  }
  return true;
}

// "" if not function-preserving, else the reason.
std::string function_preserving(const Network& net,
                                const Vec<Rational>& p0,
                                const Vec<Rational>& p1) {
  const Vec<Rational> d = p1 - p0;
  std::vector<Coordinate> moved;
  for (Index i = 0; i < d.size(); ++i) {
    if (d(i) != 0) moved.push_back(decode_index(net, i));
  }
  if (moved.empty()) return "the segment has length 0";
  // The network function is unchanged along both kinds below, the loss only when no moved
  // parameter is in the L2 term's scope (c·Σ θ_k² changes along the segment otherwise).
  for (Index i = 0; i < d.size(); ++i) {
    if (d(i) != 0 && net.l2 > 0 && net.in_l2_scope(i)) return "";
  }
  const int L = net.num_layers();
  // (a) Only the incoming row of one hidden unit u, whose outgoing column is 0.
  {
    const int m = moved[0].m, u = moved[0].j;
    const bool same = m < L && std::all_of(moved.begin(), moved.end(), [&](const Coordinate& w) {
                        return w.m == m && w.j == u;
                      });
    if (same) {
      bool dead = true;
      for (int j = 0; j < net.width(m + 1); ++j)
        dead = dead && p0(net.weight_index(m + 1, j, u)) == 0;
      if (dead) {
        return fmt::format(
            "only the incoming row of unit {} of layer {} moves, and its outgoing column is 0",
            u,
            m);
      }
    }
  }
  // (b) Only outgoing weights of two units u, v of hidden layer l moving in opposite directions,
  //     with equal incoming rows (a split line).
  {
    const int m = moved[0].m;
    if (m >= 2 && std::all_of(moved.begin(), moved.end(), [&](const Coordinate& w) {
          return w.m == m && w.k < net.width(m - 1);
        })) {
      std::vector<int> cols;
      for (const Coordinate& w : moved) {
        if (std::find(cols.begin(), cols.end(), w.k) == cols.end()) cols.push_back(w.k);
      }
      if (cols.size() == 2) {
        const int u = cols[0], v = cols[1];
        bool opposite = true;
        for (int j = 0; j < net.width(m); ++j) {
          opposite = opposite && d(net.weight_index(m, j, u)) == -d(net.weight_index(m, j, v));
        }
        if (opposite && incoming_rows_equal(net, p0, m - 1, u, v)) {
          return fmt::format(
              "only outgoing weight moves between units {} and {} of layer {}, whose incoming rows "
              "are equal (a split line: the function is unchanged)",
              u,
              v,
              m - 1);
        }
      }
    }
  }
  return "";
}

// ---- exact polynomial segments -----------------------------------------------------------------
// Monomial coefficients of the polynomial through (t_j, y_j) (Newton's divided differences).
std::vector<Rational> interpolate(const std::vector<Rational>& t, std::vector<Rational> y) {
  const std::size_t n = t.size();
  for (std::size_t j = 1; j < n; ++j) {
    for (std::size_t i = n - 1; i >= j; --i) {
      y[i] = (y[i] - y[i - 1]) / (t[i] - t[i - j]);
      if (i == j) break;
    }
  }
  std::vector<Rational> c(n, Rational(0));
  for (std::size_t j = n; j-- > 0;) {
    // c = c·(x − t_j) + y_j
    std::vector<Rational> next(n, Rational(0));
    for (std::size_t i = 0; i + 1 < n; ++i) next[i + 1] += c[i];
    for (std::size_t i = 0; i < n; ++i) next[i] -= c[i] * t[j];
    next[0] += y[j];
    c = next;
  }
  return c;
}

// ---- exact sign of a polynomial on [0, 1]
// --------------------------------------------------------- Polynomials over Q as coefficient
// vectors, lowest degree first, without trailing zeros.
using Poly = std::vector<Rational>;

void trim(Poly& p) {
  while (!p.empty() && p.back() == 0) p.pop_back();
}

Rational evaluate(const Poly& p, const Rational& x) {
  Rational r(0);
  for (std::size_t i = p.size(); i-- > 0;) r = r * x + p[i];
  return r;
}

Poly derivative(const Poly& p) {
  Poly d;
  for (std::size_t i = 1; i < p.size(); ++i) d.push_back(p[i] * static_cast<long>(i));
  trim(d);
  return d;
}

// Quotient and remainder of a / b (b nonzero).
std::pair<Poly, Poly> divide(Poly a, const Poly& b) {
  trim(a);
  if (a.size() < b.size()) return {Poly{}, a};
  Poly q(a.size() - b.size() + 1, Rational(0));
  for (std::size_t k = q.size(); k-- > 0;) {
    const Rational c = a[k + b.size() - 1] / b.back();
    q[k] = c;
    for (std::size_t j = 0; j < b.size(); ++j) a[k + j] -= c * b[j];
  }
  a.resize(b.size() - 1);
  trim(a);
  trim(q);
  return {q, a};
}

Poly gcd(Poly a, Poly b) {
  trim(a);
  trim(b);
  while (!b.empty()) {
    Poly r = divide(a, b).second;
    a = std::move(b);
    b = std::move(r);
  }
  return a;
}

int sign(const Rational& x) {
  return x > 0 ? 1 : (x < 0 ? -1 : 0);
}

// Sign changes of the Sturm sequence at x (zeros skipped).
int variations(const std::vector<Poly>& sturm, const Rational& x) {
  int changes = 0, last = 0;
  for (const Poly& p : sturm) {
    const int s = sign(evaluate(p, x));
    if (s == 0) continue;
    if (last != 0 && s != last) ++changes;
    last = s;
  }
  return changes;
}

struct SignDecision {
  int verdict = 0;  ///< 1: q <= 0 on [0, 1]; -1: q(witness) > 0; 0: undecided
  Rational witness;
  std::size_t roots = 0;  ///< distinct real roots of q in (0, 1)
};

// Decides q <= 0 on [0, 1] exactly, q not identically 0: the distinct roots of q in (0, 1) are
// isolated with a Sturm sequence of the square-free part q / gcd(q, q') (so roots of any
// multiplicity are found), and q's sign is read at an exact point of every interval between them.
SignDecision nonpositive_exact(const Poly& q) {
  SignDecision d;
  Poly s = divide(q, gcd(q, derivative(q))).first;
  if (evaluate(s, Rational(0)) == 0) s.erase(s.begin());  // divide by t
  if (evaluate(s, Rational(1)) == 0) s = divide(s, Poly{Rational(-1), Rational(1)}).first;
  std::vector<Poly> sturm{s, derivative(s)};
  trim(sturm.back());
  while (!sturm.back().empty()) {
    Poly r = divide(sturm[sturm.size() - 2], sturm.back()).second;
    for (Rational& c : r) c = -c;
    if (r.empty()) break;
    sturm.push_back(std::move(r));
  }
  if (sturm.back().empty()) sturm.pop_back();
  struct Piece {
    Rational a, b;
    int depth;
  };
  std::vector<Piece> pending{{Rational(0), Rational(1), 0}};
  d.verdict = 1;
  while (!pending.empty()) {
    const Piece piece = pending.back();
    pending.pop_back();
    const int n = variations(sturm, piece.a) - variations(sturm, piece.b);  // roots in (a, b)
    const Rational qa = evaluate(q, piece.a), qb = evaluate(q, piece.b);
    if (qa > 0 || qb > 0) {
      d.verdict = -1;
      d.witness = qa > 0 ? piece.a : piece.b;
      return d;
    }
    if (n == 0 || (n == 1 && qa != 0 && qb != 0)) {
      // No root inside: q has one sign on (a, b), read at an interior point when an end is a
      // root of q. One root inside: q has the sign of q(a) left of it and of q(b) right of it.
      d.roots += static_cast<std::size_t>(n);
      if (n == 0 && (qa == 0 || qb == 0)) {
        const Rational m = (piece.a + piece.b) / 2;
        if (evaluate(q, m) > 0) {
          d.verdict = -1;
          d.witness = m;
          return d;
        }
      }
      continue;
    }
    if (piece.depth >= 4000) {
      d.verdict = 0;
      return d;
    }
    // Split at a point that is not a root of s (finitely many roots: one of these is not).
    Rational m = (piece.a + piece.b) / 2;
    for (long k = 3; evaluate(s, m) == 0; ++k) m = piece.a + (piece.b - piece.a) / k;
    pending.push_back({piece.a, m, piece.depth + 1});
    pending.push_back({m, piece.b, piece.depth + 1});
  }
  return d;
}

// Bernstein coefficients of q on [a, b] in degree n = q.size() − 1: q(a + h s) = Σ c_k s^k by a
// Taylor shift, then b_i = Σ_{k <= i} C(i, k) / C(n, k) c_k.
std::vector<Rational> bernstein(const Poly& q, const Rational& a, const Rational& b) {
  if (q.empty()) return {};
  const std::size_t n = q.size() - 1;
  Poly c = q;
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = n; j-- > i;) c[j] += a * c[j + 1];
  }
  Rational hk(1);
  for (std::size_t k = 0; k <= n; ++k) {
    c[k] *= hk;
    hk *= b - a;
  }
  const auto binomial = [](std::size_t m, std::size_t k) {
    Rational r(1);
    for (std::size_t i = 1; i <= k; ++i) {
      r = r * Rational(static_cast<long>(m - k + i)) / Rational(static_cast<long>(i));
    }
    return r;
  };
  std::vector<Rational> out(n + 1, Rational(0));
  for (std::size_t i = 0; i <= n; ++i) {
    for (std::size_t k = 0; k <= i; ++k) out[i] += binomial(i, k) / binomial(n, k) * c[k];
  }
  return out;
}

// Pieces of [0, 1], in order, on each of which q's Bernstein coefficients are all <= 0 (which
// proves q <= 0 there: the Bernstein basis is nonnegative on the piece); none when bisection to
// depth 40 does not get there (a root of q touching 0 inside (0, 1) off the dyadic points).
std::optional<std::vector<std::array<Rational, 2>>> bernstein_pieces(const Poly& q) {
  std::vector<std::array<Rational, 2>> done;
  struct Piece {
    Rational a, b;
    int depth;
  };
  std::vector<Piece> pending{{Rational(0), Rational(1), 0}};
  while (!pending.empty()) {
    const Piece J = pending.back();
    pending.pop_back();
    const std::vector<Rational> coefficients = bernstein(q, J.a, J.b);
    if (std::all_of(
            coefficients.begin(), coefficients.end(), [](const Rational& x) { return x <= 0; })) {
      done.push_back({J.a, J.b});
      continue;
    }
    if (J.depth >= 40 || done.size() + pending.size() > 4096) return std::nullopt;
    const Rational m = (J.a + J.b) / 2;
    pending.push_back({m, J.b, J.depth + 1});  // the left half is taken first
    pending.push_back({J.a, m, J.depth + 1});
  }
  return done;
}

SegmentCheck exact_segment(const Problem& p, const Vec<Rational>& p0, const Vec<Rational>& p1) {
  SegmentCheck s;
  s.method = SegmentMethod::ExactPolynomial;
  const LossFunction<Rational> f(p.network, p.data);
  const int D = *polynomial_loss_degree(p.network);
  std::vector<Rational> t, y;
  for (int j = 0; j <= D; ++j) {
    t.emplace_back(j, D);
    y.push_back(f.loss(Vec<Rational>(p0 + (p1 - p0) * t.back())));
  }
  const std::vector<Rational> c = interpolate(t, y);
  std::vector<Rational> dc;
  for (std::size_t i = 1; i < c.size(); ++i) dc.push_back(c[i] * static_cast<long>(i));
  if (std::all_of(dc.begin(), dc.end(), [](const Rational& x) { return x == 0; })) {
    s.verdict = SegmentVerdict::Constant;
    s.detail = fmt::format(
        "L(θ(t)) is the constant {} (polynomial of degree <= {} over Q)", to_string(c[0]), D);
    s.pieces = {{Rational(0), Rational(1)}};
    return s;
  }
  Poly q = dc;
  trim(q);
  const SignDecision sd = nonpositive_exact(q);
  if (sd.verdict == 1) {
    if (auto pieces = bernstein_pieces(q)) s.pieces = std::move(*pieces);
  }
  s.verdict = sd.verdict == 1    ? SegmentVerdict::NonIncreasing
              : sd.verdict == -1 ? SegmentVerdict::Increasing
                                 : SegmentVerdict::Undecided;
  s.detail = sd.verdict == 1
                 ? fmt::format(
                       "φ'(t) <= 0 on [0, 1] exactly (Sturm isolation of the square-free part: "
                       "{} distinct root(s) in (0, 1), φ' < 0 between them)",
                       sd.roots)
             : sd.verdict == -1
                 ? fmt::format("φ'({}) = {} > 0 exactly: the loss increases",
                               to_string(sd.witness),
                               to_string(evaluate(q, sd.witness)))
                 : "the exact root isolation did not finish (roots closer than 2^-4000)";
  return s;
}

// ---- ball-derivative segments ----------------------------------------------------------------
// With radii r0, r1 the vertices are boxes p0 ± r0, p1 ± r1 (a family of segments, e.g. from
// every point of a Krawczyk box): the enclosures then hold for every segment of the family.
SegmentCheck ball_segment(const Problem& p,
                          const Vec<Rational>& p0,
                          const Vec<Rational>& p1,
                          int bits,
                          const Vec<Rational>* r0 = nullptr,
                          const Vec<Rational>* r1 = nullptr) {
  SegmentCheck s;
  s.method = SegmentMethod::BallDerivative;
  const ScopedBallPrecision precision(bits);
  const LossFunction<Ball> f(p.network, p.data);
  const Vec<Rational> d = p1 - p0;
  const Vec<Rational> zero = Vec<Rational>::Zero(d.size());
  const Vec<Rational>& ra = r0 != nullptr ? *r0 : zero;
  const Vec<Rational>& rb = r1 != nullptr ? *r1 : zero;
  Vec<Ball> db(d.size());
  for (Index i = 0; i < d.size(); ++i) db(i) = Ball::from_mid_rad(d(i), ra(i) + rb(i));
  struct Piece {
    Rational a, b;
    int depth;
  };
  std::vector<Piece> pending;  // pieces of [0, 1] still to certify
  const int initial = 32;
  for (int k = 0; k < initial; ++k)
    pending.push_back({Rational(k, initial), Rational(k + 1, initial), 0});
  int pieces = 0;
  Rational worst_upper(-1000000);
  while (!pending.empty()) {
    const Piece J = pending.back();
    pending.pop_back();
    ++pieces;
    const Rational m = (J.a + J.b) / 2;
    const Rational h = J.b - J.a;
    const Vec<Rational> pm = p0 + d * m;
    Vec<Ball> tm(pm.size());
    for (Index i = 0; i < pm.size(); ++i) {
      tm(i) = Ball::from_mid_rad(pm(i), (1 - m) * ra(i) + m * rb(i));
    }
    const Ball d1 = f.gradient(tm).dot(db);  // φ'(m)
    if (!possibly_zero(d1) && certainly_positive(d1) == Certainty::True) {
      s.verdict = SegmentVerdict::Increasing;
      s.detail = fmt::format(
          "φ'(t) > 0 at t = {} (balls, {} bits): the loss increases", to_string(m), bits);
      return s;
    }
    Vec<Ball> box(pm.size());
    for (Index i = 0; i < pm.size(); ++i) {
      box(i) = Ball::from_mid_rad(
          pm(i), (abs(d(i)) + ra(i) + rb(i)) * h / 2 + (1 - m) * ra(i) + m * rb(i));
    }
    const Ball d2 = db.dot(f.hessian_vector_product(box, db));  // φ''(J)
    const Rational upper = d1.upper() + abs(d2).upper() * h / 2;
    if (upper <= 0) {
      worst_upper = std::max(worst_upper, upper);
      s.pieces.push_back({J.a, J.b});
      continue;
    }
    if (J.depth >= 24 || pieces > 20000) {
      s.verdict = SegmentVerdict::Undecided;
      s.detail = fmt::format(
          "φ' not certified <= 0 on [{}, {}] (upper bound {}) after {} pieces; increase the "
          "precision or check the path",
          format_bound(J.a, false, 6),
          format_bound(J.b, true, 6),
          format_bound(upper, true, 4),
          pieces);
      return s;
    }
    pending.push_back({J.a, m, J.depth + 1});
    pending.push_back({m, J.b, J.depth + 1});
  }
  std::sort(
      s.pieces.begin(), s.pieces.end(), [](const auto& x, const auto& y) { return x[0] < y[0]; });
  s.verdict = SegmentVerdict::NonIncreasing;
  s.detail = fmt::format("φ'(t) <= {} on all of [0, 1] ({} pieces, balls at {} bits)",
                         format_bound(worst_upper, true, 4),
                         pieces,
                         bits);
  return s;
}

}  // namespace

std::string_view to_string(SegmentMethod m) noexcept {
  switch (m) {
    case SegmentMethod::FunctionPreserving:
      return "function-preserving";
    case SegmentMethod::ExactPolynomial:
      return "exact-polynomial";
    case SegmentMethod::BallDerivative:
      return "ball-derivative";
  }
  return "?";
}

std::string_view to_string(SegmentVerdict v) noexcept {
  switch (v) {
    case SegmentVerdict::Constant:
      return "constant";
    case SegmentVerdict::NonIncreasing:
      return "non-increasing";
    case SegmentVerdict::Increasing:
      return "increasing";
    case SegmentVerdict::Undecided:
      return "undecided";
  }
  return "?";
}

bool PathCheck::all_constant() const {
  return std::all_of(segments.begin(), segments.end(), [](const SegmentCheck& s) {
    return s.verdict == SegmentVerdict::Constant;
  });
}

std::vector<Vec<Rational>> path_vertices(const Problem& p, std::vector<std::string>* labels) {
  if (!p.extra.is_object() || !p.extra.contains("path")) {
    throw InvalidArgument("path: the problem file has no \"path\" member ({\"vertices\": [...]})");
  }
  const nlohmann::json& path = p.extra["path"];
  if (!path.is_object() || !path.contains("vertices") || !path["vertices"].is_array() ||
      path["vertices"].size() < 2) {
    throw InvalidArgument("path.vertices: expected a list of at least two P-vectors");
  }
  const Mat<Rational> columns = columns_from_json(
      path["vertices"], static_cast<Index>(p.network.num_parameters()), "path.vertices");
  std::vector<Vec<Rational>> out;
  for (Index k = 0; k < columns.cols(); ++k) out.emplace_back(columns.col(k));
  if (labels != nullptr) {
    labels->clear();
    for (std::size_t k = 0; k + 1 < out.size(); ++k) {
      const bool has = path.contains("labels") && path["labels"].is_array() &&
                       k < path["labels"].size() && path["labels"][k].is_string();
      labels->push_back(has ? path["labels"][k].get<std::string>() : fmt::format("segment {}", k));
    }
  }
  return out;
}

PathCheck check_path(const Problem& p, int bits, const std::vector<Vec<Rational>>* radii) {
  std::vector<std::string> labels;
  const std::vector<Vec<Rational>> v = path_vertices(p, &labels);
  if (radii != nullptr && radii->size() != v.size()) {
    throw InvalidArgument("check_path: one radius vector per vertex expected");
  }
  const auto radius = [&](std::size_t k) { return radii != nullptr ? &(*radii)[k] : nullptr; };
  PathCheck c;
  // Along a segment the loss is a polynomial in t only for polynomial and identity activations
  // (ReLU gives a piecewise polynomial: balls then).
  const bool exact = polynomial_loss_degree(p.network).has_value() && radii == nullptr;
  c.arithmetic = (exact ? Arithmetic{ScalarKind::Rational, 0} : Arithmetic::ball(bits)).name();
  c.bits = exact ? 0 : bits;
  if (exact) {
    c.evidence = Evidence::of<Rational>();
  } else {
    const ScopedBallPrecision precision(bits);
    c.evidence = Evidence::of<Ball>();
  }
  c.non_increasing = true;
  for (std::size_t k = 0; k + 1 < v.size(); ++k) {
    SegmentCheck s;
    const std::string why = function_preserving(p.network, v[k], v[k + 1]);
    if (!why.empty()) {
      s.method = SegmentMethod::FunctionPreserving;
      s.verdict = SegmentVerdict::Constant;
      s.detail = why;
    } else if (exact) {
      s = exact_segment(p, v[k], v[k + 1]);
    } else {
      s = ball_segment(p, v[k], v[k + 1], bits, radius(k), radius(k + 1));
    }
    s.label = labels[k];
    c.non_increasing = c.non_increasing && (s.verdict == SegmentVerdict::Constant ||
                                            s.verdict == SegmentVerdict::NonIncreasing);
    c.segments.push_back(s);
  }
  if (exact) {
    const LossFunction<Rational> f(p.network, p.data);
    const Rational a = f.loss(v.front());
    const Rational b = f.loss(v.back());
    c.strict_decrease = b < a;
    c.start_loss = to_string(a);
    c.end_loss = to_string(b);
    c.decrease = to_string(Rational(a - b));
  } else {
    const ScopedBallPrecision precision(bits);
    const LossFunction<Ball> f(p.network, p.data);
    const auto ball = [&](std::size_t k) {
      Vec<Ball> x(v[k].size());
      for (Index i = 0; i < x.size(); ++i) {
        x(i) = Ball::from_mid_rad(v[k](i), radii != nullptr ? (*radii)[k](i) : Rational(0));
      }
      return x;
    };
    const Ball a = f.loss(ball(0));
    const Ball b = f.loss(ball(v.size() - 1));
    c.strict_decrease = certainly_less(b, a) == Certainty::True;
    c.start_loss = a.to_string(20);
    c.end_loss = b.to_string(20);
    c.decrease = Ball(a - b).to_string(10);
  }
  return c;
}

std::optional<nlohmann::json> path_fact(const Problem& p,
                                        const PathCheck& c,
                                        std::string* why_not) {
  const auto none = [&](std::string why) -> std::optional<nlohmann::json> {
    if (why_not != nullptr) *why_not = std::move(why);
    return std::nullopt;
  };
  const std::vector<Vec<Rational>> v = path_vertices(p, nullptr);
  if (!p.point || *p.point != v.front()) {
    return none("the path does not start at the problem's point");
  }
  if (v.size() != c.segments.size() + 1) return none("the check does not belong to this path");
  nlohmann::json vertices = nlohmann::json::array();
  for (const Vec<Rational>& x : v) vertices.push_back(number_array(x));
  nlohmann::json segments = nlohmann::json::array();
  for (std::size_t k = 0; k < c.segments.size(); ++k) {
    const SegmentCheck& s = c.segments[k];
    if (s.verdict != SegmentVerdict::Constant && s.verdict != SegmentVerdict::NonIncreasing) {
      return none(fmt::format("segment {} ({}) is {}", k, s.label, to_string(s.verdict)));
    }
    nlohmann::json j{{"method", to_string(s.method)}};
    if (s.method != SegmentMethod::FunctionPreserving) {
      if (s.pieces.empty()) {
        return none(fmt::format(
            "segment {} ({}) was decided by Sturm's theorem (φ' touches 0 inside (0, 1)), which "
            "the certificate does not carry",
            k,
            s.label));
      }
      nlohmann::json pieces = nlohmann::json::array();
      for (const auto& piece : s.pieces) {
        pieces.push_back({to_string(piece[0]), to_string(piece[1])});
      }
      j["pieces"] = std::move(pieces);
      if (s.method == SegmentMethod::BallDerivative) j["bits"] = c.bits;
    }
    segments.push_back(std::move(j));
  }
  nlohmann::json fact{{"kind", "path"}, {"vertices", vertices}, {"segments", segments}};
  // the end loss and the decrease are exact numbers when the check computed over Q
  const bool exact = c.evidence.rigour() == Rigour::Exact;
  if (exact) fact["end_loss"] = c.end_loss;
  if (c.strict_decrease) {
    fact["decrease"] = exact ? nlohmann::json{{"exact", true}} : nlohmann::json{{"bits", c.bits}};
  }
  return fact;
}

std::optional<Certificate> path_certificate(const Problem& p,
                                            const PathCheck& c,
                                            std::string statement,
                                            std::string* why_not,
                                            std::vector<nlohmann::json> before) {
  if (const auto why = certificate_unsupported(p)) {
    if (why_not != nullptr) *why_not = *why;
    return std::nullopt;
  }
  auto fact = path_fact(p, c, why_not);
  if (!fact) return std::nullopt;
  Certificate cert;
  cert.statement = std::move(statement);
  cert.problem = certificate_problem(p);
  cert.facts = std::move(before);
  cert.facts.push_back(std::move(*fact));
  return cert;
}

namespace {

// A vertex v as map_μ·θ̃ with fixed entries (split_path_certificate): the fractions μ per hidden
// layer (the previous vertex's where they still fit, else the ratio of v's outgoing weights to
// θ̃'s), the entries that are not map_μ·θ̃ fixed to their value, and every entry's radius over
// the box θ̃ ± ρ (|coefficient|·ρ, 0 when fixed).
struct SplitVertex {
  std::vector<std::vector<Rational>> fraction;
  nlohmann::json fixed = nlohmann::json::array();
  Vec<Rational> radius;
};

SplitVertex describe_vertex(const Problem& small,
                            const Network& big,
                            const SplitStructure& split,
                            const std::vector<std::vector<Rational>>& previous,
                            const Vec<Rational>& v,
                            const Rational& rho) {
  const Network& sn = small.network;
  const Vec<Rational>& ts = *small.point;
  const int L = big.num_layers();
  const auto source = [&](int l, int q) {
    return (l == 0 || l == L)
               ? q
               : split.source[static_cast<std::size_t>(l - 1)][static_cast<std::size_t>(q)];
  };
  SplitVertex out;
  out.fraction = previous;
  for (int l = 1; l < L; ++l) {
    for (int i = 0; i < big.width(l); ++i) {
      std::vector<Rational> candidates = {
          previous[static_cast<std::size_t>(l - 1)][static_cast<std::size_t>(i)]};
      for (int q = 0; q < big.width(l + 1); ++q) {
        const Rational& w = ts(sn.weight_index(l + 1, source(l + 1, q), source(l, i)));
        if (w != 0) {
          candidates.push_back(v(big.weight_index(l + 1, q, i)) / w);
          break;
        }
      }
      for (const Rational& mu : candidates) {
        bool fits = true;
        for (int q = 0; q < big.width(l + 1) && fits; ++q) {
          fits = v(big.weight_index(l + 1, q, i)) ==
                 mu * ts(sn.weight_index(l + 1, source(l + 1, q), source(l, i)));
        }
        if (fits) {
          out.fraction[static_cast<std::size_t>(l - 1)][static_cast<std::size_t>(i)] = mu;
          break;
        }
      }
    }
  }
  // the entries that map_μ·θ̃ gives are the split's, the others fixed at their value
  const Mat<Rational> map = split_map_of(sn, big, SplitStructure{split.source, out.fraction});
  const Vec<Rational> centre = map * ts;
  out.radius = Vec<Rational>::Zero(v.size());
  for (Index k = 0; k < v.size(); ++k) {
    if (centre(k) == v(k)) {
      out.radius(k) = map.row(k).cwiseAbs().sum() * rho;
    } else {
      out.fixed.push_back({k, to_string(v(k))});
    }
  }
  return out;
}

}  // namespace

std::optional<Certificate> split_path_certificate(const Problem& small,
                                                  const Mat<Rational>& map,
                                                  const Problem& path,
                                                  int bits,
                                                  std::string statement,
                                                  std::string* why_not) {
  const auto none = [&](std::string why) -> std::optional<Certificate> {
    if (why_not != nullptr) *why_not = std::move(why);
    return std::nullopt;
  };
  if (!small.point || !path.point) return none("a problem without a point");
  if (small.network.l2 != 0 || path.network.l2 != 0) {
    return none("an L2 term: the split of a critical point is not critical");
  }
  const std::optional<SplitStructure> split = split_structure(small.network, path.network, map);
  if (!split) return none("the map is not a split of the smaller network's units");
  std::string why;
  auto a = box_inertia_facts(small, bits, &why);
  auto b = a ? image_inertia_facts(small, a->existence, bits, path, map, &why) : std::nullopt;
  if (!b) return none(why);
  const std::vector<Vec<Rational>> v = path_vertices(path, nullptr);
  std::vector<Vec<Rational>> radii;
  nlohmann::json described = nlohmann::json::array();
  std::vector<std::vector<Rational>> fractions = split->fraction;
  for (const Vec<Rational>& x : v) {
    SplitVertex d = describe_vertex(small, path.network, *split, fractions, x, a->existence.radius);
    fractions = d.fraction;
    nlohmann::json f = nlohmann::json::array();
    for (const auto& row : d.fraction) {
      nlohmann::json r = nlohmann::json::array();
      for (const Rational& mu : row) r.push_back(to_string(mu));
      f.push_back(std::move(r));
    }
    described.push_back({{"fraction", std::move(f)}, {"fixed", std::move(d.fixed)}});
    radii.push_back(std::move(d.radius));
  }
  if (!described.front()["fixed"].empty()) return none("the path does not start at the split");
  const PathCheck pc = check_path(path, bits, &radii);
  if (pc.evidence.rigour() == Rigour::Exact) return none("exact segments need exact vertices");
  if (!pc.non_increasing || !pc.strict_decrease) {
    return none(fmt::format("the path is not certified from every point of the box (decrease {})",
                            pc.decrease));
  }
  auto cert = path_certificate(path, pc, std::move(statement), why_not, b->facts);
  if (!cert) return std::nullopt;
  cert->facts.back()["split_vertices"] = std::move(described);
  const auto P = path.network.num_parameters();
  if (b->family > 0 && b->inertia.negative == 0 && b->inertia.zero == b->family &&
      b->inertia.positive == P - b->family) {
    cert->conclusion = "minimum";
  }
  return cert;
}

nlohmann::json to_json(const PathCheck& c) {
  nlohmann::json j;
  j["arithmetic"] = c.arithmetic;
  j["non_increasing"] = c.non_increasing;
  j["strict_decrease"] = c.strict_decrease;
  j["start_loss"] = c.start_loss;
  j["end_loss"] = c.end_loss;
  j["decrease"] = c.decrease;
  j["segments"] = nlohmann::json::array();
  for (const auto& s : c.segments) {
    j["segments"].push_back({{"label", s.label},
                             {"method", to_string(s.method)},
                             {"verdict", to_string(s.verdict)},
                             {"detail", s.detail}});
  }
  return j;
}

Problem escape_path(const Problem& small, const SplitSpec& spec, std::uint32_t seed) {
  if (!(spec.lambda > 0 && spec.lambda < 1)) {
    throw InvalidArgument(fmt::format(
        "escape-path: λ0 = {} must lie in (0, 1), where the split point is a minimum (R3)",
        to_string(spec.lambda)));
  }
  const Problem start = split_problem(small, spec);
  SplitSpec one = spec;
  one.lambda = 1;
  const Problem at_one = split_problem(small, one);
  const Network& big = at_one.network;
  const int l = spec.layer;
  const int u = small.network.width(l);  // the new unit
  const int cols = big.input_columns(l);
  const int n_next = big.width(l + 1);
  const LossFunction<double> fd(big, at_one.data);
  const Vec<double> base = at_one.point_as<double>();
  // g*(w̃): the gradient of L in the new unit's outgoing column with its incoming row w̃.
  const auto g_star = [&](const Vec<double>& w) {
    Vec<double> t = base;
    for (int k = 0; k < cols; ++k) t(big.augmented_index(l, u, k)) = w(k);
    const Vec<double> g = fd.gradient(t);
    Vec<double> out(n_next);
    for (int j = 0; j < n_next; ++j) out(j) = g(big.weight_index(l + 1, j, u));
    return out;
  };
  Vec<double> best_w = Vec<double>::Zero(cols);
  double best = -1;
  const auto consider = [&](const Vec<double>& w) {
    const double n = g_star(w).norm();
    if (n > best) {
      best = n;
      best_w = w;
    }
  };
  if (cols <= 2) {
    for (int a = -12; a <= 12; ++a) {
      for (int b = -12; b <= 12; ++b) {
        Vec<double> w(cols);
        w(0) = a;
        if (cols == 2) w(1) = b;
        consider(w);
        if (cols == 1) break;
      }
    }
  }
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> coin(-8, 8);
  for (int trial = 0; trial < 500; ++trial) {
    Vec<double> w(cols);
    for (int k = 0; k < cols; ++k) w(k) = coin(rng);
    consider(w);
  }
  if (!(best > 0)) {
    throw InvalidArgument(
        "escape-path: g*(w̃) = Σ_i δ_i σ(w̃ᵀã_i) vanished for every candidate w̃: the residual is "
        "not transmitted to layer l+1 (the point may be a global minimum)");
  }
  Vec<Rational> v2 = *at_one.point;
  for (int k = 0; k < cols; ++k) v2(big.augmented_index(l, u, k)) = Rational(best_w(k));
  // Phase 3: outgoing column −η g*, with half the quadratic model's optimal step.
  Vec<double> t2(v2.size());
  for (Index i = 0; i < v2.size(); ++i) t2(i) = to_double_nearest(v2(i));
  const Vec<double> gs = g_star(best_w);
  Vec<double> dir = Vec<double>::Zero(t2.size());
  for (int j = 0; j < n_next; ++j) dir(big.weight_index(l + 1, j, u)) = -gs(j);
  const double curv = dir.dot(fd.hessian_vector_product(t2, dir));
  const double eta = curv > 0 ? 0.5 * gs.squaredNorm() / curv : 1.0 / (1.0 + gs.norm());
  // A dyadic η with 24 significant bits.
  int e = 0;
  const double mant = std::frexp(eta, &e);
  const Rational eta_q = Rational(std::ldexp(std::floor(std::ldexp(mant, 24)), e - 24));
  Vec<Rational> v3 = v2;
  for (int j = 0; j < n_next; ++j) {
    v3(big.weight_index(l + 1, j, u)) = -eta_q * Rational(gs(j));
  }
  Problem out = start;
  nlohmann::json verts = nlohmann::json::array();
  for (const Vec<Rational>* v :
       std::initializer_list<const Vec<Rational>*>{&*start.point, &*at_one.point, &v2, &v3}) {
    verts.push_back(columns_json(Mat<Rational>(*v))[0]);
  }
  out.extra["path"] = {
      {"vertices", verts},
      {"labels",
       {fmt::format("phase 1: slide λ from {} to 1 (split line, constant loss)",
                    to_string(spec.lambda)),
        "phase 2: move the new unit's incoming row to w̃* (outgoing column 0, constant loss)",
        "phase 3: step the new unit's outgoing column along −g* (strict decrease)"}}};
  nlohmann::json w = nlohmann::json::array();
  for (int k = 0; k < cols; ++k) w.push_back(to_string(Rational(best_w(k))));
  out.certificate = {{"kind", "escape-path"},
                     {"source", "R3 (math-spec §3.4, PS-4; Petzka-Sminchisescu 2021)"},
                     {"layer", l},
                     {"unit", spec.unit},
                     {"lambda0", to_string(spec.lambda)},
                     {"w_star", w},
                     {"g_star_norm", fmt::format("{:.6e}", gs.norm())},
                     {"eta", to_string(eta_q)},
                     {"predicted_decrease",
                      fmt::format("{:.6e}", to_double_nearest(eta_q) * gs.squaredNorm() * 0.75)},
                     {"seed", seed}};
  return out;
}

}  // namespace locus::constructions
