// The counterexample search (locus/api/search.hpp, docs/search.md): restarts, NLopt's Sbplx on the
// violation margin, certification by the claim's own check, and shrinking.
#include "locus/api/search.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "locus/error.hpp"
#include "locus/version.hpp"

#include <fmt/format.h>

#include <nlopt.h>

namespace locus::api {

namespace {

using Clock = std::chrono::steady_clock;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The continuous parameters the optimiser moves: data entries, knobs, and θ when allowed.
struct Layout {
  long inputs = 0, targets = 0, knobs = 0, point = 0;
  [[nodiscard]] long size() const { return inputs + targets + knobs + point; }
};

Layout layout_of(const SearchCandidate& c, bool move_point) {
  Layout l;
  l.inputs = static_cast<long>(c.problem.data.inputs.size());
  // cross-entropy targets are probability vectors: not moved
  l.targets = c.problem.network.loss == LossKind::Squared
                  ? static_cast<long>(c.problem.data.targets.size())
                  : 0;
  l.knobs = static_cast<long>(c.knobs.size());
  l.point = move_point && c.problem.point ? static_cast<long>(c.problem.point->size()) : 0;
  return l;
}

std::vector<double> pack(const SearchCandidate& c, const Layout& l) {
  std::vector<double> x;
  x.reserve(static_cast<std::size_t>(l.size()));
  const auto& in = c.problem.data.inputs;
  for (Eigen::Index i = 0; i < in.size(); ++i) x.push_back(to_double_nearest(in(i)));
  const auto& t = c.problem.data.targets;
  for (Eigen::Index i = 0; i < l.targets; ++i) x.push_back(to_double_nearest(t(i)));
  for (double k : c.knobs) x.push_back(k);
  for (long i = 0; i < l.point; ++i) x.push_back(to_double_nearest((*c.problem.point)(i)));
  return x;
}

SearchCandidate unpack(const SearchCandidate& base, const Layout& l, const double* x) {
  SearchCandidate c = base;
  long k = 0;
  auto& in = c.problem.data.inputs;
  for (Eigen::Index i = 0; i < in.size(); ++i) in(i) = Rational(x[k++]);
  auto& t = c.problem.data.targets;
  for (Eigen::Index i = 0; i < l.targets; ++i) t(i) = Rational(x[k++]);
  for (auto& v : c.knobs) v = x[k++];
  for (long i = 0; i < l.point; ++i) (*c.problem.point)(i) = Rational(x[k++]);
  return c;
}

// The nearest multiple of 1/d (ties away from 0), exactly.
Rational round_to(const Rational& v, long d) {
  const Rational s = v * d;
  Integer q = (numerator(abs(s)) * 2 + denominator(s)) / (denominator(s) * 2);
  if (s < 0) q = -q;
  return Rational(q, Integer(d));
}

Rational round_to(double v, long d) {
  return round_to(Rational(v), d);
}

SearchCandidate without_sample(const SearchCandidate& c, Eigen::Index drop) {
  SearchCandidate out = c;
  const auto& in = c.problem.data.inputs;
  const auto& t = c.problem.data.targets;
  Mat<Rational> ni(in.rows() - 1, in.cols()), nt(t.rows() - 1, t.cols());
  for (Eigen::Index i = 0, r = 0; i < in.rows(); ++i) {
    if (i == drop) continue;
    ni.row(r) = in.row(i);
    nt.row(r) = t.row(i);
    ++r;
  }
  out.problem.data.inputs = ni;
  out.problem.data.targets = nt;
  return out;
}

// Removes unit j of hidden layer l (its incoming row and outgoing column).
SearchCandidate without_unit(const SearchCandidate& c, int layer, int unit) {
  SearchCandidate out = c;
  const Network& net = c.problem.network;
  Network small = net;
  small.widths[static_cast<std::size_t>(layer)] -= 1;
  out.problem.network = small;
  if (!c.problem.point) return out;
  const Vec<Rational>& th = *c.problem.point;
  Vec<Rational> st(small.num_parameters());
  const auto map = [&](int l, int idx) {  // the small index of unit idx in layer l, or -1
    if (l != layer) return idx;
    return idx == unit ? -1 : (idx > unit ? idx - 1 : idx);
  };
  for (int m = 1; m <= net.num_layers(); ++m) {
    for (int j = 0; j < net.width(m); ++j) {
      const int sj = map(m, j);
      if (sj < 0) continue;
      for (int k = 0; k < net.input_columns(m); ++k) {
        const bool bias = k >= net.width(m - 1);
        const int sk = bias ? small.width(m - 1) : map(m - 1, k);
        if (sk < 0) continue;
        st(small.augmented_index(m, sj, sk)) = th(net.augmented_index(m, j, k));
      }
    }
  }
  out.problem.point = st;
  return out;
}

bool certified_violation(const claims::InstanceResult& r) {
  return r.decided && !r.holds && r.evidence.proves();
}

class Searcher {
 public:
  Searcher(const SearchSpace& space,
           const SearchOptions& o,
           const std::function<void(const std::string&)>& progress)
      : s_(space), o_(o), progress_(progress), t0_(Clock::now()) {}

