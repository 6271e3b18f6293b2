// The prediction engine's methods on synthetic series whose answer is known.
#include <watt/org/forecast.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>

using namespace watt::org;

namespace {

// A daily cycle on a slow rise, with noise: what a load looks like.
History seasonal(std::size_t days, double noise, std::uint64_t seed = 7) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> n(0, noise);
  History h;
  h.start_s = 1'700'000'000;
  for (std::size_t i = 0; i < days * 24; ++i)
    h.values.push_back(100 + 0.05 * static_cast<double>(i) +
                       30 * std::sin(2 * M_PI * static_cast<double>(i % 24) / 24) + n(rng));
  return h;
}

}  // namespace

TEST_CASE("forecast: Holt-Winters beats persistence on a noisy seasonal series, by backtest") {
  const auto h = seasonal(14, 3);
  const auto hw = forecast(h, Method::holt_winters);
  const auto naive = forecast(h, Method::persistence);
  const auto day = forecast(h, Method::seasonal_day);
  REQUIRE(hw.backtest_points == 72);
  CHECK(hw.mae < naive.mae / 3);
  CHECK(hw.mae < day.mae);
  CHECK(hw.mape < naive.mape);
  CHECK(hw.values.size() == 24);
  CHECK(hw.start_s == h.start_s + 14 * 24 * 3600);
  // The next day's peak (hour 6 of the cycle) is forecast within the noise.
  CHECK(hw.values[6] == doctest::Approx(100 + 0.05 * (14 * 24 + 6) + 30).epsilon(0.05));
  const auto best = best_forecast(h);
  CHECK(best.method == Method::holt_winters);
  CHECK(best.notes.back() == "chosen by backtest MAE: holt-winters");
}

TEST_CASE("forecast: a seasonal naive forecast repeats a noiseless day exactly") {
  History h;
  for (int d = 0; d < 8; ++d)
    for (int t = 0; t < 24; ++t) h.values.push_back(10 + t);
  for (Method m : {Method::seasonal_day, Method::seasonal_week}) {
    const auto f = forecast(h, m);
    CHECK(f.mae == doctest::Approx(0));
    for (int t = 0; t < 24; ++t) CHECK(f.values[static_cast<std::size_t>(t)] == 10 + t);
  }
}

TEST_CASE("forecast: gaps are filled and said, short histories fall back and say so") {
  auto h = seasonal(7, 0);
  const double gap = std::numeric_limits<double>::quiet_NaN();
  h.values[30] = gap;                                         // a short gap: interpolated
  for (std::size_t i = 100; i < 110; ++i) h.values[i] = gap;  // a long one: the day before
  h.values.back() = gap;                                      // at the end: the last value
  const auto f = forecast(h, Method::seasonal_day);
  CHECK(f.notes.front() == "filled 12 of 168 values missing");
  for (double v : f.values) CHECK(std::isfinite(v));
  std::vector<double> v = {1, gap, 3, gap, gap, gap, gap};
  CHECK(fill_gaps(v) == 5);
  CHECK(v[1] == doctest::Approx(2));
  CHECK(v[6] == 3);

  History short_one;
  short_one.values = {5, 6, 7};
  const auto s = forecast(short_one, Method::holt_winters);
  CHECK(s.method == Method::persistence);
  CHECK(s.values == std::vector<double>(24, 7));
  CHECK(s.notes.front() == "holt-winters needs 48 values, the history has 3: persistence instead");
  CHECK(s.notes.back() == "too short a history to backtest");
  CHECK(std::isnan(s.mae));
  History none;
  none.values = {gap, gap};
  CHECK_THROWS_AS(forecast(none, Method::persistence), std::invalid_argument);
  CHECK(method_named("holt-winters") == Method::holt_winters);
  CHECK(!method_named("arima"));
}
