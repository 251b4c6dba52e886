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

TEST_CASE("verdict rules") {
  const auto make = [](std::function<lk::InstanceResult(const lk::Context&, std::uint32_t)> f) {
    lk::Claim c;
    c.id = "test.synthetic";
    c.instances = 4;
    c.quick_instances = 2;
    c.run = std::move(f);
    return c;
  };
  const auto res = [](bool holds, const char* arith) {
    lk::InstanceResult r;
    r.decided = true;
    r.holds = holds;
    r.arithmetic = arith;
    r.margin = 1;
    return r;
  };
  lk::Context ctx;
  CHECK(lk::run_claim(make([&](auto&, auto) { return res(true, "rational"); }), ctx).verdict ==
        lk::Verdict::Proved);
  CHECK(lk::run_claim(make([&](auto&, auto) { return res(true, "ball:128"); }), ctx).verdict ==
        lk::Verdict::Proved);
  CHECK(lk::run_claim(make([&](auto&, auto) { return res(true, "double"); }), ctx).verdict ==
        lk::Verdict::Evidence);
  CHECK(lk::run_claim(make([&](auto&, auto) { return res(true, "mpfr:1024"); }), ctx).verdict ==
        lk::Verdict::Evidence);
  CHECK(lk::run_claim(make([&](auto&, std::uint32_t s) { return res(s != 2, "rational"); }), ctx)
            .verdict == lk::Verdict::Refuted);
  CHECK(lk::run_claim(make([&](auto&, std::uint32_t s) {
                        if (s == 1) throw std::runtime_error("boom");
                        return res(true, "rational");
                      }),
                      ctx)
            .verdict == lk::Verdict::Inconclusive);
  // A float "counterexample" refutes nothing.
  CHECK(lk::run_claim(make([&](auto&, auto) { return res(false, "double"); }), ctx).verdict !=
        lk::Verdict::Refuted);
  // The seed of instance k is seed + k.
  ctx.seed = 100;
  std::set<std::uint32_t> seen;
  std::mutex m;
  lk::run_claim(make([&](auto&, std::uint32_t s) {
                  const std::lock_guard<std::mutex> lock(m);
                  seen.insert(s);
                  return res(true, "rational");
                }),
                ctx,
                2);
  CHECK(seen == std::set<std::uint32_t>{100, 101, 102, 103});
}
