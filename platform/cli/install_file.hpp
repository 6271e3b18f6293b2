// `watt install --from FILE`: many agents in one YAML file (docs/operations.md,
// "Installing many agents"). Paths in it are relative to the file's folder.
#pragma once

#include <watt/platform/control_types.hpp>

#include <filesystem>
#include <vector>

namespace watt::cli {

// Throws watt::Error naming the entry and the field at fault.
std::vector<platform::InstallRequest> read_install_file(const std::filesystem::path& file);

}  // namespace watt::cli
