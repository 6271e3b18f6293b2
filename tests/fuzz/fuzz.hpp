// What every fuzz target shares: the libFuzzer entry point, and a check that
// stops the run (as a crash, so the fuzzer keeps the input) when an invariant
// of the code under test does not hold.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace watt::fuzz {

[[noreturn]] inline void fail(const char* what, const char* file, int line) {
  std::fprintf(stderr, "%s:%d: invariant broken: %s\n", file, line, what);
  std::abort();
}

inline std::string_view text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace watt::fuzz

#define WATT_FUZZ_CHECK(cond)                                   \
  do {                                                          \
    if (!(cond)) ::watt::fuzz::fail(#cond, __FILE__, __LINE__); \
  } while (false)
