// Seed 001's market on the bus: a market operator and microgrid operators
// as real agents through a short day (its full day is
// examples/microgrids/run.sh, a test of its own); a participant that never
// answers; and bad settings refused by name.
#include "cli.hpp"
#include "process.hpp"

#include <watt/client.hpp>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>

using nlohmann::json;
using watt::test::Cli;

namespace {

constexpr const char* models = R"(step_minutes: 30
models:
  - name: site
    kind: state_space
    inputs: [load_kw, pv_kw]
    outputs:
      power: {inputs: {load_kw: 1, pv_kw: -1}}
  - {name: battery, kind: battery, capacity_kwh: 40, initial_kwh: 20, min_kwh: 5, max_kwh: 40,
     max_charge_kw: 20, max_discharge_kw: 20}
)";

std::string write(const Cli& cli, const std::string& name, const std::string& text) {
  const auto file = cli.home().path() / name;
  std::ofstream(file) << text;
  return file.string();
}

watt::test::Exit install(const Cli& cli, const std::string& agent, const std::string& id, const std::string& config) {
  return cli.watt(
      {"install", watt::test::lib(agent), "--identity", id, "--config", write(cli, id + ".yml", config), "--start"});
}

std::string market_config(const std::string& participants, int intervals, int timeout_ms) {
  return "participants: [" + participants + "]\nintervals: " + std::to_string(intervals) +
         "\nretail_cents: 30\nfeed_in_cents: 5\ngrid_usage_cents: 1\npenalty: 0.5\ngate_timeout_ms: " +
         std::to_string(timeout_ms) + "\n";
}

std::string operator_config(const std::string& models_file, int intervals, double pv, int seed,
                            const std::string& extra = "") {
  return "market: market\nmodels: " + models_file + "\nday: {intervals: " + std::to_string(intervals) +
         ", pv_peak_kw: " + std::to_string(pv) + ", load_kw: 20, seed: " + std::to_string(seed) + "}\n" + extra;
}

json call_json(watt::Client& c, const std::string& peer, const std::string& method) {
  auto r = c.call(peer, method).get_as<std::string>();
  REQUIRE(r);
  return json::parse(r.value());
}

// Polls the market until it has settled its day.
bool day_settled(watt::Client& c, std::chrono::seconds within) {
  return watt::test::eventually(
      [&] {
        c.spin_for(std::chrono::milliseconds(50));
        auto s = c.call("market", "status").get_as<std::string>();
        return s && json::parse(s.value()).at("phase") == "done";
      },
      within);
}

}  // namespace

TEST_CASE("microgrids: a short day on the bus, cleared, tracked and settled to the unit, the DSO told") {
  Cli cli;
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  const auto m = write(cli, "mg.yml", models);
  auto c = watt::test::client(cli, "test-dso");
  json reported;
  c.subscribe("market/market/dso/dso/bilateral",
              [&](const watt::Envelope& e) { reported = json::parse(e.body.as<std::string>()); });
  std::vector<std::string> unmetered;
  int settled = 0;
  c.subscribe("market/market/settlement", [&](const watt::Envelope& e) {
    ++settled;
    const auto body = json::parse(e.body.as<std::string>());  // not a temporary: the loop reads into it
    for (const auto& who : body.at("unmetered")) unmetered.push_back(who);
  });
  REQUIRE(install(cli, "market-operator", "market", market_config("sunny, shady", 6, 60000)).code == 0);
  const std::string contract = "bilateral: [{seller: sunny, buyer: shady, from: 2, to: 3, kw: 10, price_cents: 15}]\n";
  REQUIRE(install(cli, "microgrid-operator", "sunny", operator_config(m, 6, 60, 1, contract)).code == 0);
  REQUIRE(install(cli, "microgrid-operator", "shady", operator_config(m, 6, 0, 2, contract)).code == 0);
  // Bad offers are refused, saying what is wrong, and the market goes on.
  const auto refused = [&](const std::string& method, const std::string& body) {
    auto r = c.call("market", method, body).get_as<std::string>();
    return r ? std::string("accepted") : std::string(r.error().what());
  };
  CHECK(refused("day_ahead", "{").find("day_ahead: not JSON") != std::string::npos);
  CHECK(refused("day_ahead", "[{\"bids\": [[1]]}]").find("must be [Wh, price]") != std::string::npos);
  CHECK(refused("day_ahead", "[]").find("'test-dso' is not a participant") != std::string::npos);
  REQUIRE(day_settled(c, std::chrono::seconds(120)));
  const auto statements = call_json(c, "market", "statements");
  CHECK(statements.at("balance").at("day_ahead") == 0);
  CHECK(statements.at("balance").at("real_time") == 0);
  // The DSO heard of both half-hours of the bilateral contract: 5 kWh each at 15 c.
  REQUIRE(reported.size() == 2);
  CHECK(reported[0].at("seller") == "sunny");
  CHECK(reported[0].at("energy") == 5000);
  CHECK(reported[1].at("interval") == 3);
  // Each operator ran every epoch and reported it before its interval was
  // settled: no settlement named anyone unmetered, and each interval's
  // record has what it drew (a 20 kW load draws).
  c.spin_for(std::chrono::milliseconds(200));
  CHECK(settled == 6);
  CHECK(unmetered.empty());
  for (const char* id : {"sunny", "shady"}) {
    const auto record = call_json(c, id, "status").at("record");
    REQUIRE(record.size() == 6);
    for (const auto& r : record) {
      CHECK(r.at("safe_epochs") == 0);
      CHECK(r.at("drawn_kwh").get<double>() != 0);
    }
  }
  // The sunny one sells what the shady one buys: the day-ahead lines say so.
  auto lines = c.call("market", "lines", std::string("shady")).get_as<std::string>();
  REQUIRE(lines);
  CHECK(lines.value().find("bilateral") != std::string::npos);
  CHECK(cli.watt({"platform", "stop"}).code == 0);
}

