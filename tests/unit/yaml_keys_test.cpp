// watt::yaml::key_error: the check every YAML reader makes first.
#include <watt/yaml_keys.hpp>

#include <doctest/doctest.h>

TEST_CASE("a map of known keys passes, and an unknown one is named with the known ones") {
  const std::set<std::string> known = {"port", "host"};
  CHECK(watt::yaml::key_error(YAML::Load("{host: a, port: 1}"), known).empty());
  CHECK(watt::yaml::key_error(YAML::Load("{}"), known).empty());
  CHECK(watt::yaml::key_error(YAML::Load("{host: a, prot: 1}"), known) == "unknown key 'prot' (known: host, port)");
  CHECK(watt::yaml::key_error(YAML::Load("{prot: 1}"), known, "backend.") ==
        "unknown key 'backend.prot' (known: host, port)");
}

TEST_CASE("a list or a map used as a key is refused, not thrown as yaml-cpp's own error") {
  const std::set<std::string> known = {"a"};
  CHECK(watt::yaml::key_error(YAML::Load("{[a]: 1}"), known) == "a key must be text, not a list or a map");
  CHECK(watt::yaml::key_error(YAML::Load("{{a: 1}: 1}"), known) == "a key must be text, not a list or a map");
}
