// watt-node on a serial line: the dispatch nodes of one run file (NodeRunner)
// talking to the bus through the serial bridge, on one thread and one poll()
// loop. The bridge publishes what the nodes publish and delivers what they
// subscribed to; the mathematics stays on the board (docs/watt-node.md).
#pragma once

#include <watt/ed/node_runner.hpp>
#include "node_link.hpp"

#include <watt/log_limiter.hpp>

#include <chrono>
#include <optional>
#include <span>
#include <string>

namespace watt::node {

class SerialNode {
public:
  // Throws ed::Error or serial::LinkError for a configuration that cannot run.
  SerialNode(ed::RunConfig run, std::chrono::milliseconds pace, serial::SerialSettings port, NodeLinkOptions link);

  // Runs until the run is over or `stop_fd` becomes readable (a signal's
  // self-pipe). Returns the exit status: 0 when the monitor stopped the run
  // or we were asked to stop, 1 when the run failed on its own.
  int run(int stop_fd);

private:
  void on_session();
  void on_data(std::span<const std::uint8_t> payload);
  void on_link(bool up, const std::string& why);
  std::optional<Clock::time_point> poll_runner(Clock::time_point now);

  NodeLink link_;  // before runner_, which publishes through it
  ed::NodeRunner runner_;
  LogLimiter complaints_;
  std::optional<Clock::time_point> down_since_;  // the bridge unreachable during the run
};

}  // namespace watt::node
