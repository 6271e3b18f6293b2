// The receiving end of one serial direction: fed whatever chunks the port
// returns, it finds the frames, drops the damaged ones with an exact count of
// why, and resynchronises on the next 0x00.
#pragma once

#include "framing/frame.hpp"
#include "framing/sequence.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

namespace watt::serial {

// Every 0x00 fed ends one segment, and each segment lands in exactly one of
// frames, empty, bad_cobs, too_short, bad_crc, bad_type, oversize — except that
// an oversize segment is counted as soon as it is too long, before its 0x00.
// Every non-zero byte fed is in bytes_accepted, bytes_discarded or pending().
struct DecoderCounters {
  std::uint64_t frames = 0;  // delivered
  std::uint64_t empty = 0;   // 0x00 right after 0x00 (or at the start): idle filler, not an error
  std::uint64_t bad_cobs = 0;
  std::uint64_t too_short = 0;
  std::uint64_t bad_crc = 0;
  std::uint64_t bad_type = 0;
  std::uint64_t oversize = 0;         // too long, on the line or once decoded
  std::uint64_t bytes_accepted = 0;   // non-zero bytes of delivered frames
  std::uint64_t bytes_discarded = 0;  // non-zero bytes of dropped segments
  std::uint64_t gaps = 0;             // sequence numbers missed (mod 256 per gap)
  std::uint64_t duplicates = 0;       // frames with the previous frame's number

  std::uint64_t dropped() const { return bad_cobs + too_short + bad_crc + bad_type + oversize; }
  // Sums the counters of several receivers (one per open of a port).
  DecoderCounters& operator+=(const DecoderCounters& c) {
    frames += c.frames;
    empty += c.empty;
    bad_cobs += c.bad_cobs;
    too_short += c.too_short;
    bad_crc += c.bad_crc;
    bad_type += c.bad_type;
    oversize += c.oversize;
    bytes_accepted += c.bytes_accepted;
    bytes_discarded += c.bytes_discarded;
    gaps += c.gaps;
    duplicates += c.duplicates;
    return *this;
  }
  bool operator==(const DecoderCounters&) const = default;
};

struct ReceivedFrame {
  Frame frame;
  SeqStatus seq_status = SeqStatus::first;
};

class FrameDecoder {
public:
  using Handler = std::function<void(const ReceivedFrame&)>;

  explicit FrameDecoder(std::size_t max_payload = default_max_payload);

  // Calls `on_frame` for each good frame completed by these bytes, in order,
  // duplicates included (their status says so; the caller decides). Bytes of
  // an unfinished frame are kept for the next call.
  void feed(std::span<const std::uint8_t> bytes, const Handler& on_frame);
  std::vector<ReceivedFrame> feed(std::span<const std::uint8_t> bytes);

  const DecoderCounters& counters() const { return counters_; }
  // Bytes held of an unfinished segment: never more than max_encoded_size().
  std::size_t pending() const { return buffer_.size(); }
  // True while throwing away an oversize segment up to its 0x00.
  bool discarding() const { return discarding_; }
  std::size_t max_payload() const { return max_payload_; }
  std::size_t max_encoded_size() const { return max_encoded_; }

private:
  void end_segment(const Handler& on_frame);
  void drop_buffer();

  std::size_t max_payload_;
  std::size_t max_encoded_;
  std::vector<std::uint8_t> buffer_;
  bool discarding_ = false;
  SequenceTracker sequence_;
  DecoderCounters counters_;
};

}  // namespace watt::serial
