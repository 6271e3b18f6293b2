// The fake driver and its waveforms: starting values, sine/ramp/constant at
// known times, writes that override and reverts that undo them.
#include "config_error.hpp"
#include "fake_driver.hpp"
#include "waveform.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <string>

using namespace watt::driver;

TEST_CASE("waveforms: sine, ramp and constant at known times") {
  std::string error;
  const auto sine = parse_waveform("sine(60, 10, 100)", error);
  REQUIRE(sine);
  CHECK(sine->at(0) == doctest::Approx(100));
  CHECK(sine->at(15) == doctest::Approx(110));
  CHECK(sine->at(45) == doctest::Approx(90));
  const auto ramp = parse_waveform("RAMP(10, 0, 5)", error);
  REQUIRE(ramp);
  CHECK(ramp->at(0) == doctest::Approx(0));
  CHECK(ramp->at(4) == doctest::Approx(2));
  CHECK(ramp->at(14) == doctest::Approx(2));  // periodic
  const auto constant = parse_waveform(" constant(3.5) ", error);
  REQUIRE(constant);
  CHECK(constant->at(1e9) == 3.5);
  CHECK_FALSE(parse_waveform("", error));
  CHECK(error.empty());
}

TEST_CASE("waveforms: malformed ones are refused with the reason") {
  std::string error;
  CHECK_FALSE(parse_waveform("square(1, 2, 3)", error));
  CHECK(error.find("unknown waveform 'square'") != std::string::npos);
  error.clear();
  CHECK_FALSE(parse_waveform("sine(1, 2)", error));
  CHECK(error.find("sine takes 3 numbers") != std::string::npos);
  error.clear();
  CHECK_FALSE(parse_waveform("sine(0, 2, 3)", error));
  CHECK(error.find("period must be above zero") != std::string::npos);
  error.clear();
  CHECK_FALSE(parse_waveform("ramp(1, x, 3)", error));
  CHECK(error.find("'x' is not a number") != std::string::npos);
  error.clear();
  CHECK_FALSE(parse_waveform("sine", error));
  CHECK(error.find("must look like") != std::string::npos);
}

TEST_CASE("fake driver: points from the registry, waveforms, set and revert") {
  double now = 15;
  FakeDriver d([&] { return now; });
  const auto reg = parse_registry(
      "Point Name,Writable,Starting Value,Type,Waveform\n"
      "setpoint,TRUE,21.5,float,\n"
      "power,FALSE,,float,\"sine(60, 10, 100)\"\n"
      "count,TRUE,3,int,\"ramp(10, 0, 9)\"\n"
      "on,TRUE,TRUE,bool,\n",
      "fake.csv");
  d.configure(YAML::Node(), reg);
  auto all = d.scrape_all();
  REQUIRE(all.ok());
  CHECK(all->at("setpoint") == 21.5);
  CHECK(all->at("power") == doctest::Approx(110));
  CHECK(all->at("count") == 5);  // ramp at 15 s: half of 0..9 = 4.5, rounded for an int point
  CHECK(all->at("on") == 1);
  now = 45;
  CHECK(*d.get_point("power") == doctest::Approx(90));
  CHECK(*d.set_point("setpoint", 19) == 19);
  CHECK(*d.set_point("count", 7) == 7);
  now = 47;
  CHECK(*d.get_point("count") == 7);     // a write holds against the waveform
  CHECK(*d.revert_point("count") == 6);  // back on the ramp: 0.7 of 0..9 = 6.3
  CHECK(*d.get_point("setpoint") == 19);
  CHECK(d.revert_device().ok());
  CHECK(*d.get_point("setpoint") == 21.5);
  CHECK_FALSE(d.get_point("nothing").ok());
  CHECK(d.get_point("nothing").error().message == "no point 'nothing'");
}

TEST_CASE("fake driver: a bad waveform is refused with the registry row, settings are refused") {
  FakeDriver d;
  const auto reg = parse_registry("Point Name,Writable,Waveform\na,FALSE,\nb,FALSE,saw(1)\n", "w.csv");
  try {
    d.configure(YAML::Node(), reg);
    FAIL("accepted");
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()).starts_with("w.csv row 3: Waveform 'saw(1)': unknown waveform 'saw'"));
  }
  const auto ok = parse_registry("Point Name,Writable\na,FALSE\n", "ok.csv");
  CHECK_THROWS_AS(d.configure(YAML::Load("{host: x}"), ok), ConfigError);
}
