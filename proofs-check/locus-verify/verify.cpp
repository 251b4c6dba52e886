// locus-verify: re-checks locus-certificate/1 files (docs/certificates.md) without the locus
// library. Usage: locus-verify FILE_OR_DIR...   Prints VERIFIED or REJECTED per certificate, with
// the failing inequality; exits 1 if any certificate is rejected, 2 on a usage error.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "model.hpp"
#include "numbers.hpp"
#include "path.hpp"
#include "split.hpp"

#include <nlohmann/json.hpp>

#include <arb_mat.h>

namespace verify {

using nlohmann::json;

Q Q::parse(const std::string& text) {
  Q out;
  const auto slash = text.find('/');
  if (slash != std::string::npos) {
    if (fmpq_set_str(out.v_, text.c_str(), 10) != 0 || fmpz_is_zero(fmpq_denref(out.v_))) {
      throw Reject("'" + text + "' is not a rational p/q");
    }
    fmpq_canonicalise(out.v_);
    return out;
  }
  // decimal: [-]digits[.digits][e[+-]digits]
  std::size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) negative = text[i++] == '-';
  std::string digits;
  long exponent = 0;
  bool any = false;
  for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) != 0; ++i, any = true)
    digits += text[i];
  if (i < text.size() && text[i] == '.') {
    for (++i; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) != 0; ++i) {
      digits += text[i];
      --exponent;
      any = true;
    }
  }
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    try {
      std::size_t used = 0;
      exponent += std::stol(text.substr(i + 1), &used);
      i += 1 + used;
    } catch (const std::exception&) {
      throw Reject("'" + text + "' has a malformed exponent");
    }
  }
  if (!any || i != text.size() || exponent > 100000 || exponent < -100000) {
    throw Reject("'" + text + "' is not an exact number (p/q or a decimal)");
  }
  fmpz_t num, pow;
  fmpz_init(num);
  fmpz_init(pow);
  fmpz_set_str(num, digits.c_str(), 10);
  fmpz_ui_pow_ui(pow, 10, static_cast<ulong>(exponent < 0 ? -exponent : exponent));
  if (exponent >= 0) {
    fmpz_mul(fmpq_numref(out.v_), num, pow);
    fmpz_one(fmpq_denref(out.v_));
  } else {
    fmpq_set_fmpz_frac(out.v_, num, pow);
  }
  fmpz_clear(num);
  fmpz_clear(pow);
  if (negative) fmpq_neg(out.v_, out.v_);
  return out;
}

