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
#include "locus/parallel/distributed.hpp"
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

// Doubles as exchanged between ranks: to the last bit (hexadecimal floating point; inf and nan
// too).
std::string hex(double v) {
  return fmt::format("{:a}", v);
}
double unhex(const nlohmann::json& j) {
  return std::strtod(j.get<std::string>().c_str(), nullptr);
}

nlohmann::json candidate_to_wire(const SearchCandidate& c) {
  nlohmann::json knobs = nlohmann::json::array();
  for (const double k : c.knobs) knobs.push_back(hex(k));
  // the problem file's members, and apart the members a search space adds (e.g. teacher_point),
  // which a problem file does not have
  nlohmann::json problem = problem_to_json(c.problem);
  if (c.problem.extra.is_object()) {
    for (const auto& [key, value] : c.problem.extra.items()) problem.erase(key);
  }
  return {{"problem", problem.dump()},
          {"extra", c.problem.extra.dump()},
          {"knobs", knobs},
          {"seed", c.seed},
          {"origin", c.origin}};
}

SearchCandidate candidate_from_wire(const nlohmann::json& j) {
  SearchCandidate c;
  c.problem = parse_problem(j.at("problem").get<std::string>(), "search candidate");
  c.problem.extra = nlohmann::json::parse(j.at("extra").get<std::string>());
  for (const auto& k : j.at("knobs")) c.knobs.push_back(unhex(k));
  c.seed = j.at("seed");
  c.origin = j.at("origin");
  return c;
}

// What one task of the search (a restart, an optimiser run, a shrinking move) did: its log lines,
// its counts, and what it found. Tasks run on one rank each under mpirun; their records are
// exchanged and merged in task order, so that every rank holds the one-process outcome.
struct Record {
  std::vector<SearchTry> log;
  int restarts = 0, evaluations = 0, certifications = 0;
  double best_margin = std::numeric_limits<double>::infinity();
  std::optional<std::pair<double, SearchCandidate>> pooled;  // a restart's polished candidate
  std::optional<SearchCandidate> found;  // a certified violation (or an accepted shrinking move)
  std::string found_in, shrink_step;
  double seconds_to_find = -1;
  // The certified check of `found`: kept on the rank that computed it, never sent (evidence is
  // typed; another rank re-checks the final counterexample itself).
  std::optional<claims::InstanceResult> certificate;
  std::string error;        // an unexpected failure, rethrown on every rank
  bool superseded = false;  // stopped: a task with a lower index succeeded on another rank
};

// Thrown inside a task when a task with a lower index succeeded on another rank (not an
// std::exception, so that no catch of the claim's failures takes it).
struct Superseded {};

nlohmann::json record_to_wire(const Record& r) {
  nlohmann::json log = nlohmann::json::array();
  for (const auto& t : r.log) {
    log.push_back({t.phase, t.seed, hex(t.margin), t.note, hex(t.seconds)});
  }
  nlohmann::json j = {{"log", log},
                      {"restarts", r.restarts},
                      {"evaluations", r.evaluations},
                      {"certifications", r.certifications},
                      {"best_margin", hex(r.best_margin)},
                      {"found_in", r.found_in},
                      {"shrink_step", r.shrink_step},
                      {"seconds_to_find", hex(r.seconds_to_find)},
                      {"error", r.error},
                      {"superseded", r.superseded}};
  if (r.pooled) j["pooled"] = {hex(r.pooled->first), candidate_to_wire(r.pooled->second)};
  if (r.found) j["found"] = candidate_to_wire(*r.found);
  return j;
}

Record record_from_wire(const nlohmann::json& j) {
  Record r;
  for (const auto& t : j.at("log")) {
    r.log.push_back({t.at(0), t.at(1), unhex(t.at(2)), t.at(3), unhex(t.at(4))});
  }
  r.restarts = j.at("restarts");
  r.evaluations = j.at("evaluations");
  r.certifications = j.at("certifications");
  r.best_margin = unhex(j.at("best_margin"));
  r.found_in = j.at("found_in");
  r.shrink_step = j.at("shrink_step");
  r.seconds_to_find = unhex(j.at("seconds_to_find"));
  r.error = j.at("error");
  r.superseded = j.at("superseded");
  if (j.contains("pooled")) {
    r.pooled.emplace(unhex(j["pooled"].at(0)), candidate_from_wire(j["pooled"].at(1)));
  }
  if (j.contains("found")) r.found = candidate_from_wire(j.at("found"));
  return r;
}

