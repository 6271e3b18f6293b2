// Seed 003's trading among organizations on a real platform: the agents in
// their containers, a decision-making system down in the middle of a run, and
// a bad configuration refused by name.
#include "cli.hpp"

#include <experiment.hpp>
#include <watt/org/trading_run.hpp>

#include <doctest/doctest.h>
#include <yaml-cpp/yaml.h>

#include <fstream>

namespace fs = std::filesystem;
using watt::test::Cli;
using watt::test::eventually;
namespace tool = watt::org::tool;

namespace {

const fs::path example = fs::path(WATT_TEST_SOURCE_DIR) / "examples" / "org33";

tool::Experiment org33() { return tool::load_experiment(example / "org33.yml", example / "org33_case.json", 0, 0, 0); }

// The 33-bus organizations and agents on `cli`'s platform; `own_process`
// runs in a process of its own, outside its region's container, so that it
// can be stopped alone.
void set_up(const Cli& cli, const tool::Experiment& e, const std::string& own_process) {
  const auto dir = cli.home().path() / "org33";
  tool::write_setup(e, dir, watt::test::lib_dir(), 14);
  auto agents = YAML::LoadFile((dir / "agents.yml").string());
  for (auto a : agents["agents"])
    if (a["identity"].as<std::string>() == own_process) a.remove("container");
  std::ofstream(dir / "agents.yml") << agents << "\n";
  REQUIRE(cli.watt({"org", "apply", (dir / "orgs.yml").string()}).code == 0);
  const auto installed = cli.watt({"install", "--from", (dir / "agents.yml").string(), "--start"});
  REQUIRE_MESSAGE(installed.code == 0, installed.err);
}

std::uint64_t resent(const Cli& cli, const std::string& ip) {
  auto c = watt::test::client(cli, "resent-reader");
  const auto r =
      c.call(ip, "counters").get_as<std::tuple<std::uint64_t, std::uint64_t, std::uint64_t, std::uint64_t>>();
  return r ? std::get<3>(r.value()) : 0;
}

}  // namespace

TEST_CASE("a decision-making system down mid-run delays its round until it is back, and the run finishes") {
  Cli cli;
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  const auto e = org33();
  set_up(cli, e, "eu7-dms");
  tool::Runner runner(e, {watt::test::address(cli), 14, std::chrono::seconds(120)});
  runner.feed_forecasts();
  REQUIRE(cli.watt({"stop", "eu7-dms"}).code == 0);
  const auto run = runner.start(true, true);
  // Its aggregator asks it again, and again, while it is away...
  REQUIRE(eventually([&] { return resent(cli, "A1-ip") >= 2; }, std::chrono::seconds(60)));
  // ...and the run goes on once it is back, to the same figures as the direct calls.
  REQUIRE(cli.watt({"start", "eu7-dms"}).code == 0);
  const auto result = runner.await(run);
  const auto ref = watt::org::run_trading(e.trading, {true, true, e.tolerance, static_cast<int>(e.max_rounds)});
  CHECK(result.converged);
  CHECK(result.rounds == static_cast<std::uint64_t>(ref.rounds));
  CHECK(result.ec_e == doctest::Approx(ref.ec_e));
  CHECK(result.ec_a == doctest::Approx(ref.ec_a));
  CHECK(result.ec_d == doctest::Approx(ref.ec_d));
}

TEST_CASE("an end-user whose problem is infeasible ends the run naming it and the constraints at fault") {
  Cli cli;
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  auto e = org33();
  set_up(cli, e, "");
  // eu9's meter reports a negative load: no net load satisfies (3).
  for (auto& u : e.trading.users)
    if (u.name == "eu9") u.load[4] = -50;
  tool::Runner runner(e, {watt::test::address(cli), 14, std::chrono::seconds(120)});
  runner.feed_forecasts();
  const auto result = runner.await(runner.start(false, false));
  CHECK(result.stop.find("region 'A1': end-user 'eu9': Problem E is infeasible") == 0);
  CHECK(result.stop.find("[h5]") != std::string::npos);
  CHECK(result.market.empty());
  // Its records are kept by the historian, and read back by its members only.
  const auto query = watt::Value::from_json(R"([{"topic": "org/eu9/record/measure/load", "count": 1}])");
  auto stranger = watt::test::client(cli, "stranger");
  const auto refused = stranger.call_value({}, "historian", "query", query).get();
  REQUIRE_FALSE(refused);
  CHECK(refused.error().what().find("'stranger' is not a member of organization 'eu9'") != std::string::npos);
  const auto listed = stranger.call("historian", "topics", std::string("org/#")).get_as<std::vector<std::string>>();
  REQUIRE(listed);
  CHECK(listed.value().empty());
  CHECK(runner.client().call_value({}, "historian", "query", query).get());
}

TEST_CASE("an organization agent's bad configuration is refused naming the key") {
  Cli cli;
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  const auto file = cli.home().path() / "bad.yml";
  const auto refused = [&](const std::string& library, const std::string& config) {
    std::ofstream(file) << config;
    const auto r = cli.watt(
        {"install", watt::test::lib(library), "--identity", library + "-x", "--config", file.string(), "--start"});
    CHECK(r.code != 0);
    return r.err;
  };
  CHECK(refused("prediction-engine", "org: eu1\nseries: [{name: load, method: arima}]\n")
            .find("series 'load': unknown method 'arima'") != std::string::npos);
  CHECK(refused("decision-maker", "kind: aggregator\norg: a1\n")
            .find("'kind': 'aggregator' has no decision-making system") != std::string::npos);
  CHECK(refused("information-provider", "org: e1\nrecord: [record/#]\n").find("would copy its own copies") !=
        std::string::npos);
}
