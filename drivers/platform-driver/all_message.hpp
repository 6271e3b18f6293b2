// The body of devices/<campus>/<building>/<device>/all in VOLTTRON's two-map
// shape: [{point: value}, {point: {units, type, tz}}], values typed by the
// registry; and of one point's devices/<campus>/<building>/<device>/<point>:
// [value, {units, type, tz}].
#pragma once

#include "driver.hpp"
#include "registry.hpp"

#include <watt/value.hpp>

namespace watt::driver {

Value all_message(const Registry& registry, const Readings& readings, const std::string& timezone);
Value point_message(const Point& point, double value, const std::string& timezone);
// One value as the registry's Type says: bool, integer or float.
Value typed_value(PointType type, double v);
// {point: value} for the points of `readings` that the registry knows.
Value readings_map(const Registry& registry, const Readings& readings);

}  // namespace watt::driver
