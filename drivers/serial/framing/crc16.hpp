// CRC-16/CCITT-FALSE (also catalogued as CRC-16/IBM-3740): the checksum that
// ends every serial frame.
#pragma once

#include <cstdint>
#include <span>

namespace watt::serial {

// Width 16, poly 0x1021, init 0xFFFF, not reflected, xorout 0x0000;
// check value (CRC of the ASCII "123456789") 0x29B1. Chosen because it is the
// variant most microcontroller libraries and hardware CRC units ship, and
// because, sent big-endian after the data, the CRC over data plus trailer is 0.
inline constexpr std::uint16_t crc16_init = 0xFFFF;
inline constexpr std::uint16_t crc16_check = 0x29B1;

// Continues a running CRC over `data`; start from crc16_init.
std::uint16_t crc16_update(std::uint16_t crc, std::span<const std::uint8_t> data);

inline std::uint16_t crc16(std::span<const std::uint8_t> data) { return crc16_update(crc16_init, data); }

}  // namespace watt::serial
