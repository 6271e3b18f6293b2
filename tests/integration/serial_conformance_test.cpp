// Conformance with docs/serial-protocol.md: the bridge driven only with the
// frames the page itself shows, byte for byte (a node written from the page
// alone sends exactly these). The page is read here, so that the bytes cannot
// change on one side only.
#include "serial_lab.hpp"

#include <sstream>

using namespace watt::test::serial_lab;

namespace {

// The bytes of the page's "on line" row that follows `heading` (for
// instance "**hello**"), as written there.
Bytes on_line_after(const std::string& page, const std::string& heading) {
  const auto at = page.find(heading);
  REQUIRE_MESSAGE(at != std::string::npos, heading);
  const auto row = page.find("on line   : ", at);
  REQUIRE(row != std::string::npos);
  std::istringstream hex(page.substr(row + 12, page.find('\n', row) - row - 12));
  Bytes out;
  for (std::string byte; hex >> byte;) out.push_back(static_cast<std::uint8_t>(std::stoi(byte, nullptr, 16)));
  return out;
}

}  // namespace

TEST_CASE("serial conformance: the page's hello, data and heartbeat frames, sent as shown, are taken by the bridge") {
  std::ifstream in(fs::path(WATT_TEST_SOURCE_DIR) / "docs" / "serial-protocol.md");
  std::stringstream text;
  text << in.rdbuf();
  const std::string page = text.str();
  const Bytes hello = on_line_after(page, "**hello** from a node");
  const Bytes data = on_line_after(page, "**data** with `seq` 7");
  const Bytes heartbeat = on_line_after(page, "**heartbeat** with `seq` 8");
  CHECK(hello == Bytes{0x02, 0x01, 0x03, 0x01, 0x04, 0x03, 0x40, 0xA9, 0x00});

  Lab lab;
  auto& n1 = lab.add_node("n1");
  lab.install("bridge", "lab: lab1\n" + test_defaults + ports_yaml(lab.nodes, 0, 1));
  // Nothing but the page's bytes: the hello after the 0x00 the page asks for,
  // then the data frame (its map's key is not one the bridge knows, so it is
  // refused with an error frame that echoes it), then the heartbeat.
  n1.write_raw(Bytes{0x00});
  n1.write_raw(hello);
  n1.write_raw(data);
  n1.write_raw(heartbeat);
  REQUIRE(lab.until([&] { return !n1.error_for("unknown key").is_null(); }));
  CHECK(n1.error_for("unknown key")["for"] == json::parse(R"({"kw": 0})"));
  REQUIRE(lab.until([&] { return lab.link_is("devices/lab1/n1", "up"); }));
  const auto st = lab.status("bridge");
  REQUIRE(st.size() == 1);
  const auto& c = st[0]["counters"];
  // Every byte was a good frame: nothing damaged, nothing of an unknown type.
  for (const char* bad : {"rx_bad_cobs", "rx_too_short", "rx_oversize", "rx_bad_crc", "rx_bad_type"})
    CHECK_MESSAGE(c[bad] == 0, bad);
  CHECK(c["rx_frames"].get<long>() >= 3);
  CHECK(st[0]["refused"]["unknown key"] == 1);
}
