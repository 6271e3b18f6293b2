// The market agent on a real platform: participants act as themselves, bad
// orders are refused with what is wrong, and a restart replays the ledger.
#include "cli.hpp"

#include <watt/sqlite/database.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <tuple>

using watt::test::Cli;
using watt::test::client;

namespace {

// A platform with the market agent "market" (market "test", operator
// "operator") and `extra` settings.
void start_market(const Cli& cli, const std::string& extra) {
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  const auto config = cli.home().path() / "market.yml";
  std::ofstream(config) << "market: test\nkey_seed: m\noperators: [operator]\n" << extra;
  REQUIRE(
      cli.watt({"install", watt::test::lib("market"), "--identity", "market", "--config", config.string(), "--start"})
          .code == 0);
}

}  // namespace

TEST_CASE("market agent: participants act as themselves, bad orders are refused, a restart replays the ledger") {
  Cli cli;
  start_market(cli, "lines: hard\n");
  auto op = client(cli, "operator");
  for (const char* who : {"C1", "P1"}) REQUIRE(op.call("market", "open", std::string(who), 1000.0, 50.0).get());
  auto p1 = client(cli, "P1");
  const auto id = p1.call("market", "post", std::string("P1"), 5.0, 9.90).get_as<std::uint64_t>();
  REQUIRE(id);
  REQUIRE(p1.call("market", "update", std::string("P1"), id.value(), 6.0, 9.82).get());
  // C1 may change neither P1's post in its own name nor in P1's.
  auto c1 = client(cli, "C1");
  const auto theirs = c1.call("market", "update", std::string("C1"), id.value(), 1.0, 1.0).get();
  REQUIRE_FALSE(theirs);
  CHECK(theirs.error().what().find("is not 'C1''s") != std::string::npos);
  CHECK_FALSE(c1.call("market", "delete", std::string("P1"), id.value()).get());
  // P1 may not buy in C1's name, nor post a negative amount or a NaN price.
  const auto forged = p1.call("market", "buy", std::string("C1"), 1.0, 10.0).get();
  REQUIRE_FALSE(forged);
  CHECK(forged.error().what().find("'P1' may not act for 'C1'") != std::string::npos);
  const auto negative = p1.call("market", "post", std::string("P1"), -1.0, 9.0).get();
  REQUIRE_FALSE(negative);
  CHECK(negative.error().what().find("amount must be > 0") != std::string::npos);
  CHECK_FALSE(p1.call("market", "post", std::string("P1"), 1.0, std::nan("")).get());
  REQUIRE(c1.call("market", "buy", std::string("C1"), 2.0, 10.0).get());
  // Restarted, the market is what its ledger says.
  REQUIRE(cli.watt({"restart", "market"}).code == 0);
  REQUIRE(watt::test::eventually([&] { return static_cast<bool>(op.call("market", "accounts").get()); }));
  const auto accounts = op.call("market", "accounts").get_as<std::map<std::string, std::pair<double, double>>>();
  REQUIRE(accounts);
  CHECK(accounts.value().at("C1").first == doctest::Approx(1000 - 19.64));
  CHECK(accounts.value().at("P1").second == doctest::Approx(48));
  const auto verified = op.call("market", "verify").get_as<std::tuple<bool, std::int64_t, std::string>>();
  REQUIRE(verified);
  CHECK(std::get<0>(verified.value()));
  CHECK(std::get<1>(verified.value()) == 5);  // two opens, a post, its update, a buy
}

