// Deferred replies (export_deferred) through a real wattd: answered later from
// a timer while other calls are served, answered from another thread, dropped
// unanswered (an error at once, not the caller's timeout), a throwing handler,
// and replies still open when the server leaves.
#include "served.hpp"

#include <watt/reply.hpp>

#include <doctest/doctest.h>

#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using watt::ErrorCode;
using watt::test::Platform;
using watt::test::Served;

namespace {

// Long enough that an answer that is not sent shows as `timeout`, not as a
// quick error: the checks below look at the code, never at the clock.
watt::CallOptions patient() {
  watt::CallOptions o;
  o.timeout = 60s;
  return o;
}

// Threads that hold replies; joined when the test ends, after the server.
struct Threads {
  std::mutex mutex;
  std::vector<std::thread> all;
  void start(std::function<void()> fn) {
    std::lock_guard lock(mutex);
    all.emplace_back(std::move(fn));
  }
  ~Threads() {
    for (auto& t : all) t.join();
  }
};

}  // namespace

TEST_CASE("an empty reply is not pending and refuses an answer") {
  watt::Reply r;
  CHECK_FALSE(r.pending());
  CHECK(r.caller().empty());
  CHECK_THROWS_AS(r.send(1), watt::Error);
}

TEST_CASE("a deferred reply answered later reaches its caller, and the server serves other calls meanwhile") {
  Platform p;
  std::vector<watt::Reply> held;  // used on the server's thread only
  Served server(p, "server", [&](watt::Client& c) {
    c.export_deferred("hold", [&](watt::Reply r) { held.push_back(std::move(r)); });
    c.export_deferred("doubled_later", [&c](watt::Reply r, int x) {
      auto shared = std::make_shared<watt::Reply>(std::move(r));
      c.after(20ms, [shared, x] { shared->send(2 * x); });
    });
    c.export_method("release", [&] {
      for (std::size_t i = 0; i < held.size(); ++i)
        held[i].send(held[i].caller() == "caller" ? static_cast<int>(i) + 100 : -1);
      held.clear();
      return true;
    });
    c.export_method("add", [](int a, int b) { return a + b; });
  });
  REQUIRE(server.error().empty());
  auto caller = p.client("caller");

  auto first = caller->call_with(patient(), "server", "hold");
  auto second = caller->call_with(patient(), "server", "hold");
  // Both are waiting at the server, which answers others meanwhile.
  CHECK(caller->call("server", "add", 2, 40).get_as<int>().value() == 42);
  CHECK(caller->call_with(patient(), "server", "doubled_later", 21).get_as<int>().value() == 42);
  CHECK(caller->call("server", "release").get_as<bool>().value());
  CHECK(first.get_as<int>().value() == 100);
  CHECK(second.get_as<int>().value() == 101);
}

TEST_CASE("a deferred reply completed on another thread reaches its caller") {
  Platform p;
  Threads threads;
  Served server(p, "server", [&](watt::Client& c) {
    c.export_deferred("square_elsewhere", [&](watt::Reply r, int x) {
      threads.start([r = std::make_shared<watt::Reply>(std::move(r)), x] {
        std::this_thread::sleep_for(10ms);
        r->send(x * x);
      });
    });
    c.export_deferred_raw("fail_elsewhere", [&](const watt::Value&, watt::Reply r) {
      threads.start(
          [r = std::make_shared<watt::Reply>(std::move(r))] { r->fail(ErrorCode::unknown_peer, "no such meter"); });
    });
  });
  REQUIRE(server.error().empty());
  auto caller = p.client("caller");
  std::vector<watt::Call> calls;
  for (int i = 0; i < 20; ++i) calls.push_back(caller->call_with(patient(), "server", "square_elsewhere", i));
  for (int i = 0; i < 20; ++i) CHECK(calls[static_cast<std::size_t>(i)].get_as<int>().value() == i * i);
  auto failed = caller->call_with(patient(), "server", "fail_elsewhere").get();
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().code == ErrorCode::unknown_peer);
  CHECK(failed.error().message == "no such meter");
}

TEST_CASE("a deferred reply dropped without an answer gives its caller an error, not a timeout") {
  Platform p;
  Threads threads;
  Served server(p, "server", [&](watt::Client& c) {
    c.export_deferred("forget", [](watt::Reply) {});
    c.export_deferred("forget_elsewhere", [&](watt::Reply r) {
      threads.start([r = std::make_shared<watt::Reply>(std::move(r))]() mutable { r.reset(); });
    });
    c.export_deferred("forget_later", [&c](watt::Reply r) {
      auto shared = std::make_shared<watt::Reply>(std::move(r));
      c.after(10ms, [shared]() mutable { shared.reset(); });
    });
    c.export_deferred("throw_first", [](watt::Reply, int) { throw std::runtime_error("valve stuck"); });
    c.export_deferred("answer_then_throw", [](watt::Reply r) {
      r.send(7);
      throw std::runtime_error("too late to matter");
    });
  });
  REQUIRE(server.error().empty());
  auto caller = p.client("caller");

  for (const char* method : {"forget", "forget_elsewhere", "forget_later"}) {
    CAPTURE(method);
    auto r = caller->call_with(patient(), "server", method).get();
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::internal);
    CHECK(r.error().message.find("dropped its reply to " + std::string(method)) != std::string::npos);
  }
  auto thrown = caller->call_with(patient(), "server", "throw_first", 1).get();
  REQUIRE_FALSE(thrown.ok());
  CHECK(thrown.error().code == ErrorCode::handler_threw);
  CHECK(thrown.error().message == "valve stuck");
  auto bad = caller->call_with(patient(), "server", "throw_first", "one").get();
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == ErrorCode::bad_args);
  CHECK(caller->call_with(patient(), "server", "answer_then_throw").get_as<int>().value() == 7);
}

TEST_CASE("a caller waiting on a deferred reply hears shutting_down when the server leaves") {
  Platform p;
  std::vector<watt::Reply> held;  // outlives the server's runtime: dropping it then does nothing
  auto caller = p.client("caller");
  std::optional<watt::Call> waiting;
  {
    Served server(p, "server", [&](watt::Client& c) {
      c.export_deferred("hold", [&](watt::Reply r) { held.push_back(std::move(r)); });
      c.export_method("held", [&] { return held.size(); });
    });
    REQUIRE(server.error().empty());
    waiting.emplace(caller->call_with(patient(), "server", "hold"));
    CHECK(caller->call("server", "held").get_as<std::size_t>().value() == 1);
  }
  auto r = waiting->get();
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::shutting_down);
  held.clear();
}
