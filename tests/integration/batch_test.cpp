// Batches: what waits at the broker for a peer that fell behind leaves several
// messages to a frame, but only to peers that asked for that in their hello,
// in order, and without losing anything. The SDK takes batches apart and
// survives damaged ones.
#include "platform.hpp"
#include "temp_dir.hpp"

#include <watt/platform/broker_stats.hpp>
#include <watt/proto/batch.hpp>
#include <watt/proto/frame.hpp>
#include <watt/proto/header.hpp>

#include <doctest/doctest.h>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include <algorithm>
#include <atomic>
#include <map>
#include <thread>

using namespace std::chrono_literals;
using watt::test::Platform;
namespace proto = watt::proto;

namespace {

std::string frame(proto::Kind kind, std::string_view address, const proto::Header& h, std::string_view body,
                  std::string_view origin) {
  const std::string header = proto::encode_header(h);
  std::string out(proto::message_size(address, origin, header, body), '\0');
  proto::write_message(out.data(), kind, address, origin, header, body);
  return out;
}

std::string batch_of(const std::vector<std::string>& items) {
  std::string body;
  for (const auto& item : items) {
    std::string one(proto::batch_item_prefix + item.size(), '\0');
    proto::write_batch_item(one.data(), item);
    body += one;
  }
  return frame(proto::Kind::batch, {}, {}, body, "broker");
}

// A raw DEALER peer that says hello (asking for batches or not), subscribes,
// and then reads every message it is sent, batches taken apart.
class RawSubscriber {
public:
  RawSubscriber(const std::string& address, const std::string& identity, bool batches)
      : socket_(ctx_, zmq::socket_type::dealer), identity_(identity) {
    socket_.set(zmq::sockopt::linger, 0);
    socket_.connect(address);
    proto::Header h;
    h.id = 1;
    h.protocol = proto::version;
    h.batch = batches;
    socket_.send(zmq::buffer(frame(proto::Kind::hello, identity, h, {}, identity)));
    REQUIRE(next_kind() == proto::Kind::welcome);
  }
  void subscribe(const std::string& pattern) {
    proto::Header h;
    h.id = 2;
    socket_.send(zmq::buffer(frame(proto::Kind::subscribe, pattern, h, {}, identity_)));
    REQUIRE(next_kind() == proto::Kind::ack);
  }
  // Reads until `count` deliveries arrived (or a second passes with none).
  void read_deliveries(std::size_t count) {
    auto quiet_since = std::chrono::steady_clock::now();
    while (bodies.size() < count && std::chrono::steady_clock::now() - quiet_since < 5s) {
      zmq::message_t m;
      if (!socket_.recv(m, zmq::recv_flags::dontwait)) {
        std::this_thread::sleep_for(1ms);
        continue;
      }
      quiet_since = std::chrono::steady_clock::now();
      take(m.to_string_view());
    }
  }

  std::vector<long> bodies;
  std::size_t frames_seen = 0, batches_seen = 0;

private:
  proto::Kind next_kind() {
    zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
    for (int i = 0; i < 100; ++i) {
      zmq::poll(&item, 1, 50ms);
      if (!(item.revents & ZMQ_POLLIN)) continue;
      zmq::message_t m;
      (void)socket_.recv(m);
      proto::MessageView v;
      REQUIRE(proto::parse_message(m.to_string_view(), v).empty());
      if (static_cast<proto::Kind>(v.kind) != proto::Kind::ping) return static_cast<proto::Kind>(v.kind);
    }
    FAIL("no answer from the broker");
    return {};
  }
  void take(std::string_view bytes) {
    ++frames_seen;
    proto::MessageView v;
    REQUIRE(proto::parse_message(bytes, v).empty());
    const auto kind = static_cast<proto::Kind>(v.kind);
    if (kind == proto::Kind::batch) {
      ++batches_seen;
      CHECK(v.origin == "broker");
      std::string_view rest = v.body;
      while (!rest.empty()) {
        std::string_view item;
        REQUIRE(proto::take_batch_item(rest, item).empty());
        proto::MessageView inner;
        REQUIRE(proto::parse_message(item, inner).empty());
        REQUIRE(static_cast<proto::Kind>(inner.kind) != proto::Kind::batch);
        if (static_cast<proto::Kind>(inner.kind) == proto::Kind::deliver)
          bodies.push_back(watt::Value::from_msgpack(std::string(inner.body)).as<long>());
      }
    } else if (kind == proto::Kind::deliver) {
      bodies.push_back(watt::Value::from_msgpack(std::string(v.body)).as<long>());
    }
  }

