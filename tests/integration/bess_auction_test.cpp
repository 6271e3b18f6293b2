// Seed 000's auctions on a real platform: Device Failure ahead of a flood of
// BESS Status, a stalled receiver's misses counted by type, an aggregator
// moving on from a BESS that dies, fails or falls silent mid-auction, its
// trading history kept, and bad settings refused by name.
#include "cli.hpp"
#include "platform.hpp"

#include <watt/platform/broker_stats.hpp>
#include <watt/trading/agent_state.hpp>
#include <watt/trading/aggregator_plan.hpp>

#include <doctest/doctest.h>

#include <csignal>
#include <filesystem>
#include <fstream>

using namespace std::chrono_literals;
using watt::test::Cli;
using watt::test::client;
using namespace watt::trading;

namespace {

const TypeStats& of(const std::vector<TypeStats>& all, MsgType t) { return all.at(static_cast<std::size_t>(t)); }

// A platform with a BESS or two and an aggregator that waits to be told to
// query; `bess` maps identities to their config lines.
struct Auction {
  Cli cli;
  watt::Client op = (start(), client(cli, "operator"));

  void start() { REQUIRE(cli.watt({"platform", "start"}).code == 0); }
  void install(const std::string& library, const std::string& id, const std::string& config) {
    const auto file = cli.home().path() / (id + ".yml");
    std::ofstream(file) << "market: t\n" << config;
    REQUIRE(
        cli.watt({"install", watt::test::lib(library), "--identity", id, "--config", file.string(), "--start"}).code ==
        0);
    REQUIRE(watt::test::eventually([&] { return op.call(id, "state").get().ok(); }));
  }
  // b1 has more for sale (tried first) and holds bids for a minute; b2
  // sells at once; the aggregator has queried them.
  void two_bess_and_aggregator(int counterpart_timeout_ms) {
    install("bess", "b1", "total_kwh: 30\nreserve_cents: 10\nwindow_ms: 60000\n");
    install("bess", "b2", "total_kwh: 10\nreserve_cents: 10\nwindow_ms: 50\n");
    install("aggregator", "agg",
            "required_kwh: 5\nstart_cents: 12\nmax_cents: 20\nchoice: most_energy\nstart: false\n"
            "counterpart_timeout_ms: " +
                std::to_string(counterpart_timeout_ms) + "\ndiscovery_ms: 1000\n");
    REQUIRE(op.call("agg", "query").get());
  }
  AggregatorState aggregator(const std::string& id) { return op.call(id, "state").get_as<AggregatorState>().value(); }
  BessState bess(const std::string& id) { return op.call(id, "state").get_as<BessState>().value(); }
};

}  // namespace

TEST_CASE("a Device Failure (priority 0) is handled before 10,000 BESS Status messages queued ahead of it") {
  watt::test::Platform p("broker:\n  socket_high_water: 100\n  queue_limit: 100000\n");
  auto agg_client = p.client("agg");
  auto bess_client = p.client("bess");
  Link agg(*agg_client, "t", "agg");
  Link bess(*bess_client, "t", "bess");
  std::vector<std::string> order;
  agg.on<BessStatusMsg>(MsgType::bess_status, [&](const BessStatusMsg&) { order.push_back("status"); });
  agg.on<DeviceFailureMsg>(MsgType::device_failure, [&](const DeviceFailureMsg& f) { order.push_back(f.fault); });
  REQUIRE(agg_client->sync());
  constexpr std::size_t n = 10000;
  for (std::size_t i = 0; i < n; ++i) bess.send("agg", MsgType::bess_status, BessStatusMsg{"bess", 13.5, 50, 230});
  bess.send("agg", MsgType::device_failure, DeviceFailureMsg{"bess", "overtemperature"});
  REQUIRE(bess_client->sync());
  // Only now does the aggregator read; every status is handled, missed at
  // the aggregator, or expired at the broker (their deadline is 2 s).
  const auto accounted = [&] {
    const auto st = agg.stats();
    const auto broker = agg_client->call("broker", "stats").get_as<watt::broker::BrokerStats>().value();
    const auto expired = misses_by_type(broker.expired_topics, "t")[static_cast<std::size_t>(MsgType::bess_status)];
    return of(st, MsgType::bess_status).received + of(st, MsgType::bess_status).missed + expired;
  };
  const bool all = agg_client->spin_until(
      [&] { return accounted() == n && of(agg.stats(), MsgType::device_failure).received == 1; }, 60s);
  // What is missing, when something is: handled, missed, or expired.
  REQUIRE_MESSAGE(all, "accounted " << accounted() << " of " << n << " (handled "
                                    << of(agg.stats(), MsgType::bess_status).received << ", missed "
                                    << of(agg.stats(), MsgType::bess_status).missed << "); Device Failures "
                                    << of(agg.stats(), MsgType::device_failure).received);
  const auto pos = std::find(order.begin(), order.end(), "overtemperature") - order.begin();
  INFO("the Device Failure was handled at position " << pos << " of " << order.size());
  // What sat in socket buffers (first in, first out) comes first; it
  // overtakes everything the broker and the aggregator's inbox still held.
  CHECK(pos < static_cast<long>(n) / 2);
  CHECK(order.size() - static_cast<std::size_t>(pos) > 1);  // it overtook statuses that were still waiting
  CHECK(of(agg.stats(), MsgType::device_failure).missed == 0);
}

