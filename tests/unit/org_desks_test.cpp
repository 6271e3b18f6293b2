// The trading bookkeeping against what a bus does to messages: repeats,
// strays, losses (answered by re-sending what is missing) and failures.
#include <watt/org/desks.hpp>

#include <doctest/doctest.h>

using namespace watt::org;

TEST_CASE("an aggregator reports once all its end-users have answered the round in hand") {
  AggregatorDesk desk({"u1", "u2"}, {0.1, 0.3});
  const auto sends = desk.start({1, 1, false, 0.4, {{"u2", {5, 0}}}}).sends;
  REQUIRE(sends.size() == 2);
  CHECK(sends[0].second.d2l.empty());
  CHECK(sends[1].second.d2l == Series{5, 0});
  CHECK(sends[1].second.price_l2a == Series{0.1, 0.3});
  CHECK_FALSE(desk.offer("u1", {1, 1, {1, 2}, {1, 2}, -0.7, {}}));
  CHECK_FALSE(desk.offer("u1", {1, 1, {9, 9}, {1, 2}, -0.7, {}}));  // a repeat changes nothing
  CHECK_FALSE(desk.offer("u2", {1, 0, {3, 1}, {3, 1}, -0.6, {}}));  // another round's
  CHECK_FALSE(desk.offer("u9", {1, 1, {3, 1}, {3, 1}, -0.6, {}}));  // a stranger's
  REQUIRE(desk.missing().size() == 1);
  CHECK(desk.missing()[0].first == "u2");
  CHECK(desk.start({1, 1, false, 0.4, {}}).sends.size() == 1);  // the DisCo re-sending: only u2 is asked again
  const auto report = desk.offer("u2", {1, 1, {3, 1}, {3, 1}, -0.6, {}});
  REQUIRE(report);
  CHECK(report->a2d == Series{4, 3});
  CHECK(report->users.size() == 2);
  CHECK(report->error.empty());
  CHECK(desk.missing().empty());
  // The DisCo asking again (its report lost): the same report, nobody asked.
  const auto again = desk.start({1, 1, false, 0.4, {}});
  CHECK(again.sends.empty());
  REQUIRE(again.report);
  CHECK(again.report->a2d == Series{4, 3});
}

TEST_CASE("an aggregator without end-users reports zeros at once") {
  AggregatorDesk desk({}, {0.1, 0.3});
  const auto start = desk.start({1, 1, false, 0.4, {}});
  CHECK(start.sends.empty());
  REQUIRE(start.report);
  CHECK(start.report->a2d == Series{0, 0});
  CHECK(start.report->error.empty());
}

TEST_CASE("an end-user's failure ends the run with its name and constraint, and no figures") {
  DiscoDesk disco({{"a1"}, {0.2, 0.5}, 0.4, 1.1, 1e-9, 50});
  AggregatorDesk agg({"u1"}, {0.1, 0.3});
  const auto round = disco.begin(true, false);
  const auto to_user = agg.start(round.at(0).second).sends.at(0).second;
  const auto offer = answer_round({}, to_user, {-5, 10});
  CHECK(offer.error.find("Problem E is infeasible") != std::string::npos);
  const auto report = agg.offer("u1", offer);
  REQUIRE(report);
  const auto step = disco.report("a1", *report);
  REQUIRE(step.done);
  CHECK(step.done->stop.find("region 'a1': end-user 'u1': Problem E is infeasible") == 0);
  CHECK(step.done->market.empty());
  CHECK_FALSE(disco.running());
}

TEST_CASE("the DisCo waits for every region, re-sends to the silent, and stops at max rounds") {
  DiscoDesk disco({{"a1", "a2"}, {0.2, 0.5}, 0.4, 1.1, 0, 2});
  auto round = disco.begin(true, false);
  REQUIRE(round.size() == 2);
  const ReportMsg a1{1, 1, {4, 3}, {0.1, 0.3}, {{"u1", -1, {1, 2}}}, {}};
  CHECK_FALSE(disco.report("a1", a1).done);
  CHECK(disco.report("a1", a1).next.empty());
  REQUIRE(disco.missing().size() == 1);
  CHECK(disco.missing()[0].first == "a2");
  auto step = disco.report("a2", {1, 1, {1, 1}, {0.1, 0.3}, {{"u2", -1, {1, 1}}}, {}});
  REQUIRE(step.next.size() == 2);
  CHECK(step.next[0].second.round == 2);
  CHECK(step.next[0].second.d2l.at("u1") == Series{1, 0});  // the cap in the cheap hour, none in the dear one
  CHECK(disco.report("a1", {1, 2, {5, 3}, {0.1, 0.3}, {{"u1", -1, {1, 2}}}, {}}).next.empty());
  step = disco.report("a2", {1, 2, {2, 1}, {0.1, 0.3}, {{"u2", -1, {1, 1}}}, {}});
  REQUIRE(step.done);
  CHECK(step.done->stop == "max rounds");
  CHECK(step.done->rounds == 2);
  CHECK(step.done->ec_e == doctest::Approx(-2));
  CHECK(step.done->d2l_total == Series{2, 0});
}
