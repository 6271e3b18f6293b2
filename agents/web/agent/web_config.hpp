// The web agent's `config` (docs/web.md, Configuration): where it listens,
// where its pages are, and its limits. Every key is checked; an unknown one
// is refused, naming it.
#pragma once

#include <watt/web/server.hpp>

#include <yaml-cpp/yaml.h>

namespace watt::web {

// Throws watt::Error naming the key at fault. `home` is $WATT_HOME.
ServerOptions read_web_config(const YAML::Node& config, const std::filesystem::path& home);

// Where the pages are when `pages` is not set: the source tree's, for a
// build run in place, else the installed ones.
std::filesystem::path default_pages();

}  // namespace watt::web
