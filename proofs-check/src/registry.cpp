// The registry of claims, in a fixed order, and its Markdown documentation.
#include <map>

#include "instances.hpp"

#include "locus/claims/claim.hpp"
#include "locus/error.hpp"

#include <fmt/format.h>

namespace locus::claims {

namespace {

std::string faults_text(const std::vector<Mutation>& faults) {
  std::string out;
  for (const Mutation m : faults) out += (out.empty() ? "" : ", ") + to_string(m);
  return out.empty() ? "none" : out;
}

}  // namespace

const std::vector<Claim>& registry() {
  static const std::vector<Claim> all = [] {
    std::vector<Claim> out = split_claims();
    for (auto& c : other_claims()) out.push_back(std::move(c));
    for (auto& c : newer_claims()) out.push_back(std::move(c));
    return out;
  }();
  return all;
}

std::string to_string(Verdict v) {
  switch (v) {
    case Verdict::Proved:
      return "proved";
    case Verdict::Refuted:
      return "refuted";
    case Verdict::Evidence:
      return "evidence";
    case Verdict::Inconclusive:
      return "inconclusive";
  }
  return "?";
}

Mutation parse_mutation(const std::string& s) {
  if (s == "none") return Mutation::None;
  if (s == "perturb-point") return Mutation::PerturbPoint;
  if (s == "flip-residual") return Mutation::FlipResidual;
  if (s == "shift-bound") return Mutation::ShiftBound;
  throw InvalidArgument(
      fmt::format("--mutate {}: expected none, perturb-point, flip-residual or shift-bound", s));
}

std::string to_string(Mutation m) {
  switch (m) {
    case Mutation::None:
      return "none";
    case Mutation::PerturbPoint:
      return "perturb-point";
    case Mutation::FlipResidual:
      return "flip-residual";
    case Mutation::ShiftBound:
      return "shift-bound";
  }
  return "?";
}

// The section of docs/claims.md on claims written in Python (python/locus/claims.py).
constexpr const char* kWriteYourOwn = R"MD(## Write your own claim

A claim of your own is a Python file; `python3 -m locus check FILE.py` runs it with the runner of
`locus check` and prints the same table and closing line `N passed, M failed` (exit 0 when every
verdict is the expected one, 1 otherwise, 2 on bad input). Options: `--claim ID` (a trailing `*`
matches a prefix), `--quick`, `--seed S`, `--list`, `--json F`, `--junit F`,
`--counterexamples DIR` (default `counterexamples`). The worked example is
`examples/claims/my_claims.py`.

A claim is a `locus.claims.Claim` with

- `id`, `statement`, `source`: what is claimed and where it comes from;
- `family(seed)`: the instance for a seed (a `locus.Problem`, or anything your check needs),
  a deterministic function of the seed (instance k of a run uses seed + k);
- `check(instance)`: a `Fact`, built from values locus computed;
- `expected` (`"proved"`, or `"refuted"` for a false statement you keep on purpose),
  `instances`, `quick_instances`.

The file lists its claims in `CLAIMS`, or defines them at module level.

```python
import locus
from locus.claims import Claim, decide

def family(seed):
    # [1, 2, 1] tanh, no biases, at the origin
    p = locus.problem([1, 2, 1], "tanh", [[1], [2]], [[seed + 1], [1]], bias=False)
    return p.with_point([0, 0, 0, 0])

def check(p):
    r = locus.classify(p)                      # balls: certified or not
    return decide(r.value("kind"), "==", "saddle")

CLAIMS = [Claim(id="mine.origin-is-saddle", statement="the origin is a saddle",
                source="my notes", family=family, check=check, instances=5)]
```

**How sure the verdict is comes from the values the check decided on, never from how it phrases
its answer** (docs/math/rigour.md):

| what `decide(a, op, b)` compares | the Fact is |
|---|---|
| `locus.Exact` values (`arithmetic="rational"`), and values derived from them by + − × ÷ with ints and Fractions | decided exactly: a proof |
| `locus.Ball` values locus computed (`arithmetic="ball:BITS"`), and their + − × ÷ with exact values | decided by enclosure (a proof), or undecided when the balls overlap |
| `report.value(key)` of `locus.classify` / `locus.spectrum` | as sure as the report: a proof only when its verdict is certified |
| any float, numpy float, mpmath number, or a ball you made yourself | evidence only |
| only constants (ints, bools, strings, Fractions you wrote) | evidence only |

Facts combine with `&`, `|`, `~`, `all_of`, `any_of` and `holds_for_every`: a conjunction holds
as surely as its weakest part, and one certified violated part refutes it. `bool(fact)` is an
error, so `and`/`or` cannot silently drop a part. A check that returns a bare `bool` gives
evidence at most; any other answer (a string, a dict, `None`, an exception) leaves the instance
undecided, and so does a `Fact`, `Value` or `Report` made by hand: only locus makes them.

A claim expected `proved` that comes out `refuted` fails, and its refuting instance is written to
`DIR/ID.seedN.json` with provenance (statement, the violated fact, `recheck`): when the instance
is a problem at a point, `locus classify DIR/ID.seedN.json` re-checks it on its own.
`python/tests/data/planted_claims.py` holds sixteen planted faults (float comparisons phrased
every way we could think of, forged facts and reports); none of them is ever `proved`.

)MD";

std::string registry_markdown() {
  std::string out =
      "# Claims\n\n"
      "Generated from the registry by `locus check --markdown > docs/claims.md` (a test keeps this "
      "file in "
      "step with the code). `locus check` runs them all; `--claim ID` one; `--quick` fewer "
      "instances. Verdicts: `proved` (every instance decided exactly or in balls), `refuted` (a "
      "certified counterexample, written with `--counterexamples DIR`), `evidence` (floating point "
      "only, never reported as proved), `inconclusive` (some instance undecided). A claim passes "
      "when its verdict is the expected one. Status tags are the math spec's: [A] abstract, [P] "
      "paper as cited, [R] reconstructed, [D] derived, [V] verified.\n\n";
  out += kWriteYourOwn;
  out += fmt::format("## The registered claims\n\n{} claims.\n\n", registry().size());
  out += "| id | expected | arithmetic | instances (quick) | source |\n|---|---|---|---|---|\n";
  for (const Claim& c : registry()) {
    out += fmt::format("| `{}` | {} | {} | {} ({}) | {} {} |\n",
                       c.id,
                       c.expected,
                       c.arithmetic,
                       c.instances,
                       c.quick_instances,
                       c.source,
                       c.status);
  }
  for (const Claim& c : registry()) {
    out += fmt::format(
        "\n## `{}`\n\n{}\n\n- **Source:** {} {}\n- **Instances:** {} ({} by default, {} with "
        "`--quick`; instance k uses seed + k)\n- **Quantity:** {}\n- **Check:** {}\n- "
        "**Expected:** {}\n- **Arithmetic:** {}\n- **Margin:** {}\n- **Planted faults** "
        "(`--mutate`, each must change the verdict): {}\n",
        c.id,
        c.statement,
        c.source,
        c.status,
        c.family,
        c.instances,
        c.quick_instances,
        c.quantity,
        c.check,
        c.expected,
        c.arithmetic,
        c.margin_meaning,
        faults_text(c.faults));
  }
  return out;
}

}  // namespace locus::claims
