// The runtime's parts that need no socket: local subscriptions, pending
// calls, the inbox, and the method table with its deferred replies.
#include "inbox.hpp"
#include "local_subscriptions.hpp"
#include "methods.hpp"
#include "pending_calls.hpp"

#include <watt/topic.hpp>

#include <doctest/doctest.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/ringbuffer_sink.h>

#include <vector>

using namespace watt;
using namespace watt::detail;

namespace {

spdlog::logger quiet("runtime-parts-test");

// A logger whose lines the test can read.
struct Captured {
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(16);
  spdlog::logger log{"captured", sink};
  std::string all() const {
    std::string out;
    for (const auto& line : sink->last_formatted()) out += line;
    return out;
  }
};

Envelope on(const std::string& topic) {
  Envelope e;
  e.topic = topic;
  return e;
}

}  // namespace

TEST_CASE("local subscriptions: the broker hears of a pattern's first callback and its last") {
  LocalSubscriptions subs;
  LocalSubscriptions::Update u;
  const auto a = subs.add(
      "devices/#", [](const Envelope&) {}, false, u);
  CHECK(u.change == LocalSubscriptions::Change::subscribe);
  CHECK(u.pattern == normalize_pattern("devices/#"));  // the form the broker keeps
  const auto b = subs.add(
      "devices/#", [](const Envelope&) {}, false, u);
  CHECK(u.change == LocalSubscriptions::Change::none);
  CHECK(subs.remove(a).change == LocalSubscriptions::Change::none);
  u = subs.remove(b);
  CHECK(u.change == LocalSubscriptions::Change::unsubscribe);
  CHECK(u.pattern == normalize_pattern("devices/#"));                // the form the broker keeps
  CHECK(subs.remove(b).change == LocalSubscriptions::Change::none);  // gone already
  CHECK_THROWS_AS(subs.add(
                      "a/#/b", [](const Envelope&) {}, false, u),
                  Error);
}

TEST_CASE("local subscriptions: lossless while any callback on the pattern is, best effort again after") {
  LocalSubscriptions subs;
  LocalSubscriptions::Update u;
  (void)subs.add(
      "x/+", [](const Envelope&) {}, false, u);
  CHECK_FALSE(subs.lossless("x/+"));
  const auto strict = subs.add(
      "x/+", [](const Envelope&) {}, true, u);
  CHECK(u.change == LocalSubscriptions::Change::subscribe);  // upgraded at the broker
  CHECK(subs.lossless("x/+"));
  u = subs.remove(strict);
  CHECK(u.change == LocalSubscriptions::Change::subscribe);  // downgraded at the broker
  CHECK_FALSE(subs.lossless("x/+"));
  std::vector<std::string> patterns;
  subs.for_each_pattern([&](const std::string& p) { patterns.push_back(p); });
  CHECK(patterns == std::vector<std::string>{"x/+"});
}

TEST_CASE("local subscriptions: every matching callback runs, one that throws is reported and the rest go on") {
  LocalSubscriptions subs;
  Captured captured;
  Problems problems(captured.log);
  LocalSubscriptions::Update u;
  std::vector<std::string> ran;
  (void)subs.add(
      "a/#", [&](const Envelope&) { throw std::runtime_error("boom"); }, false, u);
  (void)subs.add(
      "a/b", [&](const Envelope& e) { ran.push_back("exact " + e.topic); }, false, u);
  (void)subs.add(
      "c/#", [&](const Envelope&) { ran.push_back("other"); }, false, u);
  subs.deliver(on("a/b"), problems);
  CHECK(ran == std::vector<std::string>{"exact a/b"});
  CHECK(captured.all().find("subscriber callback for 'a' threw on a/b: boom") != std::string::npos);
}

TEST_CASE("local subscriptions: a callback may unsubscribe another before its turn") {
  LocalSubscriptions subs;
  Problems problems(quiet);
  LocalSubscriptions::Update u;
  int second_ran = 0;
  SubscriptionId second = 0;
  (void)subs.add(
      "t", [&](const Envelope&) { (void)subs.remove(second); }, false, u);
  second = subs.add(
      "t", [&](const Envelope&) { ++second_ran; }, false, u);
  subs.deliver(on("t"), problems);
  subs.deliver(on("t"), problems);
  CHECK(second_ran <= 1);  // never after its removal
}

TEST_CASE("pending calls: answered once, timed out at the deadline, taken once") {
  Inbox inbox;
  PendingCalls calls(inbox);
  const auto now = Clock::now();
  calls.open(1, now + std::chrono::seconds(10), "peer");
  calls.open(2, now + std::chrono::milliseconds(5), "peer");
  CHECK(calls.next_deadline() == now + std::chrono::milliseconds(5));
  calls.resolve(1, Value::of(7));
  calls.resolve(1, Value::of(8));  // a second answer is ignored
  CHECK(calls.answered(1));
  CHECK(calls.next_deadline() == now + std::chrono::milliseconds(5));  // 1 no longer needs waking for
  calls.expire(now + std::chrono::milliseconds(6));
  CHECK(calls.answered(2));
  CHECK_FALSE(calls.next_deadline().has_value());
  CHECK(calls.take(1).value().as<int>() == 7);
  const auto timed_out = calls.take(2);
  REQUIRE_FALSE(timed_out.ok());
  CHECK(timed_out.error().code == ErrorCode::timeout);
  CHECK(calls.take(1).error().code == ErrorCode::internal);  // consumed
  CHECK(inbox.empty());                                      // no then(): nothing queued
}

