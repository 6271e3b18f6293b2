// One message on its way from the broker to a peer: the protocol's one frame,
// plus what the queues need to order and drop it.
#pragma once

#include <watt/identity.hpp>
#include <watt/proto/frame.hpp>

#include <zmq.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace watt::broker {

struct Outgoing {
  zmq::message_t frame;
  std::int64_t deadline_ns = 0;  // 0 = none
  std::uint8_t priority = 50;
  bool lossless = false;  // never dropped; its backlog slows publishers down
  bool control = false;   // the broker's own replies: never dropped, never counted as backlog
};

// A reply, ping or flow message of the broker's own; `to` is its address: the
// identity it is for, on a connection that hosts several (protocol 2).
Outgoing control_message(proto::Kind kind, const std::string& header, std::string_view body = {},
                         std::string_view to = {});

}  // namespace watt::broker
