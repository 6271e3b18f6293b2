// The simulated days seed 004's energy hub runs on (examples/energy-hub,
// docs/der.md, The hub's days): time-of-use prices, outdoor temperature, PV
// output, hot-water and fridge use, per step from midnight. The paper
// prints no series; these are ours, in the ranges its figures show.
#pragma once

#include <watt/der/mpc.hpp>

namespace watt::der {

struct HubDays {
  double step_h = 0.5;
  double pv_peak_kw = 3;
  double outdoor_mean_c = 22, outdoor_swing_c = 8;  // a summer day: 14 C at 03:00, 30 C at 15:00
  // Time of use, cents per kWh: night (0-7 h), day (7-17 h), peak (17-21 h), evening (21-24 h).
  double night = 10, day = 20, peak = 35, evening = 20;
};

Forecasts hub_forecasts(int steps, const HubDays& d = {});

}  // namespace watt::der
