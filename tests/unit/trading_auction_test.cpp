// Seed 000's prototype auctions (Figs. 6-8) played out by the auction's
// bookkeeping, and what a silent counterpart does to it.
#include <watt/trading/auction_scenario.hpp>

#include <doctest/doctest.h>

using namespace watt::trading;

namespace {

BessSettings bess(const std::string& id, double reserve) { return {id, 13.5, 50, reserve, 230, Ms{1000}, Ms{2000}}; }

AggregatorSettings aggregator(const std::string& id, double start, std::vector<double> steps, double max) {
  return {id, 6.75, {start, std::move(steps), max}, Ms{3000}};
}

std::vector<std::string> outcomes(const AuctionOutcome& o) {
  std::vector<std::string> out;
  for (const auto& b : o.bids)
    out.push_back(b.bidder + " " + std::to_string(static_cast<int>(b.price_cents)) + " " + b.outcome);
  return out;
}

}  // namespace

TEST_CASE("Fig. 6: bids below the reserve are rejected until 15 c/kWh is accepted, and nothing is left for sale") {
  const auto o = run_auction({bess("25", 12.5), {aggregator("500", 5, {2, 3, 5}, 20)}});
  REQUIRE(o.winner);
  CHECK(*o.winner == "500");
  CHECK(o.price_cents == 15);
  CHECK(o.left_percent == 0);
  CHECK(outcomes(o) ==
        std::vector<std::string>{"500 5 rejected", "500 7 rejected", "500 10 rejected", "500 15 accepted"});
  CHECK(o.lines.back() == "Percentage for sale left = 0");
}

TEST_CASE("Fig. 7: an aggregator whose maximum is below the reserve is rejected to its maximum, and stops") {
  const auto o = run_auction({bess("25", 12.5), {aggregator("500", 4, {2, 1}, 7)}});
  CHECK_FALSE(o.winner);
  CHECK(o.left_percent == 50);
  CHECK(outcomes(o) == std::vector<std::string>{"500 4 rejected", "500 6 rejected", "500 7 rejected"});
  CHECK(o.lines.back() == "aggregator 500 bows out");
}

TEST_CASE("Fig. 8: two aggregators compete, 55 bows out at its maximum of 17 and 44 buys at 23") {
  const auto o = run_auction({bess("30", 20), {aggregator("44", 13, {10}, 30), aggregator("55", 1, {10, 1, 5}, 17)}});
  REQUIRE(o.winner);
  CHECK(*o.winner == "44");
  CHECK(o.price_cents == 23);
  CHECK(o.left_percent == 0);
  CHECK(outcomes(o) == std::vector<std::string>{"44 13 rejected", "55 1 rejected", "55 11 rejected", "55 12 rejected",
                                                "55 17 rejected", "44 23 accepted"});
}

TEST_CASE("competing bids at the reserve or above: the highest in the window wins, the others are outbid") {
  BessAuction b(bess("1", 10));
  CHECK(b.bid({"a", 0, 5, 12, 0}, Ms{0}).rejects.empty());
  CHECK(b.bid({"b", 0, 5, 14, 0}, Ms{500}).rejects.empty());
  CHECK_FALSE(b.tick(Ms{999}).accept);
  const auto closed = b.tick(Ms{1000});
  REQUIRE(closed.accept);
  CHECK(closed.accept->first == "b");
  REQUIRE(closed.rejects.size() == 1);
  CHECK(closed.rejects[0].second.reason == "outbid");
  // The winner never confirms: timed out, and the auction opens again.
  CHECK(b.bid({"c", 0, 5, 15, 0}, Ms{1500}).rejects.at(0).second.reason == "closed");
  const auto late = b.tick(Ms{3100});
  REQUIRE(late.terminates.size() == 1);
  CHECK(late.terminates[0].first == "b");
  CHECK_FALSE(b.confirm({"b", 1}));
  CHECK(b.bid({"c", 0, 5, 15, 0}, Ms{3200}).rejects.empty());
}

TEST_CASE("an aggregator gives up on a silent BESS after its timeout") {
  AggregatorBidder a(aggregator("9", 5, {1}, 10));
  REQUIRE(a.on_response({"dead", 13.5, 50}, Ms{0}));
  CHECK_FALSE(a.tick(Ms{3000}));
  CHECK(a.tick(Ms{3001}));
  CHECK(a.timed_out());
  CHECK(a.done());
  CHECK_FALSE(a.on_reject({"dead", 1, 5, "below_reserve"}, Ms{3100}));
}
