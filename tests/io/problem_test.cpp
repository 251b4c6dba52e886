// Problem files: exact numbers, round trips, and one clear error per kind of bad input.
#include "locus/io/problem.hpp"

#include <doctest/doctest.h>

#include "locus/core/derivatives.hpp"
#include "locus/error.hpp"

using locus::Rational;

namespace {
const char* kExample = R"({
  "format": "locus-problem/1",
  "network": {"widths": [1, 2, 1], "activation": "sigmoid", "bias": true, "loss": "squared",
              "reduction": "sum"},
  "data": {"inputs": [["-4"], ["-3"], ["0.5"]], "targets": [["0.2240443082"], ["-1/3"], ["1"]]},
  "point": ["1", "1", "0", "0", "0.5", "0.5", "0"]
})";
}  // namespace

TEST_SUITE("io.problem") {
  TEST_CASE("problem: the interfaces.md example parses exactly") {
    const locus::Problem p = locus::parse_problem(kExample);
    CHECK(p.network.widths == std::vector<int>{1, 2, 1});
    CHECK(p.network.num_parameters() == 7);
    CHECK(p.data.targets(0, 0) == Rational(1120221541, 5000000000LL));
    CHECK(p.data.targets(1, 0) == Rational(-1, 3));
    CHECK((*p.point)(4) == Rational(1, 2));
  }

  TEST_CASE("problem: a bare JSON number is the decimal it spells, never a double") {
    const std::string text = R"({"format": "locus-problem/1",
      "network": {"widths": [1, 1], "activation": "identity", "bias": false},
      "data": {"inputs": [[0.1], [1e-30], [123456789012345678901234567890]], "targets": [0.3, -2.5E+3, 7]},
      "point": [0.1]})";
    const locus::Problem p = locus::parse_problem(text);
    CHECK(p.data.inputs(0, 0) == Rational(1, 10));
    CHECK(p.data.inputs(1, 0) * locus::parse_rational("1e30") == 1);
    CHECK(p.data.inputs(2, 0) == locus::parse_rational("123456789012345678901234567890"));
    CHECK(p.data.targets(0, 0) == Rational(3, 10));
    CHECK(p.data.targets(1, 0) == -2500);
    CHECK(p.network.loss == locus::LossKind::Squared);    // default
    CHECK(p.network.reduction == locus::Reduction::Sum);  // default
    CHECK_FALSE(p.network.bias);
  }

  TEST_CASE("problem: bare numbers of any exponent are exact; past the limit, a clear error") {
    const std::string text = R"({"format": "locus-problem/1",
      "network": {"widths": [1, 1], "activation": "identity", "bias": false},
      "data": {"inputs": [[1e400], [-2.5E-400], [1e309]], "targets": [[1], ["x\"1e5"], [3]]},
      "point": [1e-324]})";
    // A string with an escaped quote and digits stays a string (here: a bad number, named).
    CHECK_THROWS_WITH_AS(
        locus::parse_problem(text), doctest::Contains("data.targets[1]"), locus::ParseError);
    std::string ok = text;
    ok.replace(ok.find(R"(["x\"1e5"])"), 10, "[2]");
    const locus::Problem p = locus::parse_problem(ok);
    CHECK(p.data.inputs(0, 0) == locus::parse_rational("1e400"));
    CHECK(p.data.inputs(1, 0) == -locus::parse_rational("25e-401"));
    CHECK(p.data.inputs(2, 0) == locus::parse_rational("1e309"));
    CHECK((*p.point)(0) * locus::parse_rational("1e324") == 1);
    std::string huge = ok;
    huge.replace(huge.find("1e309"), 5, "1e999999");
    CHECK_THROWS_WITH_AS(
        locus::parse_problem(huge), doctest::Contains("100000"), locus::ParseError);
  }

  TEST_CASE("problem: write then read gives the same problem") {
    locus::Problem p = locus::parse_problem(kExample);
    p.network.activation =
        locus::Activation::polynomial({Rational(1, 3), Rational(0), Rational(-2, 7)});
    p.network.reduction = locus::Reduction::Mean;
    p.provenance = {{"command", "test"}, {"seed", 7}};
    const auto json = locus::problem_to_json(p);
    const locus::Problem q = locus::parse_problem(json.dump());
    CHECK(q.network == p.network);
    CHECK(q.data.inputs == p.data.inputs);
    CHECK(q.data.targets == p.data.targets);
    CHECK(*q.point == *p.point);
    CHECK(q.provenance == p.provenance);
    CHECK(json["point"][4] == "1/2");
  }

  TEST_CASE("problem: bad input is a ParseError naming the field") {
    const std::string head = R"({"format": "locus-problem/1", )";
    const std::string net = R"("network": {"widths": [1, 2, 1], "activation": "sigmoid"}, )";
    const std::string data = R"("data": {"inputs": [["1"], ["2"]], "targets": [["0"], ["1"]]})";
    const std::pair<std::string, std::string> cases[] = {
        {head + net + data, ""},  // valid: no point
        {head + net + data + R"(, "point": [1, 2])", "point: 2 entries; expected P = 7"},
        {head + net + data.substr(0, 20) + "]", "malformed JSON"},
        {head + R"("network": {"widths": [1, 0, 1], "activation": "tanh"}, )" + data,
         "network.widths[1] = 0"},
        {head + R"("network": {"widths": [1], "activation": "tanh"}, )" + data,
         "network.widths has 1 entries"},
        {head + R"("network": {"widths": [1, 2, 1], "activation": "mish"}, )" + data,
         "unknown activation 'mish'"},
        {head + R"("network": {"widths": [1, 2, 1], "activation": {"polynomial": []}}, )" + data,
         "network.activation.polynomial"},
        {head + R"("network": {"widths": [1, 2, 1], "activation": "tanh", "bias": "yes"}, )" + data,
         "network.bias"},
        {head + R"("network": {"widths": [1, 2, 1], "activaton": "tanh"}, )" + data,
         "unknown member \"activaton\""},
        {head + net + R"("data": {"inputs": [["1"], ["x"]], "targets": [["0"], ["1"]]})",
         "data.inputs[1][0]"},
        {head + net + R"("data": {"inputs": [["1", "2"], ["3"]], "targets": [["0"], ["1"]]})",
         "data.inputs[1]: row has 1 entries; expected 2"},
        {head + net + R"("data": {"inputs": [["1"], ["2"]], "targets": [["0"], [true]]})",
         "data.targets[1][0]"},
        {head + net + R"("data": {"inputs": [], "targets": []})", "data.inputs"},
        {head + R"("network": {"widths": [1, 2, 3], "activation": "tanh", "loss": "cross_entropy"},
          "data": {"inputs": [["1"]], "targets": [["1/2", "1/2", "1/2"]]})",
         "sums to 3/2"},
        {head +
             R"("network": {"widths": [1, 2, 1], "activation": "tanh", "loss": "cross_entropy"}, )" +
             data,
         "cross_entropy needs at least 2 outputs"},
        {R"({"format": "locus-problem/1"})", "missing member \"network\""},
        {"[1, 2]", "expected a JSON object"},
    };
    for (const auto& [body, expected] : cases) {
      // every case above but the last two is an unterminated top-level object: close it here
      const std::string text = body.rfind(head, 0) == 0 ? body + "}" : body;
      CAPTURE(text);
      if (expected.empty()) {
        CHECK_NOTHROW((void)locus::parse_problem(text, "case"));
        continue;
      }
      CHECK_THROWS_WITH_AS((void)locus::parse_problem(text, "case"),
                           doctest::Contains(expected.c_str()),
                           locus::ParseError);
    }
  }

  TEST_CASE("problem: network.loss_scale multiplies the loss and every derivative, exactly") {
    const std::string head = R"({"format": "locus-problem/1",
      "network": {"widths": [2, 2, 1], "activation": {"polynomial": ["0", "1", "1/2"]},
                  "reduction": "mean")";
    const std::string rest = R"(},
      "data": {"inputs": [["1", "-1/2"], ["0.3", "2"], ["-1", "1"]], "targets": [["1"], ["0"], ["2"]]},
      "point": ["1/2", "-1", "0.25", "2", "1", "0", "-3/4", "1/3", "0.1"]})";
    const locus::Problem plain = locus::parse_problem(head + rest);
    const locus::Problem scaled = locus::parse_problem(head + R"(, "loss_scale": "2/3")" + rest);
    CHECK(plain.network.loss_scale == 1);
    CHECK(scaled.network.loss_scale == Rational(2, 3));
    const locus::LossFunction<Rational> f(plain.network, plain.data),
        g(scaled.network, scaled.data);
    const auto theta = *plain.point;
    CHECK(g.loss(theta) == Rational(2, 3) * f.loss(theta));
    CHECK(g.gradient(theta) == (Rational(2, 3) * f.gradient(theta)).eval());
    CHECK(g.hessian(theta) == (Rational(2, 3) * f.hessian(theta)).eval());
    CHECK(g.hessian(theta, locus::HessianPart::GaussNewton) ==
          (Rational(2, 3) * f.hessian(theta, locus::HessianPart::GaussNewton)).eval());
    // Written only when it is not 1, and read back.
    CHECK(!locus::problem_to_json(plain)["network"].contains("loss_scale"));
    CHECK(locus::problem_to_json(scaled)["network"]["loss_scale"] == "2/3");
    CHECK(locus::parse_problem(locus::problem_to_json(scaled).dump()).network.loss_scale ==
          Rational(2, 3));
    for (const char* bad : {"0", "-1", "\"x\""}) {
      CAPTURE(bad);
      try {
        (void)locus::parse_problem(head + R"(, "loss_scale": )" + bad + rest);
        FAIL("accepted");
      } catch (const locus::ParseError& e) {
        CHECK(std::string(e.what()).find("network.loss_scale") != std::string::npos);
      }
    }
  }
}
