// The SDK's runtime, whole, against the real broker in this process over the
// in-process transport: no wattd, no files, no other process.
#include "hosted_agent.hpp"
#include "inproc_bus.hpp"

#include <watt/client.hpp>
#include <watt/host.hpp>
#include <watt/watt.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using watt::test::InprocBus;

namespace {

watt::ClientOptions on(const InprocBus& bus, const std::string& identity) {
  watt::ClientOptions o;
  o.identity = identity;
  o.address = bus.address();
  return o;
}

// A peer that serves on a thread of its own (a runtime belongs to the thread
// that made it) until the test is done with it.
class Server {
public:
  Server(const InprocBus& bus, const std::string& identity, std::function<void(watt::Client&)> setup)
      : thread_([this, options = on(bus, identity), setup = std::move(setup)] { serve(options, setup); }) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return client_ != nullptr || failure_; });
    if (failure_) {
      lock.unlock();
      thread_.join();
      std::rethrow_exception(failure_);
    }
  }
  ~Server() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
      if (client_ != nullptr) client_->post([] {});  // wakes its loop to see done_
    }
    thread_.join();
  }

private:
  void serve(const watt::ClientOptions& options, const std::function<void(watt::Client&)>& setup) {
    try {
      watt::Client client(options);
      setup(client);
      {
        std::lock_guard lock(mutex_);
        client_ = &client;
      }
      changed_.notify_all();
      client.spin_until(
          [this] {
            std::lock_guard lock(mutex_);
            return done_;
          },
          60s);
      std::lock_guard lock(mutex_);
      client_ = nullptr;
    } catch (...) {
      std::lock_guard lock(mutex_);
      failure_ = std::current_exception();
      changed_.notify_all();
    }
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  watt::Client* client_ = nullptr;
  bool done_ = false;
  std::exception_ptr failure_;
  std::thread thread_;
};

}  // namespace

TEST_CASE("in-process: a publish reaches a subscriber with its topic, sender and body") {
  InprocBus bus;
  watt::Client sub(on(bus, "sub"));
  watt::Client pub(on(bus, "pub"));
  std::vector<std::string> got;
  sub.subscribe("devices/+/power", [&](const watt::Envelope& e) {
    got.push_back(e.topic + " from " + e.sender + ": " + std::to_string(e.body.as<int>()));
  });
  REQUIRE(sub.sync());
  pub.publish("devices/m1/power", 42);
  pub.publish("devices/m1/voltage", 230);  // not subscribed
  pub.publish("devices/m2/power", 7);
  CHECK(sub.spin_until([&] { return got.size() == 2; }, 10s));
  CHECK(got == std::vector<std::string>{"devices/m1/power from pub: 42", "devices/m2/power from pub: 7"});
}

TEST_CASE("in-process: a call is answered, an unknown method and an unknown peer are errors") {
  InprocBus bus;
  Server server(bus, "meter1", [](watt::Client& c) { c.export_method("scale", [](int x, int k) { return x * k; }); });
  watt::Client caller(on(bus, "caller"));
  auto r = caller.call("meter1", "scale", 6, 7).get();
  auto unknown = caller.call("meter1", "nope").get();
  auto nobody = caller.call("meter9", "scale", 1, 2).get();
  REQUIRE(r.ok());
  CHECK(r.value().as<int>() == 42);
  CHECK(unknown.error().code == watt::ErrorCode::unknown_method);
  CHECK(nobody.error().code == watt::ErrorCode::unknown_peer);
}

TEST_CASE("in-process: a deferred reply completed from a worker thread reaches the caller") {
  InprocBus bus;
  std::thread worker;
  std::optional<watt::Result<watt::Value>> r;
  {
    Server server(bus, "slow", [&](watt::Client& c) {
      c.export_deferred("later", [&](watt::Reply reply, int x) {
        worker = std::thread([reply = std::move(reply), x]() mutable { reply.send(x + 1); });
      });
    });
    watt::Client caller(on(bus, "caller"));
    r = caller.call("slow", "later", 41).get();
  }
  if (worker.joinable()) worker.join();
  REQUIRE(r.has_value());
  REQUIRE(r->ok());
  CHECK(r->value().as<int>() == 42);
}

TEST_CASE("in-process: an identity is held by one connection at a time") {
  InprocBus bus;
  watt::Client first(on(bus, "meter1"));
  CHECK_THROWS_WITH_AS(watt::Client(on(bus, "meter1")), doctest::Contains("already connected"), watt::Error);
  const auto peers = first.peers();
  REQUIRE(peers.ok());
  REQUIRE(peers.value().size() == 1);
  CHECK(peers.value()[0].identity == "meter1");
}

namespace {

// An agent under test, written here: no library, no wattd.
class Greeter : public watt::Agent {
public:
  void on_start() override {
    export_method("greet", [this](const std::string& name) {
      publish("greetings/" + name, ++count_);
      return "hello " + name;
    });
  }

private:
  int count_ = 0;
};

}  // namespace

TEST_CASE("in-process: an agent is hosted on the in-process bus and answers, publishes and stops") {
  InprocBus bus;
  watt::HostOptions options;
  options.identity = "greeter";
  options.address = bus.address();
  watt::test::HostedAgent greeter(options);
  greeter.start<Greeter>();
  watt::Client caller(on(bus, "caller"));
  std::vector<int> counts;
  caller.subscribe("greetings/#", [&](const watt::Envelope& e) { counts.push_back(e.body.as<int>()); });
  REQUIRE(caller.sync());
  // The agent connects and runs on_start on its thread: a first call may come
  // before it is on the bus (unknown_peer) or before its method exists
  // (unknown_method); poll until it answers.
  watt::Result<watt::Value> r = watt::RpcError{watt::ErrorCode::timeout, "not yet"};
  const auto give_up = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < give_up) {
    r = caller.call("greeter", "greet", std::string("ada")).get();
    if (r.ok() ||
        (r.error().code != watt::ErrorCode::unknown_method && r.error().code != watt::ErrorCode::unknown_peer))
      break;
  }
  REQUIRE(r.ok());
  CHECK(r.value().as<std::string>() == "hello ada");
  CHECK(caller.spin_until([&] { return !counts.empty(); }, 10s));
  CHECK(counts == std::vector<int>{1});
  CHECK_FALSE(greeter.stop());
}

TEST_CASE("a client for a platform on TCP without its key is told so at once, not after a timeout") {
  watt::ClientOptions o;
  o.identity = "remote";
  o.address = "tcp://127.0.0.1:1";
  o.connect_timeout = 60s;  // never reached
  CHECK_THROWS_WITH_AS(watt::Client{o}, doctest::Contains("is on TCP, which needs its public key"), watt::Error);
}
