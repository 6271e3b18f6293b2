// Write permission and type checks of set_point, and the `all` message shape.
#include "all_message.hpp"
#include "write_check.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <string>

using namespace watt::driver;

namespace {

const Registry reg = parse_registry(
    "Point Name,Units,Writable,Type\n"
    "setpoint,degC,TRUE,float\n"
    "stages,,TRUE,int\n"
    "enabled,,TRUE,bool\n"
    "power,kW,FALSE,float\n",
    "ahu.csv");

watt::Result<double> check(const std::string& point, const std::string& json) {
  const auto v = watt::Value::from_json(json);
  const auto handle = watt::detail::unpack_checked(v.bytes());
  return check_write(reg, "campus/b1/ahu1", point, handle.get());
}

std::string why(const std::string& point, const std::string& json) {
  const auto r = check(point, json);
  return r.ok() ? "accepted" : r.error().what();
}

}  // namespace

TEST_CASE("set_point: writable points take values of their type") {
  CHECK(*check("setpoint", "21.5") == 21.5);
  CHECK(*check("setpoint", "21") == 21);
  CHECK(*check("stages", "-2") == -2);
  CHECK(*check("stages", "3.0") == 3);
  CHECK(*check("enabled", "true") == 1);
  CHECK(*check("enabled", "0") == 0);
}

TEST_CASE("set_point: refused unless Writable, and out-of-type values refused") {
  CHECK(why("power", "5") == "unauthorized: campus/b1/ahu1 power: not writable (Writable is FALSE in ahu.csv)");
  CHECK(why("nothing", "5") == "bad_args: campus/b1/ahu1 has no point 'nothing'");
  CHECK(why("stages", "2.5") == "bad_args: campus/b1/ahu1 stages: an int point takes a whole number");
  CHECK(why("stages", "true") == "bad_args: campus/b1/ahu1 stages: an int point takes a whole number, not a bool");
  CHECK(why("enabled", "2") == "bad_args: campus/b1/ahu1 enabled: a bool point takes true, false, 0 or 1");
  CHECK(why("setpoint", "\"warm\"") == "bad_args: campus/b1/ahu1 setpoint: a float point takes a number or a bool");
  CHECK(why("setpoint", "false") == "bad_args: campus/b1/ahu1 setpoint: a float point takes a number, not a bool");
  CHECK(why("setpoint", "[1]") == "bad_args: campus/b1/ahu1 setpoint: a float point takes a number or a bool");
  CHECK(why("stages", "\"two\"") == "bad_args: campus/b1/ahu1 stages: an int point takes a number or a bool");
}

TEST_CASE("all message: VOLTTRON's two maps, values typed by the registry") {
  const Readings r = {{"setpoint", 21.5}, {"stages", 2}, {"enabled", 1}, {"power", 3.25}};
  const auto j = nlohmann::json::parse(all_message(reg, r, "UTC").to_json());
  CHECK(j == nlohmann::json::parse(R"([{"setpoint": 21.5, "stages": 2, "enabled": true, "power": 3.25},
    {"setpoint": {"units": "degC", "type": "float", "tz": "UTC"}, "stages": {"units": "", "type": "int", "tz": "UTC"},
     "enabled": {"units": "", "type": "bool", "tz": "UTC"}, "power": {"units": "kW", "type": "float", "tz": "UTC"}}])"));
  CHECK(typed_value(PointType::integer, 4).to_json() == "4");
  CHECK(typed_value(PointType::boolean, 0).to_json() == "false");
}
