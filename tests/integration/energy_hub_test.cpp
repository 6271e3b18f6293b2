// The energy-hub agent refuses bad settings and bad model files by name
// (its run on fake devices is examples/energy-hub/run.sh, a test of its own).
#include "cli.hpp"

#include <doctest/doctest.h>

#include <fstream>

using watt::test::Cli;

TEST_CASE("energy-hub: a bad model file or setting is refused naming the file, the model and the field") {
  Cli cli;
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  const auto models = cli.home().path() / "hub.yml";
  std::ofstream(models) << "models:\n  - {name: fridge, kind: fridge, power_kw: -1}\n";
  int n = 0;
  const auto refused = [&](const std::string& config) {
    const auto file = cli.home().path() / "config.yml";
    std::ofstream(file) << config;
    const auto r = cli.watt({"install", watt::test::lib("energy-hub"), "--identity", "hub-" + std::to_string(++n),
                             "--config", file.string(), "--start"});
    CHECK(r.code != 0);
    return r.err;
  };
  CHECK(refused("models: " + models.string() + "\n").find("hub.yml: model 'fridge', 'power_kw': must be from 0") !=
        std::string::npos);
  std::ofstream(models) << "models:\n  - {name: fridge, kind: fridge}\n";
  CHECK(refused("models: " + models.string() + "\nhorizon: 0\n").find("'horizon' must be a number from 1") !=
        std::string::npos);
  CHECK(refused("models: " + models.string() + "\ndevices: {fridge.door: {device: d}}\n")
            .find("model 'fridge' has no switch or control 'door'") != std::string::npos);
  CHECK(refused("horizon: 4\n").find("'models': the hub's model file is required") != std::string::npos);
  CHECK(refused("models: /nonexistent/hub.yml\n").find("/nonexistent/hub.yml: cannot be read") != std::string::npos);
}
