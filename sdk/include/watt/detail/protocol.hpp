// The wire protocol, version 1 (docs/protocol.md): frame layout, message
// kinds, and the header codec shared by the SDK and the broker.
#pragma once

#include <watt/export.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace watt::proto {

inline constexpr std::uint8_t version = 1;

// A peer sends [preamble][address][header][body]; the broker sends the same
// four frames plus [origin], the sender's identity as the broker knows it.
// The preamble is two bytes: the protocol version, then the kind.
inline constexpr std::size_t peer_frames = 4;
inline constexpr std::size_t broker_frames = 5;

enum class Kind : std::uint8_t {
  hello = 1,     // address: identity claimed
  welcome,       // the broker accepts the identity
  bye,           // the peer leaves
  subscribe,     // address: pattern; header mode, id
  unsubscribe,   // address: pattern; header id
  publish,       // address: topic; header id, ts, pri, dl, ct
  deliver,       // a publish routed to a subscriber
  request,       // address: target peer; header id, method, ts, pri
  response,      // address: the caller; header id
  error,         // address: the caller (or empty); header id, code, message
  ping,
  pong,
  sync,          // barrier: acknowledged once everything before it was taken
  ack,           // header id of the subscribe/unsubscribe/sync acknowledged
  peers,         // ask for the peer list
  peer_list,     // body: array of peer maps
  flow,          // header paused (bool), reason: lossless backpressure
};
inline constexpr std::uint8_t max_kind = static_cast<std::uint8_t>(Kind::flow);

WATT_EXPORT std::string_view kind_name(Kind kind) noexcept;

inline constexpr std::uint8_t default_priority = 50;

// The scalar fields a header may carry. String views point into the frame the
// header was decoded from, so they live as long as that frame.
struct Header {
  std::uint64_t id = 0;
  std::int64_t ts = 0;       // ns since the epoch
  std::uint8_t pri = default_priority;
  std::int64_t dl = 0;       // deadline, ns since the epoch; 0 = none
  std::uint64_t protocol = 0;
  std::uint64_t pid = 0;
  std::uint64_t size = 0;    // welcome: the broker's message size limit
  bool lossless = false;     // subscribe: lossless delivery
  bool paused = false;       // flow
  std::string_view ct;       // content type; empty = msgpack
  std::string_view method;
  std::string_view code;
  std::string_view message;
};

// Decodes a header frame without allocating. Unknown keys (of any type) are
// skipped so newer peers can add fields. Returns an error text, empty if good.
WATT_EXPORT std::string decode_header(std::string_view frame, Header& out);

// Encodes the fields that differ from their defaults.
WATT_EXPORT std::string encode_header(const Header& h);

}  // namespace watt::proto
