// What `watt install` (and a --from file's `library`) names: a library or a
// folder holding one, or the name of an agent that comes with Watt
// (`watt install mqtt-bridge -i mqtt`), found next to the watt program: in
// an installed tree (lib/<arch>/watt/agents/lib<name>.so) or a build tree
// (lib/lib<name>.so).
#pragma once

#include <filesystem>
#include <string>

namespace watt::cli {

// The absolute path to install from. `base` is the folder a relative path is
// taken from. Throws watt::Error naming what was looked for, and listing the
// bundled agents when a name matched none.
std::filesystem::path agent_source(const std::string& name, const std::filesystem::path& base);

}  // namespace watt::cli
