// The graph shapes a run may ask for. The random one draws only raw
// std::mt19937_64 output (fully specified by the standard), never a
// std::*_distribution (implementation-defined), so a seed gives the same
// graph on every platform.
#include <watt/ed/error.hpp>
#include <watt/ed/graph.hpp>

#include <cmath>
#include <limits>
#include <numeric>
#include <random>

namespace watt::ed {
namespace {

// Uniform in [0, bound) by rejection: no modulo bias, no distribution object.
std::size_t below(std::mt19937_64& rng, std::size_t bound) {
  const std::uint64_t n = bound;
  const std::uint64_t limit = std::numeric_limits<std::uint64_t>::max() - std::numeric_limits<std::uint64_t>::max() % n;
  std::uint64_t x = rng();
  while (x >= limit) x = rng();
  return static_cast<std::size_t>(x % n);
}

void complete(Graph& g) {
  for (std::size_t i = 0; i < g.size(); ++i)
    for (std::size_t j = i + 1; j < g.size(); ++j) g.add_edge(i, j);
}

void ring(Graph& g) {
  const auto n = g.size();
  for (std::size_t i = 0; i + 1 < n; ++i) g.add_edge(i, i + 1);
  if (n > 2) g.add_edge(n - 1, 0);
}

void grid(Graph& g, std::size_t rows, std::size_t cols) {
  if (rows == 0 || cols == 0 || rows * cols != g.size())
    throw Error("graph: a grid of " + std::to_string(rows) + " rows x " + std::to_string(cols) + " cols holds " +
                std::to_string(rows * cols) + " nodes, but the run has " + std::to_string(g.size()));
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t c = 0; c < cols; ++c) {
      const auto i = r * cols + c;
      if (c + 1 < cols) g.add_edge(i, i + 1);
      if (r + 1 < rows) g.add_edge(i, i + cols);
    }
}

// A random spanning tree (so it is connected), then random extra edges until
// the average degree reaches the target.
void random(Graph& g, double degree, std::uint64_t seed) {
  if (!std::isfinite(degree) || degree < 0)
    throw Error("graph: random degree must be a number >= 0 (got " + number_text(degree) + ")");
  const auto n = g.size();
  if (n < 2) return;
  std::mt19937_64 rng(seed);
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  for (std::size_t i = n - 1; i > 0; --i) std::swap(order[i], order[below(rng, i + 1)]);
  for (std::size_t i = 1; i < n; ++i) g.add_edge(order[i], order[below(rng, i)]);

  const std::size_t most = n * (n - 1) / 2;
  const auto wanted =
      static_cast<std::size_t>(std::llround(std::min(degree * static_cast<double>(n) / 2, static_cast<double>(most))));
  // Near-complete targets would make rejection sampling crawl: fill instead.
  if (wanted >= most) return complete(g);
  while (g.edge_count() < wanted) {
    const auto i = below(rng, n);
    const auto j = below(rng, n);
    if (i != j) g.add_edge(i, j);
  }
}

void listed(Graph& g, const std::vector<std::pair<std::string, std::string>>& edges) {
  for (const auto& [from, to] : edges) {
    const auto i = g.index_of(from);
    const auto j = g.index_of(to);
    if (!i && !j) throw Error("graph: edge [" + from + ", " + to + "]: node '" + from + "' does not exist");
    if (!i) throw Error("node " + to + ": neighbour '" + from + "' does not exist");
    if (!j) throw Error("node " + from + ": neighbour '" + to + "' does not exist");
    g.add_edge(*i, *j);
  }
}

}  // namespace

const char* kind_name(GraphSpec::Kind kind) {
  switch (kind) {
    case GraphSpec::Kind::complete: return "complete";
    case GraphSpec::Kind::ring: return "ring";
    case GraphSpec::Kind::grid: return "grid";
    case GraphSpec::Kind::random: return "random";
    case GraphSpec::Kind::edges: return "edges";
  }
  return "?";
}

Graph build_graph(const std::vector<std::string>& ids, const GraphSpec& spec) {
  Graph g(ids);
  switch (spec.kind) {
    case GraphSpec::Kind::complete: complete(g); break;
    case GraphSpec::Kind::ring: ring(g); break;
    case GraphSpec::Kind::grid: grid(g, spec.rows, spec.cols); break;
    case GraphSpec::Kind::random: random(g, spec.degree, spec.seed); break;
    case GraphSpec::Kind::edges: listed(g, spec.edges); break;
  }
  return g;
}

}  // namespace watt::ed
