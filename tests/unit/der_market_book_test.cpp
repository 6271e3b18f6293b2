// Seed 001's market as a book of account: curves as offers, the day ahead
// with the grid standing by, bilateral contracts, real time, imbalance,
// late and missing readings; every settlement balancing to the unit, and
// bad input refused by name.
#include <watt/der/market_book.hpp>

#include <doctest/doctest.h>

#include <random>

using namespace watt::der;

namespace {

// Two intervals: retail 30 c, feed-in 10 c, grid usage 1 c a side, penalty 50 %.
Tariff two_intervals() { return {{3000, 3000}, {1000, 1000}, 100, 0.5}; }

Offers buy(const std::string& who, Wh e, PriceCc p) { return {{{who, e, p}}, {}}; }
Offers sell(const std::string& who, Wh e, PriceCc p) { return {{}, {{who, e, p}}}; }

}  // namespace

TEST_CASE("market: a curve becomes bids and asks that draw what it says at each price") {
  // Draws 30 kWh at 10 c, 20 at 15 c, -10 (sells) at 20 c, -25 at 25 c.
  const auto o = offers_from_curve("A", {{2000, -10000}, {1000, 30000}, {2500, -25000}, {1500, 20000}});
  REQUIRE(o.bids.size() == 2);
  CHECK((o.bids[0].energy == 10000 && o.bids[0].price == 1000));  // 30 - 20, only at 10 c
  CHECK((o.bids[1].energy == 20000 && o.bids[1].price == 1500));
  REQUIRE(o.asks.size() == 2);
  CHECK((o.asks[0].energy == 10000 && o.asks[0].price == 2000));
  CHECK((o.asks[1].energy == 15000 && o.asks[1].price == 2500));
  // A curve that draws more at a higher price is flattened, never inverted.
  const auto flat = offers_from_curve("B", {{1000, 5000}, {2000, 8000}});
  REQUIRE(flat.bids.size() == 1);
  CHECK((flat.bids[0].energy == 5000 && flat.bids[0].price == 2000));
  CHECK_THROWS_AS(offers_from_curve("C", {{1000, 1}, {1000, 2}}), ClearingError);
  CHECK_THROWS_AS(offers_from_curve("C", {{-1, 1}}), ClearingError);
}

TEST_CASE("market: the day ahead clears between the operators first, the grid taking the rest, to the unit") {
  MarketBook book(two_intervals(), {"A", "B"});
  // Interval 0: A buys 10 kWh up to 25 c, B sells 4 kWh from 15 c.
  // Interval 1: only A sells 5 kWh from 10 c: the grid buys it.
  book.offer_day_ahead("A", {buy("A", 10000, 2500), sell("A", 5000, 1000)});
  book.offer_day_ahead("B", {sell("B", 4000, 1500), {}});
  book.report_bilateral("B", {"B", "A", 1, 2000, 2000});
  book.report_bilateral("A", {"B", "A", 1, 2000, 2000});
  book.report_bilateral("A", {"B", "A", 1, 2000, 2000});  // again: replaces, never adds
  book.report_bilateral("A", {"A", "B", 0, 9000, 100});   // the other party never confirms it
  REQUIRE(book.bilaterals().size() == 1);
  REQUIRE(book.unconfirmed().size() == 1);
  book.clear_day_ahead();
  const auto& c0 = book.day_ahead(0);
  // A's 25 c bid takes B's 4 kWh at (25 + 15) / 2 = 20 c; the grid asks
  // 29 c (retail less grid usage), more than A bids.
  CHECK(c0.energy == 4000);
  CHECK(c0.price == 2000);
  const auto& c1 = book.day_ahead(1);
  CHECK(c1.energy == 5000);
  CHECK(c1.price == 1050);  // (11 + 10) / 2: the grid bids feed-in plus grid usage
  CHECK(book.contract("A", 0) == 4000);
  CHECK(book.contract("B", 0) == -4000);
  CHECK(book.contract("A", 1) == -5000 + 2000);  // sold 5, bought 2 from B
  CHECK(book.contract("B", 1) == -2000);
  // A pays 4 kWh x 20 c + 1 c grid usage; is paid 5 x 10.5 c less 1 c; pays B 2 x 20 c plus 1 c.
  CHECK(book.total("A", Settlement::day_ahead) ==
        4000 * 2000 + 4000 * 100 - 5000 * 1050 + 5000 * 100 + 2000 * 2000 + 2000 * 100);
  CHECK(book.total("B", Settlement::day_ahead) == -4000 * 2000 + 4000 * 100 - 2000 * 2000 + 2000 * 100);
  CHECK(book.balance(Settlement::day_ahead) == 0);
  CHECK_THROWS_AS(book.offer_day_ahead("A", {{}, {}}), MarketError);
  CHECK_THROWS_AS(book.report_bilateral("A", {"A", "B", 0, 1, 1}), MarketError);
}