  zmq::context_t ctx_;
  zmq::socket_t socket_;
  std::string identity_;
};

bool in_order(const std::vector<long>& v) {
  for (std::size_t i = 0; i < v.size(); ++i)
    if (v[i] != static_cast<long>(i)) return false;
  return true;
}

watt::broker::BrokerStats broker_stats(watt::Client& c) {
  auto stats = c.call("broker", "stats").get_as<watt::broker::BrokerStats>();
  REQUIRE(stats);
  return stats.value();
}

}  // namespace

TEST_CASE("an agent that fell behind gets what waited for it in batches, in order, and nothing is lost") {
  Platform p("broker:\n  socket_high_water: 100\n");
  auto sub = p.client("sub");
  std::vector<long> got;
  watt::SubscribeOptions lossless;
  lossless.delivery = watt::Delivery::lossless;
  sub->subscribe(
      "load", [&](const watt::Envelope& e) { got.push_back(e.body.as<long>()); }, lossless);
  REQUIRE(sub->sync());
  auto pub = p.client("pub");
  const auto batches_before = broker_stats(*pub).batches;
  constexpr long n = 20000;
  for (long i = 0; i < n; ++i) pub->publish("load/x", i);  // the subscriber is not reading yet
  REQUIRE(pub->sync());
  REQUIRE(sub->spin_until([&] { return got.size() == static_cast<std::size_t>(n); }, 60s));
  CHECK(in_order(got));
  const auto batches = broker_stats(*pub).batches - batches_before;
  INFO(batches << " batches");
  CHECK(batches > 0);
}

TEST_CASE("large messages among small ones leave alone, in their place, and batch_messages 1 turns batches off") {
  // Every fifth body is over the 4 KiB a batched message may have.
  auto body = [](long i) {
    std::string b = std::to_string(i);
    if (i % 5 == 0) b.resize(8000, '.');
    return b;
  };
  for (const bool batching : {true, false}) {
    CAPTURE(batching);
    Platform p(batching ? "broker:\n  socket_high_water: 100\n"
                        : "broker:\n  socket_high_water: 100\n  batch_messages: 1\n");
    auto sub = p.client("sub");
    std::vector<long> got;
    watt::SubscribeOptions lossless;
    lossless.delivery = watt::Delivery::lossless;
    sub->subscribe(
        "load", [&](const watt::Envelope& e) { got.push_back(std::stol(e.body.as<std::string>())); }, lossless);
    REQUIRE(sub->sync());
    auto pub = p.client("pub");
    constexpr long n = 5000;
    for (long i = 0; i < n; ++i) pub->publish("load/x", body(i));  // the subscriber is not reading yet
    REQUIRE(pub->sync());
    REQUIRE(sub->spin_until([&] { return got.size() == static_cast<std::size_t>(n); }, 60s));
    CHECK(in_order(got));
    const auto batches = broker_stats(*pub).batches;
    if (batching)
      CHECK(batches > 0);
    else
      CHECK(batches == 0);
  }
}

TEST_CASE("messages that pass their deadline while waiting are dropped and counted, batched or not") {
  Platform p("broker:\n  socket_high_water: 100\n  queue_limit: 1000000\n");
  auto sub = p.client("sub");
  std::vector<long> got;
  sub->subscribe("load", [&](const watt::Envelope& e) { got.push_back(e.body.as<long>()); });
  REQUIRE(sub->sync());
  auto pub = p.client("pub");
  constexpr long n = 50000, after = 100;
  watt::PublishOptions hurried;
  hurried.max_delay = 20ms;
  for (long i = 0; i < n; ++i) pub->publish("load/x", i, hurried);  // the subscriber is not reading yet
  REQUIRE(pub->sync());
  std::this_thread::sleep_for(100ms);
  // Then messages without a deadline: each must still arrive, after the
  // expired ones were skipped wherever they waited.
  for (long i = n; i < n + after; ++i) pub->publish("load/x", i);
  REQUIRE(pub->sync());
  REQUIRE(sub->spin_until([&] { return !got.empty() && got.back() == n + after - 1; }, 60s));
  const auto stats = broker_stats(*pub);
  const auto expired = stats.expired;
  INFO(got.size() << " received, " << expired << " expired at the broker");
  CHECK(expired > 0);
  // Counted by topic too.
  CHECK(stats.expired_topics.size() == 1);
  CHECK(stats.expired_topics.count("load/x") == 1);
  CHECK(stats.expired_topics.begin()->second == expired);
  // And `watt stats` says so, by topic.
  const auto shown = p.cli({"stats"});
  CHECK(shown.code == 0);
  CHECK(shown.out.find("expired   load/x " + std::to_string(expired)) != std::string::npos);
  // Every message is accounted for: delivered, expired at the broker, or
  // missed at the receiver (it reached the subscriber too late).
  const auto missed = sub->missed_deadlines();
  const auto late = missed.count("load/x") ? missed.at("load/x") : 0;
  CHECK(got.size() + expired + late == static_cast<std::size_t>(n + after));
  CHECK(std::is_sorted(got.begin(), got.end()));
  CHECK(std::adjacent_find(got.begin(), got.end()) == got.end());  // nothing twice
  CHECK(std::count_if(got.begin(), got.end(), [](long v) { return v >= n; }) == after);
}

