// Reading a message's body as the type an agent expects, the way every
// agent treats bad input (docs/agent-guide.md): a body that does not fit is
// counted per topic, logged on its 1st, 10th, 100th… occurrence, and
// dropped; the agent goes on.
#pragma once

#include <watt/envelope.hpp>
#include <watt/error.hpp>
#include <watt/log_limiter.hpp>

#include <spdlog/logger.h>

namespace watt {

template <class T>
bool decode_body(const Envelope& e, T& out, LogLimiter& bad, spdlog::logger& log) {
  try {
    out = e.body.as<T>();
    return true;
  } catch (const Error& err) {
    if (bad.count(e.topic))
      log.warn("{} from {}: undecodable body ({} so far): {}", e.topic, e.sender, bad.total(e.topic), err.what());
    return false;
  }
}

}  // namespace watt
