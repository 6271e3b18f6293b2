// The Modbus driver against a real libmodbus server: TCP on loopback (read,
// write, scaling, the server killed and restarted) and RTU across a pty pair.
#include "modbus_driver.hpp"
#include "testing/modbus_test_server.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace watt::driver;
using watt::driver::testing::ModbusTestServer;

namespace {

const char* registry_text =
    "Point Name,Writable,Starting Value,Point Address,Register Type,Data Type,Scale,Byte Order,Word Order\n"
    "power,FALSE,,0,input,int16,0.1,,\n"
    "setpoint,TRUE,20,1,holding,float32,,,little\n"
    "count,TRUE,,3,holding,uint16,,little,\n"
    "relay,TRUE,FALSE,5,coil,,,,\n";

void exercise(ModbusDriver& d, ModbusTestServer& server) {
  server.set_input(0, static_cast<std::uint16_t>(-123));
  server.set_holding(3, 0x3412);  // 0x1234 little-endian within the register
  auto all = d.scrape_all();
  REQUIRE_MESSAGE(all.ok(), all.error().what());
  CHECK(all->at("power") == doctest::Approx(-12.3));
  CHECK(all->at("count") == 0x1234);
  CHECK(all->at("relay") == 0);

  CHECK(*d.set_point("setpoint", 22.25) == 22.25);
  CHECK(*d.get_point("setpoint") == 22.25);
  CHECK(*d.set_point("relay", 1) == 1);
  CHECK(server.coil(5));
  CHECK(*d.set_point("count", 2) == 2);
  CHECK(server.holding(3) == 0x0200);
  CHECK(*d.revert_point("setpoint") == 20);
  CHECK_FALSE(d.revert_point("count").ok());  // no Starting Value
  CHECK(d.revert_device().ok());
  CHECK_FALSE(server.coil(5));
}

}  // namespace

TEST_CASE("modbus tcp: read, write and scaling against a loopback server, then killed and restarted") {
  ModbusTestServer server;
  server.start();
  ModbusDriver d;
  d.configure(YAML::Load("{host: 127.0.0.1, port: " + std::to_string(server.port()) + ", response_timeout: 0.3}"),
              parse_registry(registry_text, "m.csv"));
  exercise(d, server);

  server.stop();
  auto down = d.scrape_all();
  REQUIRE_FALSE(down.ok());
  CHECK(down.error().code == watt::ErrorCode::timeout);
  CHECK(down.error().message.starts_with("modbus tcp 127.0.0.1:" + std::to_string(server.port())));
  CHECK_FALSE(d.get_point("power").ok());  // still down: refused, not hung

  server.start();
  auto back = d.scrape_all();
  REQUIRE_MESSAGE(back.ok(), back.error().what());
  CHECK(back->at("power") == doctest::Approx(-12.3));
}

TEST_CASE("modbus rtu: the same points across a pty pair") {
  ModbusTestServer server(ModbusTestServer::Kind::rtu, 7);
  server.start();
  ModbusDriver d;
  d.configure(YAML::Load("{device: " + server.device_path() + ", baud: 115200, slave_id: 7, response_timeout: 0.5}"),
              parse_registry(registry_text, "m.csv"));
  exercise(d, server);
  server.stop();
  CHECK_FALSE(d.scrape_all().ok());
  server.start();
  CHECK(d.scrape_all().ok());
}

TEST_CASE("modbus: driver_config is checked key by key") {
  const auto reg = parse_registry(registry_text, "m.csv");
  const auto why = [&](const std::string& yaml) {
    try {
      ModbusDriver d;
      d.configure(YAML::Load(yaml), reg);
    } catch (const watt::Error& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  CHECK(why("{port: 502}") == "driver_config: give either host (TCP) or device (RTU), not both");
  CHECK(why("{host: 127.0.0.1, port: 70000}") == "driver_config: 'port' must be from 1 to 65535");
  CHECK(why("{host: 127.0.0.1, colour: red}").starts_with("driver_config: unknown key 'colour'"));
  CHECK(why("{device: /dev/ttyS0, parity: X}") == "driver_config: 'parity' must be N, E or O");
  CHECK(why("{host: 127.0.0.1, response_timeout: 0}") ==
        "driver_config: 'response_timeout' must be seconds above 0, at most 60");
}
