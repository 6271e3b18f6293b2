// The whole-run check: ids, parameters, graph membership and connectivity.
#include <watt/ed/validate_run.hpp>

#include <watt/ed/error.hpp>

#include <map>

namespace watt::ed {

void validate_run(const std::vector<NodeParams>& nodes, const Graph& graph) {
  if (nodes.empty()) throw Error("the run has no nodes");
  std::map<std::string, std::size_t> seen;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const auto [it, fresh] = seen.emplace(nodes[i].id, i);
    if (!fresh)
      throw Error("duplicate node id '" + nodes[i].id + "' (nodes[" + std::to_string(it->second) + "] and nodes[" +
                  std::to_string(i) + "])");
    validate(nodes[i]);
    if (!graph.index_of(nodes[i].id)) throw Error("node " + nodes[i].id + ": not in the graph");
  }
  for (const auto& id : graph.ids())
    if (!seen.contains(id)) throw Error("node " + id + ": in the graph but has no parameters");
  graph.require_connected();
}

}  // namespace watt::ed