namespace {

// ---- reading ---------------------------------------------------------------------------------
Q number(const json& j, const std::string& what) {
  if (j.is_string()) return Q::parse(j.get<std::string>());
  if (j.is_number_integer()) return Q(j.get<long>());
  throw Reject(what + ": expected an exact number (a string p/q or decimal, or an integer)");
}
std::vector<Q> numbers(const json& j, const std::string& what) {
  if (!j.is_array()) throw Reject(what + ": expected an array of numbers");
  std::vector<Q> out;
  for (const auto& x : j) out.push_back(number(x, what));
  return out;
}
const json& member(const json& j, const char* name) {
  if (!j.is_object() || !j.contains(name))
    throw Reject(std::string("missing member '") + name + "'");
  return j.at(name);
}

Activation parse_activation(const std::string& name) {
  Activation a;
  const auto open = name.find_first_of("([");
  a.kind = name.substr(0, open);
  if (open == std::string::npos) {
    if (a.kind == "leaky_relu") a.parameter = Q(1) / Q(100);
    return a;
  }
  const std::string inner = name.substr(open + 1, name.size() - open - 2);
  if (a.kind == "polynomial") {
    std::stringstream ss(inner);
    std::string item;
    while (std::getline(ss, item, ',')) {
      item.erase(std::remove(item.begin(), item.end(), ' '), item.end());
      a.coefficients.push_back(Q::parse(item));
    }
  } else {
    a.parameter = Q::parse(inner);
  }
  return a;
}

Model parse_model(const json& p) {
  Model m;
  m.widths = member(p, "widths").get<std::vector<int>>();
  if (m.widths.size() < 2) throw Reject("problem.widths: at least two entries");
  for (int w : m.widths) {
    if (w < 1) throw Reject("problem.widths: every width >= 1");
  }
  for (const auto& a : member(p, "activations")) m.activations.push_back(parse_activation(a));
  for (const auto& b : member(p, "biases")) m.biases.push_back(b.get<bool>());
  if (m.activations.size() + 2 != m.widths.size() || m.biases.size() + 1 != m.widths.size()) {
    throw Reject("problem: one activation per hidden layer and one bias flag per layer expected");
  }
  m.loss = member(p, "loss").get<std::string>();
  const std::string reduction = member(p, "reduction").get<std::string>();
  if (reduction != "sum" && reduction != "mean") throw Reject("problem.reduction: sum or mean");
  m.mean = reduction == "mean";
  m.loss_scale = number(member(p, "loss_scale"), "problem.loss_scale");
  m.l2 = number(member(p, "l2"), "problem.l2");
  m.l2_weights_only = member(p, "l2_scope").get<std::string>() == "weights";
  for (const auto& row : member(p, "inputs")) m.inputs.push_back(numbers(row, "problem.inputs"));
  for (const auto& row : member(p, "targets")) m.targets.push_back(numbers(row, "problem.targets"));
  if (m.inputs.empty() || m.inputs.size() != m.targets.size()) {
    throw Reject("problem: as many target rows as input rows (at least one)");
  }
  for (std::size_t i = 0; i < m.inputs.size(); ++i) {
    if (m.inputs[i].size() != static_cast<std::size_t>(m.widths.front()) ||
        m.targets[i].size() != static_cast<std::size_t>(m.widths.back())) {
      throw Reject("problem: sample " + std::to_string(i) + " does not match the widths");
    }
  }
  return m;
}

std::string inertia_text(long p, long n, long z) {
  return "(" + std::to_string(p) + ", " + std::to_string(n) + ", " + std::to_string(z) + ")";
}

// ---- the facts -------------------------------------------------------------------------------

/// The fact's "inertia" must be the one the check derived (`source` says from what).
void require_claimed_inertia(const json& f, long pos, long neg, long zero, const char* source) {
  const auto claimed = member(f, "inertia").get<std::vector<long>>();
  if (claimed.size() != 3 || claimed[0] != pos || claimed[1] != neg || claimed[2] != zero) {
    throw Reject("the certificate claims inertia " +
                 inertia_text(claimed.size() > 0 ? claimed[0] : -1,
                              claimed.size() > 1 ? claimed[1] : -1,
                              claimed.size() > 2 ? claimed[2] : -1) +
                 ", " + source + " " + inertia_text(pos, neg, zero));
  }
}

/// ∇L(θ) = 0 exactly over Q.
std::string check_critical(const Model& m, const std::vector<Q>& theta) {
  std::vector<Q> g;
  loss_and_gradient(m, theta, &g);
  for (std::size_t k = 0; k < g.size(); ++k) {
    if (g[k].sign() != 0) {
      throw Reject("gradient entry " + std::to_string(k) + " is " + g[k].str() + ", not 0");
    }
  }
  return "the gradient is exactly 0 (" + std::to_string(g.size()) + " entries, rationals)";
}

/// The point θ in balls at `bits` (set as the working precision).
std::vector<B> ball_point(const std::vector<Q>& theta, long bits) {
  if (bits < 16 || bits > 1 << 20) throw Reject("bits: between 16 and 2^20 expected");
  precision() = bits;
  std::vector<B> point;
  for (const Q& t : theta) point.emplace_back(t);
  return point;
}

/// ∇L(θ) in balls at `bits`.
std::vector<B> ball_gradient(const Model& m, const std::vector<Q>& theta, long bits) {
  std::vector<B> g;
  loss_and_gradient(m, ball_point(theta, bits), &g);
  return g;
}

/// H(θ)·v = 0 exactly over Q for every given vector v.
std::string check_kernel(const Model& m, const std::vector<Q>& theta, const json& f) {
  const auto h = hessian(m, theta);
  std::size_t count = 0;
  for (const auto& column : member(f, "vectors")) {
    const auto v = numbers(column, "vectors");
    if (v.size() != h.size()) throw Reject("vectors: columns of length P expected");
    bool nonzero = false;
    for (const Q& x : v) nonzero = nonzero || x.sign() != 0;
    if (!nonzero) throw Reject("vectors: column " + std::to_string(count) + " is zero");
    for (std::size_t i = 0; i < h.size(); ++i) {
      Q s(0);
      for (std::size_t j = 0; j < v.size(); ++j) s = s + h[i][j] * v[j];
      if (s.sign() != 0) {
        throw Reject("(H v)[" + std::to_string(i) + "] = " + s.str() + " for column " +
                     std::to_string(count) + ", not 0");
      }
    }
    ++count;
  }
  if (count == 0) throw Reject("vectors: at least one column expected");
  return "H v = 0 exactly for " + std::to_string(count) + " nonzero vector(s)";
}

/// H(θ) = 0: every entry of the ball Hessian is the exact ball {0}.
std::string check_hessian_zero(const Model& m, const std::vector<Q>& theta, long bits) {
  const auto h = hessian(m, ball_point(theta, bits));
  for (std::size_t i = 0; i < h.size(); ++i) {
    for (std::size_t j = 0; j < h.size(); ++j) {
      if (!is_exact_zero(h[i][j])) {
        throw Reject("Hessian entry (" + std::to_string(i) + ", " + std::to_string(j) + ") is " +
                     h[i][j].str() + ", not exactly 0");
      }
    }
  }
  return "the Hessian is exactly 0 (balls at " + std::to_string(bits) + " bits, zero radius)";
}

/// L(θ) = value exactly over Q.
std::string check_loss(const Model& m, const std::vector<Q>& theta, const json& f) {
  const Q value = number(member(f, "value"), "value");
  const Q loss = loss_and_gradient<Q>(m, theta, nullptr);
  if (!(loss == value)) {
    throw Reject("the loss is " + loss.str() + ", not the stated " + value.str());
  }
  return "L(θ) = " + value.str() + " exactly";
}

/// ∇L(θ) = 0 from balls: every entry of the enclosure is exactly {0} (Arb returns an exact zero
/// only when the value is zero).
std::string check_critical_balls(const Model& m, const std::vector<Q>& theta, long bits) {
  const std::vector<B> g = ball_gradient(m, theta, bits);
  for (std::size_t k = 0; k < g.size(); ++k) {
    if (!is_exact_zero(g[k])) {
      throw Reject("gradient entry " + std::to_string(k) + " is " + g[k].str() + ", not exactly 0");
    }
  }
  return "the gradient is exactly 0 (" + std::to_string(g.size()) + " entries, balls at " +
         std::to_string(bits) + " bits with zero radius)";
}

/// ∇L(θ) ≠ 0 over Q: some entry of the exact gradient is nonzero.
std::string check_not_critical_exact(const Model& m, const std::vector<Q>& theta) {
  std::vector<Q> g;
  loss_and_gradient(m, theta, &g);
  for (std::size_t k = 0; k < g.size(); ++k) {
    if (g[k].sign() != 0)
      return "gradient entry " + std::to_string(k) + " is " + g[k].str() + " (exactly, not 0)";
  }
  throw Reject("the gradient is exactly 0: the point is critical");
}

/// ∇L(θ) ≠ 0: some entry of the gradient's enclosure excludes 0.
std::string check_not_critical(const Model& m, const std::vector<Q>& theta, long bits) {
  const std::vector<B> g = ball_gradient(m, theta, bits);
  for (std::size_t k = 0; k < g.size(); ++k) {
    if (!g[k].contains_zero()) {
      return "gradient entry " + std::to_string(k) + " is " + g[k].str() + " (excludes 0)";
    }
  }
  throw Reject("every entry of the gradient's enclosure contains 0 at " + std::to_string(bits) +
               " bits");
}

/// P H Pᵀ = L D Lᵀ exactly, and In(H) = In(D) (Sylvester's law of inertia).
std::string check_ldlt(const Model& m, const std::vector<Q>& theta, const json& f) {
  // "matrix": "hessian" (recomputed from the problem), or the rows of an explicit matrix
  std::vector<std::vector<Q>> h;
  const bool explicit_matrix = member(f, "matrix").is_array();
  if (explicit_matrix) {
    for (const auto& row : f.at("matrix")) h.push_back(numbers(row, "matrix"));
    for (std::size_t i = 0; i < h.size(); ++i) {
      if (h[i].size() != h.size()) throw Reject("matrix: a square matrix expected");
      for (std::size_t j = 0; j < i; ++j) {
        if (!(h[i][j] == h[j][i])) {
          throw Reject("matrix: not symmetric at (" + std::to_string(i) + ", " + std::to_string(j) +
                       ")");
        }
      }
    }
  } else if (member(f, "matrix") == "hessian") {
    h = hessian(m, theta);
  } else {
    throw Reject("matrix: \"hessian\" or an array of rows expected");
  }
  const std::size_t n = h.size();
  const auto perm = member(f, "permutation").get<std::vector<long>>();
  std::vector<bool> seen(n, false);
  if (perm.size() != n) throw Reject("permutation: " + std::to_string(n) + " entries expected");
  for (long i : perm) {
    if (i < 0 || static_cast<std::size_t>(i) >= n || seen[static_cast<std::size_t>(i)]) {
      throw Reject("permutation: not a permutation of 0.." + std::to_string(n - 1));
    }
    seen[static_cast<std::size_t>(i)] = true;
  }
  // L: unit lower triangular, its strictly lower nonzeros as [row, column, value]
  std::vector<std::vector<Q>> l(n, std::vector<Q>(n, Q(0)));
  for (std::size_t i = 0; i < n; ++i) l[i][i] = Q(1);
  for (const auto& e : member(f, "L")) {
    const long i = e.at(0).get<long>();
    const long j = e.at(1).get<long>();
    if (j < 0 || i <= j || static_cast<std::size_t>(i) >= n) {
      throw Reject("L: entry (" + std::to_string(i) + ", " + std::to_string(j) +
                   ") is not strictly below the diagonal");
    }
    l[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)] = number(e.at(2), "L");
  }
  // D: 1×1 blocks [d] and 2×2 blocks [a, b, c] = [[a, b], [b, c]] down the diagonal
  std::vector<std::vector<Q>> d(n, std::vector<Q>(n, Q(0)));
  long pos = 0, neg = 0, zero = 0;
  std::size_t at = 0;
  for (const auto& block : member(f, "D")) {
    const auto v = numbers(block, "D");
    if (v.size() == 1 && at < n) {
      d[at][at] = v[0];
      (v[0].sign() > 0 ? pos : v[0].sign() < 0 ? neg : zero) += 1;
      at += 1;
    } else if (v.size() == 3 && at + 1 < n) {
      d[at][at] = v[0];
      d[at][at + 1] = d[at + 1][at] = v[1];
      d[at + 1][at + 1] = v[2];
      const Q det = v[0] * v[2] - v[1] * v[1];
      const Q trace = v[0] + v[2];
      if (det.sign() < 0) {
        pos += 1;
        neg += 1;
      } else if (det.sign() > 0) {
        (trace.sign() > 0 ? pos : neg) += 2;
      } else {
        zero += 1;
        (trace.sign() > 0 ? pos : trace.sign() < 0 ? neg : zero) += 1;
      }
      at += 2;
    } else {
      throw Reject("D: blocks of size 1 or 2 that tile the diagonal expected");
    }
  }
  if (at != n)
    throw Reject("D: the blocks cover " + std::to_string(at) + " of " + std::to_string(n) +
                 " rows");
  // (L D Lᵀ)[i][j] against H[perm i][perm j], every entry
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<Q> ld(n, Q(0));  // row i of L·D
    for (std::size_t k = 0; k <= i && k < n; ++k) {
      if (l[i][k].sign() == 0) continue;
      for (std::size_t c = (k > 0 ? k - 1 : 0); c < std::min(n, k + 2); ++c) {
        if (d[k][c].sign() != 0) ld[c] = ld[c] + l[i][k] * d[k][c];
      }
    }
    for (std::size_t j = 0; j <= i; ++j) {
      Q s(0);
      for (std::size_t c = 0; c <= j; ++c) {
        if (ld[c].sign() != 0 && l[j][c].sign() != 0) s = s + ld[c] * l[j][c];
      }
      const Q& target = h[static_cast<std::size_t>(perm[i])][static_cast<std::size_t>(perm[j])];
      if (!(s == target)) {
        throw Reject("(L D Lᵀ)[" + std::to_string(i) + "][" + std::to_string(j) + "] = " + s.str() +
                     " but the Hessian entry is " + target.str());
      }
    }
  }
  require_claimed_inertia(f, pos, neg, zero, "D has");
  return "inertia " + inertia_text(pos, neg, zero) + " of the exact " +
         (explicit_matrix ? "matrix given" : "Hessian") + " (order " + std::to_string(n) +
         "): P H Pᵀ = L D Lᵀ holds exactly";
}

/// Frobenius norm (upper bound) of the rows [r0, r1) × columns [c0, c1) of m, optionally without
/// the diagonal's midpoints (their radii stay in).
B frobenius(const arb_mat_t m, slong r0, slong r1, slong c0, slong c1, bool off_diagonal) {
  B sum(0);
  for (slong i = r0; i < r1; ++i) {
    for (slong j = c0; j < c1; ++j) {
      B e;
      arb_set(e.raw(), arb_mat_entry(m, i, j));
      if (off_diagonal && i == j) arf_zero(arb_midref(e.raw()));
      const B a = e.abs_upper();
      sum = sum + a * a;
    }
  }
  return sqrt(sum).abs_upper();
}

/// Ball-cluster inertia: B = QᵀHQ in balls with the certificate's basis Q; nested levels of
/// diagonal-resolved columns, then a cluster; Weyl per level plus the couplings; Ostrowski for
/// QᵀQ ≈ I (docs/certificates.md).
/// The box θ ± r of a krawczyk fact, in balls at the current precision.
std::vector<B> box_of(const json& krawczyk) {
  const auto c = numbers(member(krawczyk, "center"), "center");
  const auto r = numbers(member(krawczyk, "radius"), "radius");
  std::vector<B> box;
  for (std::size_t k = 0; k < c.size() && k < r.size(); ++k) {
    B x(c[k]);
    arb_add_error(x.raw(), B(r[k]).abs_upper().raw());
    box.push_back(x);
  }
  return box;
}

