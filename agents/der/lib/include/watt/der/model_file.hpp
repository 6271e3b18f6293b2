// A file of DER models (docs/der.md, Model files): the step length and the
// models, each a built-in kind with its parameters or an explicit
// state-space model.
//
//   step_minutes: 30
//   models:
//     - {name: fridge, kind: fridge, power_kw: 0.45, min_c: 3, max_c: 8}
//     - name: cellar
//       kind: state_space
//       states:
//         temperature: {initial: 12, min: 8, max: 16,
//                       next: {states: {temperature: 0.98}, switches: {fan: -0.5}, inputs: {outdoor_c: 0.02}}}
//       switches: {fan: {switching_weight: 0.01}}
//       inputs: [outdoor_c]
//       outputs:
//         power: {switches: {fan: 0.2}}
#pragma once

#include <watt/der/der_model.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace watt::der {

struct ModelSet {
  double step_h = 0.5;
  std::vector<DerModel> models;
};

// Throws ModelError naming `source`, the model and the field.
ModelSet parse_models(std::string_view yaml, const std::string& source);
ModelSet load_models(const std::string& file);

}  // namespace watt::der