TEST_CASE("pending calls: then() runs from the inbox in its turn, and an abandoned call hears nothing") {
  Inbox inbox;
  PendingCalls calls(inbox);
  Problems problems(quiet);
  calls.open(1, Clock::now() + std::chrono::seconds(10), "peer");
  calls.open(2, Clock::now() + std::chrono::seconds(10), "peer");
  int got = 0;
  calls.then(1, [&](Result<Value> r) { got = r.value().as<int>(); });
  calls.resolve(1, Value::of(5));
  calls.abandon(2);
  calls.resolve(2, Value::of(6));
  REQUIRE(inbox.size() == 1);
  std::atomic<bool> stop{false};
  inbox.dispatch([&](InboxItem& item) { calls.complete(std::get<Completion>(item).call_id, problems); }, stop);
  CHECK(got == 5);
  CHECK_FALSE(calls.contains(1));
  CHECK_FALSE(calls.contains(2));
}

TEST_CASE("inbox: most urgent first, oldest first within a priority, and a stop keeps the rest in order") {
  Inbox inbox;
  for (int i = 0; i < 3; ++i) inbox.push(50, Completion{static_cast<std::uint64_t>(10 + i)});
  inbox.push(0, Completion{1});
  inbox.push(200, Completion{99});  // past the last priority: the least urgent
  std::vector<std::uint64_t> order;
  std::atomic<bool> stop{false};
  inbox.dispatch(
      [&](InboxItem& item) {
        order.push_back(std::get<Completion>(item).call_id);
        if (order.size() == 2) stop = true;
      },
      stop);
  CHECK(order == std::vector<std::uint64_t>{1, 10});
  CHECK(inbox.size() == 3);
  stop = false;
  inbox.dispatch([&](InboxItem& item) { order.push_back(std::get<Completion>(item).call_id); }, stop);
  CHECK(order == std::vector<std::uint64_t>{1, 10, 11, 12, 99});
  CHECK(inbox.empty());
}

namespace {

struct Answered {
  std::string caller;
  std::uint64_t id = 0;
  Result<Value> result = Value();
};

struct MethodRig {
  Problems problems{quiet};
  std::vector<Answered> answers;
  Methods methods{"meter1", problems,
                  [this](const std::string& caller, std::uint64_t id, const Result<Value>& r) {
                    answers.push_back({caller, id, r});
                  },
                  std::make_shared<ReplyGate>()};
  IncomingRequest request(const std::string& method, std::uint64_t id = 1) {
    IncomingRequest r;
    r.caller = "caller";
    r.id = id;
    r.method = method;
    r.args = Value::of(std::vector<int>{2, 3});
    return r;
  }
};

}  // namespace

TEST_CASE("methods: a direct method answers its caller, an unknown one is named in the error") {
  MethodRig rig;
  std::string seen_caller;
  rig.methods.add("sum", [&](const Value& args) {
    seen_caller = rig.methods.caller();
    const auto v = args.as<std::vector<int>>();
    return Value::of(v[0] + v[1]);
  });
  rig.methods.serve(rig.request("sum", 4));
  rig.methods.serve(rig.request("nope", 5));
  REQUIRE(rig.answers.size() == 2);
  CHECK(rig.answers[0].id == 4);
  CHECK(rig.answers[0].result.value().as<int>() == 5);
  CHECK(seen_caller == "caller");
  CHECK(rig.methods.caller().empty());
  CHECK(rig.answers[1].result.error().code == ErrorCode::unknown_method);
  CHECK(rig.answers[1].result.error().message.find("'nope'") != std::string::npos);
}

TEST_CASE("methods: reserved and empty names are refused, a throwing handler answers handler_threw") {
  MethodRig rig;
  CHECK_THROWS_AS(rig.methods.add("watt.secret", [](const Value&) { return Value(); }), Error);
  CHECK_THROWS_AS(rig.methods.add("", [](const Value&) { return Value(); }), Error);
  rig.methods.add(
      "watt.health", [](const Value&) { return Value(); }, true);
  rig.methods.add("bad", [](const Value&) -> Value { throw std::runtime_error("broken"); });
  rig.methods.serve(rig.request("bad"));
  REQUIRE(rig.answers.size() == 1);
  CHECK(rig.answers[0].result.error().code == ErrorCode::handler_threw);
  CHECK(rig.answers[0].result.error().message == "broken");
}

TEST_CASE("methods: an expired request is dropped unanswered") {
  MethodRig rig;
  rig.methods.add("sum", [](const Value&) { return Value::of(1); });
  auto r = rig.request("sum");
  r.deadline_ns = 1;  // long past
  rig.methods.serve(r);
  CHECK(rig.answers.empty());
}

TEST_CASE("methods: a deferred reply left open is answered once when the peer leaves") {
  MethodRig rig;
  std::vector<Reply> held;
  rig.methods.add_deferred("later", [&](const Value&, Reply reply) { held.push_back(std::move(reply)); });
  rig.methods.serve(rig.request("later", 1));
  rig.methods.serve(rig.request("later", 2));
  CHECK(rig.answers.empty());
  // The Reply's own completion goes through the runtime; the state it holds
  // is what the runtime hands back to the method table.
  rig.methods.close_all(RpcError{ErrorCode::shutting_down, "stopping"});
  REQUIRE(rig.answers.size() == 2);
  for (const auto& a : rig.answers) CHECK(a.result.error().code == ErrorCode::shutting_down);
  rig.methods.close_all(RpcError{ErrorCode::shutting_down, "again"});
  CHECK(rig.answers.size() == 2);  // each once
}

TEST_CASE("methods: a deferred handler that throws before answering answers handler_threw") {
  MethodRig rig;
  rig.methods.add_deferred("fails", [](const Value&, Reply) { throw std::runtime_error("no"); });
  rig.methods.serve(rig.request("fails"));
  REQUIRE(rig.answers.size() == 1);
  CHECK(rig.answers[0].result.error().code == ErrorCode::handler_threw);
}
