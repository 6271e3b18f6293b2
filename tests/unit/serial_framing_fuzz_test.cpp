// The serial framing under random input: the hello, and fuzzed streams whose
// every byte and frame must be accounted for.
#include "serial_framing_cases.hpp"

#include "framing/cobs.hpp"
#include "framing/crc16.hpp"
#include "framing/decoder.hpp"
#include "framing/frame.hpp"
#include "framing/hello.hpp"
#include "framing/sequence.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using namespace watt::serial;
using namespace serial_test;

TEST_CASE("serial framing: the hello payload round-trips and a short one is refused") {
  const Hello h{1, 0x1234};
  CHECK(encode_hello(h) == bytes({0x01, 0x12, 0x34}));
  CHECK(parse_hello(encode_hello(h)) == h);
  CHECK(parse_hello(bytes({0x01, 0x12, 0x34, 0xEE, 0xFF})) == h);  // reserved bytes ignored
  CHECK_FALSE(parse_hello(bytes({0x01, 0x12})).has_value());
}

TEST_CASE("serial framing: fuzz, random bytes never crash and every byte and delimiter is accounted for") {
  std::mt19937_64 rng(4);
  std::uniform_int_distribution<int> byte_dist(0, 255);
  // Zero densities from none to nearly all, so every decoder path is taken.
  for (const int zero_per_mille : {0, 1, 4, 30, 300, 900}) {
    std::uniform_int_distribution<int> per_mille(0, 999);
    Bytes stream(200'000);
    for (auto& b : stream) {
      const int v = per_mille(rng) < zero_per_mille ? 0 : byte_dist(rng);
      b = static_cast<std::uint8_t>(v == 0 && zero_per_mille == 0 ? 1 : v);
    }
    FrameDecoder decoder(256);
    feed_in_chunks(decoder, stream, rng, 700);
    check_accounting(decoder, stream);
  }
}

namespace {

// The frames encoded one after another, about one in six damaged on the way
// (a bit flipped, a tail lost, noise, a stray byte) or followed by a giant
// run. `touched` marks the frames that may not arrive; `giants` counts the
// runs.
Bytes damaged_stream(std::mt19937_64& rng, const std::vector<Frame>& frames, std::size_t max_payload,
                     std::vector<bool>& touched, std::uint64_t& giants) {
  std::uniform_int_distribution<int> op_dist(0, 11);
  std::uniform_int_distribution<int> byte_dist(0, 255);
  std::uniform_int_distribution<int> non_zero(1, 255);
  Bytes stream;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    Bytes e = encode_frame(frames[i], max_payload);
    std::uniform_int_distribution<std::size_t> pos(0, e.size() - 1);
    switch (op_dist(rng)) {
      case 0: {  // one bit flipped anywhere, the delimiter included
        const std::size_t at = pos(rng);
        e[at] = static_cast<std::uint8_t>(e[at] ^ (1U << (byte_dist(rng) % 8)));
        touched[i] = true;
        if (at == e.size() - 1) touched[i + 1] = true;
        break;
      }
      case 1: {  // the tail lost, delimiter and all: merges with the next
        e.resize(pos(rng));
        touched[i] = true;
        touched[i + 1] = true;
        break;
      }
      case 2: {  // the tail lost, the delimiter kept
        const std::size_t keep = pos(rng);
        e.erase(e.begin() + static_cast<std::ptrdiff_t>(keep), e.end() - 1);
        touched[i] = true;
        break;
      }
      case 3: {  // line noise before the frame, which may or may not end in 0x00
        Bytes noise(static_cast<std::size_t>(non_zero(rng) % 40 + 1));
        for (auto& b : noise) b = static_cast<std::uint8_t>(byte_dist(rng));
        if (noise.back() != 0) touched[i] = true;
        stream.insert(stream.end(), noise.begin(), noise.end());
        break;
      }
      case 4: {  // a giant run with its own delimiter: only itself lost
        Bytes run(5000);
        for (auto& b : run) b = static_cast<std::uint8_t>(non_zero(rng));
        run.push_back(0);
        stream.insert(stream.end(), run.begin(), run.end());
        ++giants;
        break;
      }
      case 5: {  // a stray byte inserted inside the frame
        e.insert(e.begin() + static_cast<std::ptrdiff_t>(pos(rng)), static_cast<std::uint8_t>(byte_dist(rng)));
        touched[i] = true;
        break;
      }
      default: break;  // most frames go through untouched
    }
    stream.insert(stream.end(), e.begin(), e.end());
  }
  return stream;
}

}  // namespace