TEST_CASE("market: real time trades the deviations, then the imbalance is settled at the penalty") {
  MarketBook book(two_intervals(), {"A", "B"});
  book.offer_day_ahead("A", {buy("A", 10000, 2900), {}});
  book.offer_day_ahead("B", {{}, {}});
  book.clear_day_ahead();
  CHECK(book.contract("A", 0) == 10000);  // all from the grid at 29 c
  CHECK(book.day_ahead(0).price == 2900);
  // In real time A needs 2 kWh more, and B has 3 to spare.
  book.offer_real_time("A", 0, buy("A", 2000, 2900));
  book.offer_real_time("B", 0, sell("B", 3000, 1200));
  const auto& rt = book.clear_real_time(0);
  CHECK(rt.energy == 2000);  // the grid bids 11 c for the rest, below B's 12
  CHECK(rt.price == 2050);   // (29 + 12) / 2
  CHECK(book.contract("A", 0) == 12000);
  CHECK(book.contract("B", 0) == -2000);
  // A draws 12.5 kWh (0.5 over: short at 20.5 c x 1.5); B delivers 2.2 (0.2 long: paid 20.5 c x 0.5).
  book.meter("A", 0, 6000);
  book.meter("A", 0, 6500);
  book.meter("B", 0, -2200);
  CHECK(book.settle(0).empty());
  CHECK(book.total("A", Settlement::real_time) == 2000 * 2050 + 2000 * 100 + 500 * 3075);
  CHECK(book.total("B", Settlement::real_time) == -2000 * 2050 + 2000 * 100 - 200 * 1025);
  CHECK(book.balance(Settlement::real_time) == 0);
  CHECK_THROWS_AS(book.settle(0), MarketError);
  CHECK_THROWS_AS(book.offer_real_time("A", 0, {}), MarketError);
}

TEST_CASE("market: a missing reading is settled as the contract, and a late one settles the difference") {
  MarketBook book(two_intervals(), {"A", "B"});
  book.offer_day_ahead("A", {buy("A", 10000, 2900), {}});
  book.clear_day_ahead();
  book.meter("B", 0, 0);
  const auto unmetered = book.settle(0);
  REQUIRE(unmetered.size() == 1);
  CHECK(unmetered[0] == "A");
  CHECK(book.total("A", Settlement::real_time) == 0);
  // A settled interval trades no more in real time.
  CHECK_THROWS_AS(book.offer_real_time("B", 0, {}), MarketError);
  CHECK_THROWS_AS(book.clear_real_time(0), MarketError);
  book.meter("A", 0, 9000);  // 1 kWh under its 10: long, paid 29 c x 0.5
  CHECK(book.total("A", Settlement::real_time) == -1000 * 1450);
  book.meter("A", 0, 2000);  // another epoch: 11 kWh, 1 over: pays 29 c x 1.5
  CHECK(book.total("A", Settlement::real_time) == 1000 * 4350);
  CHECK(book.balance(Settlement::real_time) == 0);
}

