// Economic dispatch tests: the cases they share — the 16-node case of
// examples/ed16 and a seeded random 100-node case — and the run checks.
#pragma once

#include <watt/ed/central.hpp>
#include <watt/ed/model.hpp>
#include <watt/ed/random_case.hpp>
#include <watt/ed/run_config.hpp>
#include <watt/ed/simulate.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace ed_test {

using namespace watt::ed;

inline std::string ed16_path() {
  return (std::filesystem::path(WATT_TEST_SOURCE_DIR) / "examples" / "ed16" / "ed16.yml").string();
}

inline std::vector<NodeParams> ed16() { return load_run_file(ed16_path()).nodes; }

inline std::vector<std::string> ids_of(const std::vector<NodeParams>& nodes) {
  std::vector<std::string> ids;
  for (const auto& n : nodes) ids.push_back(n.id);
  return ids;
}

// The seeded random 100-node case: 40 generators and 60 consumers in the
// ranges of the 16-node case (watt::ed::random_case, shared with the benchmark).
inline std::vector<NodeParams> random100(std::uint64_t seed) { return random_case(100, seed); }

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
