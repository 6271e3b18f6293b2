// One serial frame: the layout before COBS, its encoding onto the line, and
// the check of one received segment (the bytes between two delimiters).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <vector>

namespace watt::serial {

// The framing library's one exception: only for caller mistakes (encoding a
// frame that breaks the rules). What arrives from the line never throws.
struct FramingError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Byte 0 of every frame. 0x00 and every value not listed are invalid; a
// receiver counts and drops them (bad_type).
enum class FrameType : std::uint8_t {
  hello = 0x01,      // payload: see hello.hpp; resets the receiver's sequence
  data = 0x02,       // payload: one msgpack map
  heartbeat = 0x03,  // payload: empty in version 1; receivers ignore any bytes
};

constexpr bool is_known_frame_type(std::uint8_t type) { return type >= 0x01 && type <= 0x03; }

struct Frame {
  FrameType type = FrameType::data;
  std::uint8_t seq = 0;  // per direction, +1 (mod 256) for every frame sent
  std::vector<std::uint8_t> payload;

  bool operator==(const Frame&) const = default;
};

// Before COBS: [type][seq][payload...][CRC-16 high byte][CRC-16 low byte].
inline constexpr std::size_t frame_header_size = 2;
inline constexpr std::size_t frame_crc_size = 2;
inline constexpr std::size_t frame_overhead = frame_header_size + frame_crc_size;
inline constexpr std::size_t default_max_payload = 1024;

// The longest COBS segment (delimiter excluded) a frame with at most
// `max_payload` payload bytes can encode to; a receiver discards anything longer
// without buffering it.
constexpr std::size_t max_encoded_frame_size(std::size_t max_payload) {
  const std::size_t raw = max_payload + frame_overhead;
  return raw + 1 + raw / 254;
}

// The bytes to write to the line: COBS of the frame, then the 0x00 delimiter.
// Throws FramingError when the payload is longer than max_payload.
std::vector<std::uint8_t> encode_frame(const Frame& frame, std::size_t max_payload = default_max_payload);

// Why a received segment was dropped; each has a counter in the decoder.
enum class FrameError : std::uint8_t {
  none,
  bad_cobs,   // the COBS code bytes do not add up
  too_short,  // decoded to fewer bytes than a header and a CRC
  oversize,   // payload longer than max_payload
  bad_crc,    // the CRC does not match
  bad_type,   // the CRC matches but the type byte is not a known type
};

struct DecodedFrame {
  FrameError error = FrameError::none;
  Frame frame;  // meaningful only when error == FrameError::none
};

// Checks and decodes one segment (the COBS bytes between two delimiters,
// without them). The checks run in the order of FrameError, so the type is
// only judged once the CRC has vouched for it.
DecodedFrame decode_frame(std::span<const std::uint8_t> segment, std::size_t max_payload = default_max_payload);

}  // namespace watt::serial