TEST_CASE("market: random days balance to the unit") {
  std::mt19937 rng(7);
  const auto u = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  for (int day = 0; day < 20; ++day) {
    Tariff t;
    for (int i = 0; i < 6; ++i) {
      t.feed_in.push_back(u(0, 1500));
      t.retail.push_back(t.feed_in.back() + 300 + u(0, 3000));
    }
    t.grid_usage = u(0, 150);
    t.penalty = u(0, 100) / 100.0;
    const std::vector<std::string> who{"A", "B", "C", "D"};
    MarketBook book(t, who);
    for (const auto& w : who) {
      std::vector<Offers> offers(6);
      for (auto& o : offers) {
        for (int k = u(0, 3); k > 0; --k) o.bids.push_back({w, u(1, 50000), u(0, 5000)});
        for (int k = u(0, 3); k > 0; --k) o.asks.push_back({w, u(1, 50000), u(0, 5000)});
      }
      book.offer_day_ahead(w, offers);
    }
    const Bilateral b{"A", "B", u(0, 5), u(1, 9000), u(0, 4000)};
    book.report_bilateral("A", b);
    book.report_bilateral("B", b);
    book.clear_day_ahead();
    for (int i = 0; i < 6; ++i) {
      for (const auto& w : who)
        if (u(0, 1))
          book.offer_real_time(w, i, u(0, 1) ? buy(w, u(1, 9000), u(0, 5000)) : sell(w, u(1, 9000), u(0, 5000)));
      book.clear_real_time(i);
      for (const auto& w : who)
        if (u(0, 3)) book.meter(w, i, book.contract(w, i) + u(-5000, 5000));
      book.settle(i);
    }
    CHECK(book.balance(Settlement::day_ahead) == 0);
    CHECK(book.balance(Settlement::real_time) == 0);
  }
}

TEST_CASE("market: bad tariffs, parties and offers are refused by name") {
  CHECK_THROWS_WITH_AS(MarketBook({{3000}, {2950}, 100, 0.5}, {"A"}), doctest::Contains("interval 0"), MarketError);
  CHECK_THROWS_AS(MarketBook({{3000}, {}, 100, 0.5}, {"A"}), MarketError);
  CHECK_THROWS_WITH_AS(MarketBook(two_intervals(), {"A", "A"}), doctest::Contains("'A'"), MarketError);
  CHECK_THROWS_AS(MarketBook(two_intervals(), {"dso"}), MarketError);
  MarketBook book(two_intervals(), {"A", "B"});
  CHECK_THROWS_WITH_AS(book.offer_day_ahead("Z", {{}, {}}), doctest::Contains("'Z'"), MarketError);
  CHECK_THROWS_WITH_AS(book.offer_day_ahead("A", {{}}), doctest::Contains("1 intervals"), MarketError);
  CHECK_THROWS_WITH_AS(book.offer_day_ahead("A", {buy("B", 1, 1), {}}), doctest::Contains("in the name of 'B'"),
                       MarketError);
  CHECK_THROWS_AS(book.offer_day_ahead("A", {buy("A", 0, 1), {}}), MarketError);
  CHECK_THROWS_AS(book.offer_real_time("A", 0, {}), MarketError);  // before the day ahead
  CHECK_THROWS_WITH_AS(book.report_bilateral("A", {"A", "B", 2, 1, 1}), doctest::Contains("interval 2"), MarketError);
  CHECK_THROWS_AS(book.report_bilateral("A", {"A", "A", 0, 1, 1}), MarketError);
  MarketBook three(two_intervals(), {"A", "B", "C"});
  CHECK_THROWS_WITH_AS(three.report_bilateral("A", {"B", "C", 0, 1, 1}), doctest::Contains("'A' is no party"),
                       MarketError);
  book.report_bilateral("A", {"A", "B", 0, 1000, 1500});
  CHECK_THROWS_WITH_AS(book.report_bilateral("B", {"A", "B", 0, 1000, 1400}),
                       doctest::Contains("'B' reports 1000 Wh at 1400, the other party 1000 Wh at 1500"), MarketError);
  CHECK_THROWS_AS(book.offer_day_ahead("A", {buy("A", max_energy + 1, 1), {}}), MarketError);
  CHECK_THROWS_AS(book.offer_day_ahead("A", {buy("A", 1, max_price + 1), {}}), MarketError);
  CHECK_THROWS_AS(book.settle(0), MarketError);
}
