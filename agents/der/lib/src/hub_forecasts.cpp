#include <watt/der/hub_forecasts.hpp>

#include <cmath>
#include <numbers>

namespace watt::der {

Forecasts hub_forecasts(int steps, const HubDays& d) {
  Forecasts f;
  const double pi = std::numbers::pi;
  for (int t = 0; t < steps; ++t) {
    const double h = std::fmod(t * d.step_h, 24);
    f["price"].push_back(h < 7 ? d.night : h < 17 ? d.day : h < 21 ? d.peak : d.evening);
    f["outdoor_c"].push_back(d.outdoor_mean_c + d.outdoor_swing_c * std::sin(2 * pi * (h - 9) / 24));
    f["pv_kw"].push_back(h > 6 && h < 18 ? d.pv_peak_kw * std::sin(pi * (h - 6) / 12) : 0);
    // Showers in the morning and the evening; the fridge opened by day.
    f["hot_water_l_per_h"].push_back((h >= 7 && h < 8) || (h >= 19 && h < 20) ? 40 : 2);
    f["fridge_use"].push_back(h >= 7 && h < 22 ? 0.5 : 0.1);
  }
  return f;
}

}  // namespace watt::der