TEST_CASE("microgrids: a participant that never answers is named, and the day goes on without it") {
  Cli cli;
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  const auto m = write(cli, "mg.yml", models);
  auto c = watt::test::client(cli, "test");
  json settled;
  c.subscribe("market/market/settlement",
              [&](const watt::Envelope& e) { settled = json::parse(e.body.as<std::string>()); });
  REQUIRE(install(cli, "market-operator", "market", market_config("only, ghost", 1, 300)).code == 0);
  REQUIRE(install(cli, "microgrid-operator", "only", operator_config(m, 1, 10, 1)).code == 0);
  REQUIRE(day_settled(c, std::chrono::seconds(60)));
  // The settlement names the one with no reading; it is settled at its
  // contract. (On a loaded machine the other may be named too: its
  // readings, late, are settled when they come.)
  REQUIRE(watt::test::eventually([&] {
    c.spin_for(std::chrono::milliseconds(50));
    return !settled.is_null();
  }));
  const auto unmetered = settled.at("unmetered").get<std::vector<std::string>>();
  CHECK(std::find(unmetered.begin(), unmetered.end(), "ghost") != unmetered.end());
  const auto statements = call_json(c, "market", "statements");
  CHECK(statements.at("ghost").at("day_ahead") == 0);
  CHECK(statements.at("balance").at("real_time") == 0);
  CHECK(call_json(c, "only", "status").at("record").size() == 1);
  CHECK(cli.watt({"platform", "stop"}).code == 0);
}

TEST_CASE("microgrids: bad market and operator settings are refused by name") {
  Cli cli;
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  const auto m = write(cli, "mg.yml", models);
  CHECK(install(cli, "market-operator", "m1",
                "participants: [a]\nretail_cents: 10\nfeed_in_cents: 9\n"
                "grid_usage_cents: 1\n")
            .err.find("interval 0: the feed-in price plus twice the grid-usage price is above retail") !=
        std::string::npos);
  CHECK(install(cli, "market-operator", "m2", "participants: [a]\nintervals: 2\nretail_cents: [10]\nfeed_in_cents: 1\n")
            .err.find("'retail_cents' has 1 prices; the day has 2 intervals") != std::string::npos);
  CHECK(install(cli, "market-operator", "m3", "retail_cents: 10\n").err.find("'participants'") != std::string::npos);
  CHECK(install(cli, "microgrid-operator", "o1",
                operator_config(m, 4, 0, 1, "bilateral: [{seller: x, buyer: y, kw: 1, price_cents: 1}]\n"))
            .err.find("a contract between 'x' and 'y' is none of this operator's") != std::string::npos);
  const auto bad = write(cli, "bad.yml", "models:\n  - {name: roof, kind: pv, forecast: sun_kw}\n");
  CHECK(install(cli, "microgrid-operator", "o2", operator_config(bad, 4, 0, 1))
            .err.find("model 'roof' reads series 'sun_kw'") != std::string::npos);
  CHECK(install(cli, "microgrid-operator", "o3", operator_config(m, 4, 0, 1, "tracking: 1\n")).err.find("tracking") !=
        std::string::npos);
  CHECK(cli.watt({"platform", "stop"}).code == 0);
}