/// `box`: the krawczyk fact whose box the Hessian is enclosed over ("at": "box"), or null (the
/// Hessian at the point).
std::string check_cluster(const Model& m,
                          const std::vector<Q>& theta,
                          const json& f,
                          const json* box,
                          bool krawczyk_box) {
  const long bits = member(f, "bits").get<long>();
  if (bits < 16 || bits > 1 << 20) throw Reject("bits: between 16 and 2^20 expected");
  precision() = bits;
  std::vector<B> point;
  if (box != nullptr) {
    point = box_of(*box);
    if (point.size() != theta.size()) throw Reject("the krawczyk box does not have P entries");
  } else {
    for (const Q& t : theta) point.emplace_back(t);
  }
  const auto h = hessian(m, point);
  const auto n = static_cast<slong>(h.size());
  const auto& columns = member(f, "basis");
  if (static_cast<slong>(columns.size()) != n) {
    throw Reject("basis: " + std::to_string(n) + " columns expected");
  }
  arb_mat_t hm, qm, t, bm, g;
  arb_mat_init(hm, n, n);
  arb_mat_init(qm, n, n);
  arb_mat_init(t, n, n);
  arb_mat_init(bm, n, n);
  arb_mat_init(g, n, n);
  struct Clear {
    arb_mat_struct* ms[5];
    ~Clear() {
      for (auto* x : ms) arb_mat_clear(x);
    }
  } clear{{hm, qm, t, bm, g}};
  for (slong i = 0; i < n; ++i) {
    for (slong j = 0; j < n; ++j) {
      arb_set(arb_mat_entry(hm, i, j),
              h[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)].raw());
    }
  }
  for (slong j = 0; j < n; ++j) {
    const auto col = numbers(columns[static_cast<std::size_t>(j)], "basis");
    if (static_cast<slong>(col.size()) != n) throw Reject("basis: columns of length P expected");
    for (slong i = 0; i < n; ++i) {
      arb_set_fmpq(arb_mat_entry(qm, i, j), col[static_cast<std::size_t>(i)].raw(), bits);
    }
  }
  arb_mat_mul(t, hm, qm, bits);  // H Q
  arb_mat_transpose(g, qm);
  arb_mat_mul(bm, g, t, bits);  // Qᵀ H Q
  arb_mat_mul(t, g, qm, bits);  // Qᵀ Q
  for (slong i = 0; i < n; ++i) arb_sub_ui(arb_mat_entry(t, i, i), arb_mat_entry(t, i, i), 1, bits);
  const B eta = frobenius(t, 0, n, 0, n, false);  // ≥ ‖QᵀQ − I‖₂
  if (!certainly_less(eta, B(1))) {
    throw Reject("the basis is not provably independent: ‖QᵀQ − I‖_F <= " + eta.str() +
                 " is not < 1");
  }
  // levels: sizes of the diagonal-resolved groups, then the cluster (the remaining columns)
  const auto levels = member(f, "levels").get<std::vector<long>>();
  const long cluster = member(f, "cluster").get<long>();
  long total = cluster;
  for (long r : levels) {
    if (r < 1 || r > n) throw Reject("levels: every group has between 1 and P columns");
    total += r;
  }
  if (cluster < 0 || total != n) throw Reject("levels + cluster: must add up to P");
  long pos = 0, neg = 0;
  B coupling(0);  // Σ of the couplings of the levels passed so far (Weyl)
  B delta_b;      // smallest |λ| over the resolved slots, lower bound
  bool any_rest = false;
  slong start = 0;
  for (std::size_t lv = 0; lv < levels.size(); ++lv) {
    const slong end = start + levels[lv];
    coupling = coupling + frobenius(bm, start, end, end, n, false);
    const B rho = frobenius(bm, start, end, start, end, true) + coupling;
    for (slong i = start; i < end; ++i) {
      B e;
      arf_set(arb_midref(e.raw()), arb_midref(arb_mat_entry(bm, i, i)));
      const B lower = e.abs_lower() - rho;  // |mid| − ρ
      if (!lower.positive()) {
        throw Reject("column " + std::to_string(i) + ": the enclosure " + e.str() + " ± " +
                     rho.str() + " of its eigenvalue may contain 0");
      }
      (e.positive() ? pos : neg) += 1;
      if (!any_rest || certainly_less(lower, delta_b)) delta_b = lower;
      any_rest = true;
    }
    start = end;
  }
  // the cluster: its eigenvalues have |λ| ≤ ‖Z‖_F + Σ couplings
  const B eps_b = frobenius(bm, start, n, start, n, false) + coupling;
  const B eps_h = eps_b / (B(1) - eta);  // Ostrowski: λ(QᵀHQ) = θ λ(H), θ ∈ [1 − η, 1 + η]
  const B delta_h = delta_b / (B(1) + eta);
  require_claimed_inertia(f, pos, neg, cluster, "the enclosures give");
  const Q eps_claim = number(member(f, "epsilon"), "epsilon");
  const Q delta_claim = number(member(f, "delta"), "delta");
  if (any_rest && delta_claim.sign() <= 0) throw Reject("delta: must be > 0");
  if (cluster == 0 && eps_claim.sign() != 0) throw Reject("epsilon: must be 0 without a cluster");
  if (cluster > 0 && !certainly_at_most(eps_h, B(eps_claim))) {
    throw Reject("cluster: |λ| <= " + eps_h.str() + " is not within the claimed epsilon " +
                 eps_claim.str());
  }
  if (any_rest && !certainly_at_most(B(delta_claim), delta_h)) {
    throw Reject("rest: |λ| >= " + delta_h.str() + " is not above the claimed delta " +
                 delta_claim.str());
  }
  // Tight statements (docs/certificates.md): δ within a factor 4 of what the data give, so that
  // a claim moved onto another problem, or weakened, is caught.
  if (any_rest && certainly_less(B(delta_claim) * B(4), delta_h)) {
    throw Reject("rest: |λ| >= " + delta_h.str() + " is more than 4 times the claimed delta " +
                 delta_claim.str() + ": the claim is not tight for this problem");
  }
  if (cluster > 0 && any_rest && !(eps_claim < delta_claim)) {
    throw Reject("epsilon " + eps_claim.str() + " is not below delta " + delta_claim.str());
  }
  return "inertia " + inertia_text(pos, neg, cluster) + " of the Hessian " +
         (box == nullptr ? "at the point"
          : krawczyk_box ? "over the whole box (it holds a critical point)"
                         : "over the whole image box") +
         " (P = " + std::to_string(n) + ", balls at " + std::to_string(bits) +
         " bits): " + std::to_string(cluster) + " eigenvalues with |λ| <= " + eps_claim.str() +
         (any_rest ? ", all others |λ| >= " + delta_claim.str() : std::string());
}

/// Krawczyk: K(X) = c − C∇L(c) + (I − C ∇²L(X))(X − c) ⊂ int X proves a unique critical point in
/// the box X = c ± r.
std::string check_krawczyk(const Model& m, const std::vector<Q>& theta, const json& f) {
  const long bits = member(f, "bits").get<long>();
  if (bits < 16 || bits > 1 << 20) throw Reject("bits: between 16 and 2^20 expected");
  precision() = bits;
  const auto c = numbers(member(f, "center"), "center");
  const auto r = numbers(member(f, "radius"), "radius");
  const std::size_t n = m.parameters();
  if (c.size() != n || r.size() != n) throw Reject("center, radius: P entries each expected");
  for (std::size_t k = 0; k < n; ++k) {
    if (!(c[k] == theta[k])) {
      throw Reject("center " + std::to_string(k) + " is not the problem's point (" + c[k].str() +
                   " against " + theta[k].str() + ")");
    }
  }
  std::vector<B> cb, box, width;
  for (std::size_t k = 0; k < n; ++k) {
    if (r[k].sign() <= 0) throw Reject("radius " + std::to_string(k) + ": must be > 0");
    cb.emplace_back(c[k]);
    B x(c[k]);
    arb_add_error(x.raw(), B(r[k]).abs_upper().raw());
    box.push_back(x);
    width.push_back(x - cb.back());
  }
  const auto& rows = member(f, "preconditioner");
  if (rows.size() != n) throw Reject("preconditioner: P rows expected");
  std::vector<std::vector<B>> cm;
  for (const auto& row : rows) {
    const auto v = numbers(row, "preconditioner");
    if (v.size() != n) throw Reject("preconditioner: rows of length P expected");
    cm.emplace_back();
    for (const Q& x : v) cm.back().emplace_back(x);
  }
  std::vector<B> g;
  loss_and_gradient(m, cb, &g);
  const auto hx = hessian(m, box);
  for (std::size_t i = 0; i < n; ++i) {
    B k = cb[i];
    for (std::size_t j = 0; j < n; ++j) k = k - cm[i][j] * g[j];
    for (std::size_t j = 0; j < n; ++j) {
      B a(i == j ? 1 : 0);
      for (std::size_t l = 0; l < n; ++l) a = a - cm[i][l] * hx[l][j];
      k = k + a * width[j];
    }
    if (!k.finite() || !certainly_less(B(c[i] - r[i]), k) || !certainly_less(k, B(c[i] + r[i]))) {
      throw Reject("K(X)[" + std::to_string(i) + "] = " + k.str() + " is not inside (" +
                   (c[i] - r[i]).str() + ", " + (c[i] + r[i]).str() + ")");
    }
  }
  return "K(X) ⊂ int X at " + std::to_string(bits) +
         " bits: exactly one critical point in the box (P = " + std::to_string(n) + ")";
}

