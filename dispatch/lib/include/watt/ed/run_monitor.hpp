// Watches one dispatch run: starts it once every node is ready, collects each
// iteration from every node still in the run, applies the deployed stopping
// rule, notices a run that stalls, and reports the result beside the
// centralized solution. Free of the bus, like NodeGroup.
#pragma once

#include <watt/ed/graph.hpp>
#include <watt/ed/messages.hpp>
#include <watt/ed/run_config.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace watt::ed {

// One completed iteration, for the trace: λ of every member (NaN once lost).
struct TraceRow {
  std::uint64_t epoch = 0;
  std::uint64_t k = 0;
  std::uint64_t iteration = 0;
  double mismatch_kw = 0;
  std::vector<double> lambda;
};

class RunMonitor {
public:
  using Clock = std::chrono::steady_clock;
  struct Output {
    std::function<void(const ControlMsg&)> control;
    std::function<void(const StatusMsg&)> status;
    std::function<void(const TraceRow&)> trace;
    std::function<void(const ResultMsg&)> result;
  };

  // `config.nodes` must hold every member's parameters. A run that makes no
  // progress for `stall_timeout` has its silent nodes declared lost.
  RunMonitor(RunConfig config, Output out, std::chrono::milliseconds stall_timeout);

  const RunConfig& config() const { return config_; }
  const std::vector<std::string>& members() const { return ids_; }

  void open();  // asks the nodes to say whether they are ready
  void on_ready(const std::vector<std::string>& nodes, Clock::time_point now);
  void on_state(const StateMsg& msg, Clock::time_point now);
  void on_lost(const std::vector<std::string>& nodes, const std::string& detected_by, Clock::time_point now);
  void poll(Clock::time_point now);

  bool started() const { return started_; }
  bool finished() const { return finished_; }
  // Members that have not said they are ready.
  std::vector<std::string> not_ready() const;

private:
  struct Row {
    std::vector<double> lambda, p;
    std::vector<bool> have;
    std::size_t count = 0;
  };
  void complete(std::uint64_t k, const Row& row, Clock::time_point now);
  void finish(const std::string& status, const std::string& error, const Row* row, Clock::time_point now);
  std::size_t alive_count() const { return ids_.size() - dead_.size(); }

  RunConfig config_;
  Output out_;
  std::chrono::milliseconds stall_timeout_;
  Graph members_;
  std::vector<std::string> ids_;
  std::vector<NodeParams> params_;  // in member order
  std::set<std::string> ready_, dead_;
  std::map<std::uint64_t, Row> rows_;  // current epoch, by k
  std::vector<StateMsg> early_;
  std::map<std::string, Clock::time_point> heard_;  // a node's last word, repeats included
  std::vector<LostNode> lost_;
  std::uint64_t epoch_ = 0;
  std::uint64_t base_ = 0;    // iterations done in earlier epochs
  std::uint64_t last_k_ = 0;  // last completed k in this epoch
  bool any_row_ = false;      // some iteration of this epoch completed
  Clock::time_point t0_{}, last_progress_{};
  bool started_ = false;
  bool finished_ = false;
};

}  // namespace watt::ed
