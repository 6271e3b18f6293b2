// What the two dispatch agents share on the bus side: their publish options,
// decoding a body with a rate-limited complaint, and taking their run
// configuration.
#pragma once

#include <watt/ed/error.hpp>
#include <watt/ed/messages.hpp>
#include <watt/ed/run_config.hpp>

#include <watt/decode_body.hpp>
#include <watt/log_limiter.hpp>
#include <watt/watt.hpp>

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>

namespace watt::ed {

// Dispatch traffic is a control loop: ahead of telemetry in every queue.
inline PublishOptions dispatch_options() {
  PublishOptions o;
  o.priority = 10;
  return o;
}

using watt::decode_body;

// A dispatch agent's run configuration ("config"), as on_config hands it
// over. It is fixed once the agent has started (its subscriptions and run
// were built from it), dropped on remove, and taken whole or not at all:
// `read` gets a copy of the node, takes the agent's own keys out of it, and
// parses the rest into `config` only when everything else was accepted.
// `own_keys` names those keys in the message of a malformed one.
template <class Read>
void take_run_config(const std::string& name, ConfigAction action, const YAML::Node& value, bool started,
                     std::optional<RunConfig>& config, const char* own_keys, Read&& read) {
  if (name != "config") return;
  if (started)
    throw watt::Error("a run's configuration is fixed once the agent has started; restart the agent to change it");
  if (action == ConfigAction::remove) {
    config.reset();
    return;
  }
  try {
    YAML::Node run = YAML::Clone(value);
    read(run);
  } catch (const Error& e) {
    throw watt::Error(e.what());
  } catch (const YAML::Exception& e) {
    throw watt::Error(std::string(own_keys) + ": " + e.what());
  }
}

}  // namespace watt::ed