/// "krawczyk-image": Krawczyk's proof for another problem (embedded, its point the box's centre)
/// gives its unique critical point θ* in X = c ± r; the exact linear map M takes it into the box
/// M·c ± |M|·r around this problem's point (which must be M·c). Returns that box as a
/// {"center", "radius"} object for the "at": "box" facts after it. It says nothing about whether
/// M·θ* is critical here: that is the construction's theorem (e.g. a split), not re-checked.
json check_krawczyk_image(const std::vector<Q>& theta, const json& f, std::string& what) {
  const Model source = parse_model(member(f, "problem"));
  const auto point = numbers(member(member(f, "problem"), "point"), "problem.point");
  if (point.size() != source.parameters()) throw Reject("problem.point: P entries expected");
  what = "embedded problem: " + check_krawczyk(source, point, f);
  const auto map = member(f, "map");
  if (map.size() != theta.size()) throw Reject("map: one row per parameter expected");
  const auto r = numbers(member(f, "radius"), "radius");
  json box{{"center", json::array()}, {"radius", json::array()}};
  for (std::size_t i = 0; i < theta.size(); ++i) {
    const auto row = numbers(map[i], "map");
    if (row.size() != point.size())
      throw Reject("map: rows of the embedded problem's P entries expected");
    Q image(0), radius(0);
    for (std::size_t j = 0; j < row.size(); ++j) {
      image = image + row[j] * point[j];
      radius = radius + (row[j].sign() < 0 ? -row[j] : row[j]) * r[j];
    }
    if (!(image == theta[i])) {
      throw Reject("map: (M c)[" + std::to_string(i) + "] = " + image.str() +
                   " is not the problem's point " + theta[i].str());
    }
    box["center"].push_back(image.str());
    box["radius"].push_back(radius.str());
  }
  what += "; M maps the box into the box M c ± |M| r around this problem's point";
  return box;
}

/// The fractions of the hidden layers from a fact's list of lists (one per hidden layer), with
/// the identity's 1 on the input and output layers.
inline std::vector<std::vector<Q>> parse_fractions(const Model& big, const json& rows) {
  const int L = big.layers();
  if (!rows.is_array() || rows.size() != static_cast<std::size_t>(L - 1)) {
    throw Reject("fraction: one list per hidden layer expected");
  }
  std::vector<std::vector<Q>> mu(static_cast<std::size_t>(L + 1));
  for (int l = 0; l <= L; ++l) {
    const auto n = static_cast<std::size_t>(big.width(l));
    if (l == 0 || l == L) {
      mu[static_cast<std::size_t>(l)].assign(n, Q(1));
      continue;
    }
    mu[static_cast<std::size_t>(l)] = numbers(rows[static_cast<std::size_t>(l - 1)], "fraction");
    if (mu[static_cast<std::size_t>(l)].size() != n) {
      throw Reject("fraction: layer " + std::to_string(l) + " needs " + std::to_string(n) +
                   " entries");
    }
  }
  return mu;
}

/// What a verified "krawczyk-split" fact gives: the box M·c ± |M|·r, which holds the critical point
/// M·θ*, and the dimension of the affine family of critical points through it.
struct SplitImage {
  json box;
  long manifold = 0;
  long kernel = 0;  // manifold + Lemma K's directions: a lower bound on the nullity at M·θ*
  Split split;      // for a path from M·θ*
};

/// "krawczyk-split": Krawczyk's proof for a smaller problem (embedded) whose hidden units this
/// problem replicates (Fukumizu & Amari 2000, §2). Per hidden layer the fact lists each unit's
/// source unit and fraction μ; the checker builds the map M itself: a copy q of source unit s has
/// s's bias and, from a copy i of source unit t in the layer below, the weight μ_i·W[s, t]. It
/// requires the same data, loss, activations and bias flags, no L2 term, and fractions summing
/// to 1 over each source unit's copies. Then (docs/certificates.md) ∇L(M_μ θ) is ∇L_small(θ)
/// with each entry scaled by a fraction, for every θ and every such μ: M·θ* is a critical point,
/// and so is every point of the affine family μ ↦ M_μ θ*, whose dimension is Σ (copies − 1) over
/// the sources whose outgoing weights are not all 0. Only sources with an outgoing weight that
/// excludes 0 over the whole box are counted.
SplitImage check_krawczyk_split(const Model& big,
                                const json& big_json,
                                const std::vector<Q>& theta,
                                const json& f,
                                std::string& what) {
  const json& small_json = member(f, "problem");
  const Model small = parse_model(small_json);
  const auto point = numbers(member(small_json, "point"), "problem.point");
  if (point.size() != small.parameters()) throw Reject("problem.point: P entries expected");
  what = "embedded problem: " + check_krawczyk(small, point, f);
  // the same problem but for the widths and the point
  json a = small_json, b = big_json;
  for (json* x : {&a, &b}) {
    x->erase("widths");
    x->erase("point");
  }
  if (a != b) {
    throw Reject(
        "split: the embedded problem differs from this one in more than its widths and "
        "point (data, loss, activations, biases, scale)");
  }
  if (!(small.l2 == Q(0)) || !(big.l2 == Q(0))) {
    throw Reject("split: an L2 term breaks Fukumizu-Amari's lemma (l2 must be 0)");
  }
  if (big.widths.size() != small.widths.size() || big.widths.front() != small.widths.front() ||
      big.widths.back() != small.widths.back()) {
    throw Reject("split: the depth, the input and the output widths must agree");
  }
  const int L = big.layers();
  const auto& source_rows = member(f, "source");
  if (!source_rows.is_array() || source_rows.size() != static_cast<std::size_t>(L - 1)) {
    throw Reject("source: one list per hidden layer expected");
  }
  Split split;
  split.small = small;
  split.c = point;
  split.r = numbers(member(f, "radius"), "radius");
  if (split.r.size() != point.size()) throw Reject("radius: P entries expected");
  split.mu = parse_fractions(big, member(f, "fraction"));
  // src[l][q] for l = 0..L (the identity on the input and output layers)
  auto& src = split.src;
  const auto& mu = split.mu;
  src.resize(static_cast<std::size_t>(L + 1));
  for (int l = 0; l <= L; ++l) {
    const auto n = static_cast<std::size_t>(big.width(l));
    if (l == 0 || l == L) {
      for (std::size_t q = 0; q < n; ++q) src[l].push_back(static_cast<int>(q));
      continue;
    }
    src[l] = source_rows[static_cast<std::size_t>(l - 1)].get<std::vector<int>>();
    if (src[l].size() != n) {
      throw Reject("source: layer " + std::to_string(l) + " needs " + std::to_string(n) +
                   " entries");
    }
    std::vector<Q> sum(static_cast<std::size_t>(small.width(l)), Q(0));
    std::vector<bool> seen(sum.size(), false);
    for (std::size_t q = 0; q < n; ++q) {
      const int s = src[l][q];
      if (s < 0 || s >= small.width(l)) throw Reject("source: unit out of range");
      sum[static_cast<std::size_t>(s)] = sum[static_cast<std::size_t>(s)] + mu[l][q];
      seen[static_cast<std::size_t>(s)] = true;
    }
    for (std::size_t s = 0; s < sum.size(); ++s) {
      if (!seen[s] || !(sum[s] == Q(1))) {
        throw Reject("fraction: the copies of unit " + std::to_string(s) + " of layer " +
                     std::to_string(l) + " must have fractions summing to 1");
      }
    }
  }
  const auto& r = split.r;
  if (theta.size() != big.parameters()) throw Reject("split: P entries expected");
  json box{{"center", json::array()}, {"radius", json::array()}};
  const std::vector<Term> terms = split_terms(big, split, mu, {});
  for (std::size_t k = 0; k < theta.size(); ++k) {
    const Q center = term_center(terms[k], split);
    if (!(center == theta[k])) {
      throw Reject("split: (M c)[" + std::to_string(k) + "] = " + center.str() +
                   " is not the problem's point " + theta[k].str());
    }
    box["center"].push_back(center.str());
    box["radius"].push_back(term_radius(terms[k], split).str());
  }
  // the family's dimension: sources in hidden layers with an outgoing weight that excludes 0
  long manifold = 0;
  for (int l = 1; l < L; ++l) {
    std::vector<long> copies(static_cast<std::size_t>(small.width(l)), 0);
    for (int s : src[static_cast<std::size_t>(l)]) ++copies[static_cast<std::size_t>(s)];
    for (int s = 0; s < small.width(l); ++s) {
      bool nonzero = false;
      for (int q = 0; q < small.width(l + 1) && !nonzero; ++q) {
        const std::size_t j = small.index(l + 1, q, s);
        const Q size = point[j].sign() < 0 ? -point[j] : point[j];
        nonzero = r[j] < size;
      }
      if (nonzero) manifold += copies[static_cast<std::size_t>(s)] - 1;
    }
  }
  // Lemma K: a copy i with fraction 0 (its outgoing weights are 0) of a source s that feeds a
  // single unit through a weight excluding 0 over the box. Moving i's incoming row leaves the
  // network function and every gradient entry but i's outgoing ones unchanged; those change at
  // the rate Σ_n δ(x_n) σ'(z_s(x_n)) ã(x_n), which is ∂L_small/∂(s's incoming row) / W[0, s] = 0
  // at θ*. So the columns(l) coordinate vectors of i's incoming row are in ker H at M·θ*.
  long kernel = manifold;
  for (int l = 1; l < L; ++l) {
    if (small.width(l + 1) != 1) continue;
    for (int i = 0; i < big.width(l); ++i) {
      if (mu[static_cast<std::size_t>(l)][static_cast<std::size_t>(i)].sign() != 0) continue;
      const std::size_t j =
          small.index(l + 1, 0, src[static_cast<std::size_t>(l)][static_cast<std::size_t>(i)]);
      const Q size = point[j].sign() < 0 ? -point[j] : point[j];
      if (r[j] < size) kernel += big.columns(l);
    }
  }
  what +=
      "; the split map M (built here) takes θ* to a critical point (Fukumizu-Amari) in the "
      "box M c ± |M| r around this problem's point, on an affine family of critical points "
      "of dimension " +
      std::to_string(manifold);
  if (kernel > manifold) {
    what += "; Lemma K adds " + std::to_string(kernel - manifold) +
            " kernel directions there (the incoming rows of copies with fraction 0)";
  }
  for (int l = 1; l < L; ++l) {
    // the copies of a unit have equal outputs at M·θ*: Ã_l has at most n_l(small) distinct
    // columns besides the ones
    if (big.width(l) > small.width(l)) {
      what += "; there, rank Ã_" + std::to_string(l) + " <= " +
              std::to_string(small.width(l) + (big.biases[static_cast<std::size_t>(l)] ? 1 : 0)) +
              " (its " + std::to_string(big.width(l)) + " units copy " +
              std::to_string(small.width(l)) + ")";
    }
  }
  return {box, manifold, kernel, split};
}

