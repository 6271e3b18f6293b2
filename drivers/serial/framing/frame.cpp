// Frame encoding (header, CRC, COBS, delimiter) and the check of a segment.
#include "framing/frame.hpp"

#include "framing/cobs.hpp"
#include "framing/crc16.hpp"

#include <string>

namespace watt::serial {

std::vector<std::uint8_t> encode_frame(const Frame& frame, std::size_t max_payload) {
  if (frame.payload.size() > max_payload) {
    throw FramingError("serial frame payload of " + std::to_string(frame.payload.size()) +
                       " bytes is over the limit of " + std::to_string(max_payload));
  }
  if (!is_known_frame_type(static_cast<std::uint8_t>(frame.type))) {
    throw FramingError("serial frame type " + std::to_string(static_cast<unsigned>(frame.type)) +
                       " is not a known type");
  }
  std::vector<std::uint8_t> raw;
  raw.reserve(frame.payload.size() + frame_overhead);
  raw.push_back(static_cast<std::uint8_t>(frame.type));
  raw.push_back(frame.seq);
  raw.insert(raw.end(), frame.payload.begin(), frame.payload.end());
  const std::uint16_t crc = crc16(raw);
  raw.push_back(static_cast<std::uint8_t>(crc >> 8));
  raw.push_back(static_cast<std::uint8_t>(crc & 0xFF));

  std::vector<std::uint8_t> out;
  out.reserve(cobs_max_encoded_size(raw.size()) + 1);
  cobs_encode_into(raw, out);
  out.push_back(0x00);
  return out;
}

DecodedFrame decode_frame(std::span<const std::uint8_t> segment, std::size_t max_payload) {
  DecodedFrame result;
  std::vector<std::uint8_t> raw;
  if (!cobs_decode_into(segment, raw)) {
    result.error = FrameError::bad_cobs;
    return result;
  }
  if (raw.size() < frame_overhead) {
    result.error = FrameError::too_short;
    return result;
  }
  const std::size_t payload_size = raw.size() - frame_overhead;
  if (payload_size > max_payload) {
    result.error = FrameError::oversize;
    return result;
  }
  const std::size_t crc_at = raw.size() - frame_crc_size;
  const auto sent = static_cast<std::uint16_t>((raw[crc_at] << 8) | raw[crc_at + 1]);
  if (crc16(std::span(raw).first(crc_at)) != sent) {
    result.error = FrameError::bad_crc;
    return result;
  }
  if (!is_known_frame_type(raw[0])) {
    result.error = FrameError::bad_type;
    return result;
  }
  result.frame.type = static_cast<FrameType>(raw[0]);
  result.frame.seq = raw[1];
  const auto payload_begin = raw.begin() + static_cast<std::ptrdiff_t>(frame_header_size);
  result.frame.payload.assign(payload_begin, payload_begin + static_cast<std::ptrdiff_t>(payload_size));
  return result;
}

}  // namespace watt::serial
