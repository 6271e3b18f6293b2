// Checks a run as a whole before any node starts: unique ids, every node
// valid, the graph over exactly these nodes and connected.
#pragma once

#include <watt/ed/graph.hpp>
#include <watt/ed/model.hpp>

#include <vector>

namespace watt::ed {

// Throws Error naming the node and the field, or the nodes cut off.
void validate_run(const std::vector<NodeParams>& nodes, const Graph& graph);

}  // namespace watt::ed
