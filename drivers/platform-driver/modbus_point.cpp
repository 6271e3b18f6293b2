// Modbus registry columns and register conversions (see modbus_point.hpp).
#include "modbus_point.hpp"

#include "config_error.hpp"

#include <bit>
#include <cmath>
#include <limits>

namespace watt::driver {

namespace {

std::uint16_t swap_bytes(std::uint16_t r) { return static_cast<std::uint16_t>((r << 8) | (r >> 8)); }

bool order(const Point& p, const char* column, const std::string& at) {
  const auto v = lower(p.column(column));
  if (v.empty() || v == "big") return false;
  if (v == "little") return true;
  throw ConfigError(at + (std::string(column) == "byte order" ? "Byte Order" : "Word Order") + " '" + p.column(column) +
                    "' must be big or little");
}

}  // namespace

ModbusPoint parse_modbus_point(const Point& p, const std::string& file) {
  const std::string at = file + " row " + std::to_string(p.row) + ": ";
  ModbusPoint m;
  m.name = p.name;
  m.writable = p.writable;
  m.default_value = p.default_value;
  const auto reg = lower(p.column("register type"));
  if (reg.empty() || reg == "holding")
    m.reg = RegisterType::holding;
  else if (reg == "input")
    m.reg = RegisterType::input;
  else if (reg == "coil")
    m.reg = RegisterType::coil;
  else if (reg == "discrete")
    m.reg = RegisterType::discrete;
  else
    throw ConfigError(at + "Register Type '" + p.column("register type") +
                      "' must be holding, input, coil or discrete");

  std::string addr = p.column("point address");
  if (addr.empty()) addr = p.column("register");
  if (addr.empty()) addr = p.column("address");
  const auto a = parse_number(addr);
  if (!a || std::trunc(*a) != *a || *a < 0 || *a > 65535)
    throw ConfigError(at + "Point Address '" + addr + "' must be a register number from 0 to 65535");
  m.address = static_cast<int>(*a);

  const auto data = lower(p.column("data type"));
  if (m.bit()) {
    if (!data.empty() && data != "bool" && data != "boolean")
      throw ConfigError(at + "Data Type '" + p.column("data type") +
                        "' must be bool (or empty) for a coil or discrete input");
    m.data = DataType::boolean;
  } else if (data.empty() || data == "int16")
    m.data = DataType::int16;
  else if (data == "uint16")
    m.data = DataType::uint16;
  else if (data == "int32")
    m.data = DataType::int32;
  else if (data == "uint32")
    m.data = DataType::uint32;
  else if (data == "float32" || data == "float")
    m.data = DataType::float32;
  else
    throw ConfigError(at + "Data Type '" + p.column("data type") + "' must be int16, uint16, int32, uint32 or float32");
  if (m.address + m.count() - 1 > 65535) throw ConfigError(at + "Point Address: the value runs past register 65535");

  std::string scale = p.column("scale");
  if (scale.empty()) scale = p.column("multiplier");
  if (!scale.empty()) {
    const auto s = parse_number(scale);
    if (!s || *s == 0) throw ConfigError(at + "Scale '" + scale + "' must be a non-zero number");
    if (m.bit() && *s != 1) throw ConfigError(at + "Scale: a coil or discrete input is not scaled");
    m.scale = *s;
  }
  m.byte_swap = order(p, "byte order", at);
  m.word_swap = order(p, "word order", at);
  if (m.writable && (m.reg == RegisterType::input || m.reg == RegisterType::discrete))
    throw ConfigError(at + "Writable is TRUE but an " +
                      (m.reg == RegisterType::input ? "input register" : "discrete input") + " is read-only");
  return m;
}

double decode_registers(const ModbusPoint& p, const std::uint16_t* regs) {
  if (p.bit()) return regs[0] != 0 ? 1 : 0;
  std::uint16_t r0 = regs[0];
  std::uint16_t r1 = p.count() == 2 ? regs[1] : 0;
  if (p.byte_swap) {
    r0 = swap_bytes(r0);
    r1 = swap_bytes(r1);
  }
  if (p.word_swap) std::swap(r0, r1);
  const std::uint32_t u32 = (static_cast<std::uint32_t>(r0) << 16) | r1;
  double raw = 0;
  switch (p.data) {
    case DataType::int16: raw = static_cast<std::int16_t>(r0); break;
    case DataType::uint16: raw = r0; break;
    case DataType::int32: raw = static_cast<std::int32_t>(u32); break;
    case DataType::uint32: raw = u32; break;
    case DataType::float32: raw = static_cast<double>(std::bit_cast<float>(u32)); break;
    case DataType::boolean: raw = r0 != 0 ? 1 : 0; break;
  }
  // 234 × 0.1 is 23.400000000000002 but 234 / 10 is 23.4: a decimal scale
  // divides by its reciprocal, so published values read as the device meant them.
  const double inverse = 1 / p.scale;
  if (std::abs(p.scale) < 1 && std::abs(inverse - std::round(inverse)) < 1e-9) return raw / std::round(inverse);
  return raw * p.scale;
}

Result<std::vector<std::uint16_t>> encode_registers(const ModbusPoint& p, double value) {
  if (p.bit()) return std::vector<std::uint16_t>{static_cast<std::uint16_t>(value != 0 ? 1 : 0)};
  const double raw = value / p.scale;
  const auto fits = [&](double lo, double hi) { return std::round(raw) >= lo && std::round(raw) <= hi; };
  const auto refuse = [&](const char* type) {
    return RpcError{ErrorCode::bad_args, p.name + ": " + std::to_string(value) + " does not fit a " + type +
                                             " register (scale " + std::to_string(p.scale) + ")"};
  };
  std::uint32_t u32 = 0;
  std::uint16_t r0 = 0, r1 = 0;
  switch (p.data) {
    case DataType::int16:
      if (!fits(-32768, 32767)) return refuse("int16");
      r0 = static_cast<std::uint16_t>(static_cast<std::int16_t>(std::round(raw)));
      break;
    case DataType::uint16:
      if (!fits(0, 65535)) return refuse("uint16");
      r0 = static_cast<std::uint16_t>(std::round(raw));
      break;
    case DataType::int32:
      if (!fits(-2147483648.0, 2147483647.0)) return refuse("int32");
      u32 = static_cast<std::uint32_t>(static_cast<std::int32_t>(std::round(raw)));
      break;
    case DataType::uint32:
      if (!fits(0, 4294967295.0)) return refuse("uint32");
      u32 = static_cast<std::uint32_t>(std::round(raw));
      break;
    case DataType::float32:
      if (std::abs(raw) > static_cast<double>(std::numeric_limits<float>::max())) return refuse("float32");
      u32 = std::bit_cast<std::uint32_t>(static_cast<float>(raw));
      break;
    case DataType::boolean: r0 = value != 0 ? 1 : 0; break;
  }
  if (p.count() == 2) {
    r0 = static_cast<std::uint16_t>(u32 >> 16);
    r1 = static_cast<std::uint16_t>(u32 & 0xFFFF);
    if (p.word_swap) std::swap(r0, r1);
  }
  if (p.byte_swap) {
    r0 = swap_bytes(r0);
    r1 = swap_bytes(r1);
  }
  if (p.count() == 2) return std::vector<std::uint16_t>{r0, r1};
  return std::vector<std::uint16_t>{r0};
}

}  // namespace watt::driver
