// The synchronous run: every node reads iteration k, every node moves to k+1,
// then the stop rule looks at the whole network.
#include <watt/ed/simulate.hpp>

#include <watt/ed/central.hpp>
#include <watt/ed/error.hpp>
#include <watt/ed/validate_run.hpp>

#include <algorithm>
#include <cmath>

namespace watt::ed {

double mismatch(const std::vector<Node>& nodes) {
  double sum = 0;
  for (const auto& n : nodes) sum += injection(n.params(), n.state().p) - n.params().demand;
  return sum;
}

void step_all(std::vector<Node>& nodes, const std::vector<Neighbourhood>& weights) {
  if (weights.size() != nodes.size()) throw Error("step_all: one weight row per node is needed");
  std::vector<State> before;
  before.reserve(nodes.size());
  for (const auto& n : nodes) before.push_back(n.state());
  std::vector<Incoming> in;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    in.clear();
    for (const auto& [j, w] : weights[i].neighbours) in.push_back({w, before[j].lambda, before[j].y});
    nodes[i].step(in);
  }
}

namespace {

// Node i of the trace is params[i]; node g of the simulation is graph node g.
SimStep record(const std::vector<Node>& nodes, const std::vector<std::size_t>& graph_index, std::uint64_t k) {
  SimStep s;
  s.k = k;
  for (const auto g : graph_index) {
    s.lambda.push_back(nodes[g].state().lambda);
    s.y.push_back(nodes[g].state().y);
    s.p.push_back(nodes[g].state().p);
  }
  s.mismatch = mismatch(nodes);
  return s;
}

}  // namespace

SimTrace simulate(const std::vector<NodeParams>& params, const Graph& graph, const SimOptions& options) {
  validate_run(params, graph);
  const auto weights = metropolis(graph);
  SimTrace trace;
  trace.epsilon = options.epsilon > 0
                      ? options.epsilon
                      : step_size(step_stats(params).c_max, step_stats(params).c_mean, spectral_gap(graph));
  double lambda_star = 0;
  if (options.stop == SimOptions::Stop::oracle) lambda_star = solve_central(params).lambda;

  std::vector<std::size_t> graph_index;  // params[i] is graph node graph_index[i]
  std::vector<const NodeParams*> by_graph(graph.size());
  for (const auto& p : params) {
    graph_index.push_back(*graph.index_of(p.id));
    by_graph[graph_index.back()] = &p;
  }
  std::vector<Node> nodes;
  nodes.reserve(graph.size());
  for (std::size_t g = 0; g < graph.size(); ++g)
    nodes.emplace_back(*by_graph[g], weights[g].self_weight, trace.epsilon);

  if (options.keep_steps) trace.steps.push_back(record(nodes, graph_index, 0));
  for (std::uint64_t k = 1; k <= options.k_max; ++k) {
    step_all(nodes, weights);
    trace.iterations = k;
    if (options.keep_steps) trace.steps.push_back(record(nodes, graph_index, k));
    double low = nodes.front().state().lambda, high = low, off = 0;
    for (const auto& n : nodes) {
      low = std::min(low, n.state().lambda);
      high = std::max(high, n.state().lambda);
      off = std::max(off, std::abs(n.state().lambda - lambda_star));
    }
    const bool balanced = std::abs(mismatch(nodes)) < options.mismatch_tol;
    const bool agreed =
        options.stop == SimOptions::Stop::oracle ? off < options.lambda_tol : high - low < options.lambda_tol;
    if (balanced && agreed) {
      trace.converged = true;
      break;
    }
  }
  for (const auto g : graph_index) trace.final.push_back(nodes[g].state());
  return trace;
}

}  // namespace watt::ed
