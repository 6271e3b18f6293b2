// A consensus-dispatch run's configuration: which nodes take part, how they
// are connected, the step size and stop rule, and the private parameters of
// the nodes this file hosts. Read strictly from YAML: every refusal is an
// Error naming the node and the field. Also the planner that splits one run
// into per-agent configurations.
#pragma once

#include <watt/ed/graph.hpp>
#include <watt/ed/model.hpp>
#include <watt/ed/weights.hpp>

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace watt::ed {

struct RunConfig {
  std::string run;                   // one topic segment: ed/<run>/…
  std::vector<std::string> members;  // every node id of the run
  GraphSpec graph;
  double epsilon = 0;             // 0 = auto
  std::optional<StepStats> step;  // aggregate statistics, for files that hold only some nodes
  std::uint64_t k_max = 1000;
  double mismatch_tol = 0.1;  // kW
  double lambda_tol = 1e-3;   // max λ − min λ
  std::chrono::milliseconds neighbour_timeout{3000};
  std::vector<NodeParams> nodes;  // the parameters this file holds (some or all members)

  // The communication graph over `members`.
  Graph graph_of_members() const;
  // `step` if given, else computed from `nodes` when they cover every
  // member; throws Error otherwise.
  StepStats stats() const;
  // The explicit ε, else step_size(stats, spectral_gap(g)).
  double epsilon_for(const Graph& g) const;
};

// Throws Error naming the node (or nodes[i]) and the field.
RunConfig parse_run_config(const YAML::Node& node);

// parse_run_config on a file; errors are prefixed with the path.
RunConfig load_run_file(const std::string& path);

// The configuration as YAML that parse_run_config reads back unchanged.
YAML::Node to_yaml(const RunConfig& config);

// One configuration per node agent, each hosting `nodes_per_agent` nodes
// (the last possibly fewer) and holding only those nodes' parameters, plus
// the run-wide settings and the computed `step` statistics. Named
// "node-<id>" when each agent hosts one node, else "group-<i>". Throws Error
// unless every member's parameters are in `config.nodes`.
std::vector<std::pair<std::string, YAML::Node>> split_run(const RunConfig& config, std::size_t nodes_per_agent);

// A host's own setting beside the run file's keys (an agent's, watt-node's):
// read and removed, so parse_run_config sees only the run. Throws
// YAML::Exception for a bad type.
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

}  // namespace watt::ed
