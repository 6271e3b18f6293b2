// The broker's outbox and listeners, against real sockets in this process:
// a ROUTER the outbox sends on, and DEALER peers that read (or do not).
#include "broker/outbox.hpp"

#include "temp_dir.hpp"

#include <watt/detail/zmq_context.hpp>
#include <watt/error.hpp>
#include <watt/proto/batch.hpp>
#include <watt/proto/clock.hpp>
#include <watt/proto/header.hpp>

#include <doctest/doctest.h>
#include <spdlog/logger.h>

#include <atomic>
#include <fstream>
#include <string>
#include <vector>

namespace {

using namespace watt::broker;
namespace proto = watt::proto;

// A deliver message whose body is `text`.
Outgoing message(const std::string& text, std::int64_t deadline_ns = 0, bool lossless = false) {
  Outgoing o;
  o.frame = zmq::message_t(proto::message_size("t", "pub", {}, text));
  proto::write_message(o.frame.data<char>(), proto::Kind::deliver, "t", "pub", {}, text);
  o.deadline_ns = deadline_ns;
  o.lossless = lossless;
  return o;
}

std::string endpoint() {
  static std::atomic<int> n{0};
  return "inproc://outbox-test-" + std::to_string(n++);
}

// A peer on a DEALER that reads only when told to.
struct Client {
  zmq::socket_t socket{watt::detail::zmq_context(), zmq::socket_type::dealer};
  Peer peer;
  Client(const std::string& ep, const std::string& id, zmq::socket_t& router) {
    socket.set(zmq::sockopt::routing_id, id);
    socket.set(zmq::sockopt::rcvhwm, 1);
    socket.set(zmq::sockopt::linger, 0);
    socket.connect(ep);
    // The router knows a peer once it has heard from it.
    (void)socket.send(zmq::str_buffer("hi"), zmq::send_flags::none);
    zmq::message_t rid, body;
    router.set(zmq::sockopt::rcvtimeo, 5000);
    REQUIRE(router.recv(rid));
    REQUIRE(router.recv(body));
    peer.routing_id = "L" + id;
    peer.identity = id;
  }
  // Reads one frame if one comes within a moment: its parsed kind and body.
  bool read(proto::MessageView& v, zmq::message_t& frame) {
    zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
    if (zmq::poll(&item, 1, std::chrono::milliseconds(50)) == 0) return false;
    REQUIRE(socket.recv(frame));
    REQUIRE(proto::parse_message({frame.data<char>(), frame.size()}, v).empty());
    return true;
  }
};

struct Rig {
  BrokerConfig config;
  BrokerStats stats;
  std::shared_ptr<spdlog::logger> log = std::make_shared<spdlog::logger>("outbox-test");
  std::string ep = endpoint();
  std::unique_ptr<Listeners> listeners;
  std::unique_ptr<FlowControl> flow;
  std::unique_ptr<Outbox> outbox;
  std::vector<Peer*> closed;

  Rig(int socket_high_water, std::size_t batch_messages, std::size_t lossless_high_water = 10000) {
    config.socket_high_water = socket_high_water;
    config.batch_messages = batch_messages;
    listeners = std::make_unique<Listeners>(config, log);
    listeners->bind_local({ep});
    flow = std::make_unique<FlowControl>(lossless_high_water);
    outbox = std::make_unique<Outbox>(*listeners, *flow, stats, log, batch_messages);
    outbox->on_closed([this](Peer& p) {
      p.dead = true;
      closed.push_back(&p);
    });
  }
  zmq::socket_t& router() { return listeners->local(); }

  // Reads everything the client gets, flushing the backlog as it goes,
  // until nothing comes; returns the bodies, batches unpacked.
  std::vector<std::string> drain(Client& c, std::size_t* batches = nullptr) {
    std::vector<std::string> bodies;
    proto::MessageView v;
    zmq::message_t frame;
    // A bound on the wait, not on the speed: a backlog that never clears fails.
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    for (;;) {
      REQUIRE(std::chrono::steady_clock::now() < give_up);
      // Lets the router hear that the client's pipe has room again (the
      // broker's loop polls the socket's descriptor for this).
      (void)router().get(zmq::sockopt::events);
      outbox->flush();
      if (!c.read(v, frame)) {
        if (!outbox->backlogged()) return bodies;
        continue;
      }
      if (v.kind != static_cast<std::uint8_t>(proto::Kind::batch)) {
        bodies.emplace_back(v.body);
        continue;
      }
      if (batches != nullptr) ++*batches;
      std::string_view rest = v.body, item;
      while (!rest.empty()) {
        REQUIRE(proto::take_batch_item(rest, item).empty());
        proto::MessageView inner;
        REQUIRE(proto::parse_message(item, inner).empty());
        bodies.emplace_back(inner.body);
      }
    }
  }
};

std::vector<std::string> numbered(int from, int to) {
  std::vector<std::string> out;
  for (int i = from; i < to; ++i) out.push_back(std::to_string(i));
  return out;
}

}  // namespace

