// Registry CSV parsing: VOLTTRON's columns, quoting, and every refusal naming
// its file, row and column.
#include "config_error.hpp"
#include "csv.hpp"
#include "registry.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace watt::driver;

namespace {

const char* header = "Point Name,Volttron Point Name,Units,Units Details,Writable,Starting Value,Type,Notes\n";

// The message a refused registry gives.
std::string refusal(const std::string& text, const std::string& file = "meter1.csv") {
  try {
    (void)parse_registry(text, file);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "accepted";
}

}  // namespace

TEST_CASE("registry: VOLTTRON columns, defaults and quoted fields") {
  const auto reg = parse_registry(std::string(header) +
                                      "Heartbeat,heartbeat,On/Off,\"On, Off\",TRUE,0,bool,\"a \"\"quoted\"\" note\"\n"
                                      "Temp1,temperature,degF,,false,72.5,float,\r\n"
                                      "\n"
                                      "Count,,count,,FALSE,3,int,\n",
                                  "meter1.csv");
  REQUIRE(reg.points.size() == 3);
  const auto& hb = reg.points[0];
  CHECK(hb.name == "heartbeat");
  CHECK(hb.reference == "Heartbeat");
  CHECK(hb.units_details == "On, Off");
  CHECK(hb.writable);
  CHECK(hb.type == PointType::boolean);
  CHECK(hb.default_value == 0.0);
  CHECK(hb.notes == "a \"quoted\" note");
  CHECK(hb.row == 2);
  CHECK(reg.points[1].type == PointType::floating);
  CHECK(reg.points[1].default_value == 72.5);
  CHECK_FALSE(reg.points[1].writable);
  CHECK(reg.points[2].name == "Count");  // no Volttron Point Name: the Point Name
  CHECK(reg.points[2].row == 5);         // the blank line still counts
  CHECK(reg.find("temperature") == &reg.points[1]);
  CHECK(reg.find("Temp1") == nullptr);
}

TEST_CASE("registry: bad rows are refused with the file, row number and column") {
  const std::string h = header;
  CHECK(refusal(h + "a,,,,TRUE,,float,\nb,,,,FALSE,,float,\nc,,,,maybe,,float,\n") ==
        "meter1.csv row 4: Writable must be TRUE or FALSE");
  CHECK(refusal(h + ",x,,,TRUE,,float,\n") == "meter1.csv row 2: Point Name is empty");
  CHECK(refusal(h + "a,,,,TRUE,,decimal,\n") == "meter1.csv row 2: Type 'decimal' is not one of int, float, bool");
  CHECK(refusal(h + "a,,,,TRUE,warm,float,\n") == "meter1.csv row 2: Starting Value 'warm' is not a number");
  CHECK(refusal(h + "a,,,,TRUE,2.5,int,\n") ==
        "meter1.csv row 2: Starting Value '2.5' is not a whole number for an int point");
  CHECK(refusal(h + "a,,,,TRUE,7,bool,\n") ==
        "meter1.csv row 2: Starting Value '7' must be TRUE or FALSE for a bool point");
  CHECK(refusal(h + "a,,,,TRUE,,float,\nb,a,,,TRUE,,float,\n") == "meter1.csv row 3: point 'a' appears twice");
  CHECK(refusal(h + "a,x/y,,,TRUE,,float,\n") ==
        "meter1.csv row 2: point name 'x/y' is not a topic segment (no / + #)");
  CHECK(refusal(h + "a,,,,TRUE,,float\n") == "meter1.csv row 2: 7 fields, the header has 8");
  CHECK(refusal(h + "a,,,,TRUE,,float,\"open\n") == "meter1.csv row 2: a quoted field is never closed");
  CHECK(refusal("Name,Writable\na,TRUE\n") == "meter1.csv row 1: no 'Point Name' column");
  CHECK(refusal("Point Name,Units\na,W\n") == "meter1.csv row 1: no 'Writable' column");
  CHECK(refusal("Point Name,Writable,writable\na,TRUE,TRUE\n") == "meter1.csv row 1: column 'writable' appears twice");
  CHECK(refusal(h) == "meter1.csv: no points (a header row and one row per point)");
  CHECK(refusal("") == "meter1.csv: empty registry (a header row and one row per point)");
}

TEST_CASE("registry: Modbus columns decide the published type") {
  const auto reg = parse_registry(
      "Point Name,Writable,Point Address,Register Type,Data Type,Scale\n"
      "power,FALSE,0,input,int16,0.1\n"
      "count,FALSE,1,holding,uint16,\n"
      "relay,TRUE,0,coil,,\n",
      "m.csv");
  CHECK(reg.points[0].type == PointType::floating);
  CHECK(reg.points[1].type == PointType::integer);
  CHECK(reg.points[2].type == PointType::boolean);
  // Scaled, it is a float even where the Type column says int.
  const auto typed = parse_registry(
      "Point Name,Writable,Point Address,Register Type,Data Type,Type,Scale\n"
      "energy,FALSE,0,holding,uint16,int,10\n"
      "raw,FALSE,1,holding,uint16,int,1\n",
      "m.csv");
  CHECK(typed.points[0].type == PointType::floating);
  CHECK(typed.points[1].type == PointType::integer);
}

TEST_CASE("csv: records keep the line they start on") {
  const auto rows = parse_csv("a,b\n\"x\ny\",z\n\nlast,\"\"\n", "t.csv");
  REQUIRE(rows.size() == 3);
  CHECK(rows[1].line == 2);
  CHECK(rows[1].fields[0] == "x\ny");
  CHECK(rows[2].line == 5);
  CHECK(rows[2].fields[1].empty());
}
