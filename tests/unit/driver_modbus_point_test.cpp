// Modbus conversions: data types, scaling, byte and word order, both ways,
// and the registry columns refused with their row.
#include "config_error.hpp"
#include "modbus_point.hpp"

#include <doctest/doctest.h>

#include <bit>
#include <string>
#include <vector>

using namespace watt::driver;

namespace {

ModbusPoint point(const std::string& columns, const std::string& row) {
  const auto reg = parse_registry("Point Name,Writable," + columns + "\np,FALSE," + row + "\n", "m.csv");
  return parse_modbus_point(reg.points[0], reg.file);
}

std::string refusal(const std::string& columns, const std::string& row, bool writable = false) {
  try {
    const auto reg = parse_registry(
        "Point Name,Writable," + columns + "\np," + (writable ? "TRUE," : "FALSE,") + row + "\n", "m.csv");
    (void)parse_modbus_point(reg.points[0], reg.file);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "accepted";
}

std::vector<std::uint16_t> regs(const ModbusPoint& p, double v) { return encode_registers(p, v).value(); }

}  // namespace

const std::string cols = "Point Address,Register Type,Data Type,Scale,Byte Order,Word Order";

TEST_CASE("modbus: int16, uint16 and scaling") {
  const auto p = point(cols, "10,holding,int16,0.1,,");
  CHECK(p.address == 10);
  const std::uint16_t minus = 0xFF9C;  // -100
  CHECK(decode_registers(p, &minus) == doctest::Approx(-10.0));
  CHECK(regs(p, -10.0) == std::vector<std::uint16_t>{0xFF9C});
  CHECK(regs(p, 12.34) == std::vector<std::uint16_t>{123});  // rounded to the register's resolution
  const auto u = point(cols, "0,input,uint16,,,");
  const std::uint16_t big = 65535;
  CHECK(decode_registers(u, &big) == 65535);
  CHECK_FALSE(encode_registers(u, -1).ok());
  CHECK_FALSE(encode_registers(u, 65536).ok());
  CHECK(encode_registers(p, 4000).error().message.find("does not fit a int16 register") != std::string::npos);
}

TEST_CASE("modbus: 32-bit values in every byte and word order") {
  const std::uint32_t bits = std::bit_cast<std::uint32_t>(123.5f);
  const auto hi = static_cast<std::uint16_t>(bits >> 16), lo = static_cast<std::uint16_t>(bits & 0xFFFF);
  const auto swap = [](std::uint16_t r) { return static_cast<std::uint16_t>((r << 8) | (r >> 8)); };
  struct Case {
    const char* orders;
    std::vector<std::uint16_t> wire;
  };
  for (const auto& c : {Case{"big,big", {hi, lo}}, Case{"big,little", {lo, hi}},
                        Case{"little,big", {swap(hi), swap(lo)}}, Case{"little,little", {swap(lo), swap(hi)}}}) {
    CAPTURE(c.orders);
    const auto p = point(cols, std::string("0,holding,float32,,") + c.orders);
    CHECK(p.count() == 2);
    CHECK(decode_registers(p, c.wire.data()) == 123.5);
    CHECK(regs(p, 123.5) == c.wire);
  }
  const auto i32 = point(cols, "0,holding,int32,,,little");
  CHECK(regs(i32, -2) == std::vector<std::uint16_t>{0xFFFE, 0xFFFF});
  const std::uint16_t wire[2] = {0xFFFE, 0xFFFF};
  CHECK(decode_registers(i32, wire) == -2);
  const auto u32 = point(cols, "0,holding,uint32,10,,");
  const std::uint16_t w2[2] = {0x0001, 0x0000};
  CHECK(decode_registers(u32, w2) == 655360);
  CHECK(regs(u32, 655360) == std::vector<std::uint16_t>{1, 0});
}

TEST_CASE("modbus: coils are bools") {
  const auto c = point(cols, "3,coil,,,,");
  CHECK(c.bit());
  const std::uint16_t one = 1;
  CHECK(decode_registers(c, &one) == 1);
  CHECK(regs(c, 1) == std::vector<std::uint16_t>{1});
}

TEST_CASE("modbus: bad columns are refused with the row") {
  CHECK(refusal(cols, "x,holding,int16,,,") ==
        "m.csv row 2: Point Address 'x' must be a register number from 0 to 65535");
  CHECK(refusal(cols, "70000,holding,int16,,,") ==
        "m.csv row 2: Point Address '70000' must be a register number from 0 to 65535");
  CHECK(refusal(cols, "65535,holding,int32,,,") == "m.csv row 2: Point Address: the value runs past register 65535");
  CHECK(refusal(cols, "1,memory,int16,,,") ==
        "m.csv row 2: Register Type 'memory' must be holding, input, coil or discrete");
  CHECK(refusal(cols, "1,holding,int64,,,") ==
        "m.csv row 2: Data Type 'int64' must be int16, uint16, int32, uint32 or float32");
  CHECK(refusal(cols, "1,holding,int16,0,,") == "m.csv row 2: Scale '0' must be a non-zero number");
  CHECK(refusal(cols, "1,holding,int16,,middle,") == "m.csv row 2: Byte Order 'middle' must be big or little");
  CHECK(refusal(cols, "1,holding,int16,,,sideways") == "m.csv row 2: Word Order 'sideways' must be big or little");
  CHECK(refusal(cols, "1,input,int16,,,", true) == "m.csv row 2: Writable is TRUE but an input register is read-only");
  CHECK(refusal(cols, "1,coil,int16,,,") ==
        "m.csv row 2: Data Type 'int16' must be bool (or empty) for a coil or discrete input");
}

TEST_CASE("modbus: a decimal scale gives the decimal the device meant") {
  const auto p = point(cols, "0,holding,int16,0.1,,");
  const std::uint16_t raw = 234;
  CHECK(decode_registers(p, &raw) == 23.4);  // not 23.400000000000002
  CHECK(regs(p, 23.4) == std::vector<std::uint16_t>{234});
}
