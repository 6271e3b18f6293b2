// The communication graph of a run: undirected, over node ids, and the
// builders for the shapes a run may ask for (complete, ring, grid, random,
// an explicit edge list).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace watt::ed {

class Graph {
public:
  Graph() = default;
  // Throws Error on a duplicate or empty id.
  explicit Graph(std::vector<std::string> ids);

  // Ignores an edge that is already there; throws Error on a self-loop.
  void add_edge(std::size_t i, std::size_t j);
  bool has_edge(std::size_t i, std::size_t j) const;

  std::size_t size() const { return ids_.size(); }
  std::size_t edge_count() const { return edges_; }
  const std::vector<std::string>& ids() const { return ids_; }
  const std::string& id(std::size_t i) const { return ids_.at(i); }
  std::optional<std::size_t> index_of(const std::string& id) const;
  // Sorted by index, so every walk over a graph is deterministic.
  const std::vector<std::size_t>& neighbours(std::size_t i) const { return adjacency_.at(i); }
  std::size_t degree(std::size_t i) const { return adjacency_.at(i).size(); }

  bool connected() const;
  // Each component's indices in ascending order; the one holding node 0 first.
  std::vector<std::vector<std::size_t>> components() const;
  // Throws Error "graph is disconnected: L5, L6 cannot reach L1" unless connected.
  void require_connected() const;

  // The graph on the remaining nodes (their order and ids kept) with the
  // edges among them.
  Graph without(const std::set<std::string>& removed) const;

private:
  std::vector<std::string> ids_;
  std::map<std::string, std::size_t> index_;
  std::vector<std::vector<std::size_t>> adjacency_;
  std::size_t edges_ = 0;
};

struct GraphSpec {
  // Scoped, so the edge list below can keep its name `edges`.
  enum class Kind { complete, ring, grid, random, edges };
  Kind kind = Kind::complete;
  std::size_t rows = 0, cols = 0;                          // grid: rows * cols must be the node count
  double degree = 4;                                       // random: the target average degree
  std::uint64_t seed = 0;                                  // random
  std::vector<std::pair<std::string, std::string>> edges;  // Kind::edges
};

const char* kind_name(GraphSpec::Kind kind);

// Throws Error for a grid of the wrong shape, an edge naming an unknown node or
// a self-loop. A random graph is always connected and, for a given seed, the
// same on every platform.
Graph build_graph(const std::vector<std::string>& ids, const GraphSpec& spec);

}  // namespace watt::ed
