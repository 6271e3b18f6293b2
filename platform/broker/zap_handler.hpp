// The ZAP handler (ZeroMQ's authentication protocol, RFC 27): libzmq asks it
// about every CURVE handshake on the TCP socket, and it accepts the keys on
// the allow-list, naming the entry as the connection's User-Id.
#pragma once

#include "allow_list.hpp"

#include <watt/log_limiter.hpp>
#include <watt/platform/broker_stats.hpp>

#include <spdlog/logger.h>
#include <zmq.hpp>

#include <memory>
#include <string>
#include <vector>

namespace watt::broker {

struct ZapAnswer {
  std::string status = "400";  // "200" accepted
  std::string text = "refused";
  std::string user;  // the allow-list entry
};

class ZapHandler {
public:
  // `allow` is read at every request, so a reloaded list applies at once.
  ZapHandler(const AllowList& allow, BrokerStats& stats, std::shared_ptr<spdlog::logger> log);

  // Binds the process's ZAP endpoint; before any CURVE socket accepts.
  void start();
  zmq::socket_t* socket() noexcept { return socket_.get(); }
  // Answers one request waiting on the socket.
  void serve();

  // The answer to one request: version, request id, domain, address,
  // identity, mechanism, credentials (for CURVE, the 32-byte public key).
  ZapAnswer check(const std::vector<zmq::message_t>& request);

private:
  const AllowList& allow_;
  BrokerStats& stats_;
  std::shared_ptr<spdlog::logger> log_;
  LogLimiter problems_;
  std::unique_ptr<zmq::socket_t> socket_;
};

}  // namespace watt::broker