TEST_CASE("serial framing: fuzz, damaged streams still deliver every untouched frame") {
  for (const std::uint64_t seed : {11U, 12U, 13U}) {
    std::mt19937_64 rng(seed);
    const std::size_t max_payload = 512;
    const std::vector<Frame> frames = random_frames(rng, 1500, max_payload);
    std::vector<bool> touched(frames.size() + 1, false);
    std::uint64_t giants = 0;
    const Bytes stream = damaged_stream(rng, frames, max_payload, touched, giants);
    FrameDecoder decoder(max_payload);
    const std::vector<Frame> got = feed_in_chunks(decoder, stream, rng, 2000);
    check_accounting(decoder, stream);
    const DecoderCounters& c = decoder.counters();
    MESSAGE("seed " << seed << ": " << stream.size() << " bytes, frames " << c.frames << ", bad_cobs " << c.bad_cobs
                    << ", too_short " << c.too_short << ", bad_crc " << c.bad_crc << ", bad_type " << c.bad_type
                    << ", oversize " << c.oversize << ", gaps " << c.gaps << ", duplicates " << c.duplicates);

    // Untouched frames arrive, in order, among whatever else got through.
    std::size_t untouched = 0;
    std::size_t next = 0;
    auto skip_touched = [&] {
      while (next < frames.size() && touched[next]) ++next;
    };
    skip_touched();
    for (const Frame& f : got) {
      if (next < frames.size() && f == frames[next]) {
        ++untouched;
        ++next;
        skip_touched();
      }
    }
    CHECK(next == frames.size());
    CHECK(untouched == static_cast<std::size_t>(std::count(touched.begin(), touched.end() - 1, false)));
    CHECK(decoder.counters().frames >= untouched);
    CHECK(decoder.counters().oversize >= giants);
    CHECK(decoder.counters().dropped() > 0);
  }
}

TEST_CASE("serial framing: fuzz, one bit flipped anywhere costs exactly the frame it hit") {
  std::mt19937_64 rng(21);
  const std::vector<Frame> frames = random_frames(rng, 120, 48);
  Bytes stream;
  std::vector<std::size_t> owner;  // which frame each byte of the stream belongs to
  for (std::size_t i = 0; i < frames.size(); ++i) {
    const Bytes e = encode_frame(frames[i]);
    stream.insert(stream.end(), e.begin(), e.end());
    owner.insert(owner.end(), e.size(), i);
  }
  std::uniform_int_distribution<std::size_t> at_dist(0, stream.size() - 1);
  std::uniform_int_distribution<unsigned> bit_dist(0, 7);
  for (int trial = 0; trial < 3000; ++trial) {
    Bytes damaged = stream;
    const std::size_t at = at_dist(rng);
    damaged[at] = static_cast<std::uint8_t>(damaged[at] ^ (1U << bit_dist(rng)));
    const std::size_t hit = owner[at];
    // A flipped delimiter joins the hit frame to the next one.
    const bool joined = stream[at] == 0 && hit + 1 < frames.size();
    std::vector<Frame> expected;
    for (std::size_t i = 0; i < frames.size(); ++i) {
      if (i != hit && !(joined && i == hit + 1)) expected.push_back(frames[i]);
    }
    FrameDecoder decoder;
    std::vector<Frame> got;
    decoder.feed(damaged, [&got](const ReceivedFrame& r) { got.push_back(r.frame); });
    CHECK(got == expected);
    const std::size_t lost = frames.size() - expected.size();
    // Sequence numbers are consecutive, so the gaps are exactly the frames
    // lost — unless the first frame was (nothing before to compare with) or
    // the last (nothing after to notice).
    const bool at_an_end = hit == 0 || hit + lost == frames.size();
    CHECK(decoder.counters().gaps == (at_an_end ? 0 : lost));
    check_accounting(decoder, damaged);
  }
}