TEST_CASE("a receiver stalled past the deadlines counts each type's misses") {
  watt::test::Platform p;
  auto agg_client = p.client("agg");
  auto bess_client = p.client("bess");
  Link agg(*agg_client, "t", "agg");
  Link bess(*bess_client, "t", "bess");
  std::size_t handled = 0;
  agg.on<DeviceFailureMsg>(MsgType::device_failure, [&](const DeviceFailureMsg&) { ++handled; });
  agg.on<BessStatusMsg>(MsgType::bess_status, [&](const BessStatusMsg&) { ++handled; });
  REQUIRE(agg_client->sync());
  const auto sent = std::chrono::steady_clock::now();
  for (int i = 0; i < 3; ++i) bess.send("agg", MsgType::device_failure, DeviceFailureMsg{"bess", "fault"});  // 200 ms
  bess.send("agg", MsgType::bess_status, BessStatusMsg{"bess", 13.5, 50, 230});                              // 2 s
  REQUIRE(bess_client->sync());
  // Stalled past the Device Failures' deadline, not the status's.
  REQUIRE(watt::test::eventually([&] { return std::chrono::steady_clock::now() - sent > 300ms; }));
  REQUIRE(agg_client->spin_until([&] { return handled == 1; }, 10s));
  agg_client->spin_for(50ms);
  const auto st = agg.stats();
  CHECK(of(st, MsgType::device_failure).missed == 3);
  CHECK(of(st, MsgType::device_failure).received == 0);
  CHECK(of(st, MsgType::bess_status).received == 1);
  CHECK(of(st, MsgType::bess_status).missed == 0);
  CHECK(of(st, MsgType::bess_status).max_delay_ms == 2000);
  CHECK(of(bess.stats(), MsgType::device_failure).sent == 3);
}

TEST_CASE("a BESS that dies mid-auction is given up and the aggregator buys from the next") {
  Auction a;
  a.two_bess_and_aggregator(60000);
  REQUIRE(watt::test::eventually([&] { return a.aggregator("agg").bidding_with == "b1"; }));
  const auto pid = watt::test::agent_pid(a.cli, "b1");
  REQUIRE(pid > 0);
  ::kill(static_cast<pid_t>(pid), SIGKILL);
  REQUIRE(watt::test::eventually([&] { return a.aggregator("agg").done; }, 15000ms));
  const auto st = a.aggregator("agg");
  REQUIRE(st.bought.size() == 1);
  CHECK(st.bought[0].bess == "b2");
  CHECK(st.bought[0].price_cents == 12);
  CHECK(st.remaining_kwh == 0);
  CHECK(st.given_up == std::vector<std::string>{"b1: left the bus"});
  CHECK(watt::test::eventually([&] { return a.bess("b2").sold_to == "agg"; }));
  // What it bought is kept for its next runs.
  std::ifstream history(a.cli.home().path() / "data" / "agg" / "history.json");
  std::stringstream text;
  text << history.rdbuf();
  CHECK(TradingHistory::parse(text.str()).lowest_price("b2") == 12);
}

TEST_CASE("a BESS that falls silent is timed out and told the bid is withdrawn, and the aggregator moves on") {
  Auction a;
  a.two_bess_and_aggregator(1000);
  REQUIRE(watt::test::eventually([&] { return a.aggregator("agg").done; }));
  const auto st = a.aggregator("agg");
  REQUIRE(st.bought.size() == 1);
  CHECK(st.bought[0].bess == "b2");
  CHECK(st.given_up == std::vector<std::string>{"b1: silent for 1000 ms"});
  // b1 dropped the withdrawn bid: its window never closes on it.
  CHECK(watt::test::eventually([&] { return of(a.bess("b1").messages, MsgType::terminate).received == 1; }));
  CHECK(a.bess("b1").sold_to.empty());
}

