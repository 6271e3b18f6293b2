// The wire protocol, version 1 (docs/protocol.md): frame layout, message
// kinds, and the header codec shared by the SDK and the broker.
#pragma once

#include <watt/export.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace watt::proto {

inline constexpr std::uint8_t version = 1;

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
  batch,         // broker only, to a peer whose hello said batch: several messages in one frame
};
inline constexpr std::uint8_t max_kind = static_cast<std::uint8_t>(Kind::batch);

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
  bool batch = false;        // hello: this peer takes batch messages
  std::string_view ct;       // content type; empty = msgpack
  std::string_view method;
  std::string_view code;
  std::string_view message;
};

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
WATT_EXPORT std::string parse_message(std::string_view frame, MessageView& out);

// The size of a message with these parts, and the writing of one into a
// buffer of exactly that size. Limits: address 65,535 bytes, origin 255,
// header 65,535 (checked by the caller).
WATT_EXPORT std::size_t message_size(std::string_view address, std::string_view origin, std::string_view header,
                                     std::string_view body) noexcept;
WATT_EXPORT void write_message(char* out, Kind kind, std::string_view address, std::string_view origin,
                               std::string_view header, std::string_view body) noexcept;

// A batch's body is a run of whole messages, each written as
//   length (4 bytes, little endian) | message frame
// The broker sends batches only to peers that asked for them in their hello,
// and only with what waited for them; a batch never holds another batch.
inline constexpr std::size_t batch_item_prefix = 4;
// Writes one item (prefix and message) at `out`, which has room for
// batch_item_prefix + message.size() bytes.
WATT_EXPORT void write_batch_item(char* out, std::string_view message) noexcept;
// Takes the next item off the front of `rest` (not empty) into `message`;
// returns an error text, empty when well-formed.
WATT_EXPORT std::string take_batch_item(std::string_view& rest, std::string_view& message);

// Decodes a header without allocating. Unknown keys (of any type) are
// skipped so newer peers can add fields. Returns an error text, empty if good.
WATT_EXPORT std::string decode_header(std::string_view frame, Header& out);

// Encodes the fields that differ from their defaults.
WATT_EXPORT std::string encode_header(const Header& h);
// The same into `out` (cleared first), reusing its memory: for hot paths.
WATT_EXPORT void encode_header(const Header& h, std::string& out);

}  // namespace watt::proto
