// A Modbus point as its registry row describes it (register type and address,
// data type, scale, byte and word order), and the conversions between a value
// and the registers that hold it. No I/O here: the unit tests check every case.
#pragma once

#include "registry.hpp"

#include <watt/error.hpp>

#include <cstdint>
#include <vector>

namespace watt::driver {

enum class RegisterType { holding, input, coil, discrete };
enum class DataType { int16, uint16, int32, uint32, float32, boolean };

struct ModbusPoint {
  std::string name;
  RegisterType reg = RegisterType::holding;
  DataType data = DataType::int16;
  int address = 0;
  double scale = 1;        // value = raw × scale
  bool byte_swap = false;  // Byte Order little: the low byte first within a register
  bool word_swap = false;  // Word Order little: the low register first in a 32-bit value
  bool writable = false;
  std::optional<double> default_value;

  int count() const { return data == DataType::int32 || data == DataType::uint32 || data == DataType::float32 ? 2 : 1; }
  bool bit() const { return reg == RegisterType::coil || reg == RegisterType::discrete; }
};

// Reads Point Address (or Register), Register Type, Data Type, Scale (or
// Multiplier), Byte Order, Word Order; throws ConfigError "<file> row N: …".
ModbusPoint parse_modbus_point(const Point& p, const std::string& file);

// `regs` holds count() registers as the device sent them.
double decode_registers(const ModbusPoint& p, const std::uint16_t* regs);
// The registers to write for `value`, or bad_args when it does not fit.
Result<std::vector<std::uint16_t>> encode_registers(const ModbusPoint& p, double value);

}  // namespace watt::driver
