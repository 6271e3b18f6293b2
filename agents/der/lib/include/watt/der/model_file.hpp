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

// Throws ModelError naming `source`, the model and the field. A step_h
// above 0 overrides the file's step_minutes: the built-ins are made for
// that step (a microgrid operator plans half-hours and runs 7.5-minute
// epochs of the same models); run constraints still count steps.
ModelSet parse_models(std::string_view yaml, const std::string& source, double step_h = 0);
ModelSet load_models(const std::string& file, double step_h = 0);

}  // namespace watt::der
