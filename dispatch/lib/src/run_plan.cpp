// Writing a run configuration back out, and splitting one run into
// per-agent configurations so each node's private parameters live only in
// the file of the agent that hosts it.
#include <watt/ed/error.hpp>
#include <watt/ed/run_config.hpp>

#include <charconv>
#include <map>

namespace watt::ed {
namespace {

// The shortest text that reads back as the same double: 0.0205, not
// 0.020500000000000001.
YAML::Node exact(double v) {
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, v);
  return YAML::Node(std::string(buffer, result.ptr));
}

YAML::Node flow(YAML::Node node) {
  node.SetStyle(YAML::EmitterStyle::Flow);
  return node;
}

YAML::Node graph_yaml(const GraphSpec& g) {
  if (g.kind == GraphSpec::Kind::complete || g.kind == GraphSpec::Kind::ring) return YAML::Node(kind_name(g.kind));
  YAML::Node out;
  out["type"] = kind_name(g.kind);
  if (g.kind == GraphSpec::Kind::grid) {
    out["rows"] = g.rows;
    out["cols"] = g.cols;
  } else if (g.kind == GraphSpec::Kind::random) {
    out["degree"] = exact(g.degree);
    out["seed"] = g.seed;
  } else {
    YAML::Node list(YAML::NodeType::Sequence);
    for (const auto& [from, to] : g.edges) {
      YAML::Node pair(YAML::NodeType::Sequence);
      pair.push_back(from);
      pair.push_back(to);
      list.push_back(flow(pair));
    }
    out["edges"] = list;
  }
  return flow(out);
}

YAML::Node node_yaml(const NodeParams& p) {
  YAML::Node out;
  out["id"] = p.id;
  out["role"] = role_name(p.role);
  if (p.role == Role::generator) {
    out["a"] = exact(p.a);
    out["b"] = exact(p.b);
    out["c"] = exact(p.c);
  } else {
    out["w"] = exact(p.w);
    out["s"] = exact(p.s);
  }
  out["pmax"] = exact(p.pmax);
  if (p.demand != 0) out["demand"] = exact(p.demand);
  return flow(out);
}

}  // namespace

YAML::Node to_yaml(const RunConfig& c) {
  YAML::Node out;
  out["run"] = c.run;
  out["graph"] = graph_yaml(c.graph);
  out["epsilon"] = c.epsilon > 0 ? exact(c.epsilon) : YAML::Node("auto");
  out["k_max"] = c.k_max;
  YAML::Node stop;
  stop["mismatch_kw"] = exact(c.mismatch_tol);
  stop["lambda_spread"] = exact(c.lambda_tol);
  out["stop"] = flow(stop);
  out["neighbour_timeout_ms"] = static_cast<long long>(c.neighbour_timeout.count());
  YAML::Node members(YAML::NodeType::Sequence);
  for (const auto& m : c.members) members.push_back(m);
  out["members"] = flow(members);
  if (c.step) {
    YAML::Node step;
    step["c_max"] = exact(c.step->c_max);
    step["c_mean"] = exact(c.step->c_mean);
    out["step"] = flow(step);
  }
  YAML::Node nodes(YAML::NodeType::Sequence);
  for (const auto& n : c.nodes) nodes.push_back(node_yaml(n));
  out["nodes"] = nodes;
  return out;
}

std::vector<std::pair<std::string, YAML::Node>> split_run(const RunConfig& config, std::size_t nodes_per_agent) {
  if (nodes_per_agent == 0) throw Error("split_run: nodes_per_agent must be at least 1");
  std::map<std::string, const NodeParams*> by_id;
  for (const auto& n : config.nodes) by_id[n.id] = &n;
  std::vector<NodeParams> all;
  for (const auto& m : config.members) {
    const auto it = by_id.find(m);
    if (it == by_id.end()) throw Error("split_run: node " + m + " has no parameters to hand to its agent");
    all.push_back(*it->second);
  }
  RunConfig shared = config;
  // Computed from every node here, so agents that see only their own nodes
  // still reach the same ε.
  shared.step = step_stats(all);
  std::vector<std::pair<std::string, YAML::Node>> out;
  for (std::size_t first = 0; first < all.size(); first += nodes_per_agent) {
    const auto last = std::min(all.size(), first + nodes_per_agent);
    shared.nodes.assign(all.begin() + static_cast<std::ptrdiff_t>(first),
                        all.begin() + static_cast<std::ptrdiff_t>(last));
    const auto name = nodes_per_agent == 1 ? "node-" + all[first].id : "group-" + std::to_string(out.size());
    out.emplace_back(name, to_yaml(shared));
  }
  return out;
}

}  // namespace watt::ed
