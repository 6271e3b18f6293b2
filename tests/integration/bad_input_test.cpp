// Hostile and broken input from a raw ZeroMQ socket: every case gets an error
// reply (or is dropped and counted) while a well-behaved pair keeps talking.
#include "served.hpp"

#include <watt/proto/batch.hpp>
#include <watt/proto/frame.hpp>
#include <watt/proto/header.hpp>

#include <doctest/doctest.h>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include <atomic>
#include <functional>
#include <optional>
#include <thread>

using namespace std::chrono_literals;
using watt::test::Platform;
using watt::test::Served;
namespace proto = watt::proto;

namespace {

struct Reply {
  proto::Kind kind{};
  std::string origin, code, message;
  std::uint64_t id = 0;
};

// A peer that speaks raw frames, right or wrong.
class Raw {
public:
  explicit Raw(const std::string& address) : socket_(ctx_, zmq::socket_type::dealer) {
    socket_.set(zmq::sockopt::linger, 0);
    socket_.connect(address);
  }
  void send(const std::vector<std::string>& frames) {
    for (std::size_t i = 0; i < frames.size(); ++i)
      socket_.send(zmq::buffer(frames[i]), i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
  }
  // The next reply; skips pings and deliveries.
  std::optional<Reply> reply(std::chrono::milliseconds timeout = 5000ms) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
      zmq::poll(&item, 1, 50ms);
      if (!(item.revents & ZMQ_POLLIN)) continue;
      std::vector<zmq::message_t> frames;
      (void)zmq::recv_multipart(socket_, std::back_inserter(frames));
      REQUIRE(frames.size() == proto::frames);
      proto::MessageView v;
      REQUIRE(proto::parse_message(frames[0].to_string_view(), v).empty());
      const auto kind = static_cast<proto::Kind>(v.kind);
      if (kind == proto::Kind::ping || kind == proto::Kind::deliver) continue;
      proto::Header h;
      REQUIRE(proto::decode_header(v.header, h).empty());
      return Reply{kind, std::string(v.origin), std::string(h.code), std::string(h.message), h.id};
    }
    return std::nullopt;
  }
  std::string expect_error(const std::vector<std::string>& frames) {
    send(frames);
    auto r = reply();
    REQUIRE(r.has_value());
    CHECK(r->kind == proto::Kind::error);
    return r->code;
  }

private:
  zmq::context_t ctx_;
  zmq::socket_t socket_;
};

// A message as a well-behaved peer writes it, but with any origin.
std::string msg(proto::Kind kind, std::string_view address = {}, std::string_view header = {},
                std::string_view body = {}, std::string_view origin = {}) {
  std::string out(proto::message_size(address, origin, header, body), '\0');
  proto::write_message(out.data(), kind, address, origin, header, body);
  return out;
}
// A message with any version and kind byte, for the broken cases.
std::string raw_msg(std::uint8_t version, std::uint8_t kind) {
  return {static_cast<char>(version), static_cast<char>(kind), '\0', '\0', '\0', '\0', '\0'};
}

std::string header(const proto::Header& h) { return proto::encode_header(h); }
std::string hello_header(std::uint64_t protocol = proto::version) {
  proto::Header h;
  h.id = 1;
  h.protocol = protocol;
  return header(h);
}
std::string packed(long v) { return watt::Value::of(v).bytes(); }

// What an unregistered connection sends is checked before anything else:
// framing and versions, then the hello itself. The pair keeps talking.
void refuse_before_hello(Raw& raw, const std::function<void()>& keep_talking) {
  // Not yet registered: framing and versions are checked before anything else.
  CHECK(raw.expect_error({"garbage"}) == "unsupported_version");  // the first byte is the version
  keep_talking();
  CHECK(raw.expect_error({msg(proto::Kind::publish, "good"), "extra"}) == "bad_frame");
  CHECK(raw.expect_error({std::string("\x01\x06")}) == "bad_frame");  // shorter than a message
  CHECK(raw.expect_error({std::string("\x01\x06\xff\x00"
                                      "abc",
                                      7)}) == "bad_frame");  // address past the end
  CHECK(raw.expect_error({std::string("\x01\x06\x01\x00"
                                      "a\x09"
                                      "bcd",
                                      9)}) == "bad_frame");                                  // origin past the end
  CHECK(raw.expect_error({std::string("\x01\x06\x00\x00\x00\xff\x00", 7)}) == "bad_frame");  // header past the end
  CHECK(raw.expect_error({raw_msg(9, 6)}) == "unsupported_version");
  CHECK(raw.expect_error({raw_msg(1, 0)}) == "unknown_kind");
  CHECK(raw.expect_error({raw_msg(1, 200)}) == "unknown_kind");
  keep_talking();
  CHECK(raw.expect_error({msg(proto::Kind::publish, "good/x", header({}), packed(1))}) == "not_registered");
  CHECK(raw.expect_error({msg(proto::Kind::hello, "has space", hello_header())}) == "bad_identity");
  CHECK(raw.expect_error({msg(proto::Kind::hello, "broker", hello_header())}) == "bad_identity");
  CHECK(raw.expect_error({msg(proto::Kind::hello, "raw", hello_header(7))}) == "unsupported_version");
  CHECK(raw.expect_error({msg(proto::Kind::hello, "good-pub", hello_header())}) == "identity_taken");
  CHECK(raw.expect_error({msg(proto::Kind::hello, "raw", hello_header(), {}, "good-pub")}) == "bad_frame");
  keep_talking();
}

}  // namespace

