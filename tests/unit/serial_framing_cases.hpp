// What the serial framing tests share: byte helpers, random frames and
// payloads, chunked feeding, and the decoder's accounting identities.
#pragma once

#include "framing/decoder.hpp"
#include "framing/frame.hpp"
#include "framing/sequence.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <random>
#include <span>
#include <string>
#include <vector>

namespace serial_test {

using namespace watt::serial;
using Bytes = std::vector<std::uint8_t>;

inline Bytes bytes(std::initializer_list<int> values) {
  Bytes out;
  for (int v : values) out.push_back(static_cast<std::uint8_t>(v));
  return out;
}

inline Bytes iota_bytes(int first, int last) {  // first..last inclusive, mod 256
  Bytes out;
  for (int v = first; v <= last; ++v) out.push_back(static_cast<std::uint8_t>(v & 0xFF));
  return out;
}

inline Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

inline std::string hex(const Bytes& data) {
  std::string out;
  const char* digits = "0123456789ABCDEF";
  for (std::size_t i = 0; i < data.size(); ++i) {
    if (i != 0) out += ' ';
    out += digits[data[i] >> 4];
    out += digits[data[i] & 0x0F];
  }
  return out;
}

inline Bytes random_payload(std::mt19937_64& rng, std::size_t max_size) {
  std::uniform_int_distribution<std::size_t> size_dist(0, max_size);
  std::uniform_int_distribution<int> byte_dist(0, 255);
  std::uniform_int_distribution<int> zero_odds(0, 3);
  const int style = zero_odds(rng);  // many zeros, few zeros, none, or long runs
  Bytes payload(size_dist(rng));
  for (auto& b : payload) {
    int v = byte_dist(rng);
    if (style == 0 && v < 64) v = 0;
    if (style == 2 && v == 0) v = 1;
    if (style == 3) v = v < 2 ? 0 : 0x5A;
    b = static_cast<std::uint8_t>(v);
  }
  return payload;
}

inline std::vector<Frame> random_frames(std::mt19937_64& rng, std::size_t count, std::size_t max_payload) {
  std::vector<Frame> frames;
  SequenceCounter seq;
  std::uniform_int_distribution<int> type_dist(0, 9);
  for (std::size_t i = 0; i < count; ++i) {
    Frame f;
    const int t = type_dist(rng);
    f.type = t == 0 ? FrameType::heartbeat : FrameType::data;
    f.seq = seq.next();
    if (f.type == FrameType::data) f.payload = random_payload(rng, max_payload);
    frames.push_back(std::move(f));
  }
  return frames;
}

// Feeds `stream` in chunks of random size (1..max_chunk) and collects frames.
inline std::vector<Frame> feed_in_chunks(FrameDecoder& decoder, const Bytes& stream, std::mt19937_64& rng,
                                         std::size_t max_chunk) {
  std::vector<Frame> out;
  std::uniform_int_distribution<std::size_t> chunk_dist(1, max_chunk);
  std::size_t at = 0;
  while (at < stream.size()) {
    const std::size_t n = std::min(chunk_dist(rng), stream.size() - at);
    decoder.feed(std::span(stream).subspan(at, n), [&out](const ReceivedFrame& r) { out.push_back(r.frame); });
    CHECK(decoder.pending() <= decoder.max_encoded_size());
    at += n;
  }
  return out;
}

// The two identities the decoder promises for any input at all.
inline void check_accounting(const FrameDecoder& decoder, const Bytes& stream) {
  const auto zeros = static_cast<std::uint64_t>(std::count(stream.begin(), stream.end(), 0));
  const auto non_zero = stream.size() - zeros;
  const DecoderCounters& c = decoder.counters();
  CHECK(zeros == c.frames + c.empty + c.dropped() - (decoder.discarding() ? 1U : 0U));
  CHECK(non_zero == c.bytes_accepted + c.bytes_discarded + decoder.pending());
}

// What bytes_accepted must be after delivering these frames: their encoded
// lengths without the delimiters.
inline std::uint64_t accepted_bytes(const std::vector<Frame>& frames) {
  std::uint64_t n = 0;
  for (const Frame& f : frames) n += encode_frame(f).size() - 1;
  return n;
}

}  // namespace serial_test
