// CURVE key pairs for TCP: made, read and written as small files. The secret
// half is never logged or printed by anything in Watt.
#pragma once

#include <watt/export.hpp>

#include <filesystem>
#include <string>

namespace watt {

struct KeyPair {
  std::string public_key;  // Z85, 40 characters
  std::string secret_key;  // Z85, 40 characters
};

WATT_EXPORT KeyPair make_key_pair();

// A key file is two lines, "public: <z85>" and "secret: <z85>", mode 0600.
// Throws watt::Error naming the file when it cannot be read or is malformed.
WATT_EXPORT KeyPair read_key_file(const std::filesystem::path& file);
// Refuses to overwrite an existing file.
WATT_EXPORT void write_key_file(const std::filesystem::path& file, const KeyPair& keys);

}  // namespace watt