TEST_CASE("bad input gets a clear error and never disturbs a well-behaved pair") {
  Platform p("broker:\n  max_message_bytes: 4096\n");
  std::atomic<long> received{0}, last{-1};
  std::atomic<long> callback_failures{0};
  Served sub(p, "good-sub", [&](watt::Client& c) {
    c.subscribe("good", [&](const watt::Envelope& e) {
      try {
        last = e.body.as<long>();
        ++received;
      } catch (const watt::Error&) {
        ++callback_failures;  // the garbage body below: the SDK refuses it, the loop goes on
        throw;
      }
    });
  });
  auto pub = p.client("good-pub");
  long sent = 0;
  auto keep_talking = [&] { pub->publish("good/topic", sent++); };

  Raw raw(p.address());
  refuse_before_hello(raw, keep_talking);

  raw.send({msg(proto::Kind::hello, "raw", hello_header(), {}, "raw")});
  auto welcome = raw.reply();
  REQUIRE(welcome.has_value());
  REQUIRE(welcome->kind == proto::Kind::welcome);
  CHECK(welcome->origin == "broker");

  // Registered. A sender may not claim to be someone else: the origin must be
  // the identity the connection registered.
  auto as_raw = [](std::string_view topic, std::string_view header, std::string_view body) {
    return msg(proto::Kind::publish, topic, header, body, "raw");
  };
  CHECK(raw.expect_error({msg(proto::Kind::publish, "good/x", header({}), packed(1), "good-pub")}) == "bad_frame");
  CHECK(raw.expect_error({msg(proto::Kind::publish, "good/x", header({}), packed(1))}) == "bad_frame");
  CHECK(raw.expect_error({as_raw("good/x", "\xc1", packed(1))}) == "bad_frame");
  CHECK(raw.expect_error({as_raw("good/x", packed(5), packed(1))}) == "bad_frame");
  const std::string h = header([] {
    proto::Header x;
    x.id = 9;
    x.ts = 12345;
    return x;
  }());
  CHECK(raw.expect_error({as_raw("good/x", h.substr(0, h.size() - 2), packed(1))}) == "bad_frame");
  CHECK(raw.expect_error({as_raw("good/x", watt::Value::of(std::map<std::string, std::string>{{"pri", "high"}}).bytes(),
                                 packed(1))}) == "bad_frame");
  CHECK(raw.expect_error({as_raw("good/x", watt::Value::of(std::map<std::string, int>{{"pri", 200}}).bytes(),
                                 packed(1))}) == "bad_frame");
  keep_talking();
  CHECK(raw.expect_error({as_raw("", header({}), packed(1))}) == "bad_topic");
  CHECK(raw.expect_error({as_raw("good//x", header({}), packed(1))}) == "bad_topic");
  CHECK(raw.expect_error({as_raw("good/#", header({}), packed(1))}) == "bad_topic");
  CHECK(raw.expect_error({as_raw(std::string(2000, 'a'), header({}), packed(1))}) == "bad_topic");
  CHECK(raw.expect_error({msg(proto::Kind::subscribe, "a/#/b", header({}), {}, "raw")}) == "bad_topic");
  CHECK(raw.expect_error({as_raw("good/x", header({}), std::string(5000, 'x'))}) == "too_large");
  CHECK(raw.expect_error({msg(proto::Kind::deliver, "good/x", header({}), packed(1), "raw")}) == "unknown_kind");
  CHECK(raw.expect_error({msg(proto::Kind::request, "nobody", header({}), {}, "raw")}) == "unknown_peer");
  keep_talking();

  // A body is never decoded by the broker: garbage reaches the subscriber,
  // whose callback refuses it, and the subscriber carries on.
  raw.send({msg(proto::Kind::publish, "good/garbage", header({}), "\xc1\xc1\xc1", "raw")});
  keep_talking();
  REQUIRE(pub->sync());

  // The garbage comes from another peer than the good messages, so it may
  // arrive before or after them: wait for both.
  REQUIRE(watt::test::eventually([&] { return received.load() == sent && callback_failures.load() >= 1; }, 20000ms));
  CHECK(last.load() == sent - 1);
  CHECK(callback_failures.load() == 1);

  // The broker is still whole: the raw peer is listed, and RPC still works.
  auto peers = pub->peers();
  REQUIRE(peers.ok());
  bool raw_listed = false;
  for (const auto& peer : *peers) raw_listed = raw_listed || peer.identity == "raw";
  CHECK(raw_listed);
  CHECK(pub->call("platform", "list").get().ok());
}

