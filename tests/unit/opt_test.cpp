// watt::opt: LPs and MILPs with known optima, infeasible and unbounded models
// reported as such, bad models refused naming what is wrong, and a warm start
// that finds the same optimum in fewer iterations.
#include <watt/opt/lp_solver.hpp>
#include <watt/opt/solve.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

using namespace watt::opt;

TEST_CASE("opt: an LP with a known optimum, its duals, and maximizing") {
  // max 3x + 2y  s.t.  x + y <= 4,  x + 3y <= 7,  0 <= x <= 3, y >= 0: x = 3, y = 1, 11.
  Model m;
  const int x = m.add_var("x", 0, 3, 3);
  const int y = m.add_var("y", 0, inf, 2);
  const int r1 = m.add_le("capacity", {{x, 1}, {y, 1}}, 4);
  m.add_le("labour", {{x, 1}, {y, 3}}, 7);
  m.set_sense(Sense::maximize);
  const auto s = solve(m);
  REQUIRE(s.status == Status::optimal);
  CHECK(s.objective == doctest::Approx(11));
  CHECK(s.x[static_cast<std::size_t>(x)] == doctest::Approx(3));
  CHECK(s.x[static_cast<std::size_t>(y)] == doctest::Approx(1));
  // One more unit of capacity is worth y's cost, 2.
  CHECK(std::abs(s.duals[static_cast<std::size_t>(r1)]) == doctest::Approx(2));
}

TEST_CASE("opt: a MILP with a known optimum (a knapsack)") {
  // Values 10, 13, 7, 8; weights 5, 6, 4, 3; capacity 10: items 2 and 4 give 21.
  Model m;
  const double value[] = {10, 13, 7, 8}, weight[] = {5, 6, 4, 3};
  std::vector<Term> w;
  for (std::size_t i = 0; i < 4; ++i)
    w.push_back({m.add_var("take" + std::to_string(i), 0, 1, value[i], VarType::binary), weight[i]});
  m.add_le("weight", w, 10);
  m.set_sense(Sense::maximize);
  const auto s = solve(m);
  REQUIRE(s.status == Status::optimal);
  CHECK(s.objective == doctest::Approx(21));
  CHECK(s.x[1] == doctest::Approx(1));
  CHECK(s.x[3] == doctest::Approx(1));
  CHECK(s.x[0] == doctest::Approx(0));
  // An integer that is not binary: min x s.t. 2x >= 5 gives 3.
  Model n;
  const int x = n.add_var("x", 0, 10, 1, VarType::integer);
  n.add_ge("at least", {{x, 2}}, 5);
  CHECK(solve(n).objective == doctest::Approx(3));
}

TEST_CASE("opt: infeasible and unbounded models are reported as such, LP and MILP alike") {
  Model lp;
  const int x = lp.add_var("x", 0, 1, 1);
  lp.add_ge("too much", {{x, 1}}, 2);
  const auto a = solve(lp);
  CHECK(a.status == Status::infeasible);
  CHECK_FALSE(a.detail.empty());
  Model mip = lp;
  mip.add_var("k", 0, 5, 0, VarType::integer);
  CHECK(solve(mip).status == Status::infeasible);

  Model open;
  const int y = open.add_var("y", 0, inf, -1);
  open.add_ge("floor", {{y, 1}}, 1);
  CHECK(solve(open).status == Status::unbounded);
  CHECK(std::string(to_string(Status::unbounded)) == "unbounded");
}

