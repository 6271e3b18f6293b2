// JSON text that never throws: what the server writes may hold bytes from a
// request or a log that are not UTF-8, and nlohmann::json refuses those by
// default — from inside an Asio handler, that would end the io thread. They
// are written as U+FFFD instead.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace watt::web {

inline std::string json_text(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace watt::web
