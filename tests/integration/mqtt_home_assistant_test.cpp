// Home Assistant discovery end to end: the platform driver's fake device, the
// bridge and a real mosquitto; a probe in Home Assistant's place reads the
// retained configs and states and sends commands that reach the device.
#include "mqtt_fixture.hpp"

#include <map>

using namespace watt::test;
using nlohmann::json;

TEST_CASE("mqtt home assistant: the driver's points appear with no hand configuration, and commands reach them") {
  Mosquitto broker;
  BridgePlatform p;
  driver_with_device(p);
  REQUIRE(p.install("broker: {url: '" + broker.url() + "'}\nhome_assistant: {node_id: lab}\n").code == 0);
  REQUIRE_MESSAGE(p.wait_connected(), p.cli.log("mqtt"));
  MqttProbe ha(broker.url(), "home-assistant", {"homeassistant/#", "watt/lab/#"});
  REQUIRE(ha.ready());

  const std::string prefix = "homeassistant/";
  REQUIRE_MESSAGE(eventually([&] { return !last(ha, prefix + "switch/lab/campus_b1_ahu_relay/config").empty(); }),
                  p.cli.log("mqtt"));
  const auto temp = json::parse(last(ha, prefix + "sensor/lab/campus_b1_ahu_temp/config"));
  CHECK(temp["device_class"] == "temperature");
  CHECK(temp["unit_of_measurement"] == "°C");
  CHECK(temp["state_topic"] == "watt/lab/campus/b1/ahu/temp");
  const auto sp = json::parse(last(ha, prefix + "number/lab/campus_b1_ahu_setpoint/config"));
  CHECK(sp["command_topic"] == "watt/lab/campus/b1/ahu/setpoint/set");
  CHECK(last(ha, "watt/lab/status") == "online");
  REQUIRE(eventually([&] { return last(ha, "watt/lab/campus/b1/ahu/temp") == "20.5"; }));
  CHECK(last(ha, "watt/lab/campus/b1/ahu/relay") == "OFF");

  ha.publish("watt/lab/campus/b1/ahu/setpoint/set", "23.5");
  ha.publish("watt/lab/campus/b1/ahu/relay/set", "ON");
  CHECK(eventually([&] {
    return p.cli.watt({"rpc", "platform-driver", "get_point", "\"campus/b1/ahu\"", "\"setpoint\""}).out == "23.5\n";
  }));
  CHECK(eventually([&] { return last(ha, "watt/lab/campus/b1/ahu/relay") == "ON"; }));
  CHECK(p.cli.watt({"rpc", "platform-driver", "get_point", "\"campus/b1/ahu\"", "\"relay\""}).out == "true\n");

  // A command for a read-only point, or one that is not of its type, is refused by name.
  ha.publish("watt/lab/campus/b1/ahu/temp/set", "99");
  ha.publish("watt/lab/campus/b1/ahu/setpoint/set", "warm");
  CHECK(eventually([&] {
    const auto log = p.cli.log("mqtt");
    return log.find("no writable point temp of campus/b1/ahu") != std::string::npos &&
           log.find("'warm' is not a float value") != std::string::npos;
  }));
  CHECK(p.status()["home_assistant"]["commands"] == 2);

  // The bridge gone: its will says so.
  REQUIRE(p.cli.watt({"stop", "mqtt"}).code == 0);
  CHECK(eventually([&] { return last(ha, "watt/lab/status") == "offline"; }));
}
