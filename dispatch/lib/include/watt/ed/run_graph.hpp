// Whether the nodes left in a run can still reach a dispatch together; shared
// by the nodes and the monitor so both stop a run for the same reason.
#pragma once

#include <watt/ed/error.hpp>
#include <watt/ed/graph.hpp>

#include <string>

namespace watt::ed {

// Empty when the graph can carry a run; otherwise why not.
inline std::string why_unusable(const Graph& alive) {
  if (alive.size() < 2) return "fewer than two nodes are left in the run";
  try {
    alive.require_connected();
  } catch (const Error& e) {
    return e.what();
  }
  return {};
}

inline bool has_node(const Graph& g, const std::string& id) { return g.index_of(id).has_value(); }

}  // namespace watt::ed
