// Reads a run configuration strictly: unknown keys, wrong types and bad
// values are refused with the node and the field named.
#include <watt/ed/run_config.hpp>

#include <watt/ed/error.hpp>

#include <watt/yaml_keys.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>

namespace watt::ed {
namespace {

using Keys = std::set<std::string>;

// `where` prefixes every message: "node L3", "graph", "" (top level).
std::string at(const std::string& where, const std::string& what) { return where.empty() ? what : where + ": " + what; }

void check_keys(const YAML::Node& node, const std::string& where, const Keys& known) {
  if (!node.IsMap()) throw Error(at(where, "must be a map"));
  if (auto err = yaml::key_error(node, known); !err.empty()) throw Error(at(where, err));
}

double number(const YAML::Node& node, const std::string& where, const std::string& field) {
  double v = 0;
  try {
    if (!node.IsScalar()) throw Error("");
    v = node.as<double>();
  } catch (const std::exception&) {
    throw Error(at(where, field + " must be a number"));
  }
  if (!std::isfinite(v)) throw Error(at(where, field + " must be a finite number"));
  return v;
}

double positive(const YAML::Node& node, const std::string& where, const std::string& field) {
  const double v = number(node, where, field);
  if (!(v > 0)) throw Error(at(where, field + " must be > 0 (got " + number_text(v) + ")"));
  return v;
}

std::uint64_t count(const YAML::Node& node, const std::string& where, const std::string& field) {
  long long v = 0;
  try {
    if (!node.IsScalar()) throw Error("");
    v = node.as<long long>();
  } catch (const std::exception&) {
    throw Error(at(where, field + " must be a whole number"));
  }
  if (v <= 0) throw Error(at(where, field + " must be > 0 (got " + std::to_string(v) + ")"));
  return static_cast<std::uint64_t>(v);
}

std::string text(const YAML::Node& node, const std::string& where, const std::string& field) {
  if (!node.IsScalar()) throw Error(at(where, field + " must be a string"));
  return node.Scalar();
}

GraphSpec parse_graph(const YAML::Node& node) {
  GraphSpec g;
  if (node.IsScalar()) {
    const auto type = node.Scalar();
    if (type == "complete")
      g.kind = GraphSpec::Kind::complete;
    else if (type == "ring")
      g.kind = GraphSpec::Kind::ring;
    else if (type == "random")
      g.kind = GraphSpec::Kind::random;
    else if (type == "grid" || type == "edges")
      throw Error("graph: " + type + " needs its parameters: {type: " + type + ", …}");
    else
      throw Error("graph: type must be complete, ring, grid, random or edges (got '" + type + "')");
    return g;
  }
  if (!node.IsMap() || !node["type"]) throw Error("graph must be complete, ring, or a map with a type");
  const auto type = text(node["type"], "graph", "type");
  if (type == "complete" || type == "ring") {
    check_keys(node, "graph", {"type"});
    g.kind = type == "ring" ? GraphSpec::Kind::ring : GraphSpec::Kind::complete;
  } else if (type == "grid") {
    check_keys(node, "graph", {"type", "rows", "cols"});
    if (!node["rows"] || !node["cols"]) throw Error("graph: grid needs rows and cols");
    g.kind = GraphSpec::Kind::grid;
    // Clamped where size_t is 32 bits; rows × cols must match the node count anyway.
    constexpr std::uint64_t most = std::numeric_limits<std::size_t>::max();
    g.rows = static_cast<std::size_t>(std::min(count(node["rows"], "graph", "rows"), most));
    g.cols = static_cast<std::size_t>(std::min(count(node["cols"], "graph", "cols"), most));
  } else if (type == "random") {
    check_keys(node, "graph", {"type", "degree", "seed"});
    g.kind = GraphSpec::Kind::random;
    if (node["degree"]) g.degree = positive(node["degree"], "graph", "degree");
    if (const auto seed = node["seed"]) {
      try {
        // yaml-cpp would wrap a negative number into a huge unsigned one.
        if (!seed.IsScalar() || seed.Scalar().starts_with("-")) throw Error("");
        g.seed = seed.as<std::uint64_t>();
      } catch (const std::exception&) {
        throw Error("graph: seed must be a whole number >= 0");
      }
    }
  } else if (type == "edges") {
    check_keys(node, "graph", {"type", "edges"});
    g.kind = GraphSpec::Kind::edges;
    const auto list = node["edges"];
    if (!list || !list.IsSequence()) throw Error("graph: edges must be a list of [from, to] pairs");
    for (std::size_t i = 0; i < list.size(); ++i) {
      const auto e = list[i];
      const auto where = "graph: edges[" + std::to_string(i) + "]";
      if (!e.IsSequence() || e.size() != 2 || !e[0].IsScalar() || !e[1].IsScalar())
        throw Error(where + " must be a pair of node ids [from, to]");
      g.edges.emplace_back(e[0].Scalar(), e[1].Scalar());
    }
  } else {
    throw Error("graph: type must be complete, ring, grid, random or edges (got '" + type + "')");
  }
  return g;
}

NodeParams parse_node(const YAML::Node& node, std::size_t index) {
  const auto position = "nodes[" + std::to_string(index) + "]";
  if (!node.IsMap()) throw Error(position + " must be a map");
  if (!node["id"]) throw Error(position + ": id is missing");
  NodeParams p;
  p.id = text(node["id"], position, "id");
  if (auto err = id_error(p.id); !err.empty()) throw Error(position + ": " + err);
  const auto where = "node " + p.id;
  check_keys(node, where, {"id", "role", "a", "b", "c", "w", "s", "pmax", "demand"});
  if (!node["role"]) throw Error(where + ": role is missing (generator or consumer)");
  const auto role = text(node["role"], where, "role");
  if (role == "generator")
    p.role = Role::generator;
  else if (role == "consumer")
    p.role = Role::consumer;
  else
    throw Error(where + ": role must be generator or consumer (got '" + role + "')");

  const bool gen = p.role == Role::generator;
  const std::vector<std::string> required =
      gen ? std::vector<std::string>{"a", "b", "pmax"} : std::vector<std::string>{"w", "s", "pmax"};
  for (const auto& field : required)
    if (!node[field])
      throw Error(where + ": " + field + " is missing (a " + role + " needs " + required[0] + ", " + required[1] +
                  " and pmax)");
  for (const auto* field : gen ? std::vector<const char*>{"w", "s"} : std::vector<const char*>{"a", "b", "c"})
    if (node[field]) throw Error(where + ": " + field + " does not apply to a " + role);
  if (gen) {
    p.a = number(node["a"], where, "a");
    p.b = number(node["b"], where, "b");
    if (node["c"]) p.c = number(node["c"], where, "c");
  } else {
    p.w = number(node["w"], where, "w");
    p.s = number(node["s"], where, "s");
  }
  p.pmax = number(node["pmax"], where, "pmax");
  if (node["demand"]) p.demand = number(node["demand"], where, "demand");
  validate(p);
  return p;
}

std::vector<std::string> parse_members(const YAML::Node& node) {
  if (!node.IsSequence()) throw Error("members must be a list of node ids");
  std::vector<std::string> out;
  std::map<std::string, std::size_t> seen;
  for (std::size_t i = 0; i < node.size(); ++i) {
    const auto where = "members[" + std::to_string(i) + "]";
    const auto id = text(node[i], where, "id");
    if (auto err = id_error(id); !err.empty()) throw Error(where + ": " + err);
    const auto [it, fresh] = seen.emplace(id, i);
    if (!fresh)
      throw Error("duplicate member '" + id + "' (members[" + std::to_string(it->second) + "] and " + where + ")");
    out.push_back(id);
  }
  return out;
}

}  // namespace

Graph RunConfig::graph_of_members() const { return build_graph(members, graph); }

StepStats RunConfig::stats() const {
  if (step) return *step;
  std::set<std::string> have;
  for (const auto& n : nodes) have.insert(n.id);
  for (const auto& m : members)
    if (!have.contains(m))
      throw Error("epsilon auto needs step: {c_max, c_mean} or every member's parameters (node " + m +
                  " has none here)");
  return step_stats(nodes);
}

double RunConfig::epsilon_for(const Graph& g) const {
  if (epsilon > 0) return epsilon;
  const auto s = stats();
  return step_size(s.c_max, s.c_mean, spectral_gap(g));
}

RunConfig parse_run_config(const YAML::Node& node) {
  if (!node || node.IsNull()) throw Error("the run configuration is empty");
  check_keys(node, "",
             {"run", "graph", "epsilon", "k_max", "stop", "neighbour_timeout_ms", "members", "step", "nodes"});
  RunConfig c;
  if (!node["run"]) throw Error("run is missing (the run's name, one topic segment)");
  c.run = text(node["run"], "", "run");
  if (c.run.empty() || c.run.find_first_of("/+# \t\r\n") != std::string::npos)
    throw Error("run: '" + c.run + "' must be one non-empty topic segment (no '/', '+', '#' or whitespace)");

  if (node["graph"]) c.graph = parse_graph(node["graph"]);
  if (const auto e = node["epsilon"]) {
    if (!(e.IsScalar() && e.Scalar() == "auto")) c.epsilon = positive(e, "", "epsilon");
  }
  if (node["k_max"]) c.k_max = count(node["k_max"], "", "k_max");
  if (const auto s = node["stop"]) {
    check_keys(s, "stop", {"mismatch_kw", "lambda_spread"});
    if (s["mismatch_kw"]) c.mismatch_tol = positive(s["mismatch_kw"], "stop", "mismatch_kw");
    if (s["lambda_spread"]) c.lambda_tol = positive(s["lambda_spread"], "stop", "lambda_spread");
  }
  if (node["neighbour_timeout_ms"])
    c.neighbour_timeout = std::chrono::milliseconds(count(node["neighbour_timeout_ms"], "", "neighbour_timeout_ms"));
  if (const auto s = node["step"]) {
    check_keys(s, "step", {"c_max", "c_mean"});
    if (!s["c_max"] || !s["c_mean"]) throw Error("step: needs both c_max and c_mean");
    c.step = StepStats{positive(s["c_max"], "step", "c_max"), positive(s["c_mean"], "step", "c_mean")};
  }

  if (const auto list = node["nodes"]) {
    if (!list.IsSequence()) throw Error("nodes must be a list of node parameter maps");
    std::map<std::string, std::size_t> seen;
    for (std::size_t i = 0; i < list.size(); ++i) {
      c.nodes.push_back(parse_node(list[i], i));
      const auto [it, fresh] = seen.emplace(c.nodes.back().id, i);
      if (!fresh)
        throw Error("duplicate node id '" + c.nodes.back().id + "' (nodes[" + std::to_string(it->second) +
                    "] and nodes[" + std::to_string(i) + "])");
    }
  }
  if (node["members"]) {
    c.members = parse_members(node["members"]);
    const std::set<std::string> members(c.members.begin(), c.members.end());
    for (const auto& n : c.nodes)
      if (!members.contains(n.id)) throw Error("node " + n.id + ": not in members");
  } else {
    for (const auto& n : c.nodes) c.members.push_back(n.id);
  }
  if (c.members.empty()) throw Error("the run has no members (give members or nodes)");

  c.graph_of_members().require_connected();
  if (c.epsilon <= 0) c.stats();  // refuse now, not when the run starts
  return c;
}

RunConfig load_run_file(const std::string& path) {
  YAML::Node node;
  try {
    node = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    throw Error(path + ": cannot read the file");
  } catch (const YAML::Exception& e) {
    throw Error(path + ": " + e.what());
  }
  try {
    return parse_run_config(node);
  } catch (const Error& e) {
    throw Error(path + ": " + e.what());
  }
}

}  // namespace watt::ed
