// The msgpack maps inside data frames (docs/serial-protocol.md, "Topic
// mapping"): a node's requests read without copying their bodies, and the
// frames the bridge sends back, with bus bodies forwarded as they are.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace watt::serial {

enum class RequestOp : std::uint8_t { pub, sub, unsub };

const char* to_string(RequestOp op);

struct NodeRequest {
  RequestOp op = RequestOp::pub;
  std::string name;                      // the topic (pub) or pattern (sub, unsub) as the node wrote it
  std::string_view body;                 // pub only: the body's msgpack bytes inside the payload (nil when absent)
  std::optional<std::uint8_t> priority;  // pub only: 0 (most urgent) to 100; the bus default when absent
};

struct ParsedRequest {
  std::optional<NodeRequest> request;
  // When there is no request: a short fixed kind for counting and logging
  // ("not msgpack", "unknown key", …) and the details for the node.
  std::string kind;
  std::string detail;
};

// `payload` must outlive the result (the body points into it).
ParsedRequest parse_request(std::span<const std::uint8_t> payload);

// {"topic": t, "sender": s, "body": b}; `body` is msgpack bytes copied as
// they are (empty = nil).
std::string encode_bus_message(std::string_view topic, std::string_view sender, std::string_view body);

// {"error": message, "for": the request}: the request as it was when it is
// msgpack, or its bytes as msgpack bin when it is not.
std::string encode_error(std::string_view message, std::span<const std::uint8_t> request);

// {"state": s, "reason": r}: the body of <prefix>/link.
std::string encode_link_state(std::string_view state, std::string_view reason);

}  // namespace watt::serial
