// The hello frame's payload: the first thing each side sends, so the other
// side learns the protocol version and how large a payload it may send.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace watt::serial {

inline constexpr std::uint8_t serial_protocol_version = 1;

// Fixed binary rather than msgpack, so a node can answer before it has parsed
// anything: [version][max_payload high byte][max_payload low byte]. Bytes
// after these three are reserved for the bridge's hello fields (specified
// with the bridge); a receiver ignores them.
struct Hello {
  std::uint8_t version = serial_protocol_version;
  std::uint16_t max_payload = 1024;  // the largest payload the sender accepts

  bool operator==(const Hello&) const = default;
};

inline constexpr std::size_t hello_size = 3;

std::vector<std::uint8_t> encode_hello(const Hello& hello);
// nullopt when the payload is shorter than hello_size.
std::optional<Hello> parse_hello(std::span<const std::uint8_t> payload);

}  // namespace watt::serial