// The search, one code path for one process and for several MPI ranks. Its restarts, optimiser
// runs and shrinking moves are tasks tried in a fixed order until the first success; under mpirun
// the ranks run the next R tasks at once (rank k the k-th), exchange their records and keep those
// up to the first success, which is exactly what one process trying them in order keeps. Only the
// wall-clock budgets can make the outcomes differ: the ranks follow rank 0's clock.
class Searcher {
 public:
  Searcher(const SearchSpace& space,
           const SearchOptions& o,
           const std::function<void(const std::string&)>& progress)
      : s_(space), o_(o), progress_(progress), t0_(Clock::now()), ranks_(mpi_ranks()) {}

  SearchOutcome run() {
    out_.claim = s_.claim;
    out_.best_margin = std::numeric_limits<double>::infinity();
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

  // Rank 0's answer on every rank (collective): the budgets follow one clock.
  [[nodiscard]] bool agreed(bool mine) const {
    if (ranks_.size == 1) return mine;
    return all_gather(mine ? "1" : "0").front() == "1";
  }

  void log(std::string phase, std::uint32_t seed, double margin, std::string note) {
    rec_->log.push_back({std::move(phase), seed, margin, std::move(note), elapsed()});
  }

  // Runs tasks first, first + 1, ... (at most `count`, while `more` holds on rank 0) until one
  // succeeds, merging their records in order; returns the index of the successful one.
  // `succeeded` says whether a record is a success; everything after it is dropped.
  std::optional<std::size_t> first_success(std::size_t first,
                                           std::size_t count,
                                           const std::function<void(std::size_t)>& task,
                                           const std::function<bool(const Record&)>& succeeded,
                                           const std::function<bool()>& more) {
    const auto size = static_cast<std::size_t>(ranks_.size);
    for (std::size_t base = first; base < first + count; base += size) {
      if (base > first && !agreed(more())) break;
      const std::size_t mine = base + static_cast<std::size_t>(ranks_.rank);
      Record local;
      if (mine < first + count) {
        rec_ = &local;
        task_ = mine;
        if (size == 1) {
          task(mine);
        } else {
          try {
            task(mine);
          } catch (const Superseded&) {
            local = Record{};
            local.superseded = true;
          } catch (const std::exception& e) {
            local.error = fmt::format("search task {} on rank {}: {}", mine, ranks_.rank, e.what());
          }
        }
        rec_ = nullptr;
      }
      std::vector<Record> round;
      if (size == 1) {
        round.push_back(std::move(local));
      } else {
        for (const std::string& text : all_gather(record_to_wire(local).dump())) {
          round.push_back(record_from_wire(nlohmann::json::parse(text)));
        }
        std::vector<int> announcers;
        for (std::size_t k = 0; k < round.size(); ++k) {
          if (!round[k].error.empty()) throw Error(round[k].error);
          if (succeeded(round[k])) announcers.push_back(static_cast<int>(k));
        }
        notices_.settle(announcers);
        // this rank's own record keeps its certificate
        round[static_cast<std::size_t>(ranks_.rank)].certificate = std::move(local.certificate);
      }
      for (std::size_t k = 0; k < round.size() && base + k < first + count; ++k) {
        if (round[k].superseded) {
          throw Error(
              fmt::format("search task {} was stopped, but no earlier task succeeded", base + k));
        }
        merge(round[k]);
        if (succeeded(round[k])) return base + k;
      }
    }
    return std::nullopt;
  }

  void merge(Record& r) {
    for (auto& t : r.log) {
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
    out_.restarts += r.restarts;
    out_.evaluations += r.evaluations;
    out_.certifications += r.certifications;
    out_.best_margin = std::min(out_.best_margin, r.best_margin);
    if (r.pooled) pool_.push_back(std::move(*r.pooled));
    if (!r.found) return;
    best_ = std::move(*r.found);
    certificate_here_ = r.certificate.has_value();
    if (r.certificate) out_.certificate = std::move(*r.certificate);
    if (!r.shrink_step.empty()) {
      out_.shrink_steps.push_back(r.shrink_step);
      return;
    }
    out_.found = true;
    out_.found_in = r.found_in;
    out_.found_seed = best_.seed;
    out_.origin = best_.origin;
    out_.seconds_to_find = r.seconds_to_find;
  }

  // Stops this rank's task when a task with a lower index succeeded on another rank.
  void check_superseded() {
    if (ranks_.size > 1 && notices_.superseded(task_)) throw Superseded{};
  }

  std::optional<SearchCandidate> polish(const SearchCandidate& c) {
    check_superseded();
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
    check_superseded();
    ++rec_->evaluations;
    try {
      const double m = s_.margin(c);
      return std::isfinite(m) ? m : std::numeric_limits<double>::infinity();
    } catch (const std::exception&) {
      return std::numeric_limits<double>::infinity();
    }
  }

  // Certifies a polished candidate; records and returns true on a certified violation.
  bool certify(const SearchCandidate& c, const std::string& phase) {
    check_superseded();
    ++rec_->certifications;
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
    rec_->found = c;
    rec_->found_in = phase;
    rec_->seconds_to_find = elapsed();
    rec_->certificate = std::move(r);
    notices_.announce(task_);
    return true;
  }

  static bool found(const Record& r) { return r.found.has_value(); }

  void restart(std::size_t k) {
    const std::uint32_t seed = o_.seed + static_cast<std::uint32_t>(k);
    ++rec_->restarts;
    SearchCandidate c;
    try {
      c = s_.sample(seed);
      c.seed = seed;
    } catch (const std::exception& e) {
      log("restart", seed, kNaN, fmt::format("no candidate: {}", e.what()));
      return;
    }
    const auto p = polish(c);
    if (!p) {
      log("restart", seed, kNaN, fmt::format("{}: {}", c.origin, polish_error_));
      return;
    }
    const double m = margin(*p);
    rec_->best_margin = m;
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
    rec_->pooled.emplace(m, *p);
    if (m < 0) certify(*p, "restart");
  }

  void restarts() {
    first_success(
        0,
        static_cast<std::size_t>(o_.restarts),
        [this](std::size_t k) { restart(k); },
        found,
        [this] { return !over(); });
  }

  void optimise() {
    std::stable_sort(
        pool_.begin(), pool_.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::size_t runs = 0;  // the leading candidates with a finite margin, at most optimiser_runs
    while (runs < pool_.size() && static_cast<int>(runs) < o_.optimiser_runs &&
           std::isfinite(pool_[runs].first)) {
      ++runs;
    }
    if (runs == 0 || !agreed(!over())) return;
    first_success(
        0,
        runs,
        [this](std::size_t r) { optimise_from(pool_[r].second); },
        found,
        [this] { return !over(); });
  }

  struct Objective {
    Searcher* self;
    SearchCandidate base;
    Layout layout;
    SearchCandidate current;  // the last polished candidate (warm start)
    double best = std::numeric_limits<double>::infinity();
    std::optional<SearchCandidate> best_candidate;
    nlopt_opt opt = nullptr;
    bool superseded = false;
  };

  static double objective(unsigned n, const double* x, double* grad, void* data) {
    (void)n;
    (void)grad;  // derivative-free
    auto* o = static_cast<Objective*>(data);
    SearchCandidate c = unpack(o->base, o->layout, x);
    if (o->layout.point == 0 && o->current.problem.point)
      c.problem.point = o->current.problem.point;
    std::optional<SearchCandidate> p;
    double m = 0;
    try {  // no C++ exception through NLopt's C frames: a superseded run is stopped instead
      p = o->self->polish(c);
      if (!p) return o->best + 1;  // a failed polish is worse than anything seen
      m = o->self->margin(*p);
    } catch (const Superseded&) {
      o->superseded = true;
      nlopt_force_stop(o->opt);
      return std::numeric_limits<double>::infinity();
    }
    if (!std::isfinite(m)) return o->best + 1;
    o->current = *p;
    if (m < o->best) {
      o->best = m;
      o->best_candidate = *p;
    }
    return m;
  }

  void optimise_from(const SearchCandidate& start) {
    Objective obj{this, start, layout_of(start, s_.move_point), start, {}, {}};
    obj.best = margin(start);
    obj.best_candidate = start;
    const auto n = static_cast<unsigned>(obj.layout.size());
    if (n == 0) return;
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
    obj.opt = opt;
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
    if (obj.superseded) throw Superseded{};
    rec_->best_margin = obj.best;
    log("optimise",
        start.seed,
        obj.best,
        fmt::format("Sbplx from margin {:.4g}: {} (NLopt status {})",
                    pool_margin(start),
                    obj.best < 0 ? "crossed zero" : "did not cross zero",
                    static_cast<int>(status)));
    if (obj.best < 0 && obj.best_candidate) certify(*obj.best_candidate, "optimise");
  }

  double pool_margin(const SearchCandidate& c) const {
    for (const auto& [m, p] : pool_) {
      if (p.seed == c.seed) return m;
    }
    return kNaN;
  }

  // A shrinking move: a change of the current counterexample, made when it is tried. Moves of one
  // group are alternatives (the denominators of one entry): after one is accepted, the search goes
  // on with the next group.
  struct Move {
    std::string what;
    std::function<std::optional<SearchCandidate>()> make;  // none: nothing to change
    int group = 0;
  };

  // Tries one shrinking move; records it when the violation stays certified.
  void try_move(const Move& move) {
    const auto moved = move.make();
    if (!moved) return;
    const auto p = polish(*moved);
    if (!p) return;
    const double m = margin(*p);
    if (!(m < 0)) return;
    check_superseded();
    ++rec_->certifications;
    claims::InstanceResult r;
    try {
      r = s_.certify(*p);
    } catch (const std::exception&) {
      return;
    }
    if (!certified_violation(r)) return;
    rec_->found = *p;
    rec_->certificate = std::move(r);
    rec_->shrink_step = move.what;
    log("shrink", p->seed, m, fmt::format("accepted: {}", move.what));
    notices_.announce(task_);
  }

  // Tries moves[from], moves[from + 1], ... in order; the index of the first accepted one.
  template <class Budget>
  std::optional<std::size_t> try_moves(const std::vector<Move>& moves,
                                       std::size_t from,
                                       const Budget& budget_left) {
    if (from >= moves.size() || !agreed(budget_left())) return std::nullopt;
    return first_success(
        from, moves.size() - from, [&](std::size_t i) { try_move(moves[i]); }, found, budget_left);
  }

  // Rounding single entries of the data and the knobs, one group per entry: denominators 1, 2,
  // 4, ... (knobs from 2, kept inside their bounds) until one is accepted or the entry is already
  // a multiple of 1/d.
  std::vector<Move> entry_moves() {
    std::vector<Move> moves;
    int group = 0;
    const auto add_entry = [&](Rational& (*get)(SearchCandidate&, Eigen::Index, Eigen::Index),
                               Eigen::Index i,
                               Eigen::Index k,
                               const std::string& name) {
      for (long d = 1; d <= o_.max_denominator; d *= 2) {
        moves.push_back({fmt::format("round {} to a multiple of 1/{}", name, d),
                         [this, get, i, k, d]() -> std::optional<SearchCandidate> {
                           SearchCandidate r = best_;
                           Rational& v = get(r, i, k);
                           const Rational rounded = round_to(v, d);
                           if (rounded == v) return std::nullopt;
                           v = rounded;
                           return r;
                         },
                         group});
        if (round_to(get(best_, i, k), d) == get(best_, i, k)) break;  // coarser ones came first
      }
      ++group;
    };
    const auto& in = best_.problem.data.inputs;
    for (Eigen::Index i = 0; i < in.rows(); ++i) {
      for (Eigen::Index k = 0; k < in.cols(); ++k) {
        add_entry(
            [](SearchCandidate& c, Eigen::Index a, Eigen::Index b) -> Rational& {
              return c.problem.data.inputs(a, b);
            },
            i,
            k,
            fmt::format("input ({}, {})", i, k));
      }
    }
    if (best_.problem.network.loss == LossKind::Squared) {
      const auto& t = best_.problem.data.targets;
      for (Eigen::Index i = 0; i < t.rows(); ++i) {
        for (Eigen::Index k = 0; k < t.cols(); ++k) {
          add_entry(
              [](SearchCandidate& c, Eigen::Index a, Eigen::Index b) -> Rational& {
                return c.problem.data.targets(a, b);
              },
              i,
              k,
              fmt::format("target ({}, {})", i, k));
        }
      }
    }
    for (std::size_t k = 0; k < best_.knobs.size(); ++k) {
      const auto& b = s_.knob_bounds[k];
      for (long d = 2; d <= o_.max_denominator; d *= 2) {
        const double v = to_double_nearest(round_to(best_.knobs[k], d));
        if (v == best_.knobs[k]) break;
        if (!(v > b.first && v < b.second)) continue;
        moves.push_back({fmt::format("round knob {} to a multiple of 1/{}", k, d),
                         [this, k, v]() -> std::optional<SearchCandidate> {
                           SearchCandidate r = best_;
                           r.knobs[k] = v;
                           return r;
                         },
                         group});
      }
      ++group;
    }
    return moves;
  }

  // The moves that restart the shrinking when accepted: drop a sample (the last first), a hidden
  // unit, a knob (the last first), round everything to multiples of 1/d (the coarsest first).
  std::vector<Move> structural_moves() {
    std::vector<Move> moves;
    for (Eigen::Index i = best_.problem.data.size() - 1;
         i >= 0 && best_.problem.data.size() > s_.min_samples;
         --i) {
      moves.push_back(
          {fmt::format("drop sample {}", i),
           [this, i]() -> std::optional<SearchCandidate> { return without_sample(best_, i); }});
    }
    const Network& net = best_.problem.network;
    for (int l = 1; l < net.num_layers(); ++l) {
      for (int j = net.width(l) - 1; j >= 0 && net.width(l) > s_.min_units; --j) {
        moves.push_back({fmt::format("drop unit {} of layer {}", j, l),
                         [this, l, j]() -> std::optional<SearchCandidate> {
                           return without_unit(best_, l, j);
                         }});
      }
    }
    for (std::size_t k = best_.knobs.size(); k-- > 0 && k >= s_.min_knobs;) {
      moves.push_back(
          {fmt::format("drop knob {}", k), [this, k]() -> std::optional<SearchCandidate> {
             SearchCandidate r = best_;
             r.knobs.erase(r.knobs.begin() + static_cast<std::ptrdiff_t>(k));
             return r;
           }});
    }
    for (long d = 1; d <= o_.max_denominator; d *= 2) {
      moves.push_back({fmt::format("round to multiples of 1/{}", d),
                       [this, d]() -> std::optional<SearchCandidate> { return rounded_all(d); }});
    }
    return moves;
  }

  // The data (and knobs, and θ when not polished) rounded to multiples of 1/d; none when nothing
  // changes.
  std::optional<SearchCandidate> rounded_all(long d) const {
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
    if (!differs) return std::nullopt;
    return r;
  }

  void shrink() {
    const auto t_start = elapsed();
    const auto budget_left = [&] { return elapsed() - t_start < o_.shrink_seconds; };
    out_.samples_before = static_cast<long>(best_.problem.data.size());
    out_.parameters_before = static_cast<long>(best_.problem.network.num_parameters());
    bool changed = true;
    while (changed && agreed(budget_left())) {
      changed = try_moves(structural_moves(), 0, budget_left).has_value();
      if (changed) continue;
      // one data entry (or knob) at a time, to the coarsest multiple of 1/d that keeps it
      const std::vector<Move> entries = entry_moves();
      std::size_t from = 0;
      while (const auto i = try_moves(entries, from, budget_left)) {
        changed = true;
        from = *i;
        while (from < entries.size() && entries[from].group == entries[*i].group) ++from;
      }
    }
    out_.samples_after = static_cast<long>(best_.problem.data.size());
    out_.parameters_after = static_cast<long>(best_.problem.network.num_parameters());
  }

  void finish() {
    if (!certificate_here_) {
      // Found or last shrunk on another rank: this rank checks the counterexample itself (the
      // claim's check is deterministic; evidence is never taken from another process).
      claims::InstanceResult r = s_.certify(best_);
      if (!certified_violation(r)) {
        throw Error(fmt::format(
            "claim {}: the counterexample certified on another rank is not certified here ({})",
            s_.claim,
            r.detail));
      }
      out_.certificate = std::move(r);
    }
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
  Ranks ranks_;
  SearchOutcome out_;
  Record* rec_ = nullptr;  // the record of the task running on this rank
  std::size_t task_ = 0;   // the index of that task
  SuccessNotices notices_;
  std::vector<std::pair<double, SearchCandidate>> pool_;
  SearchCandidate best_;
  bool certificate_here_ = true;  // out_.certificate was computed by this rank
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
