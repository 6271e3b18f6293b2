// An agent class hosted with watt::AgentHost on a thread of the test's own
// process (an InprocBus's address in its options, say); stopped and joined on
// every way out of the test, a failed check included.
#pragma once

#include <watt/host.hpp>

#include <exception>
#include <thread>
#include <utility>

namespace watt::test {

class HostedAgent {
public:
  explicit HostedAgent(HostOptions options) : host_(std::move(options)) {}
  ~HostedAgent() { (void)stop(); }
  HostedAgent(const HostedAgent&) = delete;
  HostedAgent& operator=(const HostedAgent&) = delete;

  // Makes the agent and runs it on the thread.
  template <class A>
  void start() {
    host_.emplace<A>();
    thread_ = std::thread([this] {
      try {
        host_.run();
      } catch (...) {
        failure_ = std::current_exception();
      }
    });
  }
  // Asks it to stop and waits; what its run() threw, if anything.
  std::exception_ptr stop() {
    host_.stop();
    if (thread_.joinable()) thread_.join();
    return failure_;
  }

private:
  AgentHost host_;
  std::thread thread_;
  std::exception_ptr failure_;
};

}  // namespace watt::test
