// Economic dispatch: the consensus run reaches the centralized optimum on
// every graph shape, keeps Σy = load − generation and the bounds at every
// iteration, and its first iterations are the spec's formulas exactly.
#include "ed_cases.hpp"

#include <watt/ed/graph.hpp>
#include <watt/ed/weights.hpp>

#include <algorithm>
#include <cmath>

using namespace ed_test;

namespace {

GraphSpec spec_of(GraphSpec::Kind kind) {
  GraphSpec s;
  s.kind = kind;
  s.degree = 4;
  s.seed = 7;
  return s;
}

SimTrace run(const std::vector<NodeParams>& nodes, GraphSpec::Kind kind, SimOptions::Stop stop, std::uint64_t k_max) {
  const auto graph = build_graph(ids_of(nodes), spec_of(kind));
  SimOptions o;
  o.stop = stop;
  o.k_max = k_max;
  return simulate(nodes, graph, o);
}

}  // namespace

TEST_CASE("ed consensus: the 16-node case on a complete graph stops by the deployed rule within 45 iterations") {
  const auto nodes = ed16();
  const auto trace = run(nodes, GraphSpec::Kind::complete, SimOptions::Stop::deployed, 1000);
  MESSAGE("16-node complete graph: epsilon ", trace.epsilon, ", deployed rule stopped at k = ", trace.iterations);
  CHECK(trace.converged);
  CHECK(trace.iterations <= 45);
  check_matches_central(nodes, trace);
  check_invariant_and_bounds(nodes, trace);
  // Each node's set-point is the centralized one, to the tolerances' order.
  const auto central = solve_central(nodes);
  for (std::size_t i = 0; i < nodes.size(); ++i) CHECK(std::abs(trace.final[i].p - central.p[i]) < 0.1);

  const auto oracle = run(nodes, GraphSpec::Kind::complete, SimOptions::Stop::oracle, 1000);
  MESSAGE("16-node complete graph: oracle rule stopped at k = ", oracle.iterations);
  CHECK(oracle.converged);
  check_matches_central(nodes, oracle);
}

TEST_CASE("ed consensus: the 16-node case converges on a ring and on a random graph") {
  const auto nodes = ed16();
  for (const auto kind : {GraphSpec::Kind::ring, GraphSpec::Kind::random}) {
    for (const auto stop : {SimOptions::Stop::oracle, SimOptions::Stop::deployed}) {
      const auto trace = run(nodes, kind, stop, 200000);
      MESSAGE("16 nodes, ", std::string(kind_name(kind)), ", ",
              std::string(stop == SimOptions::Stop::oracle ? "oracle" : "deployed"), ": epsilon ", trace.epsilon,
              ", k = ", trace.iterations);
      CHECK(trace.converged);
      check_matches_central(nodes, trace);
      check_invariant_and_bounds(nodes, trace);
    }
  }
}

TEST_CASE("ed consensus: a random 100-node case converges on complete, ring and random graphs") {
  const auto nodes = random100(42);
  for (const auto kind : {GraphSpec::Kind::complete, GraphSpec::Kind::ring, GraphSpec::Kind::random}) {
    const auto trace = run(nodes, kind, SimOptions::Stop::deployed, 2000000);
    MESSAGE("100 nodes, ", std::string(kind_name(kind)), ": epsilon ", trace.epsilon,
            ", deployed k = ", trace.iterations);
    CHECK(trace.converged);
    check_matches_central(nodes, trace);
    check_invariant_and_bounds(nodes, trace);
  }
}

TEST_CASE("ed consensus: a run that cannot finish in k_max stops there, unconverged") {
  const auto nodes = ed16();
  const auto trace = run(nodes, GraphSpec::Kind::ring, SimOptions::Stop::deployed, 10);
  CHECK_FALSE(trace.converged);
  CHECK(trace.iterations == 10);
  CHECK(trace.steps.size() == 11);
}

// The spec's steps 1–3 written out again over plain arrays, with W = 11ᵀ/16
// and ε = min(1/(3 c_max), 1/c̄) (gap 1), to check the library against.
TEST_CASE("ed consensus: the first three iterations on a complete graph are the spec's formulas") {
  const auto nodes = ed16();
  const std::size_t n = nodes.size();
  double c_max = 0, c_sum = 0;
  for (const auto& p : nodes) {
    const double c = p.role == Role::generator ? 1 / (2 * p.a) : 1 / (2 * p.s);
    c_max = std::max(c_max, c);
    c_sum += c;
  }
  const double eps = std::min(1 / (3 * c_max), 1 / (c_sum / static_cast<double>(n)));
  auto phi = [](const NodeParams& p, double lambda) {
    if (p.role == Role::generator) return std::clamp((lambda - p.b) / (2 * p.a), 0.0, p.pmax);
    return std::clamp((p.w - lambda) / (2 * p.s), 0.0, std::min(p.pmax, p.w / (2 * p.s)));
  };
  auto g = [](const NodeParams& p, double power) { return p.role == Role::generator ? power : -power; };

  std::vector<double> lambda(n), power(n), y(n);
  for (std::size_t i = 0; i < n; ++i) {
    lambda[i] = nodes[i].role == Role::generator ? nodes[i].b : nodes[i].w;
    power[i] = phi(nodes[i], lambda[i]);
    y[i] = nodes[i].demand - g(nodes[i], power[i]);
  }
  const auto trace = run(nodes, GraphSpec::Kind::complete, SimOptions::Stop::deployed, 3);
  CHECK(trace.epsilon == doctest::Approx(eps).epsilon(1e-15));
  REQUIRE(trace.steps.size() == 4);
  for (std::size_t k = 0; k <= 3; ++k) {
    if (k > 0) {
      double mean_lambda = 0, mean_y = 0;
      for (std::size_t j = 0; j < n; ++j) {
        mean_lambda += lambda[j] / static_cast<double>(n);
        mean_y += y[j] / static_cast<double>(n);
      }
      for (std::size_t i = 0; i < n; ++i) {
        const double next_lambda = mean_lambda + eps * y[i];
        const double next_power = phi(nodes[i], next_lambda);
        y[i] = mean_y - (g(nodes[i], next_power) - g(nodes[i], power[i]));
        lambda[i] = next_lambda;
        power[i] = next_power;
      }
    }
    const auto& s = trace.steps[k];
    CHECK(s.k == k);
    for (std::size_t i = 0; i < n; ++i) {
      INFO("k = ", k, ", node ", nodes[i].id);
      CHECK(s.lambda[i] == doctest::Approx(lambda[i]).epsilon(1e-12));
      CHECK(s.p[i] == doctest::Approx(power[i]).epsilon(1e-12));
      CHECK(s.y[i] == doctest::Approx(y[i]).epsilon(1e-12));
    }
  }
  // At k = 0 every node sits at its zero-output price: nothing flows yet.
  CHECK(trace.steps[0].mismatch == 0);
}