/// Along the direction u, φ(t) = L(θ + t u): φ'(0) = 0 and φ''(0) = 0 exactly (zero balls) and
/// the third derivative φ3(0) ≠ 0 (a ball that excludes 0), so L(θ + t u) − L(θ) = φ3(0) t³/6 +
/// O(t⁴) takes both signs next to t = 0 and θ is neither a local minimum nor a local maximum. The
/// derivatives come from the gradient on nested dual numbers (θ + t u + s u; ∂_t, ∂_s, ∂_t∂_s),
/// dotted with u.
std::string check_third_order(const Model& m, const std::vector<Q>& theta, const json& f) {
  const long bits = member(f, "bits").get<long>();
  ball_point({}, bits);
  const auto u = numbers(member(f, "direction"), "direction");
  if (u.size() != theta.size()) throw Reject("direction: P entries expected");
  std::vector<Dual<Dual<B>>> point;
  for (std::size_t k = 0; k < theta.size(); ++k) {
    point.emplace_back(Dual<B>(B(theta[k]), B(u[k])), Dual<B>(B(u[k]), B(0)));
  }
  std::vector<Dual<Dual<B>>> g;
  loss_and_gradient(m, point, &g);
  B d1(0), d2(0), d3(0);
  for (std::size_t k = 0; k < u.size(); ++k) {
    const B uk(u[k]);
    d1 = d1 + g[k].a.a * uk;
    d2 = d2 + g[k].a.b * uk;
    d3 = d3 + g[k].b.b * uk;
  }
  if (!is_exact_zero(d1)) throw Reject("φ'(0) = ∇L·u = " + d1.str() + " is not exactly 0");
  if (!is_exact_zero(d2)) throw Reject("φ''(0) = uᵀ∇²L u = " + d2.str() + " is not exactly 0");
  if (d3.contains_zero()) throw Reject("φ3(0) = D³L[u,u,u] = " + d3.str() + " may be 0");
  return "along u: φ'(0) = 0 and φ''(0) = 0 exactly, φ3(0) = D³L[u,u,u] = " + d3.str() +
         " ≠ 0 (balls at " + std::to_string(bits) +
         " bits): L(θ + t u) − L(θ) changes sign at t = 0";
}

/// The rank of a list of vectors over Q (Gaussian elimination).
long rank_of(std::vector<std::vector<Q>> rows) {
  long rank = 0;
  const std::size_t cols = rows.empty() ? 0 : rows.front().size();
  for (std::size_t c = 0; c < cols && static_cast<std::size_t>(rank) < rows.size(); ++c) {
    const auto r0 = static_cast<std::size_t>(rank);
    std::size_t p = r0;
    while (p < rows.size() && rows[p][c].sign() == 0) ++p;
    if (p == rows.size()) continue;
    std::swap(rows[p], rows[r0]);
    for (std::size_t i = r0 + 1; i < rows.size(); ++i) {
      const Q factor = rows[i][c] / rows[r0][c];
      for (std::size_t k = c; k < cols; ++k) rows[i][k] = rows[i][k] - factor * rows[r0][k];
    }
    ++rank;
  }
  return rank;
}

/// θ + K t is a critical point for every t ∈ Q^k (K = the k independent `directions`): for a
/// squared loss with polynomial activations ∇L(θ + K t) is a polynomial in t of degree at most D
/// (path.hpp's bound) in each t_j, and such a polynomial vanishes identically when it vanishes on
/// the grid {0, …, D}^k. Returns k.
long check_critical_manifold(const Model& m,
                             const std::vector<Q>& theta,
                             const json& f,
                             std::string& what) {
  std::vector<std::vector<Q>> k;
  for (const auto& column : member(f, "directions")) {
    k.push_back(numbers(column, "directions"));
    if (k.back().size() != theta.size()) throw Reject("directions: columns of length P expected");
  }
  const long dims = static_cast<long>(k.size());
  if (dims == 0) throw Reject("directions: at least one column expected");
  if (rank_of(k) != dims) throw Reject("directions: the columns are not independent");
  const long degree = polynomial_degree(m);
  if (degree < 0)
    throw Reject("critical-manifold needs the squared loss and polynomial activations");
  long grid = 1;
  for (long j = 0; j < dims; ++j) {
    grid *= degree + 1;
    if (grid > 20000) throw Reject("critical-manifold: more than 20000 grid points");
  }
  for (long n = 0; n < grid; ++n) {
    std::vector<Q> x = theta;
    long rest = n;
    for (long j = 0; j < dims; ++j) {
      const Q t(rest % (degree + 1));
      rest /= degree + 1;
      for (std::size_t i = 0; i < x.size(); ++i)
        x[i] = x[i] + t * k[static_cast<std::size_t>(j)][i];
    }
    std::vector<Q> g;
    loss_and_gradient(m, x, &g);
    for (std::size_t i = 0; i < g.size(); ++i) {
      if (g[i].sign() != 0) {
        throw Reject("at grid point " + std::to_string(n) + " the gradient entry " +
                     std::to_string(i) + " is " + g[i].str() + ", not 0");
      }
    }
  }
  what = "θ + K t is critical for every t ∈ Q^" + std::to_string(dims) + " (" +
         std::to_string(grid) + " exact gradients on the grid {0.." + std::to_string(degree) +
         "}^" + std::to_string(dims) + ", K of rank " + std::to_string(dims) + ")";
  return dims;
}

/// rank Ã_l over Q: the N × (n_l [+ 1]) matrix whose row i is hidden layer l's output on sample
/// i, with a column of ones appended when layer l + 1 has biases (the matrix the next layer's
/// weights multiply). Gaussian elimination, exact.
std::string check_activation_rank(const Model& m, const std::vector<Q>& theta, const json& f) {
  const int layer = member(f, "layer").get<int>();
  if (layer < 1 || layer >= m.layers()) throw Reject("layer: a hidden layer (1 to L - 1) expected");
  std::vector<std::vector<Q>> rows;
  for (const auto& x : m.inputs) {
    std::vector<Q> a = x;
    for (int l = 1; l <= layer; ++l) {
      std::vector<Q> next;
      for (int j = 0; j < m.width(l); ++j) {
        Q z(0);
        for (int k = 0; k < m.columns(l); ++k) {
          z = z + theta[m.index(l, j, k)] *
                      (k < m.width(l - 1) ? a[static_cast<std::size_t>(k)] : Q(1));
        }
        next.push_back(activation(m.activations[static_cast<std::size_t>(l - 1)], z, 0));
      }
      a = std::move(next);
    }
    if (m.biases[static_cast<std::size_t>(layer)]) a.emplace_back(1);
    rows.push_back(std::move(a));
  }
  const std::size_t cols = rows.front().size();
  const std::size_t count = rows.size();
  const long rank = rank_of(std::move(rows));
  const long claimed = member(f, "rank").get<long>();
  if (claimed != rank) {
    throw Reject("rank Ã_" + std::to_string(layer) + " is " + std::to_string(rank) +
                 ", not the stated " + std::to_string(claimed));
  }
  return "rank Ã_" + std::to_string(layer) + " = " + std::to_string(rank) + " exactly (" +
         std::to_string(count) + " × " + std::to_string(cols) + ", rationals)";
}