  SearchOutcome run() {
    out_.claim = s_.claim;
    restarts();
    if (!out_.found) optimise();
    if (out_.found && o_.shrink) shrink();
    if (out_.found) finish();
    out_.seconds = elapsed();
    return std::move(out_);
  }

 private:
  [[nodiscard]] double elapsed() const {
    return std::chrono::duration<double>(Clock::now() - t0_).count();
  }
  [[nodiscard]] bool over() const { return elapsed() >= o_.max_seconds; }

  void log(std::string phase, std::uint32_t seed, double margin, std::string note) {
    SearchTry t{std::move(phase), seed, margin, std::move(note), elapsed()};
    if (progress_) {
      progress_(
          fmt::format("[{:7.2f} s] {:<8} seed {:<6} margin {:<12} {}",
                      t.seconds,
                      t.phase,
                      t.seed,
                      std::isnan(t.margin) ? std::string("-") : fmt::format("{:.4g}", t.margin),
                      t.note));
    }
    out_.log.push_back(std::move(t));
  }

  std::optional<SearchCandidate> polish(const SearchCandidate& c) {
    if (!s_.polish) return c;
    try {
      polish_error_ = "polishing failed";
      return s_.polish(c);
    } catch (const std::exception& e) {
      polish_error_ = fmt::format("polishing failed: {}", e.what());
      return std::nullopt;
    }
  }

  double margin(const SearchCandidate& c) {
    ++out_.evaluations;
    try {
      const double m = s_.margin(c);
      return std::isfinite(m) ? m : std::numeric_limits<double>::infinity();
    } catch (const std::exception&) {
      return std::numeric_limits<double>::infinity();
    }
  }

  // Certifies a polished candidate; records and returns true on a certified violation.
  bool certify(const SearchCandidate& c, const std::string& phase) {
    ++out_.certifications;
    claims::InstanceResult r;
    try {
      r = s_.certify(c);
    } catch (const std::exception& e) {
      log("certify", c.seed, kNaN, fmt::format("not decided: {}", e.what()));
      return false;
    }
    const bool v = certified_violation(r);
    log("certify",
        c.seed,
        kNaN,
        fmt::format("{} ({}): {}",
                    v            ? "certified violation"
                    : !r.decided ? "undecided"
                    : r.holds    ? "the claim holds here"
                                 : "violated, not certified",
                    r.evidence.arithmetic().empty() ? "-" : r.evidence.arithmetic(),
                    r.detail));
    if (!v) return false;
    out_.found = true;
    out_.found_in = phase;
    out_.found_seed = c.seed;
    out_.origin = c.origin;
    out_.seconds_to_find = elapsed();
    out_.certificate = r;
    best_ = c;
    return true;
  }

