// What the web view reads from a browser before anyone is logged in: an
// HTTP request (Beast's parser with the server's limits), its path, query
// string and cookies, and a stream subscription made of them. Whatever the
// bytes, nothing crashes, a decoded query value never holds a stray escape,
// and the hub keeps its books straight.
#include "fuzz.hpp"
#include "http_util.hpp"
#include "router.hpp"

#include <watt/web/stream_hub.hpp>

#include <boost/asio/io_context.hpp>

#include <memory>

namespace {

struct Sink : watt::web::StreamClient {
  void deliver(std::string) override { ++frames; }
  int frames = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace http = boost::beast::http;
  http::request_parser<http::string_body> parser;
  parser.header_limit(16 * 1024);
  parser.body_limit(64 * 1024);
  parser.eager(true);
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(data, size), ec);
  if (ec || !parser.is_header_done()) return 0;
  const auto& req = parser.get();
  const auto target = watt::web::target_of(req);
  const auto path = watt::web::path_of(target);
  WATT_FUZZ_CHECK(path.size() <= target.size());
  (void)watt::web::cookie(req, "watt_session");
  (void)watt::web::segments_after(path, "/api/configs/");
  boost::asio::io_context io;
  int bus = 0;
  watt::web::StreamHub hub(io, {}, [&](const std::string&, bool on) { bus += on ? 1 : -1; });
  auto sink = std::make_shared<Sink>();
  double rate = 10;
  if (auto r = watt::web::query_values(target, "rate"); !r.empty()) rate = std::strtod(r.front().c_str(), nullptr);
  for (const auto& pattern : watt::web::query_values(target, "pattern")) {
    if (hub.subscribe(sink, pattern, rate).empty()) hub.on_message(pattern, pattern, "1");
  }
  WATT_FUZZ_CHECK(bus >= 0 && hub.stats().feeds == static_cast<std::uint64_t>(bus));
  hub.remove(sink.get());
  WATT_FUZZ_CHECK(hub.stats().feeds == 0);
  return 0;
}