/// A matrix given as rows of exact numbers, `rows` × `columns`.
std::vector<std::vector<Q>> rational_rows(const json& j,
                                          std::size_t rows,
                                          std::size_t columns,
                                          const std::string& what) {
  std::vector<std::vector<Q>> out;
  for (const auto& row : j) {
    out.push_back(numbers(row, what));
    if (out.back().size() != columns)
      throw Reject(what + ": rows of " + std::to_string(columns) + " entries expected");
  }
  if (out.size() != rows) throw Reject(what + ": " + std::to_string(rows) + " rows expected");
  return out;
}

/// det A over Q by Gaussian elimination with row exchanges.
Q determinant(std::vector<std::vector<Q>> a) {
  const std::size_t n = a.size();
  Q det(1);
  for (std::size_t k = 0; k < n; ++k) {
    std::size_t p = k;
    while (p < n && a[p][k].sign() == 0) ++p;
    if (p == n) return Q(0);
    if (p != k) {
      std::swap(a[p], a[k]);
      det = -det;
    }
    det = det * a[k][k];
    for (std::size_t i = k + 1; i < n; ++i) {
      const Q factor = a[i][k] / a[k][k];
      for (std::size_t j = k; j < n; ++j) a[i][j] = a[i][j] - factor * a[k][j];
    }
  }
  return det;
}

/// Tᵀ ∇²L(θ) T = blockdiag(B_1, B_2, …) exactly over Q with T invertible (det T ≠ 0): the
/// Hessian is congruent to the block diagonal matrix, so its inertia is the sum of the blocks'
/// (Sylvester). A block is an explicit symmetric matrix ("matrix"), or the Hessian of another
/// problem at its point ("problem", e.g. the smaller network a split comes from), recomputed here.
std::string check_congruence(const Model& m, const std::vector<Q>& theta, const json& f) {
  const std::size_t n = theta.size();
  const auto t = rational_rows(member(f, "transform"), n, n, "transform");
  const Q det = determinant(t);
  if (det.sign() == 0) throw Reject("transform: det T = 0, T is not invertible");
  std::vector<std::vector<Q>> target(n, std::vector<Q>(n, Q(0)));
  std::size_t at = 0;
  std::string blocks;
  for (const auto& b : member(f, "blocks")) {
    std::vector<std::vector<Q>> block;
    if (b.contains("problem")) {
      const Model small = parse_model(b.at("problem"));
      const auto point = numbers(member(b.at("problem"), "point"), "blocks.problem.point");
      if (point.size() != small.parameters())
        throw Reject("blocks.problem.point: P entries expected");
      block = hessian(small, point);
      blocks += (blocks.empty() ? "" : ", ") + std::string("∇²L of the embedded problem (") +
                std::to_string(point.size()) + " parameters)";
    } else {
      const std::size_t k = member(b, "matrix").size();
      block = rational_rows(b.at("matrix"), k, k, "blocks.matrix");
      blocks += (blocks.empty() ? "" : ", ") + std::string("an explicit ") + std::to_string(k) +
                "×" + std::to_string(k) + " matrix";
    }
    if (at + block.size() > n) throw Reject("blocks: larger than P in total");
    for (std::size_t i = 0; i < block.size(); ++i) {
      for (std::size_t j = 0; j < block.size(); ++j) target[at + i][at + j] = block[i][j];
    }
    at += block.size();
  }
  if (at != n)
    throw Reject("blocks: " + std::to_string(at) + " rows in total, P = " + std::to_string(n) +
                 " expected");
  const auto h = hessian(m, theta);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      Q s(0);  // (Tᵀ H T)[i][j] = Σ_k Σ_l T[k][i] H[k][l] T[l][j]
      for (std::size_t k = 0; k < n; ++k) {
        if (t[k][i].sign() == 0) continue;
        Q row(0);
        for (std::size_t l = 0; l < n; ++l) row = row + h[k][l] * t[l][j];
        s = s + t[k][i] * row;
      }
      if (!(s == target[i][j])) {
        throw Reject("(Tᵀ H T)[" + std::to_string(i) + "][" + std::to_string(j) + "] = " + s.str() +
                     ", the block diagonal matrix has " + target[i][j].str());
      }
    }
  }
  return "Tᵀ ∇²L T = blockdiag(" + blocks + ") exactly over Q, det T = " + det.str() +
         ": In(∇²L) is the sum of the blocks' inertias (Sylvester)";
}

/// A path θ_0, θ_1, … (θ_0 the problem's point) along which L never increases: each segment by its
/// stated method (path.hpp), the pieces of a piecewise proof covering [0, 1] in order. Optional:
/// the exact loss at the end, and L(θ_end) < L(θ_0) (over Q, or in balls at "bits").
std::string check_path(const Model& m, const std::vector<Q>& theta, const json& f) {
  std::vector<std::vector<Q>> v;
  for (const auto& x : member(f, "vertices")) {
    v.push_back(numbers(x, "vertices"));
    if (v.back().size() != theta.size()) throw Reject("vertices: P entries each expected");
  }
  if (v.size() < 2) throw Reject("vertices: at least two expected");
  for (std::size_t k = 0; k < theta.size(); ++k) {
    if (!(v[0][k] == theta[k])) throw Reject("the first vertex is not the problem's point");
  }
  const auto& segments = member(f, "segments");
  if (!segments.is_array() || segments.size() + 1 != v.size()) {
    throw Reject("segments: one per pair of consecutive vertices expected");
  }
  std::string lines;
  for (std::size_t s = 0; s < segments.size(); ++s) {
    const json& seg = segments[s];
    const std::string method = member(seg, "method").get<std::string>();
    std::vector<Q> d;
    bool moves = false;
    for (std::size_t k = 0; k < theta.size(); ++k) {
      d.push_back(v[s + 1][k] - v[s][k]);
      moves = moves || d.back().sign() != 0;
    }
    const std::string where = "segment " + std::to_string(s) + ": ";
    std::string what;
    if (!moves) {
      what = "constant (length 0)";
    } else if (method == "function-preserving") {
      const std::string why = function_preserving(m, v[s], d);
      if (why.empty()) {
        throw Reject(where +
                     "neither a dead unit's incoming row nor a split line moves alone (or "
                     "a moved parameter is in the L2 term)");
      }
      what = "constant: " + why;
    } else if (method == "exact-polynomial" || method == "ball-derivative") {
      std::vector<std::pair<Q, Q>> pieces;
      for (const auto& piece : member(seg, "pieces")) {
        if (!piece.is_array() || piece.size() != 2) throw Reject(where + "pieces: [a, b] pairs");
        pieces.emplace_back(number(piece[0], "pieces"), number(piece[1], "pieces"));
      }
      Q reached(0);
      for (const auto& [a, b] : pieces) {
        if (!(a == reached) || !(a < b)) {
          throw Reject(where + "the pieces do not cover [0, 1] in order (at " + reached.str() +
                       ")");
        }
        reached = b;
      }
      if (!(reached == Q(1))) throw Reject(where + "the pieces stop at " + reached.str());
      if (method == "exact-polynomial") {
        const long degree = polynomial_degree(m);
        if (degree < 0) {
          throw Reject(where +
                       "exact-polynomial needs the squared loss and polynomial "
                       "activations");
        }
        const std::vector<Q> phi = loss_polynomial(m, v[s], d, degree);
        std::vector<Q> slope;  // φ'
        for (std::size_t i = 1; i < phi.size(); ++i)
          slope.push_back(phi[i] * Q(static_cast<long>(i)));
        bool zero = true;
        for (const Q& c : slope) zero = zero && c.sign() == 0;
        for (const auto& [a, b] : pieces) {
          for (const Q& beta : bernstein(slope, a, b)) {
            if (beta.sign() > 0) {
              throw Reject(where + "a Bernstein coefficient of φ' on [" + a.str() + ", " + b.str() +
                           "] is " + beta.str() + " > 0");
            }
          }
        }
        what = zero ? "constant: L(θ(t)) = " + phi[0].str() + " (φ' = 0 over Q)"
                    : "non-increasing: φ' <= 0 on " + std::to_string(pieces.size()) +
                          " piece(s), Bernstein coefficients <= 0 over Q (degree <= " +
                          std::to_string(degree) + ")";
      } else {
        const long bits = member(seg, "bits").get<long>();
        ball_point({}, bits);  // sets and checks the precision
        for (const auto& [a, b] : pieces) {
          for (const B& bound : derivative_bound(m, v[s], d, a, b)) {
            if (!certainly_at_most(bound, B(0))) {
              throw Reject(where + "on [" + a.str() + ", " + b.str() +
                           "] φ'(m) ± φ''(J)·h/2 = " + bound.str() + " is not certainly <= 0");
            }
          }
        }
        what = "non-increasing: φ' <= 0 on " + std::to_string(pieces.size()) +
               " piece(s) by the mean value theorem in balls at " + std::to_string(bits) + " bits";
      }
    } else {
      throw Reject(where + "unknown method '" + method + "'");
    }
    lines += "\n    " + where + what;
  }
  std::string tail;
  if (f.contains("end_loss")) {
    const Q stated = number(f.at("end_loss"), "end_loss");
    const Q loss = loss_and_gradient<Q>(m, v.back(), nullptr);
    if (!(loss == stated)) {
      throw Reject("the loss at the end is " + loss.str() + ", not the stated " + stated.str());
    }
    tail += "; L(θ_end) = " + stated.str() + " exactly";
  }
  if (f.contains("decrease")) {
    const json& dec = f.at("decrease");
    if (dec.contains("bits")) {
      const std::vector<B> start = ball_point(theta, dec.at("bits").get<long>());
      const std::vector<B> end = ball_point(v.back(), dec.at("bits").get<long>());
      const B a = loss_and_gradient<B>(m, start, nullptr),
              b = loss_and_gradient<B>(m, end, nullptr);
      if (!certainly_less(b, a)) {
        throw Reject("L(θ_end) = " + b.str() + " is not certainly below L(θ_0) = " + a.str());
      }
      tail += "; L(θ_end) < L(θ_0) (balls): " + b.str() + " < " + a.str();
    } else {
      const Q a = loss_and_gradient<Q>(m, theta, nullptr),
              b = loss_and_gradient<Q>(m, v.back(), nullptr);
      if (!(b < a)) throw Reject("L(θ_end) = " + b.str() + " is not below L(θ_0) = " + a.str());
      tail += "; L(θ_end) < L(θ_0) exactly: " + b.str() + " < " + a.str();
    }
  }
  return "L never increases along the " + std::to_string(segments.size()) + " segment(s)" + tail +
         lines;
}

