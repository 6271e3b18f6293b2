// What organizations read from outside: the first byte picks the reader (o an
// organization file, applied to an empty platform; c the experiment's
// settings; h a historian's answer of history blocks, then forecast), the
// rest is the text. Each accepts it or throws its own error with a message;
// nothing else escapes, and a forecast is finite.
#include "fuzz.hpp"

#include <watt/error.hpp>
#include <watt/org/case_file.hpp>
#include <watt/org/forecast.hpp>
#include <watt/org/history_blocks.hpp>
#include <watt/platform/org_tree.hpp>

#include <cmath>
#include <stdexcept>
#include <string>

namespace {

void org_file(const std::string& text) {
  try {
    const auto file = watt::platform::OrgTree::parse(text, "fuzz.yml");
    watt::platform::OrgTree tree;
    tree.apply(file);
    WATT_FUZZ_CHECK(tree.error().empty());
    (void)watt::platform::OrgTree::parse(tree.to_yaml(), "again", false);
  } catch (const watt::Error& e) {
    WATT_FUZZ_CHECK(*e.what() != '\0');
  }
}

void history(const std::string& text) {
  const auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded()) return;
  try {
    const auto h = watt::org::history_from_blocks(json, 24 * 14, 2'000'000'000);
    if (h.values.empty()) return;
    const auto f = watt::org::best_forecast(h, {24, 2});
    for (double v : f.values) WATT_FUZZ_CHECK(std::isfinite(v));
  } catch (const std::invalid_argument& e) {
    WATT_FUZZ_CHECK(*e.what() != '\0');
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string text(watt::fuzz::text(data + 1, size - 1));
  constexpr char readers[] = {'o', 'c', 'h'};
  char reader = readers[data[0] % 3];
  for (const char r : readers)
    if (data[0] == static_cast<std::uint8_t>(r)) reader = r;
  if (reader == 'o') {
    org_file(text);
  } else if (reader == 'c') {
    try {
      (void)watt::org::read_choices(text, "fuzz.yml");
    } catch (const std::invalid_argument& e) {
      WATT_FUZZ_CHECK(*e.what() != '\0');
    }
  } else {
    history(text);
  }
  return 0;
}
