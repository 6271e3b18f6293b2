// Economic dispatch tests: the cases they share — the 16-node case of
// examples/ed16 and a seeded random 100-node case — and the run checks.
#pragma once

#include "core/central.hpp"
#include "core/model.hpp"
#include "core/simulate.hpp"
#include "run_config.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

namespace ed_test {

using namespace watt::ed;

inline std::string ed16_path() {
  return (std::filesystem::path(__FILE__).parent_path() / ".." / ".." / "examples" / "ed16" / "ed16.yml").string();
}

inline std::vector<NodeParams> ed16() { return load_run_file(ed16_path()).nodes; }

inline std::vector<std::string> ids_of(const std::vector<NodeParams>& nodes) {
  std::vector<std::string> ids;
  for (const auto& n : nodes) ids.push_back(n.id);
  return ids;
}

// Uniform in [lo, hi) from raw engine output, the same on every platform.
inline double uniform(std::mt19937_64& rng, double lo, double hi) {
  return lo + (hi - lo) * static_cast<double>(rng() >> 11) * 0x1.0p-53;
}

// 40 generators and 60 consumers in the ranges of the 16-node case, some
// consumers with a fixed local demand; feasible by construction (the
// generators can cover ten times the fixed demand).
inline std::vector<NodeParams> random100(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<NodeParams> out;
  for (int i = 0; i < 100; ++i) {
    NodeParams p;
    if (i % 5 < 2) {
      p.id = "G" + std::to_string(i);
      p.role = Role::generator;
      p.a = uniform(rng, 0.015, 0.04);
      p.b = uniform(rng, 2.0, 9.0);
      p.c = uniform(rng, 5.0, 15.0);
      p.pmax = uniform(rng, 80, 160);
    } else {
      p.id = "C" + std::to_string(i);
      p.role = Role::consumer;
      p.w = uniform(rng, 7.0, 14.0);
      p.s = uniform(rng, 0.035, 0.065);
      p.pmax = uniform(rng, 40, 100);
      if (i % 3 == 0) p.demand = uniform(rng, 0, 10);
    }
    out.push_back(p);
  }
  return out;
}

// At every recorded iteration: Σy = load − generation to 1e-9 relative, and
// every set-point within [0, upper bound].
inline void check_invariant_and_bounds(const std::vector<NodeParams>& nodes, const SimTrace& trace) {
  std::size_t bad_sum = 0, bad_bound = 0;
  for (const auto& s : trace.steps) {
    double sum_y = 0, gen = 0, load = 0;
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      sum_y += s.y[i];
      (nodes[i].role == Role::generator ? gen : load) += s.p[i];
      load += nodes[i].demand;
      if (s.p[i] < 0 || s.p[i] > upper_bound(nodes[i])) ++bad_bound;
    }
    if (std::abs(sum_y - (load - gen)) > 1e-9 * std::max({1.0, load, gen})) ++bad_sum;
    if (std::abs(s.mismatch - (gen - load)) > 1e-9 * std::max({1.0, load, gen})) ++bad_sum;
  }
  CHECK(bad_sum == 0);
  CHECK(bad_bound == 0);
}

// Every node's final λ within 1e-3 of λ*, the network balanced within 0.1 kW.
inline void check_matches_central(const std::vector<NodeParams>& nodes, const SimTrace& trace) {
  const auto central = solve_central(nodes);
  REQUIRE(trace.final.size() == nodes.size());
  double mismatch = 0, worst = 0;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    worst = std::max(worst, std::abs(trace.final[i].lambda - central.lambda));
    mismatch += injection(nodes[i], trace.final[i].p) - nodes[i].demand;
  }
  CHECK(worst < 1e-3);
  CHECK(std::abs(mismatch) < 0.1);
}

}  // namespace ed_test