  void restarts() {
    out_.best_margin = std::numeric_limits<double>::infinity();
    for (int k = 0; k < o_.restarts && !over(); ++k) {
      const std::uint32_t seed = o_.seed + static_cast<std::uint32_t>(k);
      ++out_.restarts;
      SearchCandidate c;
      try {
        c = s_.sample(seed);
        c.seed = seed;
      } catch (const std::exception& e) {
        log("restart", seed, kNaN, fmt::format("no candidate: {}", e.what()));
        continue;
      }
      const auto p = polish(c);
      if (!p) {
        log("restart", seed, kNaN, fmt::format("{}: {}", c.origin, polish_error_));
        continue;
      }
      const double m = margin(*p);
      out_.best_margin = std::min(out_.best_margin, m);
      std::string parts;
      if (s_.explain) {
        try {
          parts = "; " + s_.explain(*p);
        } catch (const std::exception& e) {
          parts = fmt::format("; {}", e.what());
        }
      }
      log("restart",
          seed,
          m,
          fmt::format("{}, N = {}, {}{}",
                      p->problem.network.describe(),
                      p->problem.data.size(),
                      p->origin,
                      parts));
      pool_.emplace_back(m, *p);
      if (m < 0 && certify(*p, "restart")) return;
    }
  }

  void optimise() {
    std::stable_sort(
        pool_.begin(), pool_.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (int r = 0; r < o_.optimiser_runs && r < static_cast<int>(pool_.size()) && !over(); ++r) {
      if (!std::isfinite(pool_[static_cast<std::size_t>(r)].first)) break;
      if (optimise_from(pool_[static_cast<std::size_t>(r)].second)) return;
    }
  }

  struct Objective {
    Searcher* self;
    SearchCandidate base;
    Layout layout;
    SearchCandidate current;  // the last polished candidate (warm start)
    double best = std::numeric_limits<double>::infinity();
    std::optional<SearchCandidate> best_candidate;
  };

  static double objective(unsigned n, const double* x, double* grad, void* data) {
    (void)n;
    (void)grad;  // derivative-free
    auto* o = static_cast<Objective*>(data);
    SearchCandidate c = unpack(o->base, o->layout, x);
    if (o->layout.point == 0 && o->current.problem.point)
      c.problem.point = o->current.problem.point;
    const auto p = o->self->polish(c);
    if (!p) return o->best + 1;  // a failed polish is worse than anything seen
    const double m = o->self->margin(*p);
    if (!std::isfinite(m)) return o->best + 1;
    o->current = *p;
    if (m < o->best) {
      o->best = m;
      o->best_candidate = *p;
    }
    return m;
  }

  bool optimise_from(const SearchCandidate& start) {
    Objective obj{this, start, layout_of(start, s_.move_point), start, {}, {}};
    obj.best = margin(start);
    obj.best_candidate = start;
    const auto n = static_cast<unsigned>(obj.layout.size());
    if (n == 0) return false;
    std::vector<double> x = pack(start, obj.layout), lb(n), ub(n), step(n);
    for (unsigned i = 0; i < n; ++i) {
      const double scale = std::max(1.0, std::abs(x[i]));
      lb[i] = x[i] - 4 * scale;
      ub[i] = x[i] + 4 * scale;
      step[i] = 0.25 * scale;
    }
    const long k0 = obj.layout.inputs + obj.layout.targets;
    for (long k = 0; k < obj.layout.knobs; ++k) {
      const auto& b = s_.knob_bounds[static_cast<std::size_t>(k)];
      const auto i = static_cast<std::size_t>(k0 + k);
      lb[i] = b.first;
      ub[i] = b.second;
      x[i] = std::clamp(x[i], b.first, b.second);
      step[i] = 0.1 * (b.second - b.first);
    }
    nlopt_opt opt = nlopt_create(NLOPT_LN_SBPLX, n);
    nlopt_set_min_objective(opt, objective, &obj);
    nlopt_set_lower_bounds(opt, lb.data());
    nlopt_set_upper_bounds(opt, ub.data());
    nlopt_set_initial_step(opt, step.data());
    nlopt_set_stopval(opt, -o_.target_margin);
    nlopt_set_maxeval(opt, o_.optimiser_evaluations);
    nlopt_set_maxtime(opt, std::max(0.1, o_.max_seconds - elapsed()));
    double f = 0;
    const nlopt_result status = nlopt_optimize(opt, x.data(), &f);
    nlopt_destroy(opt);
    out_.best_margin = std::min(out_.best_margin, obj.best);
    log("optimise",
        start.seed,
        obj.best,
        fmt::format("Sbplx from margin {:.4g}: {} (NLopt status {})",
                    pool_margin(start),
                    obj.best < 0 ? "crossed zero" : "did not cross zero",
                    static_cast<int>(status)));
    if (obj.best < 0 && obj.best_candidate) {
      return certify(*obj.best_candidate, "optimise");
    }
    return false;
  }

  double pool_margin(const SearchCandidate& c) const {
    for (const auto& [m, p] : pool_) {
      if (p.seed == c.seed) return m;
    }
    return kNaN;
  }

  // Tries one shrinking move; accepts it when the violation stays certified.
  bool try_move(const SearchCandidate& moved, const std::string& what) {
    const auto p = polish(moved);
    if (!p) return false;
    const double m = margin(*p);
    if (!(m < 0)) return false;
    ++out_.certifications;
    claims::InstanceResult r;
    try {
      r = s_.certify(*p);
    } catch (const std::exception&) {
      return false;
    }
    if (!certified_violation(r)) return false;
    best_ = *p;
    out_.certificate = r;
    out_.shrink_steps.push_back(what);
    log("shrink", p->seed, m, fmt::format("accepted: {}", what));
    return true;
  }

  // Rounds single entries of the data and the knobs; true when some entry was rounded.
  template <class Budget>
  bool round_entries(const Budget& budget_left) {
    bool any = false;
    const auto try_entry = [&](auto&& get, const std::string& name) {
      for (long d = 1; d <= o_.max_denominator && budget_left(); d *= 2) {
        SearchCandidate r = best_;
        Rational& v = get(r);
        const Rational rounded = round_to(v, d);
        if (rounded == v) return;  // already a multiple of 1/d
        v = rounded;
        if (try_move(r, fmt::format("round {} to a multiple of 1/{}", name, d))) {
          any = true;
          return;
        }
      }
    };
    const auto& in = best_.problem.data.inputs;
    for (Eigen::Index i = 0; i < in.rows() && budget_left(); ++i) {
      for (Eigen::Index k = 0; k < in.cols(); ++k) {
        try_entry([i, k](SearchCandidate& c) -> Rational& { return c.problem.data.inputs(i, k); },
                  fmt::format("input ({}, {})", i, k));
      }
    }
    if (best_.problem.network.loss == LossKind::Squared) {
      const auto& t = best_.problem.data.targets;
      for (Eigen::Index i = 0; i < t.rows() && budget_left(); ++i) {
        for (Eigen::Index k = 0; k < t.cols(); ++k) {
          try_entry(
              [i, k](SearchCandidate& c) -> Rational& { return c.problem.data.targets(i, k); },
              fmt::format("target ({}, {})", i, k));
        }
      }
    }
    for (std::size_t k = 0; k < best_.knobs.size() && budget_left(); ++k) {
      const auto& b = s_.knob_bounds[k];
      for (long d = 2; d <= o_.max_denominator && budget_left(); d *= 2) {
        const double v = to_double_nearest(round_to(best_.knobs[k], d));
        if (v == best_.knobs[k]) break;
        if (!(v > b.first && v < b.second)) continue;
        SearchCandidate r = best_;
        r.knobs[k] = v;
        if (try_move(r, fmt::format("round knob {} to a multiple of 1/{}", k, d))) {
          any = true;
          break;
        }
      }
    }
    return any;
  }

  void shrink() {
    const auto t_start = elapsed();
    const auto budget_left = [&] { return elapsed() - t_start < o_.shrink_seconds; };
    out_.samples_before = static_cast<long>(best_.problem.data.size());
    out_.parameters_before = static_cast<long>(best_.problem.network.num_parameters());
    bool changed = true;
    while (changed && budget_left()) {
      changed = false;
      // drop samples, last first
      for (Eigen::Index i = best_.problem.data.size() - 1;
           i >= 0 && best_.problem.data.size() > s_.min_samples && budget_left();
           --i) {
        if (try_move(without_sample(best_, i), fmt::format("drop sample {}", i))) {
          changed = true;
          break;
        }
      }
      if (changed) continue;
      // drop hidden units
      const Network& net = best_.problem.network;
      for (int l = 1; l < net.num_layers() && !changed && budget_left(); ++l) {
        for (int j = net.width(l) - 1; j >= 0 && net.width(l) > s_.min_units && budget_left();
             --j) {
          if (try_move(without_unit(best_, l, j), fmt::format("drop unit {} of layer {}", j, l))) {
            changed = true;
            break;
          }
        }
      }
      if (changed) continue;
      // fewer knobs (e.g. one split fewer), the last first
      for (std::size_t k = best_.knobs.size(); k-- > s_.min_knobs && !changed && budget_left();) {
        SearchCandidate r = best_;
        r.knobs.erase(r.knobs.begin() + static_cast<std::ptrdiff_t>(k));
        if (try_move(r, fmt::format("drop knob {}", k))) changed = true;
      }
      if (changed) continue;
      // round data (and knobs, and θ when not polished) to multiples of 1/d, coarsest first
      for (long d = 1; d <= o_.max_denominator && !changed && budget_left(); d *= 2) {
        SearchCandidate r = best_;
        bool differs = false;
        const auto round_all = [&](Mat<Rational>& m) {
          for (Eigen::Index i = 0; i < m.size(); ++i) {
            const Rational v = round_to(m(i), d);
            differs = differs || v != m(i);
            m(i) = v;
          }
        };
        round_all(r.problem.data.inputs);
        if (r.problem.network.loss == LossKind::Squared) round_all(r.problem.data.targets);
        for (std::size_t k = 0; k < r.knobs.size(); ++k) {
          const double v = to_double_nearest(round_to(r.knobs[k], d));
          const auto& b = s_.knob_bounds[k];
          if (v > b.first && v < b.second) {
            differs = differs || v != r.knobs[k];
            r.knobs[k] = v;
          }
        }
        if (s_.move_point && r.problem.point) {
          for (Eigen::Index i = 0; i < r.problem.point->size(); ++i) {
            const Rational v = round_to((*r.problem.point)(i), d);
            differs = differs || v != (*r.problem.point)(i);
            (*r.problem.point)(i) = v;
          }
        }
        if (differs && try_move(r, fmt::format("round to multiples of 1/{}", d))) changed = true;
      }
      if (changed) continue;
      // one data entry (or knob) at a time, to the coarsest multiple of 1/d that keeps it
      changed = round_entries(budget_left);
    }
    out_.samples_after = static_cast<long>(best_.problem.data.size());
    out_.parameters_after = static_cast<long>(best_.problem.network.num_parameters());
  }

  void finish() {
    Problem p = out_.certificate.counterexample ? *out_.certificate.counterexample : best_.problem;
    p.provenance = {{"command", "locus search"},
                    {"claim", s_.claim},
                    {"statement", s_.statement},
                    {"violation", out_.certificate.detail},
                    {"arithmetic", out_.certificate.evidence.arithmetic()},
                    {"search_seed", o_.seed},
                    {"candidate_seed", out_.found_seed},
                    {"found_in", out_.found_in},
                    {"origin", out_.origin},
                    {"shrink_steps", out_.shrink_steps},
                    {"version", kVersion}};
    out_.counterexample = std::move(p);
    if (!o_.shrink) {
      out_.samples_before = out_.samples_after = static_cast<long>(best_.problem.data.size());
      out_.parameters_before = out_.parameters_after =
          static_cast<long>(best_.problem.network.num_parameters());
    }
  }

  const SearchSpace& s_;
  const SearchOptions& o_;
  const std::function<void(const std::string&)>& progress_;
  Clock::time_point t0_;
  SearchOutcome out_;
  std::vector<std::pair<double, SearchCandidate>> pool_;
  SearchCandidate best_;
  std::string polish_error_;
};

}  // namespace

SearchOutcome search(const SearchSpace& space,
                     const SearchOptions& options,
                     const std::function<void(const std::string&)>& progress) {
  if (!(options.max_seconds > 0) || options.restarts < 1 || options.optimiser_evaluations < 1 ||
      options.optimiser_runs < 0 || !(options.shrink_seconds >= 0) || options.max_denominator < 1 ||
      !(options.target_margin >= 0)) {
    throw InvalidArgument(fmt::format(
        "search budgets: max-seconds {} (> 0), restarts {} (>= 1), evaluations {} (>= 1), "
        "optimiser runs {} (>= 0), shrink-seconds {} (>= 0), max denominator {} (>= 1), target "
        "margin {} (>= 0)",
        options.max_seconds,
        options.restarts,
        options.optimiser_evaluations,
        options.optimiser_runs,
        options.shrink_seconds,
        options.max_denominator,
        options.target_margin));
  }
  if (!space.sample || !space.margin || !space.certify) {
    throw InvalidArgument(
        fmt::format("claim {}: its search space lacks sample, margin or certify", space.claim));
  }
  return Searcher(space, options, progress).run();
}

nlohmann::json to_json(const SearchOutcome& s, const SearchOptions& o) {
  nlohmann::json j;
  j["claim"] = s.claim;
  j["found"] = s.found;
  j["budget"] = {{"seed", o.seed},
                 {"restarts", o.restarts},
                 {"max_seconds", o.max_seconds},
                 {"optimiser_runs", o.optimiser_runs},
                 {"optimiser_evaluations", o.optimiser_evaluations},
                 {"target_margin", o.target_margin},
                 {"shrink", o.shrink},
                 {"shrink_seconds", o.shrink_seconds},
                 {"max_denominator", o.max_denominator}};
  j["restarts"] = s.restarts;
  j["evaluations"] = s.evaluations;
  j["certifications"] = s.certifications;
  j["best_margin"] = std::isfinite(s.best_margin) ? nlohmann::json(s.best_margin) : nullptr;
  j["seconds"] = s.seconds;
  if (s.found) {
    j["seconds_to_find"] = s.seconds_to_find;
    j["found_in"] = s.found_in;
    j["candidate_seed"] = s.found_seed;
    j["origin"] = s.origin;
    j["violation"] = s.certificate.detail;
    j["arithmetic"] = s.certificate.evidence.arithmetic();
    j["shrink_steps"] = s.shrink_steps;
    j["samples"] = {{"before", s.samples_before}, {"after", s.samples_after}};
    j["parameters"] = {{"before", s.parameters_before}, {"after", s.parameters_after}};
  }
  j["log"] = nlohmann::json::array();
  for (const auto& t : s.log) {
    j["log"].push_back(
        {{"phase", t.phase},
         {"seed", t.seed},
         {"margin", std::isnan(t.margin) ? nlohmann::json(nullptr) : nlohmann::json(t.margin)},
         {"note", t.note},
         {"seconds", t.seconds}});
  }
  return j;
}

}  // namespace locus::api
