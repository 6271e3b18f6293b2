// The simulated day a microgrid operator runs (examples/microgrids,
// docs/der.md, The microgrids' day): its PV output, building load, outdoor
// temperature and EV plug-in hours, as the day-ahead forecast (per
// interval), as the hour-ahead one (the interval's mean of what really
// happens, known when the real-time market opens) and as what really
// happens (per epoch). Seed 001 prints no series; these are ours, for a
// tropical business park like its Punggol study area, and said so.
//
// Series: pv_kw, load_kw, outdoor_c, ev_plugged (1 while the cars are
// plugged in), ev_min_kwh (what the cars must hold at the start of an
// interval: their need once they leave). Each has one interval more than
// the day (the next midnight's): a plan bounds its states at the end of
// its last step.
#pragma once

#include <watt/der/mpc.hpp>

namespace watt::der {

struct MicrogridDay {
  int intervals = 48, epochs = 4;          // per day; per interval
  double pv_peak_kw = 0;                   // at noon, on a clear day
  double load_kw = 100, load_swing = 0.4;  // mean; office hours above it by this fraction
  double outdoor_mean_c = 29, outdoor_swing_c = 3;
  int ev_arrive = 16, ev_leave = 36;  // intervals (08:00, 18:00)
  double ev_need_kwh = 0;
  // What really happens differs from the forecast: by interval (a cloud
  // that stays, a meeting that runs over) and by epoch, as fractions of
  // the forecast (the outdoor temperature in degrees).
  unsigned seed = 1;
  double pv_error = 0.25, load_error = 0.08, epoch_error = 0.1, outdoor_error_c = 0.8;
};

struct DaySeries {
  int intervals = 0;     // in the day; each series has one more
  Forecasts day_ahead;   // per interval
  Forecasts hour_ahead;  // per interval: the mean of each interval's epochs
  Forecasts actual;      // per epoch
};

// Throws ModelError for numbers out of range, naming the field.
DaySeries microgrid_day(const MicrogridDay& d);

// A per-interval series at epoch resolution: each value `epochs` times.
std::vector<double> per_epoch(const std::vector<double>& per_interval, int epochs);

}  // namespace watt::der
