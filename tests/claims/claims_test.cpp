// The claims registry and the verdict rules: no claim can be proved by floating point; every
// registered claim carries its metadata; the runner's verdicts follow the rules in claim.hpp.
#include <doctest/doctest.h>

#include <mutex>
#include <set>
#include <stdexcept>

#include "locus/claims/claim.hpp"

namespace lk = locus::claims;

TEST_CASE("registry: at least 20 claims, unique ids, complete metadata, families of >= 10") {
  const auto& r = lk::registry();
  CHECK(r.size() >= 20);
  std::set<std::string> ids;
  for (const auto& c : r) {
    CAPTURE(c.id);
    CHECK(ids.insert(c.id).second);
    CHECK_FALSE(c.statement.empty());
    CHECK_FALSE(c.source.empty());
    CHECK(c.status.front() == '[');
    CHECK_FALSE(c.family.empty());
    CHECK_FALSE(c.quantity.empty());
    CHECK_FALSE(c.check.empty());
    CHECK((c.expected == "proved" || c.expected == "refuted"));
    CHECK(c.quick_instances >= 1);
    CHECK(c.quick_instances <= c.instances);
    // Families get >= 10 instances; the only fixed set is G1's six table rows.
    if (c.id != "g1.sigmoid-split-table") CHECK(c.instances >= 10);
    CHECK(static_cast<bool>(c.run));
  }
  // At least two expected refutations (false statements kept in the suite).
  int refuted = 0;
  for (const auto& c : r) refuted += c.expected == "refuted";
  CHECK(refuted >= 2);
}

TEST_CASE("no claim can be proved by a float-only computation") {
  lk::Context ctx;
  ctx.quick = true;
  ctx.force_float = true;
  for (const auto& c : lk::registry()) {
    CAPTURE(c.id);
    const lk::ClaimResult r = lk::run_claim(c, ctx, 2);
    CHECK(r.verdict != lk::Verdict::Proved);
    CHECK(r.verdict != lk::Verdict::Refuted);  // floating point refutes nothing either
  }
}

TEST_CASE("every planted fault a claim declares changes its verdict") {
  // Known defect: a point moved by 1e-20 left claims about critical points "proved". Each claim now
  // declares the faults that apply to it, and each must turn the verdict away from the expected.
  int pairs = 0;
  for (const auto& c : lk::registry()) {
    for (const lk::Mutation m : c.faults) {
      CAPTURE(c.id);
      CAPTURE(lk::to_string(m));
      lk::Context ctx;
      ctx.quick = true;
      ctx.mutation = m;
      const lk::ClaimResult r = lk::run_claim(c, ctx, 2);
      CHECK(lk::to_string(r.verdict) != c.expected);
      ++pairs;
    }
  }
  CHECK(pairs >= 25);
}

TEST_CASE("an instance that computes in double cannot report itself as a proof") {
  // The instance decides in double and does everything it can to look certified: it names
  // "rational" in its detail and combines its evidence with a rational one. The rigour still
  // comes from the scalar type of the double computation, so the claim is evidence, not proved.
  // (Writing Evidence with exact rigour by hand does not compile: tests/compile_fail.)
  lk::Claim c;
  c.id = "test.forged";
  c.instances = 3;
  c.quick_instances = 3;
  c.run = [](const lk::Context&, std::uint32_t seed) {
    const double x = 0.1 * static_cast<double>(seed + 1);
    lk::InstanceResult r;
    r.decided = true;
    r.holds = x > 0;
    r.evidence = weakest(locus::Evidence::of<locus::Rational>(), locus::Evidence::of<double>());
    r.detail = "arithmetic: rational (certified)";
    return r;
  };
  const lk::ClaimResult out = lk::run_claim(c, lk::Context{});
  CHECK(out.verdict == lk::Verdict::Evidence);
  CHECK(out.verdict != lk::Verdict::Proved);
  CHECK(out.arithmetic == "rational,double");
  // The same check with its computation in rational arithmetic is a proof.
  c.run = [](const lk::Context&, std::uint32_t seed) {
    const locus::Rational x = locus::Rational(1, 10) * (seed + 1);
    lk::InstanceResult r;
    r.decided = true;
    r.holds = x > 0;
    r.evidence = locus::Evidence::of<locus::Rational>();
    return r;
  };
  CHECK(lk::run_claim(c, lk::Context{}).verdict == lk::Verdict::Proved);
}

TEST_CASE("verdict rules") {
  const auto make = [](std::function<lk::InstanceResult(const lk::Context&, std::uint32_t)> f) {
    lk::Claim c;
    c.id = "test.synthetic";
    c.instances = 4;
    c.quick_instances = 2;
    c.run = std::move(f);
    return c;
  };
  const auto res = [](bool holds, const locus::Evidence& e) {
    lk::InstanceResult r;
    r.decided = true;
    r.holds = holds;
    r.evidence = e;
    r.margin = 1;
    return r;
  };
  using locus::Evidence;
  const Evidence exact = Evidence::of<locus::Rational>();
  const Evidence ball = [] {
    const locus::ScopedBallPrecision precision(128);
    return Evidence::of<locus::Ball>();
  }();
  lk::Context ctx;
  CHECK(lk::run_claim(make([&](auto&, auto) { return res(true, exact); }), ctx).verdict ==
        lk::Verdict::Proved);
  CHECK(lk::run_claim(make([&](auto&, auto) { return res(true, ball); }), ctx).verdict ==
        lk::Verdict::Proved);
  CHECK(lk::run_claim(make([&](auto&, auto) { return res(true, Evidence::of<double>()); }), ctx)
            .verdict == lk::Verdict::Evidence);
  CHECK(lk::run_claim(make([&](auto&, auto) { return res(true, Evidence::of<locus::Mpfr1024>()); }),
                      ctx)
            .verdict == lk::Verdict::Evidence);
  // A proof resting on an unproved hypothesis is evidence.
  CHECK(lk::run_claim(make([&](auto&, auto) { return res(true, exact.conditional()); }), ctx)
            .verdict == lk::Verdict::Evidence);
  CHECK(lk::run_claim(make([&](auto&, std::uint32_t s) { return res(s != 2, exact); }), ctx)
            .verdict == lk::Verdict::Refuted);
  CHECK(lk::run_claim(make([&](auto&, std::uint32_t s) {
                        if (s == 1) throw std::runtime_error("boom");
                        return res(true, exact);
                      }),
                      ctx)
            .verdict == lk::Verdict::Inconclusive);
  // A float "counterexample" refutes nothing.
  CHECK(lk::run_claim(make([&](auto&, auto) { return res(false, Evidence::of<double>()); }), ctx)
            .verdict != lk::Verdict::Refuted);
  // The seed of instance k is seed + k.
  ctx.seed = 100;
  std::set<std::uint32_t> seen;
  std::mutex m;
  lk::run_claim(make([&](auto&, std::uint32_t s) {
                  const std::lock_guard<std::mutex> lock(m);
                  seen.insert(s);
                  return res(true, exact);
                }),
                ctx,
                2);
  CHECK(seen == std::set<std::uint32_t>{100, 101, 102, 103});
}
