// The dispatch nodes one agent hosts: their consensus state, the iteration-k
// values they wait for, re-forming the run when a neighbour is lost. Free of
// the bus so it can be driven directly in tests; the ed-node agent feeds it
// messages and a clock and publishes what it emits.
#pragma once

#include <watt/ed/graph.hpp>
#include <watt/ed/messages.hpp>
#include <watt/ed/node.hpp>
#include <watt/ed/run_config.hpp>
#include <watt/ed/weights.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace watt::ed {

class NodeGroup {
public:
  using Clock = std::chrono::steady_clock;
  struct Output {
    std::function<void(const StateMsg&)> state;      // publish ed/<run>/<id>
    std::function<void(const ControlMsg&)> control;  // publish ed/<run>/control
  };

  // `config.nodes` are the hosted nodes, all of them in `config.members`.
  // `pace` is the least time between two iterations of one node (0 = none).
  // Throws Error for a configuration that cannot run.
  NodeGroup(RunConfig config, Output out, std::chrono::milliseconds pace = {});

  const RunConfig& config() const { return config_; }
  std::vector<std::string> hosted() const;
  // The nodes outside this group that some hosted node listens to.
  std::vector<std::string> remote_neighbours() const;

  void start(Clock::time_point now);
  void stop() { running_ = false; }
  // A state published by a node outside this group.
  void on_state(const StateMsg& msg, Clock::time_point now);
  // `nodes` stopped answering: re-form without them.
  void on_lost(const std::vector<std::string>& nodes, Clock::time_point now);
  // Steps every node whose pace allows it now, repeats the state of a node
  // that has waited a quarter of the timeout (so its neighbours know it
  // lives), and declares lost the neighbours a node has waited on, and not
  // heard from, for longer than the run's timeout.
  // Returns when it next needs calling for pacing, if ever.
  std::optional<Clock::time_point> poll(Clock::time_point now);

  bool running() const { return running_; }
  std::uint64_t epoch() const { return epoch_; }
  const std::set<std::string>& lost() const { return dead_; }
  // Why the group stopped on its own (the run's graph fell apart); empty if not.
  const std::string& error() const { return error_; }
  // The current state of a hosted node (tests and the agent's status).
  const State& state_of(const std::string& id) const;

private:
  struct Slot {
    std::vector<double> lambda, y;
    std::vector<bool> have;
    std::size_t count = 0;
  };
  struct Hosted {
    std::string id;
    Node node;
    bool alive = true;
    std::vector<std::string> neighbours;  // ids in the current epoch
    std::vector<double> weights;          // Metropolis weights, same order
    std::map<std::uint64_t, Slot> inbox;  // by k, current epoch only
    Clock::time_point waiting_since{};
    Clock::time_point next_step{};
    Clock::time_point last_sent{};
  };

  void reform(Clock::time_point now);
  void accept(const StateMsg& msg);
  void emit(Hosted& h, Clock::time_point now);
  bool complete(const Hosted& h) const;
  void try_step(std::size_t index, Clock::time_point now);
  void run_ready(Clock::time_point now);
  void check_timeouts(Clock::time_point now);

  RunConfig config_;
  Output out_;
  std::chrono::milliseconds pace_;
  Graph members_;
  std::vector<Hosted> hosted_;
  std::unordered_map<std::string, std::size_t> hosted_index_;
  // For a node id, the (hosted index, neighbour slot) pairs that listen to it.
  std::unordered_map<std::string, std::vector<std::pair<std::size_t, std::size_t>>> listeners_;
  std::set<std::string> dead_;
  // When each remote node last said anything: a node that waits, repeats its
  // state, so only a silent neighbour is ever declared lost, never one that
  // is itself waiting on a lost node.
  std::unordered_map<std::string, Clock::time_point> heard_;
  std::vector<StateMsg> early_;     // from epochs this group has not reached yet
  std::vector<std::size_t> ready_;  // hosted nodes holding all of their current iteration
  std::vector<std::size_t> paced_;  // ready, but their pace says not yet
  Clock::time_point last_scan_{};
  std::uint64_t epoch_ = 0;
  bool started_ = false;
  bool running_ = false;
  std::string error_;
};

}  // namespace watt::ed
