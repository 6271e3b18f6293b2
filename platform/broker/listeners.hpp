// The broker's sockets: one ROUTER for local peers (ipc and inproc), and one
// for TCP peers, authenticated with CURVE. A peer's key begins with the tag
// of its socket: 'L' local, 'T' TCP.
#pragma once

#include "broker_config.hpp"

#include <spdlog/logger.h>
#include <zmq.hpp>

#include <memory>
#include <string>
#include <vector>

namespace watt::broker {

// The options every broker socket shares, from the configuration.
void configure_router(zmq::socket_t& socket, const BrokerConfig& config);

class Listeners {
public:
  Listeners(const BrokerConfig& config, std::shared_ptr<spdlog::logger> log);

  // Binds the local socket to these endpoints (removing a stale ipc file
  // first). Throws watt::Error naming an endpoint that cannot be bound.
  void bind_local(const std::vector<std::string>& endpoints);
  // Binds the TCP socket to config.secure_endpoint and writes the address it
  // got to config.endpoint_file. The ZAP handler must be running already.
  void bind_secure(std::size_t allowed_keys);

  zmq::socket_t& local() noexcept { return local_; }
  zmq::socket_t* secure() noexcept { return secure_.get(); }
  zmq::socket_t& socket_of(const std::string& key) { return key[0] == 'T' ? *secure_ : local_; }

private:
  const BrokerConfig& config_;
  std::shared_ptr<spdlog::logger> log_;
  zmq::socket_t local_;
  std::unique_ptr<zmq::socket_t> secure_;
};

}  // namespace watt::broker
