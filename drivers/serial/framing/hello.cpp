// The hello payload, big-endian like the CRC trailer.
#include "framing/hello.hpp"

namespace watt::serial {

std::vector<std::uint8_t> encode_hello(const Hello& hello) {
  return {hello.version, static_cast<std::uint8_t>(hello.max_payload >> 8),
          static_cast<std::uint8_t>(hello.max_payload & 0xFF)};
}

std::optional<Hello> parse_hello(std::span<const std::uint8_t> payload) {
  if (payload.size() < hello_size) return std::nullopt;
  Hello hello;
  hello.version = payload[0];
  hello.max_payload = static_cast<std::uint16_t>((payload[1] << 8) | payload[2]);
  return hello;
}

}  // namespace watt::serial
