// Per-point (depth-first) publishing: the [value, metadata] body of one
// point's topic, and the publish_depth_first option, agent-wide and per device.
#include "all_message.hpp"
#include "device_config.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <string>

using namespace watt::driver;

TEST_CASE("point message: VOLTTRON's [value, metadata], the value typed by the registry") {
  const Registry reg = parse_registry(
      "Point Name,Units,Writable,Type\n"
      "setpoint,degC,TRUE,float\n"
      "stages,,TRUE,int\n"
      "enabled,,TRUE,bool\n",
      "ahu.csv");
  const auto json = [&](const char* point, double v) {
    return nlohmann::json::parse(point_message(*reg.find(point), v, "America/Chicago").to_json());
  };
  CHECK(json("setpoint", 21.5) ==
        nlohmann::json::parse(R"([21.5, {"units": "degC", "type": "float", "tz": "America/Chicago"}])"));
  CHECK(json("stages", 2) == nlohmann::json::parse(R"([2, {"units": "", "type": "int", "tz": "America/Chicago"}])"));
  CHECK(json("enabled", 1) ==
        nlohmann::json::parse(R"([true, {"units": "", "type": "bool", "tz": "America/Chicago"}])"));
}

TEST_CASE("publish_depth_first: off by default, set for the agent, overridden per device, checked") {
  CHECK_FALSE(parse_settings(YAML::Node()).publish_depth_first);
  CHECK(parse_settings(YAML::Load("publish_depth_first: true")).publish_depth_first);
  const auto device = [](const std::string& extra) {
    return parse_device_config("devices/campus/b1/ahu1",
                               YAML::Load("driver_type: fake\nregistry_config: ahu.csv\n" + extra));
  };
  CHECK_FALSE(device("").publish_depth_first.has_value());
  CHECK(device("publish_depth_first: true").publish_depth_first == true);
  CHECK(device("publish_depth_first: false").publish_depth_first == false);
  CHECK_THROWS_WITH(parse_settings(YAML::Load("publish_depth_first: sometimes")),
                    "config: 'publish_depth_first' must be true or false");
  CHECK_THROWS_WITH(device("publish_depth_first: 3"),
                    "devices/campus/b1/ahu1: 'publish_depth_first' must be true or false");
}