TEST_CASE("a receiver stalled past a deadline counts the miss by topic, and handles the rest") {
  Platform p;
  auto sub = p.client("sub");
  std::vector<std::string> got;
  sub->subscribe("alarm", [&](const watt::Envelope& e) { got.push_back(e.topic); });
  REQUIRE(sub->sync());
  auto pub = p.client("pub");
  watt::PublishOptions hurried;
  hurried.max_delay = 30ms;
  const auto sent = std::chrono::steady_clock::now();
  for (int i = 0; i < 10; ++i) pub->publish("alarm/hurried", i, hurried);  // the receiver is not reading
  for (int i = 0; i < 5; ++i) pub->publish("alarm/patient", i);
  REQUIRE(pub->sync());
  // Routed (the sync), so in the receiver's connection, where the deadline
  // then passes.
  REQUIRE(watt::test::eventually([&] { return std::chrono::steady_clock::now() - sent > 60ms; }));
  REQUIRE(sub->spin_until([&] { return got.size() == 5; }, 10s));
  CHECK(std::count(got.begin(), got.end(), "alarm/patient") == 5);
  // Missed at the receiver (or, on a slow machine, some still at the
  // broker when their deadline passed): all ten, and counted by topic.
  const auto missed = sub->missed_deadlines();
  const auto at_broker = broker_stats(*pub).expired_topics;
  const auto count = [](const auto& m) { return m.count("alarm/hurried") ? m.at("alarm/hurried") : 0; };
  CHECK(count(missed) + count(at_broker) == 10);
  CHECK(missed.size() <= 1);
}

TEST_CASE("a peer that did not ask for batches never gets one, and one that did can read them from the docs") {
  Platform p("broker:\n  socket_high_water: 100\n");
  RawSubscriber plain(p.address(), "plain", false);
  RawSubscriber batched(p.address(), "batched", true);
  plain.subscribe("load");
  batched.subscribe("load");
  auto pub = p.client("pub");
  constexpr long n = 5000;
  for (long i = 0; i < n; ++i) pub->publish("load/x", i);  // neither is reading yet
  REQUIRE(pub->sync());
  plain.read_deliveries(n);
  batched.read_deliveries(n);

  CHECK(plain.bodies.size() == static_cast<std::size_t>(n));
  CHECK(in_order(plain.bodies));
  CHECK(plain.batches_seen == 0);

  CHECK(batched.bodies.size() == static_cast<std::size_t>(n));
  CHECK(in_order(batched.bodies));
  CHECK(batched.batches_seen > 0);
  CHECK(batched.frames_seen < plain.frames_seen);
}

