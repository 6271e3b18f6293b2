// The uniform-price double auction: a crossing computed by hand, the price
// rules, no crossing, bad offers refused, payments that balance to the unit,
// the welfare an LP finds, and imbalance at a penalty.
#include <watt/der/clearing.hpp>
#include <watt/opt/solve.hpp>

#include <doctest/doctest.h>

#include <random>

using namespace watt::der;

namespace {

// Bids A 5 kWh at 30 c, B 3 at 25, C 4 at 15; asks X 4 at 10, Y 4 at 20, Z 5 at 28.
const std::vector<Offer> bids{{"A", 5000, 3000}, {"B", 3000, 2500}, {"C", 4000, 1500}};
const std::vector<Offer> asks{{"X", 4000, 1000}, {"Y", 4000, 2000}, {"Z", 5000, 2800}};

Money paid(const Clearing& c, bool buyers) {
  Money sum = 0;
  for (const auto& a : c.awards)
    if (a.buyer == buyers) sum += a.money;
  return sum;
}

}  // namespace

TEST_CASE("clearing: demand meets supply where computed by hand, at one price, paid in full") {
  const auto c = clear(bids, asks);
  REQUIRE(c.cleared);
  // A takes X's 4 and 1 of Y's; B takes 3 of Y's; C (15) is below Z (28).
  CHECK(c.energy == 8000);
  CHECK(c.price == 2250);  // between the marginal bid (25) and ask (20)
  CHECK(c.welfare == 4000 * 2000 + 1000 * 1000 + 3000 * 500);
  REQUIRE(c.awards.size() == 4);
  CHECK((c.awards[0].who == "A" && c.awards[0].energy == 5000 && c.awards[0].money == 5000 * 2250));
  CHECK((c.awards[1].who == "B" && c.awards[1].energy == 3000));
  CHECK((c.awards[2].who == "X" && c.awards[2].energy == 4000 && !c.awards[2].buyer));
  CHECK((c.awards[3].who == "Y" && c.awards[3].energy == 4000));
  CHECK(paid(c, true) == paid(c, false));  // to the unit: 1e-5 cent
  CHECK(clear(bids, asks, PriceRule::bid).price == 2500);
  CHECK(clear(bids, asks, PriceRule::ask).price == 2000);
}

TEST_CASE("clearing: no crossing clears nothing, and bad offers are refused by name") {
  CHECK_FALSE(clear({{"A", 1000, 1000}}, {{"X", 1000, 2000}}).cleared);
  CHECK_FALSE(clear({}, asks).cleared);
  CHECK_THROWS_WITH_AS(clear({{"A", -5, 100}}, asks), doctest::Contains("the bid of 'A'"), ClearingError);
  CHECK_THROWS_WITH_AS(clear(bids, {{"X", 100, -1}}), doctest::Contains("the ask of 'X'"), ClearingError);
}

TEST_CASE("clearing: the welfare is the most any matching gives (an LP says so), and money balances") {
  std::mt19937 rng(7);
  std::uniform_int_distribution<Wh> energy(1, 5000);
  std::uniform_int_distribution<PriceCc> price(500, 4000);
  for (int round = 0; round < 30; ++round) {
    std::vector<Offer> b, a;
    for (int k = 0; k < 20; ++k) b.push_back({"b" + std::to_string(k), energy(rng), price(rng)});
    for (int k = 0; k < 20; ++k) a.push_back({"a" + std::to_string(k), energy(rng), price(rng)});
    const auto c = clear(b, a);
    // max sum(bid x) - sum(ask y), x and y within their offers, sum x = sum y
    watt::opt::Model lp;
    std::vector<watt::opt::Term> balance;
    for (const auto& o : b)
      balance.push_back({lp.add_var(o.who, 0, static_cast<double>(o.energy), static_cast<double>(o.price)), 1});
    for (const auto& o : a)
      balance.push_back({lp.add_var(o.who, 0, static_cast<double>(o.energy), -static_cast<double>(o.price)), -1});
    lp.add_eq("balance", balance, 0);
    lp.set_sense(watt::opt::Sense::maximize);
    const auto s = watt::opt::solve(lp);
    REQUIRE(s.ok());
    CHECK(static_cast<double>(c.welfare) == doctest::Approx(s.objective));
    CHECK(paid(c, true) == paid(c, false));
  }
}

TEST_CASE("clearing: an imbalance is paid at the penalty when short and earns less when long") {
  CHECK(imbalance(5000, 4000, 2000, 0.5) == 1000 * 2000 * 3 / 2);  // short 1 kWh at 20 c + 50 %
  CHECK(imbalance(5000, 6000, 2000, 0.5) == -1000 * 2000 / 2);     // long: paid 10 c for it
  CHECK(imbalance(5000, 5000, 2000, 0.5) == 0);
}
