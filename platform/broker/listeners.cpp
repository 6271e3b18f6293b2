#include "listeners.hpp"

#include <watt/detail/zmq_context.hpp>
#include <watt/error.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace watt::broker {

void configure_router(zmq::socket_t& socket, const BrokerConfig& config) {
  // A peer's pipe holds frames, and a frame may be a batch: sized so that a
  // full pipe of batches holds about socket_high_water messages, so that no
  // more than that are ever out of the broker's reach (where priority cannot
  // reorder them).
  const int pipe_frames =
      std::max(1, config.socket_high_water / static_cast<int>(std::max<std::size_t>(1, config.batch_messages)));
  socket.set(zmq::sockopt::router_mandatory, 1);
  socket.set(zmq::sockopt::sndhwm, pipe_frames);
  socket.set(zmq::sockopt::rcvhwm, config.socket_high_water);
  socket.set(zmq::sockopt::linger, 0);
  // A connection that never finishes its handshake holds a descriptor: not for long.
  socket.set(zmq::sockopt::handshake_ivl, static_cast<int>(config.handshake_timeout.count()));
  // A hard guard far above the soft limit: the soft limit earns a clear
  // too_large error, this one stops a hostile peer from exhausting memory.
  socket.set(zmq::sockopt::maxmsgsize, static_cast<int64_t>(config.max_message_bytes * 4 + 65536));
}

Listeners::Listeners(const BrokerConfig& config, std::shared_ptr<spdlog::logger> log)
    : config_(config), log_(std::move(log)), local_(detail::zmq_context(), zmq::socket_type::router) {
  configure_router(local_, config_);
}

void Listeners::bind_local(const std::vector<std::string>& endpoints) {
  for (const auto& ep : endpoints) {
    if (ep.rfind("ipc://", 0) == 0) {
      const std::filesystem::path path(ep.substr(6));
      std::filesystem::create_directories(path.parent_path());
      std::error_code ec;
      std::filesystem::remove(path, ec);  // a stale socket from a crashed broker; wattd holds the pid lock
    }
    try {
      local_.bind(ep);
    } catch (const zmq::error_t& e) {
      throw Error("cannot listen on " + ep + ": " + e.what());
    }
    log_->info("listening on {}", ep);
  }
}

void Listeners::bind_secure(std::size_t allowed_keys) {
  secure_ = std::make_unique<zmq::socket_t>(detail::zmq_context(), zmq::socket_type::router);
  auto& s = *secure_;
  configure_router(s, config_);
  s.set(zmq::sockopt::curve_server, 1);
  s.set(zmq::sockopt::curve_secretkey, config_.server_secret_key);
  s.set(zmq::sockopt::zap_domain, "watt");
  try {
    s.bind(config_.secure_endpoint);
  } catch (const zmq::error_t& e) {
    secure_.reset();
    throw Error("cannot listen on " + config_.secure_endpoint + ": " + e.what());
  }
  const std::string bound = s.get(zmq::sockopt::last_endpoint);
  if (!config_.endpoint_file.empty()) std::ofstream(config_.endpoint_file) << bound << "\n";
  log_->info("listening on {} (CURVE; {} keys allowed)", bound, allowed_keys);
}

}  // namespace watt::broker
