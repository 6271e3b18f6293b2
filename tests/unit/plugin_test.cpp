// Loading agent libraries: the good, the wrong ABI, the missing symbol and
// the throwing constructor.
#include "platform.hpp"

#include <watt/host.hpp>

#include <doctest/doctest.h>

using watt::AgentLibrary;
using watt::test::fixture_dir;

TEST_CASE("a well-formed agent library loads and names its class") {
  AgentLibrary lib((fixture_dir() / "libfixture_good_agent.so").string());
  CHECK(lib.class_name() == "GoodAgent");
}

TEST_CASE("a library for another ABI is refused before anything else in it runs") {
  CHECK_THROWS_WITH_AS(AgentLibrary((fixture_dir() / "libfixture_wrong_abi.so").string()),
                       doctest::Contains("built for agent ABI 999"), watt::Error);
}

TEST_CASE("a library without the entry points is refused with the symbol it lacks") {
  CHECK_THROWS_WITH_AS(AgentLibrary((fixture_dir() / "libfixture_no_symbol.so").string()),
                       doctest::Contains("no watt_agent_abi_version"), watt::Error);
}

TEST_CASE("a file that is no library at all is refused") {
  CHECK_THROWS_WITH_AS(AgentLibrary("/etc/hostname"), doctest::Contains("cannot load agent library"), watt::Error);
  CHECK_THROWS_AS(AgentLibrary("/nonexistent/lib.so"), watt::Error);
}

TEST_CASE("a throwing constructor is reported with its message, and nothing crashes") {
  AgentLibrary lib((fixture_dir() / "libfixture_throwing_agent.so").string());
  watt::HostOptions o;
  o.identity = "thrower";
  o.address = "ipc:///tmp/watt-unused.sock";
  watt::AgentHost host(o);
  CHECK_THROWS_WITH_AS(host.load(lib), doctest::Contains("boom: no device at /dev/ttyUSB9"), watt::Error);
}

TEST_CASE("an Agent made outside a host says how agents are made") {
  struct Stray : watt::Agent {};
  CHECK_THROWS_WITH_AS(Stray(), doctest::Contains("can only be created by a host"), watt::Error);
}
