// Reads of neighbouring Modbus points coalesced into blocks: the points of one
// table (holding, input, coil, discrete) sorted by address, a point joining the
// block before it when it starts at most `max_gap` registers (or bits) past
// that block's end and the block stays within what one request may read.
#pragma once

#include "modbus_point.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace watt::driver {

struct ModbusBlock {
  RegisterType reg = RegisterType::holding;
  int start = 0;
  int count = 0;                    // registers, or bits for coils and discrete inputs
  std::vector<std::size_t> points;  // indices into the points it was planned from
};

// The Modbus limits of one read request: 125 registers, 2000 bits.
constexpr int max_block_registers = 125;
constexpr int max_block_bits = 2000;
inline int max_block(RegisterType reg) {
  return reg == RegisterType::coil || reg == RegisterType::discrete ? max_block_bits : max_block_registers;
}

// In table order, then by address. max_gap 0 joins only points that touch or
// overlap; a larger gap reads (and discards) that many unused registers.
std::vector<ModbusBlock> plan_blocks(const std::vector<ModbusPoint>& points, int max_gap = 0);

// "registers 3–7" / "register 3" / "coils 0–9" / "coil 2", for messages.
std::string block_range(const ModbusBlock& b);

}  // namespace watt::driver
