// A serial line's bytes as the bridge and watt-node receive them: the
// decoder finds the same frames and counts the same damage however the bytes
// are cut into reads, accounts for every non-zero byte, and never holds more
// than one encoded frame. COBS decodes what it encodes.
#include "fuzz.hpp"

#include "framing/cobs.hpp"
#include "framing/decoder.hpp"

#include <algorithm>
#include <span>
#include <vector>

namespace {

using watt::serial::FrameDecoder;

// The first byte picks a small max_payload (to reach the oversize paths).
constexpr std::size_t payload_for(std::uint8_t b) { return 1 + std::size_t{b % 64u} * 16; }

struct Outcome {
  std::vector<watt::serial::ReceivedFrame> frames;
  watt::serial::DecoderCounters counters;
  std::size_t pending = 0;
};

Outcome decode(std::span<const std::uint8_t> line, std::size_t max_payload, std::size_t chunk) {
  FrameDecoder decoder(max_payload);
  Outcome out;
  for (std::size_t at = 0; at < line.size(); at += chunk) {
    const auto piece = line.subspan(at, std::min(chunk, line.size() - at));
    decoder.feed(piece, [&](const watt::serial::ReceivedFrame& f) { out.frames.push_back(f); });
    WATT_FUZZ_CHECK(decoder.pending() <= decoder.max_encoded_size());
  }
  out.counters = decoder.counters();
  out.pending = decoder.pending();
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::size_t max_payload = payload_for(data[0]);
  const std::size_t chunk = 1 + data[1] % 17;
  const std::span<const std::uint8_t> line(data + 2, size - 2);

  const Outcome whole = decode(line, max_payload, line.size() + 1);
  const Outcome cut = decode(line, max_payload, chunk);
  WATT_FUZZ_CHECK(whole.counters == cut.counters);
  WATT_FUZZ_CHECK(whole.pending == cut.pending);
  WATT_FUZZ_CHECK(whole.frames.size() == cut.frames.size());
  for (std::size_t i = 0; i < whole.frames.size(); ++i) {
    WATT_FUZZ_CHECK(whole.frames[i].frame == cut.frames[i].frame);
    WATT_FUZZ_CHECK(whole.frames[i].frame.payload.size() <= max_payload);
  }
  const auto nonzero =
      static_cast<std::uint64_t>(std::count_if(line.begin(), line.end(), [](auto b) { return b != 0; }));
  WATT_FUZZ_CHECK(whole.counters.bytes_accepted + whole.counters.bytes_discarded + whole.pending == nonzero);
  WATT_FUZZ_CHECK(whole.counters.frames == whole.frames.size());

  const auto encoded = watt::serial::cobs_encode(line);
  WATT_FUZZ_CHECK(std::find(encoded.begin(), encoded.end(), 0) == encoded.end());
  WATT_FUZZ_CHECK(encoded.size() <= watt::serial::cobs_max_encoded_size(line.size()));
  const auto decoded = watt::serial::cobs_decode(encoded);
  WATT_FUZZ_CHECK(decoded && std::equal(decoded->begin(), decoded->end(), line.begin(), line.end()));
  return 0;
}
