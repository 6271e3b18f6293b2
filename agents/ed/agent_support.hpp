// What the two dispatch agents share on the bus side: their publish options,
// decoding a body with a rate-limited complaint, splitting a run's settings
// from an agent's own keys, and naming nodes in a log line.
#pragma once

#include "core/error.hpp"

#include <watt/detail/log_limiter.hpp>
#include <watt/watt.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

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
bool decode_body(const Envelope& e, T& out, detail::LogLimiter& bad, spdlog::logger& log) {
  try {
    out = e.body.as<T>();
    return true;
  } catch (const watt::Error& err) {
    if (bad.count(e.topic))
      log.warn("{} from {}: undecodable body ({} so far): {}", e.topic, e.sender, bad.total(e.topic), err.what());
    return false;
  }
}

// An agent's own setting beside the run file's keys: read and removed, so
// parse_run_config sees only the run. Throws YAML::Exception for a bad type.
inline std::optional<std::string> take_string(YAML::Node& run, const char* key) {
  if (!run.IsMap() || !run[key]) return std::nullopt;
  auto value = run[key].as<std::string>();
  run.remove(key);
  return value;
}
inline std::optional<std::chrono::milliseconds> take_ms(YAML::Node& run, const char* key) {
  if (!run.IsMap() || !run[key]) return std::nullopt;
  const auto value = std::chrono::milliseconds(run[key].as<long>());
  run.remove(key);
  return value;
}

inline std::string join_ids(const std::vector<std::string>& ids) {
  std::string s;
  for (const auto& id : ids) s += (s.empty() ? "" : ", ") + id;
  return s;
}

// The last segment of an ed/<run>/… topic: a node id, or control/status/result.
inline std::string last_segment(const std::string& topic) { return topic.substr(topic.rfind('/') + 1); }

}  // namespace watt::ed