/// A path fact's "split_vertices" (after a krawczyk-split fact): vertex k as M_{μ_k} θ with some
/// entries fixed ("fraction", "fixed": [[index, value], ...]), for θ in the embedded problem's
/// box. Vertex 0 must be the split itself (its fractions, nothing fixed), so the path starts at
/// the critical point M·θ*; at θ = c every vertex must be the exact vertex (the same path, from
/// this problem's point). Each segment is derived again for every θ in the box:
/// function-preserving by family_preserving, ball-derivative with the vertices' balls over the
/// box on the same pieces; exact-polynomial needs exact vertices and is refused. Finally
/// L(end) < L(M·θ*) over the box.
std::string check_path_from_split(const Model& m, const Split& split, const json& f) {
  const auto& described = member(f, "split_vertices");
  const auto& vertices = member(f, "vertices");
  const auto& segments = member(f, "segments");
  if (!described.is_array() || described.size() != vertices.size()) {
    throw Reject("split_vertices: one per vertex expected");
  }
  std::vector<std::vector<Term>> terms;
  for (std::size_t k = 0; k < described.size(); ++k) {
    std::vector<std::pair<std::size_t, Q>> fixed;
    for (const auto& pair : member(described[k], "fixed")) {
      if (!pair.is_array() || pair.size() != 2 || !pair[0].is_number_unsigned()) {
        throw Reject("split_vertices: fixed entries are [index, value] pairs");
      }
      fixed.emplace_back(pair[0].get<std::size_t>(), number(pair[1], "fixed"));
    }
    const auto mu = parse_fractions(m, member(described[k], "fraction"));
    if (k == 0 && (!fixed.empty() || mu != split.mu)) {
      throw Reject("split_vertices: the first is not the split's critical point M·θ*");
    }
    terms.push_back(split_terms(m, split, mu, fixed));
    const auto exact = numbers(vertices[k], "vertices");
    for (std::size_t i = 0; i < exact.size() && i < terms.back().size(); ++i) {
      if (!(term_center(terms.back()[i], split) == exact[i])) {
        throw Reject("split_vertices: vertex " + std::to_string(k) +
                     " at the box's centre differs "
                     "from the exact vertex in entry " +
                     std::to_string(i));
      }
    }
  }
  std::string lines;
  for (std::size_t s = 0; s < segments.size(); ++s) {
    const json& seg = segments[s];
    const std::string method = member(seg, "method").get<std::string>();
    const std::string where = "segment " + std::to_string(s) + " from M·θ*: ";
    std::string what;
    if (terms[s] == terms[s + 1]) {
      what = "constant (length 0)";
    } else if (method == "function-preserving") {
      const std::string why = family_preserving(m, terms[s], terms[s + 1]);
      if (why.empty()) {
        throw Reject(where +
                     "neither a dead unit's incoming row nor a split's fractions move "
                     "alone, for every point of the box");
      }
      what = "constant: " + why;
    } else if (method == "ball-derivative") {
      const long bits = member(seg, "bits").get<long>();
      ball_point({}, bits);
      const std::vector<B> start = term_balls(terms[s], split);
      const std::vector<B> d = difference_balls(terms[s], terms[s + 1], split);
      long count = 0;
      for (const auto& piece : member(seg, "pieces")) {
        const Q a = number(piece.at(0), "pieces"), b = number(piece.at(1), "pieces");
        for (const B& bound : derivative_bound(m, start, d, a, b)) {
          if (!certainly_at_most(bound, B(0))) {
            throw Reject(where + "on [" + a.str() + ", " + b.str() + "] φ'(m) ± φ''(J)·h/2 = " +
                         bound.str() + " is not certainly <= 0 over the box");
          }
        }
        ++count;
      }
      what = "non-increasing: φ' <= 0 on " + std::to_string(count) +
             " piece(s) for every point of the box, in balls at " + std::to_string(bits) + " bits";
    } else {
      throw Reject(where + "'" + method + "' cannot be checked over a box");
    }
    lines += "\n    " + where + what;
  }
  const long bits = f.contains("decrease") && f.at("decrease").contains("bits")
                        ? f.at("decrease").at("bits").get<long>()
                        : 256;
  ball_point({}, bits);
  const B a = loss_and_gradient<B>(m, term_balls(terms.front(), split), nullptr);
  const B b = loss_and_gradient<B>(m, term_balls(terms.back(), split), nullptr);
  if (!certainly_less(b, a)) {
    throw Reject("from M·θ*: L(end) = " + b.str() + " is not certainly below L(M·θ*) = " + a.str());
  }
  return "\n    from the critical point M·θ* (every θ* in the box) as well: L never increases, and "
         "L(end) < L(M·θ*): " +
         b.str() + " < " + a.str() + lines;
}

/// What follows from the verified facts: a critical point (exact, or the one in a Krawczyk box)
/// whose Hessian (at the point, or over the whole box) has the stated signs. Second-order
/// conditions: positive definite → strict local minimum, negative definite → strict local
/// maximum, both signs → saddle.
std::string check_conclusion(const std::string& conclusion,
                             long p,
                             bool critical,
                             const std::vector<long>& at_point,
                             bool krawczyk,
                             const std::vector<long>& over_box) {
  std::vector<long> inertia;
  std::string where;
  if (critical && at_point.size() == 3) {
    inertia = at_point;
    where = "θ is critical (exactly) and its Hessian has inertia ";
  } else if (krawczyk && over_box.size() == 3) {
    inertia = over_box;
    where = "the critical point in the box has a Hessian with inertia ";
  } else {
    throw Reject("no verified critical point with a verified inertia at it");
  }
  const std::string in = inertia_text(inertia[0], inertia[1], inertia[2]);
  const bool holds = (conclusion == "strict-minimum" && inertia[0] == p) ||
                     (conclusion == "strict-maximum" && inertia[1] == p) ||
                     (conclusion == "saddle" && inertia[0] > 0 && inertia[1] > 0);
  if (conclusion != "strict-minimum" && conclusion != "strict-maximum" && conclusion != "saddle") {
    throw Reject("unknown conclusion '" + conclusion + "'");
  }
  if (!holds) throw Reject(conclusion + " does not follow from inertia " + in);
  return conclusion + ": " + where + in;
}

/// Morse–Bott: a critical point on a k-dimensional manifold M of critical points (L is constant
/// on M near it) has T M ⊆ ker H (differentiate ∇L = 0 along M); when the Hessian's nullity is k
/// and it has no negative eigenvalue, H is positive definite on a complement of T M and L >= its
/// value nearby: a local minimum, not strict. The point is θ itself (a critical-manifold fact and
/// an exact inertia at θ) or the critical point M·θ* of a krawczyk-split fact (the inertia over
/// its box).
std::string check_minimum(long p,
                          long manifold,
                          bool exact_inertia,
                          const std::vector<long>& at_point,
                          long box_manifold,
                          const std::vector<long>& over_box) {
  const bool at = manifold > 0 && exact_inertia && at_point.size() == 3;
  if (!at && !(box_manifold > 0 && over_box.size() == 3)) {
    throw Reject(
        "minimum needs a verified critical-manifold and an exact inertia at the point, or a "
        "krawczyk-split family and the inertia over its box");
  }
  const long k = at ? manifold : box_manifold;
  const std::vector<long>& in = at ? at_point : over_box;
  if (in[1] != 0 || in[2] != k || in[0] != p - k) {
    throw Reject("minimum: the inertia " + inertia_text(in[0], in[1], in[2]) +
                 " is not (P - k, 0, k) for the manifold's dimension k = " + std::to_string(k));
  }
  return std::string("minimum: ") +
         (at ? "θ lies on a " + std::to_string(k) + "-dimensional manifold of critical points"
             : "the critical point in the box lies on a " + std::to_string(k) +
                   "-dimensional affine family of critical points (the split's fractions)") +
         ", the Hessian's nullity is " + std::to_string(k) +
         " and it has no negative eigenvalue (Morse–Bott): a local minimum, not strict";
}

struct Outcome {
  bool verified = false;
  std::string text;
};

