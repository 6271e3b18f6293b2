// The serial framing's streaming decoder: chunking, damage, its exact
// counters, and sequence numbers.
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

TEST_CASE("serial framing: random frames survive any chunking") {
  std::mt19937_64 rng(2);
  const std::vector<Frame> frames = random_frames(rng, 400, default_max_payload);
  Bytes stream;
  for (const Frame& f : frames) {
    const Bytes e = encode_frame(f);
    stream.insert(stream.end(), e.begin(), e.end());
  }
  DecoderCounters expected;
  expected.frames = frames.size();
  expected.bytes_accepted = accepted_bytes(frames);

  SUBCASE("one byte at a time") {
    FrameDecoder decoder;
    CHECK(feed_in_chunks(decoder, stream, rng, 1) == frames);
    CHECK(decoder.counters() == expected);
  }
  SUBCASE("the whole buffer at once") {
    FrameDecoder decoder;
    std::vector<Frame> got;
    for (const ReceivedFrame& r : decoder.feed(stream)) got.push_back(r.frame);
    CHECK(got == frames);
    CHECK(decoder.counters() == expected);
  }
  SUBCASE("random splits") {
    for (int round = 0; round < 5; ++round) {
      FrameDecoder decoder;
      CHECK(feed_in_chunks(decoder, stream, rng, 3000) == frames);
      CHECK(decoder.counters() == expected);
      CHECK(decoder.pending() == 0);
    }
  }
}

TEST_CASE("serial framing: a bit flip in a payload costs exactly that frame") {
  const Frame a{FrameType::data, 1, bytes({0x41, 0x42, 0x43, 0x44, 0x45, 0x46})};
  const Frame b{FrameType::data, 2, bytes({0x51, 0x52, 0x53})};
  const Frame c{FrameType::data, 3, bytes({0x61})};
  Bytes broken = encode_frame(b);
  // Byte 0 is the COBS code, 1 and 2 the header: byte 4 is payload.
  REQUIRE(broken[0] > 4);
  broken[4] ^= 0x10;
  const Bytes stream = concat({encode_frame(a), broken, encode_frame(c)});
  FrameDecoder decoder;
  const auto got = decoder.feed(stream);
  REQUIRE(got.size() == 2);
  CHECK(got[0].frame == a);
  CHECK(got[1].frame == c);
  CHECK(got[1].seq_status == SeqStatus::gap);
  DecoderCounters expected;
  expected.frames = 2;
  expected.bad_crc = 1;
  expected.gaps = 1;
  expected.bytes_accepted = accepted_bytes({a, c});
  expected.bytes_discarded = broken.size() - 1;
  CHECK(decoder.counters() == expected);
}

TEST_CASE("serial framing: truncated and short segments are dropped and the next frame decoded") {
  const Frame good{FrameType::data, 9, bytes({0x10, 0x20})};
  const Bytes whole = encode_frame(Frame{FrameType::data, 8, Bytes(20, 0x33)});
  REQUIRE(whole[0] == 25);  // one block: code, 2 header, 20 payload, 2 CRC
  // The line lost the frame's tail but not the delimiter.
  const Bytes truncated = concat({Bytes(whole.begin(), whole.begin() + 12), bytes({0x00})});
  const Bytes one_byte = bytes({0x02, 0x05, 0x00});         // decodes to 1 byte
  const Bytes two_bytes = bytes({0x03, 0x02, 0x05, 0x00});  // a header and no CRC
  const Bytes nothing = bytes({0x01, 0x00});                // decodes to 0 bytes
  const Bytes stream = concat({truncated, one_byte, two_bytes, nothing, encode_frame(good)});
  FrameDecoder decoder;
  const auto got = decoder.feed(stream);
  REQUIRE(got.size() == 1);
  CHECK(got[0].frame == good);
  DecoderCounters expected;
  expected.frames = 1;
  expected.bad_cobs = 1;
  expected.too_short = 3;
  expected.bytes_discarded = 12 + 2 + 3 + 1;
  expected.bytes_accepted = accepted_bytes({good});
  CHECK(decoder.counters() == expected);
  check_accounting(decoder, stream);
}

TEST_CASE("serial framing: a good CRC over an unknown type is bad_type") {
  // Build by hand what encode_frame refuses to build.
  Bytes raw = bytes({0x7F, 0x00, 0x01});
  const std::uint16_t crc = crc16(raw);
  raw.push_back(static_cast<std::uint8_t>(crc >> 8));
  raw.push_back(static_cast<std::uint8_t>(crc & 0xFF));
  Bytes stream = cobs_encode(raw);
  stream.push_back(0x00);
  FrameDecoder decoder;
  CHECK(decoder.feed(stream).empty());
  DecoderCounters expected;
  expected.bad_type = 1;
  expected.bytes_discarded = stream.size() - 1;
  CHECK(decoder.counters() == expected);
}

