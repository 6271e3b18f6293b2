// A DER model file (docs/der.md): accepted, or refused with ModelError saying
// what is wrong; nothing else escapes. An accepted model steps from its
// initial state without throwing, and its outputs include its power.
#include "fuzz.hpp"

#include <watt/der/model_file.hpp>

#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(watt::fuzz::text(data, size));
  try {
    const auto set = watt::der::parse_models(text, "fuzz.yml");
    WATT_FUZZ_CHECK(set.step_h > 0);
    for (const auto& m : set.models) {
      std::vector<double> x;
      for (const auto& s : m.states) x.push_back(s.initial);
      const auto r =
          watt::der::step(m, x, std::vector<double>(m.controls.size(), 0), std::vector<double>(m.switches.size(), 0),
                          std::vector<double>(m.inputs.size(), 0));
      WATT_FUZZ_CHECK(r.next.size() == m.states.size());
      WATT_FUZZ_CHECK(r.outputs.size() == m.outputs.size());
      (void)m.power();
    }
  } catch (const watt::der::ModelError& e) {
    WATT_FUZZ_CHECK(*e.what() != '\0');
  }
  return 0;
}
