// The wire protocol (docs/protocol.md): the frame every message travels in,
// and the kinds of message.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace watt::proto {

// The frame's layout: the first byte of every message. Protocol 2 kept it,
// so the broker forwards the same bytes to peers of either protocol.
inline constexpr std::uint8_t version = 1;
// What a hello asks for and a welcome grants: 1, or 2, which adds hosted
// identities (several identities on one connection: an agent container).
inline constexpr std::uint64_t protocol = 2;
inline constexpr std::uint64_t oldest_protocol = 1;

// Every message is one frame:
//   version (1 byte) | kind (1 byte)
//   | address length (2 bytes, little endian) | address
//   | origin length (1 byte) | origin
//   | header length (2 bytes, little endian) | header (a msgpack map)
//   | body (msgpack, or nothing: the rest of the frame)
// The origin is the sender's identity. A peer writes its own, and the broker
// checks it against the identity the connection registered, so it cannot be
// forged, and forwards the very bytes it received.
inline constexpr std::size_t frames = 1;
inline constexpr std::size_t message_min = 7;
inline constexpr std::size_t kind_offset = 1;  // the broker turns a publish into a deliver here
inline constexpr std::size_t max_address = 65535;
inline constexpr std::size_t max_origin = 255;
inline constexpr std::size_t max_header = 65535;

enum class Kind : std::uint8_t {
  hello = 1,    // address: identity claimed
  welcome,      // the broker accepts the identity
  bye,          // the peer leaves
  subscribe,    // address: pattern; header mode, id
  unsubscribe,  // address: pattern; header id
  publish,      // address: topic; header id, ts, pri, dl, ct
  deliver,      // a publish routed to a subscriber
  request,      // address: target peer; header id, method, ts, pri
  response,     // address: the caller; header id
  error,        // address: the caller (or empty); header id, code, message
  ping,
  pong,
  sync,       // barrier: acknowledged once everything before it was taken
  ack,        // header id of the subscribe/unsubscribe/sync acknowledged
  peers,      // ask for the peer list
  peer_list,  // body: array of peer maps
  flow,       // header paused (bool), reason: lossless backpressure
  batch,      // broker only, to a peer whose hello said batch: several messages in one frame
};
inline constexpr std::uint8_t max_kind = static_cast<std::uint8_t>(Kind::batch);

std::string_view kind_name(Kind kind) noexcept;

// A message frame taken apart; the views point into the frame.
struct MessageView {
  std::uint8_t version = 0;
  std::uint8_t kind = 0;  // not yet checked against Kind
  std::string_view address;
  std::string_view origin;
  std::string_view header;
  std::string_view body;
};

// Splits a message frame; returns an error text, empty when well-formed. The
// version is read first: a message of another version is reported as such
// (with version set), whatever follows it.
std::string parse_message(std::string_view frame, MessageView& out);

// The size of a message with these parts, and the writing of one into a
// buffer of exactly that size. Limits: address 65,535 bytes, origin 255,
// header 65,535 (checked by the caller).
std::size_t message_size(std::string_view address, std::string_view origin, std::string_view header,
                         std::string_view body) noexcept;
void write_message(char* out, Kind kind, std::string_view address, std::string_view origin, std::string_view header,
                   std::string_view body) noexcept;

}  // namespace watt::proto
