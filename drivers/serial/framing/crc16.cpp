// CRC-16/CCITT-FALSE, table-driven (one table lookup per byte).
#include "framing/crc16.hpp"

#include <array>

namespace watt::serial {
namespace {

constexpr std::uint16_t poly = 0x1021;

constexpr std::array<std::uint16_t, 256> make_table() {
  std::array<std::uint16_t, 256> table{};
  for (unsigned byte = 0; byte < 256; ++byte) {
    auto crc = static_cast<std::uint16_t>(byte << 8);
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc & 0x8000) != 0 ? static_cast<std::uint16_t>((crc << 1) ^ poly) : static_cast<std::uint16_t>(crc << 1);
    }
    table[byte] = crc;
  }
  return table;
}

constexpr std::array<std::uint16_t, 256> table = make_table();

}  // namespace

std::uint16_t crc16_update(std::uint16_t crc, std::span<const std::uint8_t> data) {
  for (const std::uint8_t b : data) {
    crc = static_cast<std::uint16_t>((crc << 8) ^ table[((crc >> 8) ^ b) & 0xFF]);
  }
  return crc;
}

}  // namespace watt::serial
