// The node's half of the serial bridge's topic mapping (docs/serial-protocol.md,
// Topic mapping): the requests a node writes, and what the bridge sends back.
// The dispatch traffic uses absolute names only (ed/<run>/…), so the port's
// prefix does not matter to it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace watt::node {

// {"pub": "/<topic>", "body": <msgpack, as it is>, "priority": 10}: the
// dispatch is a control loop, ahead of telemetry in every queue, as the
// ed-node agent publishes it.
inline constexpr std::uint8_t dispatch_priority = 10;
std::vector<std::uint8_t> publish_request(const std::string& topic, std::string_view body_msgpack,
                                          std::uint8_t priority = dispatch_priority);
// {"sub": "/<pattern>"}
std::vector<std::uint8_t> subscribe_request(const std::string& pattern);

// A bus message for one of the node's subscriptions.
struct Delivery {
  std::string topic;
  std::string sender;
  std::string body;  // msgpack, re-packed from the frame; nil when there was none
};
// The bridge refused one of the node's requests.
struct Refusal {
  std::string error;
  std::string request;  // what was refused, as text, shortened
};
// Anything else: the bridge speaks another version, or the line lied.
struct Unreadable {
  std::string why;
};
using BridgeMessage = std::variant<Delivery, Refusal, Unreadable>;

BridgeMessage parse_bridge_message(const std::vector<std::uint8_t>& payload);

}  // namespace watt::node
