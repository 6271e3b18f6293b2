// Seed 003's trading model against solutions worked out by hand: two
// end-users of one aggregator over two hours, both cases, both scenarios.
// Hour 1 is cheap on the market (lambda^M below lambda^D2L), hour 2 dear.
#include <watt/org/trading_run.hpp>

#include <doctest/doctest.h>

#include <stdexcept>

using namespace watt::org;

namespace {

TradingCase two_by_two() {
  TradingCase c;
  c.regions = {{"a1", {0.1, 0.3}}};
  c.users = {{"u1", 0, {10, 20}}, {"u2", 0, {30, 10}}};
  c.price_market = {0.2, 0.5};
  c.lambda_d2l = 0.4;
  c.d2l_cap = 1.0;  // each end-user takes up to its whole load from the DisCo
  return c;
}

struct Expected {
  Series l2a_u1, l2a_u2, a2d, price, d2l_u2, market;
  double ec_e, ec_a, ec_d;
  int rounds;
};

void check_run(bool iterative, bool shiftable, const Expected& x) {
  const auto c = two_by_two();
  const RunOptions o{iterative, shiftable, 1e-9, 50};
  const auto r = run_trading(c, o);
  CHECK(balance_error(c, o, r).empty());
  CHECK(r.rounds == x.rounds);
  CHECK(r.stop == (iterative ? "converged" : "one round (case 1)"));
  for (std::size_t t = 0; t < 2; ++t) {
    CAPTURE(t);
    CHECK(r.users[0].l2a[t] == doctest::Approx(x.l2a_u1[t]));
    CHECK(r.users[1].l2a[t] == doctest::Approx(x.l2a_u2[t]));
    CHECK(r.regions[0].a2d[t] == doctest::Approx(x.a2d[t]));
    CHECK(r.disco.price_a2d[0][t] == doctest::Approx(x.price[t]));
    CHECK(r.disco.d2l[1][t] == doctest::Approx(x.d2l_u2[t]));
    CHECK(r.disco.market[t] == doctest::Approx(x.market[t]));
  }
  CHECK(r.ec_e == doctest::Approx(x.ec_e));
  CHECK(r.ec_a == doctest::Approx(x.ec_a));
  CHECK(r.ec_d == doctest::Approx(x.ec_d));
}

}  // namespace

TEST_CASE("trading by hand, S1 interruptible loads: every end-user sells a tenth of its load") {
  // Case 1: l2a = 0.1 L; the DisCo pays delta * lambda^L2A for what it buys.
  check_run(false, false, {{1, 2}, {3, 1}, {4, 3}, {0.11, 0.33}, {0, 0}, {-4, -3}, -1.3, -0.13, -0.87, 1});
  // Case 2: the DisCo sells each end-user its whole load in the cheap hour,
  // which passes on to the aggregator; settled in the third round.
  check_run(true, false, {{11, 2}, {33, 1}, {44, 3}, {0.11, 0.33}, {30, 0}, {-4, -3}, 10.7, -0.53, -12.47, 3});
}

TEST_CASE("trading by hand, S2 shiftable loads: the cheap hour buys what the dear hour sells") {
  // Case 1: the aggregator buys from the DisCo in hour 1 at lambda^M.
  check_run(false, true, {{-1, 1}, {-1, 1}, {-2, 2}, {0.2, 0.33}, {0, 0}, {2, -2}, -0.4, 0.14, -0.34, 1});
  check_run(true, true, {{9, 1}, {29, 1}, {38, 2}, {0.11, 0.33}, {30, 0}, {2, -2}, 11.6, -0.44, -11.76, 3});
}

TEST_CASE("Case 1's price rule: Problem D's choice, the floor of (7), or the market price") {
  auto c = two_by_two();
  const RunOptions o{false, true, 1e-9, 50};
  c.case1_price = Case1Price::floor;
  auto r = run_trading(c, o);
  CHECK(r.disco.price_a2d[0][0] == doctest::Approx(0.11));
  CHECK(r.disco.price_a2d[0][1] == doctest::Approx(0.33));
  CHECK(r.ec_a == doctest::Approx(-0.04));  // the aggregator now profits from buying in hour 1
  CHECK(r.ec_d == doctest::Approx(-0.16));
  CHECK(balance_error(c, o, r).empty());
  c.case1_price = Case1Price::market;
  r = run_trading(c, o);
  CHECK(r.disco.price_a2d[0][0] == doctest::Approx(0.2));
  CHECK(r.disco.price_a2d[0][1] == doctest::Approx(0.5));
  CHECK(r.ec_a == doctest::Approx(-0.2));
  CHECK(r.ec_d == doctest::Approx(0));
  CHECK(case1_price_named("market") == Case1Price::market);
  CHECK_FALSE(case1_price_named("auction"));
}

TEST_CASE("a problem that cannot be solved names its constraints, never a silent zero") {
  EndUserProblem e{{-5, 10}, {0.1, 0.3}, {0, 0}, 0.4, 0.1, 0.1, false};
  const auto bad = solve_end_user(e);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error.find("Problem E is infeasible") != std::string::npos);
  CHECK(bad.error.find("(3) producer limit[h1]") != std::string::npos);
  // Net load cannot be both at least 0.5 (a tenth of minus 5, produced) and
  // at most -5 (the load less a production that is never negative).
  CHECK(bad.error.find("upper bound of 'L[h1]'") != std::string::npos);
  CHECK(bad.error.find("lower bound of 'P[h1]'") != std::string::npos);

  DiscoProblem d;
  d.a2d = {{1, 1}};
  d.price_l2a = {{0.1, 0.5}};  // delta * 0.5 is above lambda^M in hour 2
  d.price_market = {0.2, 0.5};
  d.d2l_cap = {{1, 1}};
  const auto dd = solve_disco(d);
  REQUIRE_FALSE(dd.ok());
  CHECK(dd.error.find("(7) lambda_A2D[0] >= delta*lambda_L2A[h2]") != std::string::npos);
  CHECK(dd.error.find("(7) lambda_A2D[0] <= lambda_M[h2]") != std::string::npos);

  auto c = two_by_two();
  c.users[1].load = {-30, 10};
  CHECK_THROWS_WITH_AS(run_trading(c, {}), doctest::Contains("end-user 'u2': Problem E is infeasible"),
                       std::runtime_error);
  e.load = {1};
  CHECK_THROWS_WITH_AS(solve_end_user(e), doctest::Contains("price_l2a: 2 values for 1 hours"), std::invalid_argument);
}