TEST_CASE("a BESS that fails mid-auction says so, and the aggregator moves on") {
  Auction a;
  a.two_bess_and_aggregator(60000);
  REQUIRE(watt::test::eventually([&] { return a.aggregator("agg").bidding_with == "b1"; }));
  REQUIRE(a.op.call("b1", "fail", std::string("overtemperature")).get());
  REQUIRE(watt::test::eventually([&] { return a.aggregator("agg").done; }));
  const auto st = a.aggregator("agg");
  REQUIRE(st.bought.size() == 1);
  CHECK(st.bought[0].bess == "b2");
  CHECK(st.given_up.at(0).find("b1: ") == 0);  // the Device Failure or the Terminate, whichever came first
  CHECK(st.bess_failures == std::vector<std::string>{"b1: overtemperature"});
  CHECK(of(st.messages, MsgType::device_failure).received == 1);
  const auto b1 = a.bess("b1");
  CHECK(b1.failed);
  CHECK(b1.sold_to.empty());
}

TEST_CASE("a sale counts only once the BESS accounts it, and a forged sender is dropped") {
  Auction a;
  a.install("aggregator", "agg",
            "required_kwh: 5\nstart_cents: 12\nmax_cents: 20\nstart: false\ndiscovery_ms: 300\n"
            "counterpart_timeout_ms: 60000\n");
  // A BESS played by the test: it accepts at once, and then says the
  // confirmation came too late.
  auto fake = client(a.cli, "fake");
  Link bess(fake, "t", "fake");
  bess.on<QueryMsg>(MsgType::query, [&](const QueryMsg& q) {
    bess.send(q.from, MsgType::response, ResponseMsg{"fake", 10, 100});
  });
  bess.on<BidMsg>(MsgType::bid, [&](const BidMsg& b) {
    bess.send(b.from, MsgType::accept_bid, AcceptBidMsg{"fake", 1, b.energy_kwh, b.price_cents});
  });
  bool confirmed = false;
  bess.on<BidConfirmationMsg>(MsgType::bid_confirmation, [&](const BidConfirmationMsg&) { confirmed = true; });
  REQUIRE(fake.sync());
  REQUIRE(a.op.call("agg", "query").get());
  REQUIRE(fake.spin_until([&] { return confirmed; }, 10s));
  CHECK_FALSE(a.aggregator("agg").done);  // confirmed, not yet accounted
  // Someone else claims to be the BESS: dropped, counted.
  auto intruder = client(a.cli, "intruder");
  Link forger(intruder, "t", "intruder");
  forger.send("agg", MsgType::terminate, TerminateMsg{"fake", 1, "completed"});
  REQUIRE(watt::test::eventually([&] { return of(a.aggregator("agg").messages, MsgType::terminate).forged == 1; }));
  CHECK(a.aggregator("agg").bought.empty());
  bess.send("agg", MsgType::terminate, TerminateMsg{"fake", 1, "no confirmation"});
  REQUIRE(watt::test::eventually([&] { return a.aggregator("agg").done; }));
  const auto st = a.aggregator("agg");
  CHECK(st.bought.empty());
  CHECK(st.remaining_kwh == 5);
  CHECK(st.given_up == std::vector<std::string>{"fake: terminated: no confirmation"});
}

TEST_CASE("bess and aggregator settings that make no sense are refused by name") {
  Auction a;
  int n = 0;
  const auto refused = [&](const std::string& library, const std::string& config) {
    const auto file = a.cli.home().path() / "bad.yml";
    std::ofstream(file) << config;
    const auto id = library + "-" + std::to_string(++n);
    const auto r =
        a.cli.watt({"install", watt::test::lib(library), "--identity", id, "--config", file.string(), "--start"});
    CHECK(r.code != 0);
    return r.err;
  };
  CHECK(refused("bess", "percent_for_sale: 150\n").find("'percent_for_sale' must be a number from 0 to 100") !=
        std::string::npos);
  CHECK(refused("bess", "total_kwh: lots\n").find("'total_kwh' must be a number from 0") != std::string::npos);
  CHECK(refused("bess", "colour: red\n").find("unknown key 'colour'") != std::string::npos);
  CHECK(refused("aggregator", "choice: sideways\n").find("'choice': first, cheapest or most_energy") !=
        std::string::npos);
  // A history it cannot read is not overwritten: it says which file.
  std::filesystem::create_directories(a.cli.home().path() / "data" / "aggregator-5");
  std::ofstream(a.cli.home().path() / "data" / "aggregator-5" / "history.json") << "{\"trades\": 3";
  CHECK(refused("aggregator", "{}\n").find("history.json: not a trading history") != std::string::npos);
  CHECK(refused("aggregator", "start_cents: 10\nmax_cents: 5\n").find("'max_cents' must be a number from 10") !=
        std::string::npos);
}
