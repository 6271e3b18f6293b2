// The streaming decoder: segment on 0x00, bounded buffer, counted drops.
#include "framing/decoder.hpp"

#include <utility>

namespace watt::serial {

FrameDecoder::FrameDecoder(std::size_t max_payload)
    : max_payload_(max_payload), max_encoded_(max_encoded_frame_size(max_payload)) {
  // Reserved once, so a stream of long frames never reallocates.
  buffer_.reserve(max_encoded_);
}

void FrameDecoder::feed(std::span<const std::uint8_t> bytes, const Handler& on_frame) {
  for (const std::uint8_t b : bytes) {
    if (b == 0x00) {
      end_segment(on_frame);
      continue;
    }
    if (discarding_) {
      ++counters_.bytes_discarded;
      continue;
    }
    if (buffer_.size() == max_encoded_) {
      // No valid frame is this long: count it now, and keep only a flag until
      // the next delimiter, whatever the length of the run.
      ++counters_.oversize;
      drop_buffer();
      ++counters_.bytes_discarded;
      discarding_ = true;
      continue;
    }
    buffer_.push_back(b);
  }
}

std::vector<ReceivedFrame> FrameDecoder::feed(std::span<const std::uint8_t> bytes) {
  std::vector<ReceivedFrame> frames;
  feed(bytes, [&frames](const ReceivedFrame& f) { frames.push_back(f); });
  return frames;
}

void FrameDecoder::drop_buffer() {
  counters_.bytes_discarded += buffer_.size();
  buffer_.clear();
}

void FrameDecoder::end_segment(const Handler& on_frame) {
  if (discarding_) {
    discarding_ = false;  // already counted as oversize
    return;
  }
  if (buffer_.empty()) {
    ++counters_.empty;
    return;
  }
  DecodedFrame decoded = decode_frame(buffer_, max_payload_);
  switch (decoded.error) {
    case FrameError::none: break;
    case FrameError::bad_cobs: ++counters_.bad_cobs; break;
    case FrameError::too_short: ++counters_.too_short; break;
    case FrameError::oversize: ++counters_.oversize; break;
    case FrameError::bad_crc: ++counters_.bad_crc; break;
    case FrameError::bad_type: ++counters_.bad_type; break;
  }
  if (decoded.error != FrameError::none) {
    drop_buffer();
    return;
  }
  counters_.bytes_accepted += buffer_.size();
  buffer_.clear();

  ReceivedFrame received;
  received.frame = std::move(decoded.frame);
  if (received.frame.type == FrameType::hello) sequence_.restart();
  received.seq_status = sequence_.observe(received.frame.seq);
  counters_.gaps = sequence_.gaps();
  counters_.duplicates = sequence_.duplicates();
  ++counters_.frames;
  on_frame(received);
}

}  // namespace watt::serial
