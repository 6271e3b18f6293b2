// What dispatch nodes and the run monitor say to each other on the bus, under
// ed/<run>/…: one node's state per iteration, control notices, progress and
// the result. The bodies are msgpack maps; docs/ed.md is their reference.
#pragma once

#include <msgpack.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace watt::ed {

// ed/<run>/<node>: node `id` at iteration k of epoch `epoch`. P is for
// monitoring only; the neighbours use lambda and y.
struct StateMsg {
  std::string id;
  std::uint64_t epoch = 0;
  std::uint64_t k = 0;
  double lambda = 0;
  double y = 0;
  double p = 0;
  MSGPACK_DEFINE_MAP(id, epoch, k, lambda, y, MSGPACK_NVP("P", p))
};

// ed/<run>/control. type is one of:
//   roll   monitor → nodes: say whether you are ready
//   ready  node agent → monitor: `nodes` are subscribed and waiting
//   start  monitor → nodes: iterate from k = 0
//   lost   anyone → all: `nodes` stopped answering; the run re-forms without
//          them in epoch `epoch` (the number of nodes lost so far)
//   stop   monitor → nodes: the run is over (`reason` says why)
struct ControlMsg {
  std::string type;
  std::vector<std::string> nodes;
  std::string detected_by;
  std::uint64_t epoch = 0;
  std::uint64_t k = 0;
  std::string reason;
  MSGPACK_DEFINE_MAP(type, nodes, detected_by, epoch, k, reason)
};

// ed/<run>/status: one line of progress per completed iteration.
struct StatusMsg {
  std::uint64_t epoch = 0;
  std::uint64_t k = 0;
  std::uint64_t iterations = 0;  // over all epochs
  std::uint64_t alive = 0;
  double mismatch_kw = 0;  // generation − load; 0 at balance
  double lambda_min = 0;
  double lambda_max = 0;
  MSGPACK_DEFINE_MAP(epoch, k, iterations, alive, mismatch_kw, lambda_min, lambda_max)
};

// A node lost during the run, as the result reports it.
struct LostNode {
  std::string id;
  std::string detected_by;
  std::uint64_t epoch = 0;      // the epoch the run re-formed into
  std::uint64_t iteration = 0;  // the run's iteration count when it was lost
  double at_ms = 0;             // since the start
  MSGPACK_DEFINE_MAP(id, detected_by, epoch, iteration, at_ms)
};

// The centralized solution of the same problem, computed by the monitor to
// validate the run.
struct CentralMsg {
  double lambda = 0;
  std::map<std::string, double> p;
  double max_p_error_kw = 0;  // max over nodes of |P − P*|
  double lambda_error = 0;    // max over nodes of |λ − λ*|
  MSGPACK_DEFINE_MAP(lambda, MSGPACK_NVP("P", p), max_p_error_kw, lambda_error)
};

// ed/<run>/result.
struct ResultMsg {
  std::string run;
  std::string status;  // converged | k_max | error
  std::string error;
  std::uint64_t iterations = 0;
  std::uint64_t epoch = 0;
  double wall_ms = 0;
  double lambda = 0;  // mean over the nodes
  double lambda_spread = 0;
  double mismatch_kw = 0;
  double total_generation = 0;
  double total_load = 0;
  std::map<std::string, double> p;
  std::vector<LostNode> lost;
  CentralMsg central;
  MSGPACK_DEFINE_MAP(run, status, error, iterations, epoch, wall_ms, lambda, lambda_spread, mismatch_kw,
                     total_generation, total_load, MSGPACK_NVP("P", p), lost, central)
};

inline std::string run_prefix(const std::string& run) { return "ed/" + run + "/"; }
inline std::string state_topic(const std::string& run, const std::string& node) { return run_prefix(run) + node; }
inline std::string control_topic(const std::string& run) { return run_prefix(run) + "control"; }
inline std::string status_topic(const std::string& run) { return run_prefix(run) + "status"; }
inline std::string result_topic(const std::string& run) { return run_prefix(run) + "result"; }

inline std::string join_ids(const std::vector<std::string>& ids) {
  std::string s;
  for (const auto& id : ids) s += (s.empty() ? "" : ", ") + id;
  return s;
}

// The last segment of an ed/<run>/… topic: a node id, or control/status/result.
inline std::string last_segment(const std::string& topic) { return topic.substr(topic.rfind('/') + 1); }

}  // namespace watt::ed