TEST_CASE("ledger-copy: a participant's copy follows the market, catches up, and refuses a forged entry") {
  Cli cli;
  start_market(cli, "");
  auto op = client(cli, "operator");
  // Two entries before the copy exists: it catches up from the market.
  for (const char* who : {"C1", "P1"}) REQUIRE(op.call("market", "open", std::string(who), 1000.0, 50.0).get());
  const auto key = op.call("market", "key").get_as<std::string>();
  REQUIRE(key);
  const auto copy_config = cli.home().path() / "copy.yml";
  std::ofstream(copy_config) << "market: test\npeer: market\nwhitelist: [" << key.value() << "]\n";
  REQUIRE(cli.watt({"install", watt::test::lib("ledger-copy"), "--identity", "copy", "--config", copy_config.string(),
                    "--start"})
              .code == 0);
  using Counters = std::tuple<std::int64_t, std::uint64_t>;
  const auto counters = [&] {
    auto r = op.call("copy", "counters").get_as<Counters>();
    return r ? r.value() : Counters{-1, 0};
  };
  REQUIRE(watt::test::eventually([&] { return std::get<0>(counters()) == 2; }));
  // An intruder publishes a forged entry on the ledger's topic: refused.
  auto intruder = client(cli, "intruder");
  intruder.publish("market/test/ledger", std::string(R"({"seq": 3, "prev": "00", "kind": "transfer", "body": "{}",)"
                                                     R"( "signer": ")" +
                                                     key.value() + R"(", "signature": "00", "hash": "00"})"));
  REQUIRE(watt::test::eventually([&] { return std::get<1>(counters()) == 1; }));
  CHECK(std::get<0>(counters()) == 2);
  // The market's next entry is kept, and the copy verifies.
  auto p1 = client(cli, "P1");
  REQUIRE(p1.call("market", "post", std::string("P1"), 6.0, 9.82).get());
  REQUIRE(watt::test::eventually([&] { return std::get<0>(counters()) == 3; }));
  const auto verified = op.call("copy", "verify").get_as<std::tuple<bool, std::int64_t, std::string>>();
  REQUIRE(verified);
  CHECK(std::get<0>(verified.value()));
  CHECK(cli.log("copy").find("refused an entry from 'intruder'") != std::string::npos);
  CHECK(cli.watt({"ledger", "verify", "market", "copy"}).code == 0);
  // The market's file loses its last entry: still a valid chain, but shorter
  // than the copy, which `watt ledger verify` compares it with.
  REQUIRE(cli.watt({"stop", "market"}).code == 0);
  {
    watt::sqlite::Database db((cli.home().path() / "data" / "market" / "ledger.db").string(), {});
    db.exec("DELETE FROM entries WHERE seq = 3");
  }
  REQUIRE(cli.watt({"start", "market"}).code == 0);
  REQUIRE(watt::test::eventually([&] { return static_cast<bool>(op.call("market", "key").get()); }));
  const auto cut = cli.watt({"ledger", "verify", "market", "copy"});
  CHECK(cut.code == 1);
  CHECK(cut.out.find("market: 1 entries fewer than copy: its last entries are missing") != std::string::npos);
}

TEST_CASE("watt ledger verify: a good ledger verifies, an altered entry is named and the exit is 1") {
  Cli cli;
  start_market(cli, "");
  auto op = client(cli, "operator");
  for (const char* who : {"C1", "P1", "P2"}) REQUIRE(op.call("market", "open", std::string(who), 1000.0, 50.0).get());
  const auto good = cli.watt({"ledger", "verify"});
  CHECK(good.code == 0);
  CHECK(good.out == "market: 3 entries, verified\n");
  // Someone with the file edits an entry behind the market's back.
  REQUIRE(cli.watt({"stop", "market"}).code == 0);
  {
    watt::sqlite::Database db((cli.home().path() / "data" / "market" / "ledger.db").string(), {});
    db.exec("UPDATE entries SET body = replace(body, '100000', '900000') WHERE seq = 2");
  }
  REQUIRE(cli.watt({"start", "market"}).code == 0);
  REQUIRE(watt::test::eventually([&] { return static_cast<bool>(op.call("market", "key").get()); }));
  const auto bad = cli.watt({"ledger", "verify", "market"});
  CHECK(bad.code == 1);
  CHECK(bad.out == "market: entry 2: altered: its hash does not match its content\n");
  CHECK(bad.err.find("a ledger does not verify") != std::string::npos);
  // Nor does the market take orders on it.
  const auto refused = op.call("market", "open", std::string("C2"), 1.0, 1.0).get();
  REQUIRE_FALSE(refused);
  CHECK(refused.error().what().find("the ledger does not verify (entry 2: altered") != std::string::npos);
  CHECK_FALSE(op.call("market", "accounts").get());
  CHECK(cli.watt({"ledger", "verify", "nobody"}).code != 0);
}
