// How an aggregator ranks the BESSs that answered and where it opens its
// bidding: the prototype's order, or by price or energy from its history.
#include <watt/trading/aggregator_plan.hpp>

#include <doctest/doctest.h>

using namespace watt::trading;

namespace {

std::vector<std::string> order(const std::vector<ResponseMsg>& r) {
  std::vector<std::string> out;
  for (const auto& x : r) out.push_back(x.from);
  return out;
}

const std::vector<ResponseMsg> answered{{"a", 10, 50}, {"b", 20, 50}, {"c", 10, 0}, {"d", 20, 100}};

TradingHistory history() {
  TradingHistory h;
  h.add({"d", 18, 5});
  h.add({"b", 14, 5});
  h.add({"b", 16, 5});
  return h;
}

}  // namespace

TEST_CASE("ranking: first as they answered, cheapest by what was paid, most energy by what is for sale") {
  const auto h = history();
  CHECK(order(rank(answered, Choice::first, h)) == std::vector<std::string>{"a", "b", "d"});  // c sells nothing
  CHECK(order(rank(answered, Choice::cheapest, h)) == std::vector<std::string>{"b", "d", "a"});
  CHECK(order(rank(answered, Choice::most_energy, h)) == std::vector<std::string>{"d", "b", "a"});
  // Equal energy for sale: the BESS it bought more from first.
  CHECK(order(rank({{"x", 10, 50}, {"b", 10, 50}}, Choice::most_energy, h)) == std::vector<std::string>{"b", "x"});
}

TEST_CASE("opening: cheapest opens at the lowest price paid there, within its start and maximum") {
  const AscendingStrategy base{5, {2}, 15};
  const auto h = history();
  CHECK(opening(base, Choice::cheapest, h, "b").start_cents == 14);
  CHECK(opening(base, Choice::cheapest, h, "d").start_cents == 15);  // paid 18 there: capped at its maximum
  CHECK(opening(base, Choice::cheapest, h, "a").start_cents == 5);   // never bought there
  CHECK(opening(base, Choice::first, h, "b").start_cents == 5);
  CHECK(opening(base, Choice::most_energy, h, "b").start_cents == 5);
}

TEST_CASE("a trading history survives its JSON, and a bad one is refused saying what is wrong") {
  const auto h = TradingHistory::parse(history().dump());
  REQUIRE(h.trades().size() == 3);
  CHECK(h.lowest_price("b").value() == 14);
  CHECK_FALSE(h.lowest_price("z").has_value());
  CHECK(h.bought_kwh("b") == 10);
  CHECK_THROWS_WITH_AS(TradingHistory::parse("{\"trades\": [{\"bess\": \"b\"}]}"),
                       doctest::Contains("not a trading history"), HistoryError);
  CHECK_THROWS_WITH_AS(TradingHistory::parse("[1, 2"), doctest::Contains("not a trading history"), HistoryError);
  CHECK_THROWS_WITH_AS(
      TradingHistory::parse("{\"trades\": [{\"bess\": \"b\", \"price_cents\": 1, \"energy_kwh\": -1}]}"),
      doctest::Contains("unusable price or energy"), HistoryError);
  CHECK(choice_named("cheapest") == Choice::cheapest);
  CHECK_FALSE(choice_named("sideways"));
}
