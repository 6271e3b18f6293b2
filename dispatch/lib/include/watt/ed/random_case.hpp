// Seeded random dispatch cases of any size, for the benchmark, the tests and
// users who want a large run without writing a thousand nodes by hand.
#pragma once

#include <watt/ed/model.hpp>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace watt::ed {

// `n` nodes in the parameter ranges of the 16-node case (examples/ed16): two
// generators in every five (G<i>), the rest consumers (C<i>), every third of
// which has a fixed local demand of up to 10 kW. Always feasible: each run of
// five nodes starts with two generators able to give at least 160 kW against
// at most 30 kW of fixed demand, and node 0 is a generator. The same seed
// gives the same case on every platform (raw std::mt19937_64 output only).
std::vector<NodeParams> random_case(std::size_t n, std::uint64_t seed);

}  // namespace watt::ed