TEST_CASE("opt: what is at fault is named: the rows and bounds of a contradiction, the unbounded variable") {
  // Demand of 10 against a row cap on x and a bound on y; z is innocent.
  Model lp;
  const int x = lp.add_var("x", 0, inf, 1);
  const int y = lp.add_var("y", 0, 4, 1);
  const int z = lp.add_var("z", 0, inf, 1);
  lp.add_ge("demand", {{x, 1}, {y, 1}}, 10);
  lp.add_le("cap x", {{x, 1}}, 3);
  lp.add_ge("z floor", {{z, 1}}, 0);
  const auto a = solve(lp);
  REQUIRE(a.status == Status::infeasible);
  CHECK(a.at_fault == std::vector<std::string>{"row 'demand'", "row 'cap x'", "upper bound of 'y'"});
  CHECK(a.detail.find("at fault: row 'demand', row 'cap x', upper bound of 'y'") != std::string::npos);
  // Found again by a warm-started solver after its bounds changed.
  lp.set_bounds(y, 0, 100);
  LpSolver warm(lp);
  REQUIRE(warm.solve().ok());
  warm.set_bounds(y, 0, 2);
  const auto b = warm.solve();
  REQUIRE(b.status == Status::infeasible);
  CHECK(std::find(b.at_fault.begin(), b.at_fault.end(), "upper bound of 'y'") != b.at_fault.end());
  // A MILP: its relaxation's contradiction, or integrality.
  Model mip = lp;
  mip.set_bounds(y, 0, 4);
  mip.add_var("k", 0, 5, 0, VarType::integer);
  CHECK(solve(mip).at_fault.front() == "row 'demand'");
  Model odd;
  const int k = odd.add_var("k", 0, 5, 1, VarType::integer);
  odd.add_eq("half", {{k, 2}}, 3);
  CHECK(solve(odd).at_fault == std::vector<std::string>{"integrality"});

  Model open;
  const int u = open.add_var("u", 0, 1, -1);
  const int w = open.add_var("w", 0, inf, -1);
  open.add_ge("floor", {{u, 1}, {w, 1}}, 1);
  const auto c = solve(open);
  REQUIRE(c.status == Status::unbounded);
  CHECK(c.at_fault == std::vector<std::string>{"no upper bound on 'w'"});
}

TEST_CASE("opt: a bad model is refused as it is built, naming the variable or row") {
  Model m;
  const int x = m.add_var("x", 0, 1);
  CHECK_THROWS_WITH_AS(m.add_var("y", 2, 1), doctest::Contains("variable 'y': lower bound"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(m.add_le("r", {{x, 1}, {7, 1}}, 1), doctest::Contains("no variable 7"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(m.add_le("r", {{x, std::nan("")}}, 1), doctest::Contains("row 'r'"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(m.add_row("s", {{x, 1}}, 3, 2), doctest::Contains("row 's': lower bound"),
                       std::invalid_argument);
  CHECK_THROWS_AS(m.set_cost(1, 1), std::invalid_argument);
  // A term named twice is one term.
  const int r = m.add_le("twice", {{x, 1}, {x, 2}}, 3);
  CHECK(m.rows()[static_cast<std::size_t>(r)].terms.size() == 1);
  CHECK(m.rows()[static_cast<std::size_t>(r)].terms[0].coef == doctest::Approx(3));
}

TEST_CASE("opt: a warm start gives the same optimum as a cold one, in fewer iterations") {
  // A transport problem: 4 sources, 6 sinks; then every cost changes a little.
  Model m;
  const double supply[] = {30, 25, 35, 20}, demand[] = {15, 20, 10, 25, 20, 15};
  const auto cost_of = [](std::size_t i, std::size_t j) { return 1.0 + static_cast<double>((i * 7 + j * 3) % 11); };
  std::vector<std::vector<int>> v(4, std::vector<int>(6));
  for (std::size_t i = 0; i < 4; ++i)
    for (std::size_t j = 0; j < 6; ++j) v[i][j] = m.add_var("x", 0, inf, cost_of(i, j));
  for (std::size_t i = 0; i < 4; ++i) {
    std::vector<Term> t;
    for (std::size_t j = 0; j < 6; ++j) t.push_back({v[i][j], 1});
    m.add_le("supply", t, supply[i]);
  }
  for (std::size_t j = 0; j < 6; ++j) {
    std::vector<Term> t;
    for (std::size_t i = 0; i < 4; ++i) t.push_back({v[i][j], 1});
    m.add_ge("demand", t, demand[j]);
  }
  LpSolver warm(m);
  REQUIRE(warm.solve().ok());
  const int cold_iterations = warm.iterations();
  for (std::size_t i = 0; i < 4; ++i)
    for (std::size_t j = 0; j < 6; ++j) {
      const double cost = cost_of(i, j) + 0.1 * static_cast<double>((i + j) % 3);
      warm.set_cost(v[i][j], cost);
      m.set_cost(v[i][j], cost);
    }
  const auto again = warm.solve();
  const auto cold = solve(m);
  REQUIRE(again.ok());
  REQUIRE(cold.ok());
  CHECK(again.objective == doctest::Approx(cold.objective));
  CHECK(warm.iterations() < cold_iterations);
  // Changed bounds too: a source shut.
  warm.set_row_bounds(0, -inf, 0);
  m.set_row_bounds(0, -inf, 0);
  CHECK(warm.solve().objective == doctest::Approx(solve(m).objective));
  Model integral;
  integral.add_var("k", 0, 1, 0, VarType::binary);
  CHECK_THROWS_AS(LpSolver{integral}, std::invalid_argument);
}
