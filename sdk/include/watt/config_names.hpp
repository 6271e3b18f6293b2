// How configurations are named, and which ones are raw files: the contract
// between the platform's config store and every agent.
#pragma once

#include <watt/export.hpp>

#include <string>
#include <string_view>

namespace watt {

// Why a configuration name is refused, or empty: 1–128 characters of
// letters, digits and . _ - /
WATT_EXPORT std::string config_name_error(std::string_view name);

// Raw files (names ending in .csv or .txt) reach on_config as one YAML scalar
// holding the text; everything else must parse as YAML (JSON included).
WATT_EXPORT bool is_raw_config(std::string_view name);

}  // namespace watt
