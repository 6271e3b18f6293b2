// The log line format: untrusted text cannot forge a line.
#include <watt/log_format.hpp>

#include <doctest/doctest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <algorithm>
#include <sstream>

TEST_CASE("log format: a newline in a message is escaped, so a line cannot be forged") {
  std::ostringstream out;
  spdlog::logger log("wattd", std::make_shared<spdlog::sinks::ostream_sink_st>(out));
  watt::set_log_format(log);
  const std::string topic = "x\n2026-12-04 21:00:00.000 info  [wattd] platform stopped";
  log.warn("rejected a message: bad_topic: " + topic);
  log.info("ok");
  const std::string text = out.str();
  CHECK(std::count(text.begin(), text.end(), '\n') == 2);  // two lines, one per call
  CHECK(text.find("bad_topic: x\\n2026-12-04 21:00:00.000 info  [wattd] platform stopped") != std::string::npos);
  CHECK(text.find("[wattd] ok") != std::string::npos);
}

TEST_CASE("log format: control characters are escaped, UTF-8 is kept") {
  CHECK(watt::escape_control("a\tb\rc\x01\x7f") == "a\\tb\\rc\\x01\\x7f");
  CHECK(watt::escape_control("Wärme 5 °C") == "Wärme 5 °C");
  CHECK(watt::escape_control("") == "");
}
