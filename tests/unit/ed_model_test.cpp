// Economic dispatch: one node's best reply, injection, curvature and the
// checks on its parameters.
#include <watt/ed/error.hpp>
#include <watt/ed/model.hpp>

#include <doctest/doctest.h>

#include <limits>
#include <string>

using namespace watt::ed;

namespace {

NodeParams generator(double a = 0.02, double b = 3, double pmax = 100) {
  NodeParams p;
  p.id = "DG1";
  p.role = Role::generator;
  p.a = a;
  p.b = b;
  p.pmax = pmax;
  return p;
}

NodeParams consumer(double w = 12, double s = 0.05, double pmax = 80) {
  NodeParams p;
  p.id = "L1";
  p.role = Role::consumer;
  p.w = w;
  p.s = s;
  p.pmax = pmax;
  return p;
}

std::string refusal(const NodeParams& p) {
  try {
    validate(p);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("ed model: best replies are clipped to zero and to the node's cap") {
  const auto g = generator();
  CHECK(best_reply(g, 2) == 0);
  CHECK(best_reply(g, 3) == 0);
  CHECK(best_reply(g, 5) == doctest::Approx(50));
  CHECK(best_reply(g, 100) == 100);
  CHECK(injection(g, 10) == 10);
  CHECK(curvature(g) == doctest::Approx(25));
  CHECK(initial_lambda(g) == 3);
  CHECK(cost_or_utility(g, 10) == doctest::Approx(0.02 * 100 + 30));

  // w/(2s) = 120 is above pmax: pmax caps the consumer.
  const auto c = consumer();
  CHECK(best_reply(c, 13) == 0);
  CHECK(best_reply(c, 12) == 0);
  CHECK(best_reply(c, 10) == doctest::Approx(20));
  CHECK(best_reply(c, -100) == 80);
  CHECK(injection(c, 10) == -10);
  CHECK(curvature(c) == doctest::Approx(10));
  CHECK(initial_lambda(c) == 12);
  CHECK(cost_or_utility(c, 10) == doctest::Approx(120 - 5));

  // pmax above w/(2s) = 40: the consumer never takes more than its utility's peak.
  const auto greedy = consumer(4, 0.05, 1000);
  CHECK(upper_bound(greedy) == doctest::Approx(40));
  CHECK(best_reply(greedy, -1000) == doctest::Approx(40));
  // w ≤ 0: no price makes consuming worthwhile.
  CHECK(best_reply(consumer(-1), -50) == 0);
}

TEST_CASE("ed model: bad parameters are refused with the node and the field named") {
  CHECK(refusal(generator()).empty());
  CHECK(refusal(consumer()).empty());
  auto g = generator(-1);
  g.id = "DG3";
  CHECK(refusal(g) == "node DG3: a must be > 0 (got -1)");
  CHECK(refusal(generator(0)) == "node DG1: a must be > 0 (got 0)");
  CHECK(refusal(consumer(12, 0)) == "node L1: s must be > 0 (got 0)");
  CHECK(refusal(consumer(12, 0.05, -5)) == "node L1: pmax must be >= 0 (got -5)");
  CHECK(refusal(generator(0.02, std::numeric_limits<double>::quiet_NaN())) ==
        "node DG1: b must be a finite number (got nan)");
  CHECK(refusal(consumer(std::numeric_limits<double>::infinity())) == "node L1: w must be a finite number (got inf)");
  auto d = consumer();
  d.demand = std::numeric_limits<double>::infinity();
  CHECK(refusal(d) == "node L1: demand must be a finite number (got inf)");

  for (const std::string bad : {"a/b", "a+", "#", "L 1", "L\t1"}) {
    auto p = consumer();
    p.id = bad;
    CHECK(refusal(p).find("must be one topic segment") != std::string::npos);
  }
  for (const std::string reserved : {"status", "result", "control"}) {
    auto p = consumer();
    p.id = reserved;
    CHECK(refusal(p) == "node id '" + reserved + "' is reserved (status, result and control are topics of the run)");
  }
  auto empty = consumer();
  empty.id = "";
  CHECK(refusal(empty) == "node id is empty");
}
