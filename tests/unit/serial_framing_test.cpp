// Serial framing: COBS, the CRC, frames, the streaming decoder's exact
// counters, sequence numbers, and the worked examples of docs/serial-protocol.md.
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

namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes bytes(std::initializer_list<int> values) {
  Bytes out;
  for (int v : values) out.push_back(static_cast<std::uint8_t>(v));
  return out;
}

Bytes iota_bytes(int first, int last) {  // first..last inclusive, mod 256
  Bytes out;
  for (int v = first; v <= last; ++v) out.push_back(static_cast<std::uint8_t>(v & 0xFF));
  return out;
}

Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

std::string hex(const Bytes& data) {
  std::string out;
  const char* digits = "0123456789ABCDEF";
  for (std::size_t i = 0; i < data.size(); ++i) {
    if (i != 0) out += ' ';
    out += digits[data[i] >> 4];
    out += digits[data[i] & 0x0F];
  }
  return out;
}

Bytes random_payload(std::mt19937_64& rng, std::size_t max_size) {
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

std::vector<Frame> random_frames(std::mt19937_64& rng, std::size_t count, std::size_t max_payload) {
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
std::vector<Frame> feed_in_chunks(FrameDecoder& decoder, const Bytes& stream, std::mt19937_64& rng,
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
void check_accounting(const FrameDecoder& decoder, const Bytes& stream) {
  const auto zeros = static_cast<std::uint64_t>(std::count(stream.begin(), stream.end(), 0));
  const auto non_zero = stream.size() - zeros;
  const DecoderCounters& c = decoder.counters();
  CHECK(zeros == c.frames + c.empty + c.dropped() - (decoder.discarding() ? 1U : 0U));
  CHECK(non_zero == c.bytes_accepted + c.bytes_discarded + decoder.pending());
}

// What bytes_accepted must be after delivering these frames: their encoded
// lengths without the delimiters.
std::uint64_t accepted_bytes(const std::vector<Frame>& frames) {
  std::uint64_t n = 0;
  for (const Frame& f : frames) n += encode_frame(f).size() - 1;
  return n;
}

}  // namespace

TEST_CASE("serial framing: COBS encodes the published vectors, including 254 and 255 byte runs") {
  // The examples of the COBS article on Wikipedia (delimiter not included).
  CHECK(cobs_encode(Bytes{}) == bytes({0x01}));
  CHECK(cobs_encode(bytes({0x00})) == bytes({0x01, 0x01}));
  CHECK(cobs_encode(bytes({0x00, 0x00})) == bytes({0x01, 0x01, 0x01}));
  CHECK(cobs_encode(bytes({0x00, 0x11, 0x00})) == bytes({0x01, 0x02, 0x11, 0x01}));
  CHECK(cobs_encode(bytes({0x11, 0x22, 0x00, 0x33})) == bytes({0x03, 0x11, 0x22, 0x02, 0x33}));
  CHECK(cobs_encode(bytes({0x11, 0x22, 0x33, 0x44})) == bytes({0x05, 0x11, 0x22, 0x33, 0x44}));
  CHECK(cobs_encode(bytes({0x11, 0x00, 0x00, 0x00})) == bytes({0x02, 0x11, 0x01, 0x01, 0x01}));
  // 254 non-zero bytes: one full block, no trailing empty block.
  CHECK(cobs_encode(iota_bytes(0x01, 0xFE)) == concat({bytes({0xFF}), iota_bytes(0x01, 0xFE)}));
  // 255 bytes starting with a zero.
  CHECK(cobs_encode(iota_bytes(0x00, 0xFE)) == concat({bytes({0x01, 0xFF}), iota_bytes(0x01, 0xFE)}));
  // 255 non-zero bytes: a full block and a block of one.
  CHECK(cobs_encode(iota_bytes(0x01, 0xFF)) == concat({bytes({0xFF}), iota_bytes(0x01, 0xFE), bytes({0x02, 0xFF})}));
  // 254 non-zero bytes and a trailing zero.
  CHECK(cobs_encode(iota_bytes(0x02, 0x100)) == concat({bytes({0xFF}), iota_bytes(0x02, 0xFF), bytes({0x01, 0x01})}));
  // A zero as the second-to-last byte.
  CHECK(cobs_encode(iota_bytes(0x03, 0x101)) == concat({bytes({0xFE}), iota_bytes(0x03, 0xFF), bytes({0x02, 0x01})}));
}

TEST_CASE("serial framing: COBS decoding inverts encoding and refuses malformed input") {
  std::mt19937_64 rng(1);
  for (std::size_t n = 0; n < 1200; n += 7) {
    Bytes data = random_payload(rng, n);
    const Bytes encoded = cobs_encode(data);
    CHECK(encoded.size() <= cobs_max_encoded_size(data.size()));
    CHECK(std::find(encoded.begin(), encoded.end(), 0) == encoded.end());
    const auto decoded = cobs_decode(encoded);
    REQUIRE(decoded.has_value());
    CHECK(*decoded == data);
  }
  CHECK_FALSE(cobs_decode(Bytes{}).has_value());
  CHECK_FALSE(cobs_decode(bytes({0x00})).has_value());
  CHECK_FALSE(cobs_decode(bytes({0x05, 0x11, 0x22})).has_value());        // runs past the end
  CHECK_FALSE(cobs_decode(bytes({0x03, 0x11, 0x00})).has_value());        // a zero inside
  CHECK_FALSE(cobs_decode(bytes({0x02, 0x11, 0x03, 0x22})).has_value());  // second block too long
  CHECK(cobs_decode(bytes({0x01})) == Bytes{});
}

TEST_CASE("serial framing: the CRC is CRC-16/CCITT-FALSE with check value 0x29B1") {
  const std::string check = "123456789";
  const Bytes ascii(check.begin(), check.end());
  CHECK(crc16(ascii) == 0x29B1);
  CHECK(crc16(ascii) == crc16_check);
  CHECK(crc16(Bytes{}) == 0xFFFF);
  // Running in pieces gives the same CRC as all at once.
  const std::uint16_t part = crc16(std::span(ascii).first(4));
  CHECK(crc16_update(part, std::span(ascii).subspan(4)) == 0x29B1);
  // Sent big-endian after the data, the CRC over data and trailer is zero.
  Bytes with_trailer = ascii;
  with_trailer.push_back(0x29);
  with_trailer.push_back(0xB1);
  CHECK(crc16(with_trailer) == 0);
}

TEST_CASE("serial framing: the worked examples of docs/serial-protocol.md are what the code produces") {
  const Bytes hello = encode_frame(Frame{FrameType::hello, 0x00, encode_hello(Hello{1, 1024})});
  const Bytes data = encode_frame(Frame{FrameType::data, 0x07, bytes({0x81, 0xA2, 0x6B, 0x77, 0x00})});
  const Bytes heartbeat = encode_frame(Frame{FrameType::heartbeat, 0x08, {}});
  CHECK(hex(hello) == "02 01 03 01 04 03 40 A9 00");
  CHECK(hex(data) == "07 02 07 81 A2 6B 77 03 2C A7 00");
  CHECK(hex(heartbeat) == "05 03 08 C9 54 00");
  CHECK(hex(cobs_encode(bytes({0x11, 0x22, 0x00, 0x33}))) == "03 11 22 02 33");

  // The page must show the same bytes, so neither can change alone.
  const auto doc = std::filesystem::path(WATT_TEST_SOURCE_DIR) / "docs" / "serial-protocol.md";
  std::ifstream in(doc);
  REQUIRE_MESSAGE(in.good(), "cannot read " << doc.string());
  std::stringstream text;
  text << in.rdbuf();
  const std::string page = text.str();
  CHECK(page.find(hex(hello)) != std::string::npos);
  CHECK(page.find(hex(data)) != std::string::npos);
  CHECK(page.find(hex(heartbeat)) != std::string::npos);
  CHECK(page.find("0x29B1") != std::string::npos);

  FrameDecoder decoder;
  const auto frames = decoder.feed(concat({hello, data, heartbeat}));
  REQUIRE(frames.size() == 3);
  CHECK(parse_hello(frames[0].frame.payload) == Hello{1, 1024});
  CHECK(frames[1].frame.payload == bytes({0x81, 0xA2, 0x6B, 0x77, 0x00}));
  CHECK(frames[2].seq_status == SeqStatus::in_order);
  CHECK(decoder.counters().gaps == 6);  // hello 0, then 7: 1..6 missed
}

TEST_CASE("serial framing: an oversize payload or an unknown type is refused when encoding") {
  Frame frame{FrameType::data, 0, Bytes(1024, 0x42)};
  CHECK_NOTHROW(encode_frame(frame));
  frame.payload.push_back(0x42);
  CHECK_THROWS_AS(encode_frame(frame), FramingError);
  CHECK_NOTHROW(encode_frame(frame, 1025));
  CHECK_THROWS_AS(encode_frame(Frame{FrameType::data, 0, Bytes(11)}, 10), FramingError);
  CHECK_THROWS_AS(encode_frame(Frame{static_cast<FrameType>(0x09), 0, {}}), FramingError);
  // The longest frame fits the decoder's bound exactly, zeros or not.
  for (const std::uint8_t fill : {std::uint8_t{0x00}, std::uint8_t{0x42}}) {
    const Bytes longest = encode_frame(Frame{FrameType::data, 0, Bytes(1024, fill)});
    CHECK(longest.size() - 1 <= max_encoded_frame_size(1024));
  }
}

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

TEST_CASE("serial framing: fuzz, damaged streams still deliver every untouched frame") {
  for (const std::uint64_t seed : {11U, 12U, 13U}) {
    std::mt19937_64 rng(seed);
    const std::size_t max_payload = 512;
    const std::vector<Frame> frames = random_frames(rng, 1500, max_payload);
    std::vector<bool> touched(frames.size() + 1, false);
    std::uniform_int_distribution<int> op_dist(0, 11);
    std::uniform_int_distribution<int> byte_dist(0, 255);
    std::uniform_int_distribution<int> non_zero(1, 255);
    Bytes stream;
    std::uint64_t giants = 0;
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
