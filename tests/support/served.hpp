// A Client living on its own thread, spinning until the test ends: the other
// side of an RPC, or a subscriber that keeps up on its own.
#pragma once

#include "platform.hpp"

#include <atomic>
#include <functional>
#include <thread>

namespace watt::test {

class Served {
public:
  // `setup` runs on the thread right after connecting (export methods,
  // subscribe); the client then spins until the Served is destroyed.
  Served(const Platform& p, std::string identity, std::function<void(Client&)> setup) {
    thread_ = std::thread([this, &p, identity = std::move(identity), setup = std::move(setup)] {
      try {
        auto c = p.client(identity);
        setup(*c);
        c->sync();
        ready_ = true;
        c->spin_until([this] { return stop_.load(); }, std::chrono::minutes(10));
      } catch (const std::exception& e) {
        error_ = e.what();
        ready_ = true;
      }
    });
    eventually([this] { return ready_.load(); }, std::chrono::seconds(30));
  }
  ~Served() {
    stop_ = true;
    thread_.join();
  }
  const std::string& error() const { return error_; }

private:
  std::atomic<bool> ready_{false};
  std::atomic<bool> stop_{false};
  std::string error_;
  std::thread thread_;
};

}  // namespace watt::test
