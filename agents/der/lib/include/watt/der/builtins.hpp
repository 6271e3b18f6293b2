// The built-in DER models (docs/der.md, Built-in models), each a DerModel
// made from a few physical parameters and the step length: seed 004's
// appliances (fridge (1), thermal zone with AC and heater (4)-(7), water
// heater (8), washing machine and other run-scheduled appliances (9)-(16),
// battery (17)-(18), PV (22)-(25)) and seed 001's EV charger and
// dispatchable generator (the waste-to-energy plant).
#pragma once

#include <watt/der/der_model.hpp>

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

namespace watt::der {

// The kinds there are, for messages.
const std::vector<std::string>& builtin_kinds();

// Makes model `name` of a built-in `kind` from its parameters (a YAML map;
// unknown or bad parameters throw ModelError naming the model and field).
// `step_h` is the step length in hours.
DerModel builtin(const std::string& kind, const std::string& name, const YAML::Node& params, double step_h);

}  // namespace watt::der
