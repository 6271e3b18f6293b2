// A device's registry CSV as the platform driver reads it: any text is either
// a registry or refused with ConfigError naming the row; nothing else escapes.
#include "fuzz.hpp"

#include "config_error.hpp"
#include "registry.hpp"

#include <set>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const auto registry = watt::driver::parse_registry(watt::fuzz::text(data, size), "fuzz.csv");
    std::set<std::string> names;
    for (const auto& p : registry.points) {
      WATT_FUZZ_CHECK(!p.name.empty());
      WATT_FUZZ_CHECK(names.insert(p.name).second);  // point names are unique
      WATT_FUZZ_CHECK(registry.find(p.name) == &p);
    }
  } catch (const watt::driver::ConfigError& e) {
    WATT_FUZZ_CHECK(std::string_view(e.what()).find("fuzz.csv") != std::string_view::npos);
  }
  return 0;
}
