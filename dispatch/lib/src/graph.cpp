// The undirected graph over node ids: adjacency, connectivity, sub-graphs.
#include <watt/ed/graph.hpp>

#include <watt/ed/error.hpp>

#include <algorithm>

namespace watt::ed {

Graph::Graph(std::vector<std::string> ids) : ids_(std::move(ids)), adjacency_(ids_.size()) {
  for (std::size_t i = 0; i < ids_.size(); ++i) {
    if (ids_[i].empty()) throw Error("graph: node id at position " + std::to_string(i) + " is empty");
    const auto [it, fresh] = index_.emplace(ids_[i], i);
    if (!fresh)
      throw Error("duplicate node id '" + ids_[i] + "' (nodes[" + std::to_string(it->second) + "] and nodes[" +
                  std::to_string(i) + "])");
  }
}

void Graph::add_edge(std::size_t i, std::size_t j) {
  if (i >= size() || j >= size()) throw Error("graph: edge index out of range");
  if (i == j) throw Error("node " + ids_[i] + ": an edge to itself is not allowed");
  auto& a = adjacency_[i];
  const auto at = std::lower_bound(a.begin(), a.end(), j);
  if (at != a.end() && *at == j) return;
  a.insert(at, j);
  auto& b = adjacency_[j];
  b.insert(std::lower_bound(b.begin(), b.end(), i), i);
  ++edges_;
}

bool Graph::has_edge(std::size_t i, std::size_t j) const {
  const auto& a = adjacency_.at(i);
  return std::binary_search(a.begin(), a.end(), j);
}

std::optional<std::size_t> Graph::index_of(const std::string& id) const {
  const auto it = index_.find(id);
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::vector<std::size_t>> Graph::components() const {
  std::vector<std::vector<std::size_t>> out;
  std::vector<bool> seen(size(), false);
  for (std::size_t start = 0; start < size(); ++start) {
    if (seen[start]) continue;
    std::vector<std::size_t> part{start};
    seen[start] = true;
    for (std::size_t at = 0; at < part.size(); ++at)
      for (const auto n : adjacency_[part[at]])
        if (!seen[n]) {
          seen[n] = true;
          part.push_back(n);
        }
    std::sort(part.begin(), part.end());
    out.push_back(std::move(part));
  }
  return out;
}

bool Graph::connected() const { return components().size() <= 1; }

void Graph::require_connected() const {
  const auto parts = components();
  if (parts.size() <= 1) return;
  std::vector<std::size_t> lost;
  for (std::size_t p = 1; p < parts.size(); ++p) lost.insert(lost.end(), parts[p].begin(), parts[p].end());
  std::sort(lost.begin(), lost.end());
  // A big split would make an unreadable message: name the first few.
  constexpr std::size_t shown = 10;
  std::string names;
  for (std::size_t i = 0; i < lost.size() && i < shown; ++i) names += (i ? ", " : "") + ids_[lost[i]];
  if (lost.size() > shown) names += " and " + std::to_string(lost.size() - shown) + " more";
  throw Error("graph is disconnected: " + names + " cannot reach " + ids_[0]);
}

Graph Graph::without(const std::set<std::string>& removed) const {
  std::vector<std::string> kept;
  std::vector<std::size_t> old_to_new(size(), size());
  for (std::size_t i = 0; i < size(); ++i)
    if (!removed.contains(ids_[i])) {
      old_to_new[i] = kept.size();
      kept.push_back(ids_[i]);
    }
  Graph g(std::move(kept));
  for (std::size_t i = 0; i < size(); ++i)
    for (const auto j : adjacency_[i])
      if (i < j && old_to_new[i] != size() && old_to_new[j] != size()) g.add_edge(old_to_new[i], old_to_new[j]);
  return g;
}

}  // namespace watt::ed
