// One message on its way from the broker to a peer: the five frames of the
// protocol (docs/protocol.md), plus what the queues need to order and drop it.
#pragma once

#include <zmq.hpp>

#include <array>
#include <cstdint>

namespace watt::broker {

struct Outgoing {
  std::array<zmq::message_t, 5> frames;  // preamble, address, header, body, origin
  std::int64_t deadline_ns = 0;          // 0 = none
  std::uint8_t priority = 50;
  bool lossless = false;                 // never dropped by the queue
};

}  // namespace watt::broker
