// Answers go only where a call came from: the broker forwards a response or
// an error only from the peer a request was routed to, once, and the SDK
// takes an answer only from the peer its call went to. Raw peers play the
// caller, the callee and a spy guessing the caller's small sequential ids.
#include "broker/owed_answers.hpp"
#include "inproc_bus.hpp"
#include "pending_calls.hpp"
#include "raw_peer.hpp"

#include <doctest/doctest.h>

namespace {

namespace proto = watt::proto;
using watt::test::RawMessage;
using watt::test::RawPeer;

// Whether anything but the sync's acknowledgement waits for this peer.
bool nothing_waits(RawPeer& peer, const std::string& identity) {
  const std::uint64_t sync = peer.send(proto::Kind::sync, "", identity, {});
  const RawMessage m = peer.receive();
  return m.kind == proto::Kind::ack && m.id == sync;
}

void answer(RawPeer& from, const std::string& identity, const std::string& to, std::uint64_t id,
            proto::Kind kind = proto::Kind::response) {
  proto::Header h;
  h.id = id;
  if (kind == proto::Kind::error) {
    h.code = "handler_threw";
    h.message = "forged";
  }
  from.send(kind, to, identity, h,
            "\xa6"
            "forged");
}

}  // namespace

TEST_CASE("broker answers: only the callee's first answer to a routed call reaches the caller") {
  watt::test::InprocBus bus;
  RawPeer alice(bus.address()), server(bus.address()), spy(bus.address());
  REQUIRE(alice.hello("alice").first == proto::Kind::welcome);
  REQUIRE(server.hello("slowsrv").first == proto::Kind::welcome);
  REQUIRE(spy.hello("spy").first == proto::Kind::welcome);

  proto::Header call;
  call.method = "get_setpoint";
  const std::uint64_t id = alice.send(proto::Kind::request, "slowsrv", "alice", call, "\x90");
  const RawMessage request = server.receive();
  REQUIRE(request.kind == proto::Kind::request);
  CHECK(request.id == id);

  // The spy guesses the id: neither its response nor its error goes through,
  // nor does an answer from the server to a call never made.
  answer(spy, "spy", "alice", id);
  answer(spy, "spy", "alice", id, proto::Kind::error);
  answer(server, "slowsrv", "alice", id + 1);
  REQUIRE(nothing_waits(spy, "spy"));
  REQUIRE(nothing_waits(server, "slowsrv"));
  CHECK(nothing_waits(alice, "alice"));

  // The server's answer does, once.
  server.send(
      proto::Kind::response, "alice", "slowsrv",
      [&] {
        proto::Header h;
        h.id = id;
        return h;
      }(),
      "\x2a");
  answer(server, "slowsrv", "alice", id);
  const RawMessage got = alice.receive();
  CHECK(got.kind == proto::Kind::response);
  CHECK(got.origin == "slowsrv");
  CHECK(got.id == id);
  CHECK(got.body == "\x2a");
  REQUIRE(nothing_waits(server, "slowsrv"));
  CHECK(nothing_waits(alice, "alice"));
  CHECK(alice.broker_stats().unrequested_answers == 4);
}

TEST_CASE("broker answers: a callee owes a bounded number of answers, and further calls are refused") {
  watt::broker::BrokerConfig config;
  config.max_owed_answers = 2;
  watt::test::InprocBus bus(config);
  RawPeer alice(bus.address()), server(bus.address());
  REQUIRE(alice.hello("alice").first == proto::Kind::welcome);
  REQUIRE(server.hello("slowsrv").first == proto::Kind::welcome);
  proto::Header call;
  call.method = "m";
  alice.send(proto::Kind::request, "slowsrv", "alice", call, "\x90");
  alice.send(proto::Kind::request, "slowsrv", "alice", call, "\x90");
  const std::uint64_t third = alice.send(proto::Kind::request, "slowsrv", "alice", call, "\x90");
  const RawMessage refused = alice.receive();
  CHECK(refused.kind == proto::Kind::error);
  CHECK(refused.code == "backpressure");
  CHECK(refused.id == third);
  CHECK(refused.message.find("2 calls unanswered") != std::string::npos);
  // An answer frees a place.
  const RawMessage first = server.receive();
  proto::Header h;
  h.id = first.id;
  server.send(proto::Kind::response, "alice", "slowsrv", h, "\xc0");
  CHECK(alice.receive().id == first.id);
  alice.send(proto::Kind::request, "slowsrv", "alice", call, "\x90");
  CHECK(nothing_waits(alice, "alice"));
}

TEST_CASE("pending calls: an answer counts only from the callee, or from the broker with an error") {
  watt::detail::Inbox completions;
  watt::detail::PendingCalls calls(completions);
  const auto later = watt::detail::Clock::now() + std::chrono::seconds(30);
  calls.open(1, later, "slowsrv");
  calls.open(2, later, "broker");
  CHECK(calls.awaits(1, "slowsrv", false));
  CHECK(calls.awaits(1, "slowsrv", true));
  CHECK_FALSE(calls.awaits(1, "spy", false));
  CHECK_FALSE(calls.awaits(1, "spy", true));
  CHECK(calls.awaits(1, "broker", true));  // unknown_peer, unauthorized, too_large ...
  CHECK_FALSE(calls.awaits(1, "broker", false));
  CHECK(calls.awaits(2, "broker", false));
  CHECK_FALSE(calls.awaits(3, "slowsrv", false));
}

TEST_CASE("broker answers: an answer over the message limit reaches its caller as too_large, not as a timeout") {
  watt::broker::BrokerConfig config;
  config.max_message_bytes = 4096;
  watt::test::InprocBus bus(config);
  RawPeer alice(bus.address()), server(bus.address());
  REQUIRE(alice.hello("alice").first == proto::Kind::welcome);
  REQUIRE(server.hello("server").first == proto::Kind::welcome);
  proto::Header call;
  call.method = "history";
  const std::uint64_t id = alice.send(proto::Kind::request, "server", "alice", call, "\x90");
  REQUIRE(server.receive().id == id);
  proto::Header h;
  h.id = id;
  server.send(proto::Kind::response, "alice", "server", h, "\xda\x27\x10" + std::string(10000, 'v'));
  const RawMessage told = server.receive();
  CHECK(told.code == "too_large");
  const RawMessage heard = alice.receive();
  CHECK(heard.kind == proto::Kind::error);
  CHECK(heard.id == id);
  CHECK(heard.code == "too_large");
  CHECK(heard.message.find("the answer of 'server'") != std::string::npos);
  CHECK(heard.message.find("over the limit of 4096") != std::string::npos);
}

TEST_CASE("owed answers: one is owed until it is settled, once, or its time has passed") {
  watt::broker::OwedAnswers owed;
  owed.expect(1, 7, 100);  // caller 1, call #7, until t = 100
  owed.expect(2, 7, 300);  // the same id from another caller is another call
  CHECK(owed.size() == 2);
  CHECK(owed.expire(200) == 1);
  CHECK_FALSE(owed.settle(1, 7));  // past its time: the caller gave up on it
  CHECK(owed.settle(2, 7));
  CHECK_FALSE(owed.settle(2, 7));  // answered already
  CHECK(owed.size() == 0);
}
