// The YAML files an operator writes, as each reader takes them: the first
// byte picks the reader (r run file, d device, p platform config.yml, b serial
// bridge, h historian), the rest is the text. Every reader either accepts it or
// throws its own error type, with a message; no other exception escapes.
#include "fuzz.hpp"

#include <watt/ed/error.hpp>
#include <watt/ed/run_config.hpp>
#include "bridge_config.hpp"
#include "device_config.hpp"
#include "historian_config.hpp"
#include "wattd/platform_config.hpp"

#include <watt/error.hpp>

#include <yaml-cpp/yaml.h>

#include <string>

namespace {

void read_as(char reader, const YAML::Node& root) {
  switch (reader) {
    case 'r': (void)watt::ed::parse_run_config(root); break;
    case 'd': (void)watt::driver::parse_device_config("devices/fuzz", root); break;
    case 'p': (void)watt::platform::parse_platform_config(root, "config.yml"); break;
    case 'b': (void)watt::serial::parse_bridge_config(root); break;
    default: (void)watt::historian::parse_historian_config(root, "historian", "/nonexistent/watt-home"); break;
  }
}

char reader_of(std::uint8_t b) {
  constexpr char readers[] = {'r', 'd', 'p', 'b', 'h'};
  for (const char r : readers)
    if (b == static_cast<std::uint8_t>(r)) return r;
  return readers[b % 5];
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const char reader = reader_of(data[0]);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(watt::fuzz::text(data + 1, size - 1)));
  } catch (const YAML::Exception&) {
    return 0;  // not YAML: each reader's file loader reports the parser's message
  }
  try {
    read_as(reader, root);
  } catch (const watt::Error& e) {
    WATT_FUZZ_CHECK(*e.what() != '\0');
  } catch (const watt::ed::Error& e) {
    WATT_FUZZ_CHECK(*e.what() != '\0');
  }
  return 0;
}
