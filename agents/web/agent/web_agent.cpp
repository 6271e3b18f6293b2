// The web agent (docs/web.md): runs the web view's server on a thread of its
// own (one Asio thread) and is its way onto the bus. Calls and subscriptions
// the server asks for are made on the agent's thread; answers and messages go
// back to the server's thread. A configuration change restarts the server.
#include "web_config.hpp"

#include <watt/paths.hpp>
#include <watt/watt.hpp>
#include <watt/web/server.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

#include <atomic>
#include <map>
#include <memory>
#include <thread>

namespace asio = boost::asio;

class WebAgent : public watt::Agent, public watt::web::Backend {
public:
  void on_config(const std::string& name, watt::ConfigAction action, const YAML::Node& value) override {
    if (name != "config") return;
    auto next = watt::web::read_web_config(action == watt::ConfigAction::remove ? YAML::Node() : value, home());
    if (!running_) {
      options_ = std::move(next);
      return;
    }
    // Refused (say, the new port is taken): the server goes on as it was.
    auto previous = std::exchange(options_, std::move(next));
    try {
      restart();
    } catch (const std::exception&) {
      options_ = std::move(previous);
      restart();
      throw;
    }
  }

  void on_start() override {
    if (!options_) options_ = watt::web::read_web_config(YAML::Node(), home());
    running_ = true;
    restart();
  }

  void on_stop() override { halt(); }

  void call(const std::string& peer, const std::string& method, const std::string& args_json,
            std::chrono::milliseconds timeout, std::function<void(watt::web::CallResult)> done) override {
    const auto gen = generation_.load();
    post([this, gen, peer, method, args_json, timeout, done = std::move(done)]() mutable {
      watt::Value args;
      try {
        args = watt::Value::from_json(args_json);
      } catch (const watt::Error& e) {
        return answer(gen, std::move(done), {false, {}, "bad_args", e.what()});
      }
      watt::CallOptions o;
      o.timeout = timeout;
      call_value(o, peer, method, args).then([this, gen, done = std::move(done)](watt::Result<watt::Value> r) mutable {
        if (r) return answer(gen, std::move(done), {true, r.value().to_json(), {}, {}});
        answer(gen, std::move(done), {false, {}, std::string(watt::to_string(r.error().code)), r.error().message});
      });
    });
  }

  void bus(const std::string& pattern, bool on) override {
    const auto gen = generation_.load();
    post([this, gen, pattern, on] {
      if (gen != generation_) return;  // asked by a server that has stopped since
      if (!on) {
        if (auto it = subscriptions_.find(pattern); it != subscriptions_.end()) {
          unsubscribe(it->second);
          subscriptions_.erase(it);
        }
        return;
      }
      if (subscriptions_.count(pattern) != 0 || !io_) return;
      subscriptions_[pattern] = subscribe(pattern, [this, pattern](const watt::Envelope& e) {
        asio::post(*io_, [this, pattern, topic = e.topic, json = e.to_json()] {
          if (server_) server_->hub().on_message(pattern, topic, json);
        });
      });
    });
  }

private:
  static std::filesystem::path home() { return watt::watt_home(); }

  // An answer for a server that has stopped since is dropped here, on the
  // agent's thread: with it go the last references to that server's
  // connections, and to the io_context they belong to, which no thread runs.
  void answer(std::uint64_t gen, std::function<void(watt::web::CallResult)> done, watt::web::CallResult r) {
    if (gen != generation_ || !io_) return;
    asio::post(*io_, [done = std::move(done), r = std::move(r)] { done(r); });
  }

  // (Re)starts the server with the current options; a failure to listen
  // is the agent's failure, said in its health and log.
  void restart() {
    halt();
    io_ = std::make_shared<asio::io_context>(1);
    server_ = std::make_unique<watt::web::Server>(io_, *options_, *this, log_handle());
    const auto url = "http://" + options_->address + ":" + std::to_string(server_->port());
    watt::write_file_atomically(home() / "run" / "web.endpoint", url + "\n", 0644);
    log().info("web view at {} (pages from {})", url, options_->pages.string());
    set_health(watt::Health::good, url);
    thread_ = std::thread([io = io_.get()] {
      auto guard = asio::make_work_guard(*io);
      io->run();
    });
  }

  void halt() {
    for (const auto& [pattern, id] : subscriptions_) unsubscribe(id);
    subscriptions_.clear();
    if (!io_) return;
    ++generation_;
    asio::post(*io_, [this] {
      server_->stop();
      io_->stop();
    });
    if (thread_.joinable()) thread_.join();
    server_.reset();
    // What the stop left queued (closed sockets' handlers) runs out here, so
    // that nothing in the queue keeps the old server alive.
    io_->restart();
    io_->poll();
    io_.reset();
  }

  std::shared_ptr<spdlog::logger> log_handle() {
    return std::shared_ptr<spdlog::logger>(&log(), [](spdlog::logger*) {});  // the agent's, not owned
  }

  std::optional<watt::web::ServerOptions> options_;
  std::shared_ptr<asio::io_context> io_;
  std::atomic<std::uint64_t> generation_{0};  // one per server started: answers for an older one are dropped
  std::unique_ptr<watt::web::Server> server_;
  std::thread thread_;
  std::map<std::string, watt::SubscriptionId> subscriptions_;
  bool running_ = false;
};

WATT_AGENT(WebAgent)
