// What a subscriber receives: a topic, the envelope headers, and the body.
#pragma once

#include <watt/export.hpp>
#include <watt/value.hpp>

#include <chrono>
#include <cstdint>
#include <string>

namespace watt {

struct WATT_EXPORT Envelope {
  std::string topic;
  std::string sender;    // stamped by the broker, so it cannot be forged
  std::uint64_t id = 0;  // the sender's message id
  std::int64_t timestamp_ns = 0;
  std::uint8_t priority = 50;    // 0 = most urgent, 100 = least
  std::int64_t deadline_ns = 0;  // 0 = none; the broker drops it once expired
  std::string content_type;      // empty = msgpack
  Value body;

  // One JSON object: topic, sender, id, timestamp, priority, deadline, content
  // type and the body as JSON.
  std::string to_json() const;
};

struct PublishOptions {
  std::uint8_t priority = 50;
  // When non-zero, the message is dropped (and counted) rather than delivered
  // later than this; the deadline is stamped at publish time.
  std::chrono::nanoseconds max_delay{0};
  std::string content_type;
};

enum class Delivery {
  best_effort,  // bounded queue at the broker; the least urgent, oldest dropped first
  lossless,     // never dropped: publishers are slowed down instead
};

struct SubscribeOptions {
  Delivery delivery = Delivery::best_effort;
};

}  // namespace watt
