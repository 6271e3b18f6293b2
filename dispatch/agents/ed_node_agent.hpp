// The ed-node agent: a NodeRunner on the bus. The plugin libed-node.so is
// this class behind WATT_AGENT; watt-node runs the same class in its own
// process when a node reaches the bus over TCP instead of a serial line.
#pragma once

#include <watt/ed/node_runner.hpp>
#include <watt/ed/run_config.hpp>

#include <watt/watt.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace watt::ed {

class EdNodeAgent : public watt::Agent {
public:
  // `stop_when_finished`: leave the bus once the run is over (watt-node);
  // an installed agent stays, as the platform would restart it otherwise.
  explicit EdNodeAgent(bool stop_when_finished = false) : stop_when_finished_(stop_when_finished) {}

  void on_config(const std::string& name, watt::ConfigAction action, const YAML::Node& value) override;
  void on_start() override;
  void on_stop() override;

  // Null until on_start.
  const NodeRunner* runner() const { return runner_.get(); }

private:
  void poll();

  std::optional<RunConfig> config_;
  std::chrono::milliseconds pace_{0};
  std::unique_ptr<NodeRunner> runner_;
  std::optional<NodeRunner::Clock::time_point> wake_;
  bool stop_when_finished_ = false;
  bool reported_ = false;
};

}  // namespace watt::ed
