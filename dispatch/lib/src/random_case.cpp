// Seeded random dispatch cases (see random_case.hpp).
#include <watt/ed/random_case.hpp>

#include <random>
#include <string>

namespace watt::ed {
namespace {

// Uniform in [lo, hi) from the engine's top 53 bits: std::uniform_real_distribution
// is free to differ between standard libraries, the engine's output is not.
double uniform(std::mt19937_64& rng, double lo, double hi) {
  return lo + (hi - lo) * static_cast<double>(rng() >> 11) * 0x1.0p-53;
}

// Appended rather than "G" + std::to_string(i): GCC 12 warns (-Wrestrict) on
// that operator+ when it is inlined, a known false positive.
std::string node_id(char prefix, std::size_t i) {
  std::string id(1, prefix);
  id += std::to_string(i);
  return id;
}

}  // namespace

std::vector<NodeParams> random_case(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<NodeParams> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    NodeParams p;
    // The draws stay in this order: the unit tests' cases depend on it.
    if (i % 5 < 2) {
      p.id = node_id('G', i);
      p.role = Role::generator;
      p.a = uniform(rng, 0.015, 0.04);
      p.b = uniform(rng, 2.0, 9.0);
      p.c = uniform(rng, 5.0, 15.0);
      p.pmax = uniform(rng, 80, 160);
    } else {
      p.id = node_id('C', i);
      p.role = Role::consumer;
      p.w = uniform(rng, 7.0, 14.0);
      p.s = uniform(rng, 0.035, 0.065);
      p.pmax = uniform(rng, 40, 100);
      if (i % 3 == 0) p.demand = uniform(rng, 0, 10);
    }
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace watt::ed
