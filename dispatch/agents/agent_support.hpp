// What the two dispatch agents share on the bus side: their publish options,
// and decoding a body with a rate-limited complaint.
#pragma once

#include <watt/ed/error.hpp>
#include <watt/ed/messages.hpp>

#include <watt/log_limiter.hpp>
#include <watt/watt.hpp>

namespace watt::ed {

// Dispatch traffic is a control loop: ahead of telemetry in every queue.
inline PublishOptions dispatch_options() {
  PublishOptions o;
  o.priority = 10;
  return o;
}

// Reads the body as T; a body that does not fit is counted per topic, logged
// on its 1st, 10th, 100th… occurrence, and dropped.
template <class T>
bool decode_body(const Envelope& e, T& out, LogLimiter& bad, spdlog::logger& log) {
  try {
    out = e.body.as<T>();
    return true;
  } catch (const watt::Error& err) {
    if (bad.count(e.topic))
      log.warn("{} from {}: undecodable body ({} so far): {}", e.topic, e.sender, bad.total(e.topic), err.what());
    return false;
  }
}

}  // namespace watt::ed