Outcome check_file(const std::filesystem::path& path) {
  Outcome out;
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  json j;
  try {
    j = json::parse(ss.str());
  } catch (const std::exception& e) {
    out.text = std::string("not JSON: ") + e.what();
    return out;
  }
  std::string lines;
  std::size_t index = 0;
  std::string kind;
  try {
    if (member(j, "format") != "locus-certificate/1") throw Reject("format: locus-certificate/1");
    // The checksum that ties the facts to their problem (FNV-1a, 64 bits, of the compact JSON
    // text of "problem"): an altered or exchanged problem is reported as such.
    std::uint64_t h = 14695981039346656037ULL;
    for (const char ch : member(j, "problem").dump()) {
      h ^= static_cast<unsigned char>(ch);
      h *= 1099511628211ULL;
    }
    char digest[32];
    std::snprintf(digest, sizeof digest, "fnv1a64:%016llx", static_cast<unsigned long long>(h));
    if (member(j, "problem_digest") != std::string(digest)) {
      throw Reject("problem_digest: the problem's checksum is " + std::string(digest) +
                   ": the problem was altered, or the facts belong to another problem");
    }
    const Model m = parse_model(member(j, "problem"));
    const auto theta = numbers(member(member(j, "problem"), "point"), "problem.point");
    if (theta.size() != m.parameters()) {
      throw Reject("problem.point: " + std::to_string(m.parameters()) + " entries expected");
    }
    const auto& facts = member(j, "facts");
    if (!facts.is_array() || facts.empty()) throw Reject("facts: a non-empty array expected");
    const json* box = nullptr;  // the box of the krawczyk (or krawczyk-image) fact, once verified
    json image_box;             // the box of a krawczyk-image fact
    bool box_critical = false;  // the box holds a critical point of this problem (krawczyk)
    bool critical = false, not_critical = false, not_extremum = false;
    long manifold = 0;      // dimension of a verified manifold of critical points through θ
    long box_manifold = 0;  // the same through the critical point in the box (a split)
    long box_kernel = 0;    // a lower bound on the nullity there (family and Lemma K)
    std::optional<Split> last_split;  // the split of the box, for a path from its critical point
    bool exact_inertia = false;       // at_point comes from an exact LDLᵀ of the Hessian
    std::vector<long> at_point, over_box;  // verified inertias
    for (const auto& f : facts) {
      ++index;
      kind = member(f, "kind").get<std::string>();
      std::string what;
      if (kind == "critical") {
        what = check_critical(m, theta);
        critical = true;
      } else if (kind == "critical-ball") {
        what = check_critical_balls(m, theta, member(f, "bits").get<long>());
        critical = true;
      } else if (kind == "kernel") {
        what = check_kernel(m, theta, f);
      } else if (kind == "hessian-zero") {
        what = check_hessian_zero(m, theta, member(f, "bits").get<long>());
      } else if (kind == "loss") {
        what = check_loss(m, theta, f);
      } else if (kind == "not-critical") {
        what = f.contains("bits") ? check_not_critical(m, theta, f.at("bits").get<long>())
                                  : check_not_critical_exact(m, theta);
        not_critical = true;
      } else if (kind == "inertia-ldlt") {
        what = check_ldlt(m, theta, f);
        if (!f.at("matrix").is_array()) {
          at_point = member(f, "inertia").get<std::vector<long>>();
          exact_inertia = true;
        }
      } else if (kind == "inertia-cluster") {
        const bool on_box = f.value("at", std::string("point")) == "box";
        if (on_box && box == nullptr)
          throw Reject("\"at\": \"box\" needs a krawczyk fact before it");
        what = check_cluster(m, theta, f, on_box ? box : nullptr, box_critical);
        // only an inertia over a box that holds a critical point of this problem, and only
        // until another box is given, can support a conclusion
        const auto inertia = member(f, "inertia").get<std::vector<long>>();
        if (!on_box) {
          at_point = inertia;
          exact_inertia = false;
        } else if (box_critical) {
          over_box = inertia;
          if (box_kernel > 0) {
            // the family's tangent space at M·θ* lies in ker H there (differentiate ∇L = 0
            // along the family), and so do Lemma K's directions: at least box_kernel
            // eigenvalues are 0, and they are in the cluster
            if (inertia[2] < box_kernel) {
              throw Reject("the cluster has " + std::to_string(inertia[2]) +
                           " eigenvalues, fewer than the " + std::to_string(box_kernel) +
                           " known zero eigenvalues at the split's critical point");
            }
            if (inertia[2] == box_kernel) {
              what += "; at the critical point M·θ* the " + std::to_string(box_kernel) +
                      " cluster eigenvalues are exactly 0 (its nullity is " +
                      std::to_string(box_kernel) + ")";
            }
          }
        }
      } else if (kind == "krawczyk") {
        what = check_krawczyk(m, theta, f);
        box = &f;
        box_critical = true;
        box_manifold = 0;
        box_kernel = 0;
        last_split.reset();
        over_box.clear();
      } else if (kind == "krawczyk-image") {
        image_box = check_krawczyk_image(theta, f, what);
        box = &image_box;
        box_critical = false;
        box_manifold = 0;
        box_kernel = 0;
        last_split.reset();
        over_box.clear();
      } else if (kind == "krawczyk-split") {
        SplitImage split = check_krawczyk_split(m, member(j, "problem"), theta, f, what);
        image_box = std::move(split.box);
        box = &image_box;
        box_critical = true;  // M·θ* is a critical point of this problem in the box
        box_manifold = split.manifold;
        box_kernel = split.kernel;
        last_split = std::move(split.split);
        over_box.clear();
      } else if (kind == "critical-manifold") {
        manifold = check_critical_manifold(m, theta, f, what);
        critical = true;
      } else if (kind == "activation-rank") {
        what = check_activation_rank(m, theta, f);
      } else if (kind == "third-order") {
        what = check_third_order(m, theta, f);
        not_extremum = true;
      } else if (kind == "congruence") {
        what = check_congruence(m, theta, f);
      } else if (kind == "path") {
        what = check_path(m, theta, f);
        if (f.contains("split_vertices")) {
          if (!last_split) throw Reject("split_vertices: needs a krawczyk-split fact before it");
          what += check_path_from_split(m, *last_split, f);
        }
      } else {
        throw Reject("unknown fact kind '" + kind + "'");
      }
      lines += "\n  fact " + std::to_string(index) + " (" + kind + "): " + what;
    }
    if (j.contains("conclusion") && j.at("conclusion") == "minimum") {
      kind = "conclusion";
      lines += "\n  conclusion: " + check_minimum(static_cast<long>(m.parameters()),
                                                  manifold,
                                                  exact_inertia,
                                                  at_point,
                                                  box_manifold,
                                                  over_box);
    } else if (j.contains("conclusion") && j.at("conclusion") == "not-extremum") {
      kind = "conclusion";
      if (!not_extremum) throw Reject("not-extremum needs a verified third-order fact");
      lines += "\n  conclusion: not-extremum (neither a local minimum nor a local maximum)";
    } else if (j.contains("conclusion") && j.at("conclusion") == "not-critical") {
      kind = "conclusion";
      if (!not_critical) throw Reject("not-critical needs a verified not-critical fact");
      lines += "\n  conclusion: not-critical";
    } else if (j.contains("conclusion")) {
      kind = "conclusion";
      lines += "\n  conclusion: " + check_conclusion(j.at("conclusion").get<std::string>(),
                                                     static_cast<long>(m.parameters()),
                                                     critical,
                                                     at_point,
                                                     box_critical,
                                                     over_box);
    }
    out.verified = true;
    // The statement is the producer's wording, not checked; what is verified are the lines below.
    out.text = "\n  stated by the producer (not itself checked): " +
               member(j, "statement").get<std::string>() + lines;
  } catch (const Reject& e) {
    out.text = (index > 0 ? "fact " + std::to_string(index) + " (" + kind + "): " : "") + e.what();
  } catch (const std::exception& e) {  // a JSON member of the wrong type, and the like
    out.text = (index > 0 ? "fact " + std::to_string(index) + " (" + kind + "): " : "") +
               "malformed certificate: " + e.what();
  }
  return out;
}

}  // namespace
}  // namespace verify

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h") {
    std::cerr << "usage: locus-verify FILE_OR_DIR...\n"
                 "Re-checks locus-certificate/1 files (a directory: every *.json in it) with its "
                 "own arithmetic;\nprints VERIFIED or REJECTED per certificate; exit status 1 if "
                 "any is rejected.\n";
    return argc < 2 ? 2 : 0;
  }
  std::vector<fs::path> files;
  for (int a = 1; a < argc; ++a) {
    const fs::path p(argv[a]);
    if (fs::is_directory(p)) {
      std::vector<fs::path> found;
      for (const auto& e : fs::directory_iterator(p)) {
        if (e.path().extension() == ".json") found.push_back(e.path());
      }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::exists(p)) {
      files.push_back(p);
    } else {
      std::cerr << "locus-verify: " << p << " does not exist\n";
      return 2;
    }
  }
  long rejected = 0;
  for (const auto& file : files) {
    const auto outcome = verify::check_file(file);
    std::cout << (outcome.verified ? "VERIFIED " : "REJECTED ") << file.string()
              << (outcome.verified ? "" : ": ") << outcome.text << "\n";
    if (!outcome.verified) ++rejected;
  }
  std::cout << files.size() - static_cast<std::size_t>(rejected) << " verified, " << rejected
            << " rejected\n";
  flint_cleanup();
  return rejected > 0 ? 1 : 0;
}