TEST_CASE("a peer may not send a batch to the broker") {
  Platform p;
  zmq::context_t ctx;
  zmq::socket_t s(ctx, zmq::socket_type::dealer);
  s.set(zmq::sockopt::linger, 0);
  s.set(zmq::sockopt::rcvtimeo, 5000);
  s.connect(p.address());
  proto::Header hello;
  hello.id = 1;
  hello.protocol = proto::version;
  s.send(zmq::buffer(frame(proto::Kind::hello, "raw", hello, {}, "raw")));
  zmq::message_t m;
  REQUIRE(s.recv(m));  // welcome
  proto::Header h;
  h.id = 7;
  const std::string inner = frame(proto::Kind::publish, "load/x", h, watt::Value::of(1L).bytes(), "raw");
  std::string body(proto::batch_item_prefix + inner.size(), '\0');
  proto::write_batch_item(body.data(), inner);
  s.send(zmq::buffer(frame(proto::Kind::batch, {}, h, body, "raw")));
  while (true) {
    REQUIRE(s.recv(m));
    proto::MessageView v;
    REQUIRE(proto::parse_message(m.to_string_view(), v).empty());
    if (static_cast<proto::Kind>(v.kind) == proto::Kind::ping) continue;
    CHECK(static_cast<proto::Kind>(v.kind) == proto::Kind::error);
    proto::Header e;
    REQUIRE(proto::decode_header(v.header, e).empty());
    CHECK(e.code == "unknown_kind");
    CHECK(std::string(e.message).find("batch") != std::string::npos);
    break;
  }
}

TEST_CASE("the SDK takes batches apart and survives damaged ones") {
  // A stand-in broker on a raw ROUTER: it welcomes the client, acknowledges
  // its subscription, then sends batches good and bad.
  watt::test::TempDir dir;
  const std::string address = "ipc://" + dir.str() + "/fake.sock";
  zmq::context_t ctx;
  zmq::socket_t router(ctx, zmq::socket_type::router);
  router.set(zmq::sockopt::linger, 0);
  router.bind(address);
  std::string rid;
  std::atomic<bool> asked_for_batches{false};
  std::jthread fake([&](std::stop_token stop) {
    bool sent = false;
    auto answer = [&](proto::Kind kind, std::uint64_t id) {
      proto::Header h;
      h.id = id;
      h.protocol = proto::version;
      router.send(zmq::buffer(rid), zmq::send_flags::sndmore);
      router.send(zmq::buffer(frame(kind, {}, h, {}, "broker")));
    };
    router.set(zmq::sockopt::rcvtimeo, 50);
    while (!stop.stop_requested()) {
      std::vector<zmq::message_t> in;
      if (!zmq::recv_multipart(router, std::back_inserter(in)) || in.size() != 2) continue;
      rid = in[0].to_string();
      proto::MessageView v;
      if (!proto::parse_message(in[1].to_string_view(), v).empty()) continue;
      proto::Header h;
      (void)proto::decode_header(v.header, h);
      const auto kind = static_cast<proto::Kind>(v.kind);
      if (kind == proto::Kind::hello) {
        asked_for_batches = h.batch;
        answer(proto::Kind::welcome, h.id);
      } else if (kind == proto::Kind::subscribe || kind == proto::Kind::sync || kind == proto::Kind::bye) {
        answer(proto::Kind::ack, h.id);
      }
      if (kind != proto::Kind::sync || sent) continue;
      sent = true;
      // After the client's first sync: the test batches, in order.
      auto deliver = [](long n) {
        return frame(proto::Kind::deliver, "load/x", {}, watt::Value::of(n).bytes(), "pub");
      };
      auto send = [&](const std::string& f) {
        router.send(zmq::buffer(rid), zmq::send_flags::sndmore);
        router.send(zmq::buffer(f));
      };
      send(batch_of({deliver(1), deliver(2), deliver(3)}));
      std::string cut = batch_of({deliver(4), deliver(5)});
      cut.resize(cut.size() - 3);  // the last item runs past the end
      send(cut);
      send(batch_of({batch_of({deliver(99)})}));                 // a batch inside a batch
      send(batch_of({deliver(6), std::string("\x01\x07", 2)}));  // an item too short to be a message
      send(batch_of({}));                                        // empty: nothing to do
      send(batch_of({deliver(7)}));
    }
  });
  watt::ClientOptions o;
  o.identity = "sdk";
  o.address = address;
  watt::Client c(o);
  CHECK(asked_for_batches.load());
  std::vector<long> got;
  c.subscribe("load", [&](const watt::Envelope& e) { got.push_back(e.body.as<long>()); });
  REQUIRE(c.sync());
  REQUIRE(c.spin_until([&] { return !got.empty() && got.back() == 7; }, 10s));
  // Each good item is delivered; a damaged batch loses what follows the
  // damage, never what came before it or what comes after it.
  CHECK(got == std::vector<long>{1, 2, 3, 4, 6, 7});
  fake.request_stop();
}
