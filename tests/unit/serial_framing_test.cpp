// Serial framing: COBS, the CRC, frames, and the worked examples of
// docs/serial-protocol.md.
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
