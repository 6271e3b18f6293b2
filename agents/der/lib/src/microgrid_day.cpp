#include <watt/der/microgrid_day.hpp>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>

namespace watt::der {
namespace {

// Uniform in [-1, 1] from the raw engine: the same numbers with any
// standard library (its distributions are not specified bit for bit).
struct Noise {
  std::mt19937 engine;
  double operator()() { return static_cast<double>(engine()) / 4294967295.0 * 2 - 1; }
};

void check(bool ok, const char* field) {
  if (!ok) throw ModelError(std::string("microgrid day: '") + field + "' is out of range");
}

}  // namespace

std::vector<double> per_epoch(const std::vector<double>& per_interval, int epochs) {
  std::vector<double> out;
  out.reserve(per_interval.size() * static_cast<std::size_t>(epochs));
  for (double v : per_interval) out.insert(out.end(), static_cast<std::size_t>(epochs), v);
  return out;
}

DaySeries microgrid_day(const MicrogridDay& d) {
  check(d.intervals >= 1 && d.intervals <= 10000, "intervals");
  check(d.epochs >= 1 && d.epochs <= 60, "epochs");
  check(d.pv_peak_kw >= 0, "pv_peak_kw");
  check(d.load_kw >= 0 && d.load_swing >= 0 && d.load_swing <= 1, "load_kw/load_swing");
  check(d.ev_arrive >= 0 && d.ev_arrive <= d.ev_leave && d.ev_need_kwh >= 0 &&
            (d.ev_need_kwh == 0 || d.ev_leave <= d.intervals),
        "ev_arrive/ev_leave/ev_need_kwh");
  check(d.pv_error >= 0 && d.pv_error <= 1 && d.load_error >= 0 && d.load_error <= 1 && d.epoch_error >= 0 &&
            d.epoch_error <= 1 && d.outdoor_error_c >= 0,
        "pv_error/load_error/epoch_error/outdoor_error_c");
  const double step_h = 24.0 / d.intervals;
  DaySeries s;
  s.intervals = d.intervals;
  auto& f = s.day_ahead;
  for (int t = 0; t <= d.intervals; ++t) {
    const double h = std::fmod((t + 0.5) * step_h, 24.0);
    const double sun = std::max(0.0, std::sin(std::numbers::pi * (h - 6.5) / 12.5));  // 06:30 to 19:00
    const bool office = h >= 8 && h < 19;
    f["pv_kw"].push_back(d.pv_peak_kw * sun);
    f["load_kw"].push_back(d.load_kw * (office ? 1 + d.load_swing : 1 - d.load_swing * 0.6));
    f["outdoor_c"].push_back(d.outdoor_mean_c + d.outdoor_swing_c * std::cos(2 * std::numbers::pi * (h - 15) / 24));
    f["ev_plugged"].push_back(t >= d.ev_arrive && t < d.ev_leave ? 1 : 0);
    f["ev_min_kwh"].push_back(t >= d.ev_leave ? d.ev_need_kwh : 0);
  }
  Noise noise{std::mt19937(d.seed)};
  for (const auto& [name, values] : f) {
    auto& actual = s.actual[name];
    auto& hour = s.hour_ahead[name];
    const bool power = name == "pv_kw" || name == "load_kw";
    const double by_interval = name == "pv_kw" ? d.pv_error : d.load_error;
    for (double v : values) {
      double sum = 0;
      const double drift = noise();
      for (int e = 0; e < d.epochs; ++e) {
        double a = v;
        if (power)
          a = std::max(0.0, v * (1 + by_interval * drift + d.epoch_error * noise()));
        else if (name == "outdoor_c")
          a = v + d.outdoor_error_c * (drift + 0.5 * noise());
        actual.push_back(a);
        sum += a;
      }
      hour.push_back(sum / d.epochs);
    }
  }
  return s;
}

}  // namespace watt::der