TEST_CASE("serial framing: a 1 MB run without a delimiter is one oversize frame, in bounded memory") {
  std::mt19937_64 rng(3);
  std::uniform_int_distribution<int> non_zero(1, 255);
  Bytes giant(1 << 20);
  for (auto& b : giant) b = static_cast<std::uint8_t>(non_zero(rng));
  FrameDecoder decoder;
  CHECK(feed_in_chunks(decoder, giant, rng, 4096).empty());
  CHECK(decoder.discarding());
  CHECK(decoder.pending() == 0);
  CHECK(decoder.counters().oversize == 1);
  CHECK(decoder.counters().bytes_discarded == giant.size());
  check_accounting(decoder, giant);

  const Frame after{FrameType::heartbeat, 0, {}};
  const auto got = decoder.feed(concat({bytes({0x00}), encode_frame(after)}));
  REQUIRE(got.size() == 1);
  CHECK(got[0].frame == after);
  DecoderCounters expected;
  expected.frames = 1;
  expected.oversize = 1;
  expected.bytes_discarded = giant.size();
  expected.bytes_accepted = accepted_bytes({after});
  CHECK(decoder.counters() == expected);
}

TEST_CASE("serial framing: a payload over the limit is oversize whether it is long on the line or only once decoded") {
  // Too long on the line: noticed before the delimiter.
  {
    FrameDecoder decoder(99);
    const Bytes e = encode_frame(Frame{FrameType::data, 0, Bytes(100, 0x42)}, 100);
    CHECK(decoder.feed(e).empty());
    CHECK(decoder.counters().oversize == 1);
    check_accounting(decoder, e);
  }
  // Short enough on the line (the zeros cost no COBS overhead past 254 bytes)
  // but one byte too long decoded.
  {
    FrameDecoder decoder(300);
    Bytes payload(301, 0x42);
    for (std::size_t i = 0; i < payload.size(); i += 100) payload[i] = 0;
    const Bytes e = encode_frame(Frame{FrameType::data, 0, payload}, 301);
    REQUIRE(e.size() - 1 <= decoder.max_encoded_size());
    CHECK(decoder.feed(e).empty());
    DecoderCounters expected;
    expected.oversize = 1;
    expected.bytes_discarded = e.size() - 1;
    CHECK(decoder.counters() == expected);
    CHECK_FALSE(decoder.discarding());
    check_accounting(decoder, e);
  }
}

TEST_CASE("serial framing: empty frames between delimiters and garbage before the first delimiter") {
  const Frame a{FrameType::data, 0, bytes({0x01, 0x00, 0x02})};
  const Frame b{FrameType::data, 1, bytes({0x03})};
  const Bytes garbage(30, 0x41);  // code 0x41 runs past the end: bad COBS
  const Bytes stream = concat(
      {garbage, bytes({0x00, 0x00, 0x00}), encode_frame(a), bytes({0x00, 0x00}), encode_frame(b), bytes({0x00})});
  FrameDecoder decoder;
  const auto got = decoder.feed(stream);
  REQUIRE(got.size() == 2);
  CHECK(got[0].frame == a);
  CHECK(got[1].frame == b);
  DecoderCounters expected;
  expected.frames = 2;
  expected.empty = 2 + 2 + 1;  // the garbage's delimiter ends the garbage, not an empty frame
  expected.bad_cobs = 1;
  expected.bytes_discarded = garbage.size();
  expected.bytes_accepted = accepted_bytes({a, b});
  CHECK(decoder.counters() == expected);
  check_accounting(decoder, stream);
}

TEST_CASE("serial framing: sequence numbers count gaps and duplicates mod 256, and a hello restarts them") {
  SequenceTracker t;
  CHECK(t.observe(250) == SeqStatus::first);
  CHECK(t.observe(251) == SeqStatus::in_order);
  CHECK(t.observe(251) == SeqStatus::duplicate);
  CHECK(t.observe(255) == SeqStatus::gap);  // 252, 253, 254 missed
  CHECK(t.observe(0) == SeqStatus::in_order);
  CHECK(t.observe(5) == SeqStatus::gap);  // 1..4 missed
  CHECK(t.gaps() == 7);
  CHECK(t.duplicates() == 1);
  CHECK(t.observe(250) == SeqStatus::gap);  // 6..249 missed: a long way round
  CHECK(t.gaps() == 7 + 244);
  t.restart();
  CHECK(t.observe(17) == SeqStatus::first);
  CHECK(t.gaps() == 251);

  SequenceCounter counter;
  for (int i = 0; i < 256; ++i) CHECK(counter.next() == static_cast<std::uint8_t>(i));
  CHECK(counter.next() == 0);

  // Through the decoder: a node that restarts and says hello is not a gap.
  FrameDecoder decoder;
  const auto got = decoder.feed(concat({
      encode_frame(Frame{FrameType::hello, 0, encode_hello({})}),
      encode_frame(Frame{FrameType::data, 1, bytes({0x80})}),
      encode_frame(Frame{FrameType::data, 1, bytes({0x80})}),
      encode_frame(Frame{FrameType::heartbeat, 4, {}}),
      encode_frame(Frame{FrameType::hello, 0, encode_hello({})}),
      encode_frame(Frame{FrameType::heartbeat, 1, {}}),
  }));
  REQUIRE(got.size() == 6);
  CHECK(got[0].seq_status == SeqStatus::first);
  CHECK(got[1].seq_status == SeqStatus::in_order);
  CHECK(got[2].seq_status == SeqStatus::duplicate);
  CHECK(got[3].seq_status == SeqStatus::gap);
  CHECK(got[4].seq_status == SeqStatus::first);
  CHECK(got[5].seq_status == SeqStatus::in_order);
  CHECK(decoder.counters().gaps == 2);
  CHECK(decoder.counters().duplicates == 1);
}