TEST_CASE("outbox: a message goes straight out while the pipe has room") {
  Rig rig(1000, 1);
  Client c(rig.ep, "p1", rig.router());
  rig.outbox->deliver(c.peer, message("hello"));
  CHECK_FALSE(rig.outbox->backlogged());
  CHECK(rig.stats.delivered == 1);
  CHECK(rig.drain(c) == std::vector<std::string>{"hello"});
}

TEST_CASE("outbox: a full pipe backlogs the peer, and flush delivers all of it in order") {
  Rig rig(2, 1);
  Client c(rig.ep, "p1", rig.router());
  for (const auto& text : numbered(0, 100)) rig.outbox->deliver(c.peer, message(text));
  CHECK(rig.outbox->backlogged());
  CHECK(c.peer.queue.size() > 0);
  CHECK(rig.drain(c) == numbered(0, 100));
  CHECK(rig.stats.delivered == 100);
  CHECK(rig.stats.dropped == 0);
  CHECK_FALSE(c.peer.backlogged);
}

TEST_CASE("outbox: what passed its deadline while waiting is dropped and counted") {
  Rig rig(2, 1);
  Client c(rig.ep, "p1", rig.router());
  for (const auto& text : numbered(0, 10)) rig.outbox->deliver(c.peer, message(text));
  REQUIRE(rig.outbox->backlogged());
  const auto past = proto::now_ns() - 1;
  for (const auto& text : numbered(10, 15)) rig.outbox->deliver(c.peer, message(text, past));
  rig.outbox->deliver(c.peer, message("last"));
  auto expected = numbered(0, 10);
  expected.push_back("last");
  CHECK(rig.drain(c) == expected);
  CHECK(rig.stats.expired == 5);
}

TEST_CASE("outbox: a peer that takes batches gets what waited several to a frame") {
  Rig rig(16, 16);
  Client c(rig.ep, "p1", rig.router());
  c.peer.batches = true;
  for (const auto& text : numbered(0, 200)) rig.outbox->deliver(c.peer, message(text));
  std::size_t batches = 0;
  CHECK(rig.drain(c, &batches) == numbered(0, 200));
  CHECK(batches > 0);
  CHECK(rig.stats.batches == batches);
  CHECK(rig.stats.delivered == 200);
}

TEST_CASE("outbox: a closed connection is reported, and nothing waits for it") {
  Rig rig(1000, 1);
  Peer ghost;
  ghost.routing_id = "Lghost";
  rig.outbox->deliver(ghost, message("lost"));
  CHECK(rig.closed == std::vector<Peer*>{&ghost});
  CHECK(ghost.queue.empty());
  CHECK_FALSE(rig.outbox->backlogged());
  Outgoing reply = message("to nobody");
  rig.outbox->send_unregistered("Lnobody", reply);  // neither throws nor waits
}

TEST_CASE("outbox: a congested lossless subscriber that catches up resumes its publishers") {
  Rig rig(2, 1, 20);
  Client sub(rig.ep, "sub", rig.router());
  Client pub(rig.ep, "pub", rig.router());
  for (const auto& text : numbered(0, 40)) rig.outbox->deliver(sub.peer, message(text, 0, true));
  REQUIRE(sub.peer.flow.congested);
  CHECK(rig.flow->hold(sub.peer, pub.peer));
  rig.outbox->send_flow(pub.peer, true, "behind");
  CHECK(rig.drain(sub) == numbered(0, 40));
  CHECK_FALSE(sub.peer.flow.congested);
  proto::MessageView v;
  zmq::message_t frame;
  std::vector<bool> paused;
  while (pub.read(v, frame)) {
    REQUIRE(v.kind == static_cast<std::uint8_t>(proto::Kind::flow));
    proto::Header h;
    REQUIRE(proto::decode_header(v.header, h).empty());
    paused.push_back(h.paused);
  }
  CHECK(paused == std::vector<bool>{true, false});
}

TEST_CASE("listeners: an endpoint that cannot be bound is named in the error") {
  BrokerConfig config;
  Listeners listeners(config, std::make_shared<spdlog::logger>("listeners-test"));
  try {
    listeners.bind_local({"tcp://no-such-host.invalid:1"});
    FAIL("bound an endpoint that cannot exist");
  } catch (const watt::Error& e) {
    CHECK(std::string(e.what()).find("cannot listen on tcp://no-such-host.invalid:1") != std::string::npos);
  }
}

TEST_CASE("listeners: a stale ipc socket file from a crashed broker is replaced") {
  watt::test::TempDir dir("listeners");
  std::ofstream(dir.file("bus.sock")) << "stale";
  BrokerConfig config;
  config.socket_high_water = 100;
  config.batch_messages = 10;
  Listeners listeners(config, std::make_shared<spdlog::logger>("listeners-test"));
  listeners.bind_local({dir.ipc("bus")});
  CHECK(listeners.local().get(zmq::sockopt::sndhwm) == 10);  // a pipe of batches holds ~100 messages
  CHECK(listeners.secure() == nullptr);
  Client c(dir.ipc("bus"), "p1", listeners.local());
  CHECK(c.peer.routing_id == "Lp1");
}
