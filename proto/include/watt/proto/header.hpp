// The message header: a flat msgpack map of scalar fields, decoded without
// allocating on the routing path of every message.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace watt::proto {

inline constexpr std::uint8_t default_priority = 50;

// The scalar fields a header may carry. String views point into the frame the
// header was decoded from, so they live as long as that frame.
struct Header {
  std::uint64_t id = 0;
  std::int64_t ts = 0;  // ns since the epoch
  std::uint8_t pri = default_priority;
  std::int64_t dl = 0;  // deadline, ns since the epoch; 0 = none
  std::uint64_t protocol = 0;
  std::uint64_t pid = 0;
  std::uint64_t size = 0;  // welcome: the broker's message size limit
  bool lossless = false;   // subscribe: lossless delivery
  bool paused = false;     // flow
  bool batch = false;      // hello: this peer takes batch messages
  bool hosted = false;     // hello (protocol 2): one more identity on this registered connection
  std::string_view ct;     // content type; empty = msgpack
  std::string_view method;
  std::string_view code;
  std::string_view message;
};

// Decodes a header without allocating. Unknown keys (of any type) are
// skipped so newer peers can add fields. Returns an error text, empty if good.
std::string decode_header(std::string_view frame, Header& out);

// Encodes the fields that differ from their defaults.
std::string encode_header(const Header& h);
// The same into `out` (cleared first), reusing its memory: for hot paths.
void encode_header(const Header& h, std::string& out);

}  // namespace watt::proto
