// Economic dispatch: the centralized optimum, against the reference table of docs/ed.md.
#include "ed_cases.hpp"

#include <watt/ed/error.hpp>

#include <cmath>
#include <map>

using namespace ed_test;

TEST_CASE("ed central: the 16-node case rounds to the reference table of docs/ed.md") {
  const auto nodes = ed16();
  const auto d = solve_central(nodes);
  const std::map<std::string, double> table = {{"L1", 52.4}, {"L2", 58.9},  {"L3", 54.9},   {"L4", 0.0},
                                               {"L5", 32.2}, {"L6", 40.8},  {"L7", 71.8},   {"L8", 39.1},
                                               {"L9", 40.6}, {"L10", 30.2}, {"DG1", 106.6}, {"DG2", 124.4},
                                               {"DG3", 0.0}, {"DG4", 89.8}, {"DG5", 0.0},   {"DG6", 100.2}};
  REQUIRE(d.p.size() == 16);
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    INFO(nodes[i].id, " P = ", d.p[i]);
    CHECK(std::round(d.p[i] * 10) / 10 == doctest::Approx(table.at(nodes[i].id)));
  }
  for (std::size_t i = 0; i < nodes.size(); ++i)
    if (nodes[i].id == "DG3" || nodes[i].id == "DG5" || nodes[i].id == "L4") CHECK(d.p[i] == 0);
  // λ* = 7.37048…: within 1e-3 of the table's 7.371, though it rounds to 7.370.
  CHECK(std::abs(d.lambda - 7.371) < 1e-3);
  CHECK(d.lambda == doctest::Approx(7.370481646622).epsilon(1e-12));
  CHECK(d.generation == doctest::Approx(d.load).epsilon(1e-12));
  CHECK(d.generation == doctest::Approx(421.0).epsilon(1e-3));

  // Exact, not merely close: the balance holds to rounding.
  double net = 0;
  for (std::size_t i = 0; i < nodes.size(); ++i)
    net += injection(nodes[i], best_reply(nodes[i], d.lambda)) - nodes[i].demand;
  CHECK(std::abs(net) < 1e-9);
}

TEST_CASE("ed central: λ* is exact for the random 100-node case, and balances fixed demand") {
  const auto nodes = random100(42);
  const auto d = solve_central(nodes);
  double net = 0, demand = 0;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    net += injection(nodes[i], d.p[i]) - nodes[i].demand;
    demand += nodes[i].demand;
  }
  CHECK(demand > 0);
  CHECK(std::abs(net) < 1e-9);
  CHECK(std::abs(d.generation - d.load) < 1e-9);
}

TEST_CASE("ed central: an infeasible case is refused") {
  NodeParams g;
  g.id = "DG1";
  g.a = 0.02;
  g.b = 3;
  g.pmax = 50;
  NodeParams load;
  load.id = "L1";
  load.role = Role::consumer;
  load.w = 10;
  load.s = 0.05;
  load.pmax = 10;
  load.demand = 80;
  try {
    solve_central({g, load});
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(std::string(e.what()) ==
          "central dispatch is infeasible: fixed demand 80 kW exceeds the most the generators can supply (50 kW)");
  }
  // Exactly at capacity is still feasible.
  load.demand = 50;
  const auto d = solve_central({g, load});
  CHECK(d.p[0] == doctest::Approx(50));
  CHECK(d.p[1] == 0);
}
