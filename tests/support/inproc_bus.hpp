// The in-process transport for tests: the real broker on a thread of the
// test's own process, reached over ZeroMQ's inproc transport. The SDK's
// runtime sees only a ZeroMQ socket, so a Client or an agent's runtime given
// `address()` speaks the whole protocol to it with no wattd and no files, the
// way HELICS tests its federates against an in-process core.
#pragma once

#include "broker/broker.hpp"

#include <spdlog/logger.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <exception>
#include <stdexcept>
#include <string>
#include <thread>

namespace watt::test {

class InprocBus {
public:
  explicit InprocBus(broker::BrokerConfig config = {}) {
    static std::atomic<int> buses{0};
    address_ = "inproc://watt-bus-" + std::to_string(::getpid()) + "-" + std::to_string(buses++);
    config.inproc_endpoints = {address_};
    config.first_identity.clear();  // no outside endpoint to guard: ready at once
    broker_ = std::make_unique<broker::Broker>(std::move(config), std::make_shared<spdlog::logger>("inproc-bus"));
    thread_ = std::thread([this] {
      try {
        broker_->run();
      } catch (...) {
        failure_ = std::current_exception();
        failed_.store(true);
      }
    });
    // Bound at once (inproc): wait for the flag, never for a guessed time.
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!broker_->ready() && !failed_.load()) {
      if (std::chrono::steady_clock::now() > give_up) {
        stop();
        throw std::runtime_error("the in-process broker did not start");
      }
      std::this_thread::yield();
    }
    if (failed_.load()) {
      stop();
      std::rethrow_exception(failure_);
    }
  }
  ~InprocBus() { stop(); }
  InprocBus(const InprocBus&) = delete;
  InprocBus& operator=(const InprocBus&) = delete;

  const std::string& address() const noexcept { return address_; }

private:
  void stop() {
    broker_->stop();
    if (thread_.joinable()) thread_.join();
  }

  std::string address_;
  std::unique_ptr<broker::Broker> broker_;
  std::thread thread_;
  std::atomic<bool> failed_{false};
  std::exception_ptr failure_;
};

}  // namespace watt::test