TEST_CASE("an RPC with arguments that are not msgpack is answered with bad_args") {
  Platform p;
  Served server(p, "server", [](watt::Client& c) { c.export_method("add", [](int a, int b) { return a + b; }); });
  Raw raw(p.address());
  raw.send({msg(proto::Kind::hello, "raw", hello_header())});
  REQUIRE(raw.reply()->kind == proto::Kind::welcome);
  proto::Header h;
  h.id = 77;
  h.method = "add";
  raw.send({msg(proto::Kind::request, "server", header(h), "\xc1", "raw")});
  auto r = raw.reply();
  REQUIRE(r.has_value());
  CHECK(r->kind == proto::Kind::error);
  CHECK(r->code == "bad_args");
  CHECK(r->id == 77);
  CHECK(r->origin == "server");  // the answer comes from the callee, stamped by the broker
}

TEST_CASE("a second peer claiming a live identity is refused, and a dead one's identity is free again") {
  Platform p;
  auto first = p.client("meter");
  CHECK_THROWS_WITH_AS(p.client("meter"), doctest::Contains("identity_taken"), watt::Error);
  {
    // A peer that vanishes without saying bye (as after SIGKILL).
    Raw ghost(p.address());
    ghost.send({msg(proto::Kind::hello, "ghost", hello_header())});
    REQUIRE(ghost.reply()->kind == proto::Kind::welcome);
  }
  // Its connection is closed: the identity can be claimed at once.
  CHECK_NOTHROW(p.client("ghost"));
}

TEST_CASE("a call to a peer that vanished without a goodbye is answered at once, not at the timeout") {
  Platform p;
  {
    Raw ghost(p.address());
    ghost.send({msg(proto::Kind::hello, "ghost", hello_header())});
    REQUIRE(ghost.reply()->kind == proto::Kind::welcome);
  }  // closed without bye, as a killed process would
  std::this_thread::sleep_for(50ms);
  auto caller = p.client("caller");
  watt::CallOptions o;
  o.timeout = 8000ms;
  const auto started = std::chrono::steady_clock::now();
  auto r = caller->call_with(o, "ghost", "anything").get();
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == watt::ErrorCode::unknown_peer);
  CHECK(std::chrono::steady_clock::now() - started < 4s);
}

TEST_CASE("untrusted text in the platform's log cannot forge a line") {
  Platform p;
  Raw raw(p.address());
  raw.send({msg(proto::Kind::hello, "intruder", hello_header(), {}, "intruder")});
  auto welcome = raw.reply();
  REQUIRE(welcome.has_value());
  REQUIRE(welcome->kind == proto::Kind::welcome);
  // A topic with an empty segment is refused, and its text is logged.
  const std::string forged = "2026-12-04 21:00:00.000 info  [wattd] platform stopped";
  CHECK(raw.expect_error({msg(proto::Kind::publish, "x//\n" + forged, header({}), {}, "intruder")}) == "bad_topic");
  std::string log;
  REQUIRE(watt::test::eventually([&] {
    log = p.process().out();
    return log.find("has an empty segment") != std::string::npos;
  }));
  CHECK(log.find("x//\\n" + forged) != std::string::npos);  // escaped, on the rejection's own line
  CHECK(log.find("\n" + forged) == std::string::npos);      // never a line of its own
}
