// Seed 002's Bit-Energy market (Chapter 3) against its Tables 2-4, to the
// cent, with money and energy conserved in every match.
#include <watt/trading/market.hpp>

#include <doctest/doctest.h>

#include <cmath>

using namespace watt::trading;

namespace {

Money cents(double c) { return static_cast<Money>(std::llround(c * money_per_cent)); }
Wh kwh(double k) { return static_cast<Wh>(std::llround(k * 1000)); }
PriceCc price(double c_per_kwh) { return static_cast<PriceCc>(std::llround(c_per_kwh * 100)); }

// The case study's four accounts of $10 and 50 kWh, and P1-P3's posts.
Market thesis_market(MarketRules rules) {
  Market m(rules);
  for (const char* name : {"C1", "P1", "P2", "P3"}) m.open_account(name, cents(1000), kwh(50));
  m.post("P1", kwh(6), price(9.82));
  m.post("P2", kwh(7), price(9.90));
  m.post("P3", kwh(8), price(9.97));
  if (rules.lines != LineMode::none) {
    m.set_line_limit("C1", "P1", kwh(5));
    m.set_line_limit("C1", "P2", kwh(10));
    m.set_line_limit("C1", "P3", kwh(5));
  }
  return m;
}

void check_account(const Market& m, const char* name, double balance_cents, double energy_kwh) {
  CAPTURE(name);
  CHECK(m.account(name).balance == cents(balance_cents));
  CHECK(m.account(name).energy == kwh(energy_kwh));
}

void check_conserved(const Market& m) {
  CHECK(m.total_money() == cents(4000));
  CHECK(m.total_energy() == kwh(200));
}

}  // namespace

TEST_CASE("Bit-Energy Case I (Table 2): 8 kWh at most 10 c, lowest price first") {
  auto m = thesis_market({});
  const auto r = m.buy("C1", kwh(8), price(10));
  REQUIRE(r.fills.size() == 2);
  CHECK(r.fills[0].seller == "P1");
  CHECK(r.fills[0].amount == kwh(6));
  check_account(m, "C1", 921.28, 58.0);
  check_account(m, "P1", 1058.92, 44.0);
  check_account(m, "P2", 1019.80, 48.0);
  check_account(m, "P3", 1000.0, 50.0);
  const auto posts = m.posts();
  REQUIRE(posts.size() == 2);
  CHECK(posts[0].seller == "P2");
  CHECK(posts[0].amount == kwh(5));
  CHECK(posts[1].amount == kwh(8));
  check_conserved(m);
}

TEST_CASE("Bit-Energy Case II (Table 3): a line at its limit carries no more") {
  auto m = thesis_market({LineMode::hard});
  const auto r = m.buy("C1", kwh(8), price(10));
  REQUIRE(r.fills.size() == 2);
  CHECK(r.fills[0].amount == kwh(5));  // C1-P1's limit
  check_account(m, "C1", 921.20, 58.0);
  check_account(m, "P1", 1049.10, 45.0);
  check_account(m, "P2", 1029.70, 47.0);
  check_account(m, "P3", 1000.0, 50.0);
  const auto posts = m.posts();
  REQUIRE(posts.size() == 3);
  CHECK((posts[0].seller == "P1" && posts[0].amount == kwh(1)));
  CHECK((posts[1].seller == "P2" && posts[1].amount == kwh(4)));
  CHECK(m.line_used("C1", "P1") == kwh(5));
  check_conserved(m);
}

TEST_CASE("Bit-Energy Case III (Table 4): past its limit a line costs 0.1 c/kWh more, paid to the seller") {
  auto m = thesis_market({LineMode::penalty, price(0.1)});
  const auto r = m.buy("C1", kwh(15), price(10));
  // 5 from P1, 7 from P2 (P1 now at 9.92), P1's last 1 at 9.92, 2 from P3.
  REQUIRE(r.fills.size() == 4);
  CHECK((r.fills[1].seller == "P2" && r.fills[1].amount == kwh(7)));
  CHECK((r.fills[2].seller == "P1" && r.fills[2].price == price(9.92) && r.fills[2].over_limit));
  check_account(m, "C1", 851.74, 65.0);
  check_account(m, "P1", 1059.02, 44.0);
  check_account(m, "P2", 1069.30, 43.0);
  check_account(m, "P3", 1019.94, 48.0);
  const auto posts = m.posts();
  REQUIRE(posts.size() == 1);
  CHECK((posts[0].seller == "P3" && posts[0].amount == kwh(6) && posts[0].price == price(9.97)));
  check_conserved(m);
}

TEST_CASE("bad orders and posts are refused with what is wrong, and change nothing") {
  auto m = thesis_market({LineMode::hard});
  const auto before = m.account("C1");
  CHECK_THROWS_WITH_AS(m.buy("C1", kwh(-1), price(10)), doctest::Contains("amount must be > 0"), MarketError);
  CHECK_THROWS_WITH_AS(m.buy("C9", kwh(1), price(10)), doctest::Contains("unknown buyer 'C9'"), MarketError);
  CHECK_THROWS_WITH_AS(m.post("P9", kwh(1), price(10)), doctest::Contains("unknown seller 'P9'"), MarketError);
  CHECK_THROWS_WITH_AS(m.post("P1", kwh(1), 0), doctest::Contains("price must be > 0"), MarketError);
  CHECK_THROWS_WITH_AS(m.post("P1", kwh(45), price(9)), doctest::Contains("posts 51.0"), MarketError);
  CHECK_THROWS_WITH_AS(m.open_account(std::string(65, 'x'), 0, 0), doctest::Contains("1 to 64 bytes"), MarketError);
  // More than the posts hold at the price: all or nothing.
  CHECK_THROWS_WITH_AS(m.buy("C1", kwh(30), price(10)), doctest::Contains("the posts hold 17.0 kWh"), MarketError);
  CHECK(m.account("C1").balance == before.balance);
  CHECK(m.posts().size() == 3);
  CHECK(m.line_used("C1", "P1") == 0);
  // Its own post is not for the seller.
  CHECK_THROWS_WITH_AS(m.buy("P3", kwh(14), price(10)), doctest::Contains("hold 13.0 kWh"), MarketError);
  CHECK_THROWS_WITH_AS(m.transfer("C1", "C1", 1), doctest::Contains("to oneself"), MarketError);
  CHECK_THROWS_WITH_AS(m.transfer("C1", "P1", cents(2000)), doctest::Contains("cannot pay"), MarketError);
  m.transfer("C1", "P1", cents(1));
  CHECK(m.total_money() == cents(4000));
  CHECK(line_mode_named("penalty") == LineMode::penalty);
}

TEST_CASE("a post updated keeps its number, and an update refused leaves it as it was") {
  Market m;
  m.open_account("P1", 0, kwh(10));
  const auto id = m.post("P1", kwh(4), price(9.5));
  m.update_post(id, kwh(6), price(9.0));
  REQUIRE(m.posts().size() == 1);
  CHECK((m.posts()[0].id == id && m.posts()[0].amount == kwh(6) && m.posts()[0].price == price(9.0)));
  CHECK_THROWS_WITH_AS(m.update_post(id, kwh(11), price(9.0)), doctest::Contains("holds 10.0 kWh"), MarketError);
  CHECK((m.posts()[0].id == id && m.posts()[0].amount == kwh(6)));
  CHECK(m.post("P1", kwh(4), price(9.9)) == id + 1);  // what the refused update freed is postable
  m.delete_post(id);
  CHECK_THROWS_WITH_AS(m.delete_post(id), doctest::Contains("no post"), MarketError);
}
