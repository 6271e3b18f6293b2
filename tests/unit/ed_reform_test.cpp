// Economic dispatch: a run that loses a node mid-way re-forms on the
// survivors (new graph, weights and ε, warm-started λ) and reaches the
// survivors' own centralized optimum.
#include "ed_cases.hpp"

#include <watt/ed/graph.hpp>
#include <watt/ed/node.hpp>
#include <watt/ed/weights.hpp>

#include <algorithm>
#include <cmath>

using namespace ed_test;

namespace {

double sum_y_error(const std::vector<Node>& nodes) {
  double sum_y = 0, load = 0, gen = 0;
  for (const auto& n : nodes) {
    sum_y += n.state().y;
    (n.params().role == Role::generator ? gen : load) += n.state().p;
    load += n.params().demand;
  }
  return std::abs(sum_y - (load - gen));
}

double spread(const std::vector<Node>& nodes) {
  double lo = nodes.front().state().lambda, hi = lo;
  for (const auto& n : nodes) {
    lo = std::min(lo, n.state().lambda);
    hi = std::max(hi, n.state().lambda);
  }
  return hi - lo;
}

void lose_a_node_and_reform(GraphSpec::Kind kind, const std::string& lost) {
  const auto params = ed16();
  GraphSpec spec;
  spec.kind = kind;
  const auto graph = build_graph(ids_of(params), spec);
  const auto weights = metropolis(graph);
  const auto stats = step_stats(params);
  const double eps = step_size(stats.c_max, stats.c_mean, spectral_gap(graph));
  std::vector<Node> nodes;
  for (std::size_t i = 0; i < params.size(); ++i) nodes.emplace_back(params[i], weights[i].self_weight, eps);
  for (int k = 0; k < 10; ++k) step_all(nodes, weights);
  CHECK(sum_y_error(nodes) < 1e-9);

  // The lost node simply stops; the survivors re-form.
  const auto smaller = graph.without({lost});
  REQUIRE(smaller.connected());
  std::vector<Node> survivors;
  std::vector<NodeParams> survivor_params;
  for (auto& n : nodes)
    if (n.params().id != lost) {
      survivors.push_back(n);
      survivor_params.push_back(n.params());
    }
  const auto new_weights = metropolis(smaller);
  const auto new_stats = step_stats(survivor_params);
  const double new_eps = step_size(new_stats.c_max, new_stats.c_mean, spectral_gap(smaller));
  // Before re-forming, the dead node's injection is still in the survivors' Σy.
  CHECK(sum_y_error(survivors) > 1e-3);
  std::vector<double> warm;
  for (std::size_t i = 0; i < survivors.size(); ++i) {
    warm.push_back(survivors[i].state().lambda);
    survivors[i].reform(new_weights[i].self_weight, new_eps);
    CHECK(survivors[i].state().k == 0);
    CHECK(survivors[i].state().lambda == warm.back());
    CHECK(survivors[i].epsilon() == new_eps);
  }
  CHECK(sum_y_error(survivors) < 1e-9);

  double mismatch_now = mismatch(survivors);
  std::uint64_t k = 0;
  bool bounded = true, balanced = true;
  while (k < 100000 && !(k > 0 && std::abs(mismatch_now) < 0.1 && spread(survivors) < 1e-3)) {
    step_all(survivors, new_weights);
    ++k;
    mismatch_now = mismatch(survivors);
    balanced = balanced && sum_y_error(survivors) < 1e-9 * 1000;  // 1e-9 of the ~1000 kW that flow
    for (const auto& n : survivors) bounded = bounded && n.state().p >= 0 && n.state().p <= upper_bound(n.params());
  }
  MESSAGE(std::string(kind_name(kind)), " without ", lost, ": re-formed run stopped at k = ", k, ", epsilon ", new_eps);
  CHECK(balanced);
  CHECK(bounded);
  const auto central = solve_central(survivor_params);
  for (const auto& n : survivors) CHECK(std::abs(n.state().lambda - central.lambda) < 1e-3);
  CHECK(std::abs(mismatch_now) < 0.1);
  // Losing a generator raises the price.
  CHECK(central.lambda > solve_central(params).lambda);
}

}  // namespace

TEST_CASE("ed reform: after losing a generator the survivors reach their own optimum, complete graph") {
  lose_a_node_and_reform(GraphSpec::Kind::complete, "DG2");
}

TEST_CASE("ed reform: after losing a generator the survivors reach their own optimum, ring") {
  lose_a_node_and_reform(GraphSpec::Kind::ring, "DG1");
}
