// The front end's files: plain files under the pages folder, no build step.
// Only simple names are served (letters, digits, '.', '_', '-', '/'), never
// a '..', so no request reaches outside the folder.
#include "router.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace watt::web {

namespace {

std::string_view content_type(const std::string& path) {
  const auto dot = path.rfind('.');
  const auto ext = dot == std::string::npos ? std::string{} : path.substr(dot + 1);
  if (ext == "html") return "text/html; charset=utf-8";
  if (ext == "js") return "text/javascript; charset=utf-8";
  if (ext == "css") return "text/css; charset=utf-8";
  if (ext == "svg") return "image/svg+xml";
  if (ext == "png") return "image/png";
  if (ext == "json") return "application/json";
  if (ext == "ico") return "image/x-icon";
  return "application/octet-stream";
}

bool simple(std::string_view path) {
  if (path.find("..") != std::string_view::npos || path.find("//") != std::string_view::npos) return false;
  return std::all_of(path.begin(), path.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' || c == '/';
  });
}

}  // namespace

Response static_file(const Context& ctx, const Request& req) {
  std::string path(path_of(target_of(req)));
  if (path == "/" || path.empty()) path = "/index.html";
  if (!simple(path)) return error_response(req, http::status::bad_request, "bad path");
  std::ifstream in(ctx.options.pages / path.substr(1), std::ios::binary);
  if (!in) return error_response(req, http::status::not_found, "no such page: " + path);
  std::ostringstream body;
  body << in.rdbuf();
  auto res = text_response(req, http::status::ok, body.str(), content_type(path));
  // Vendored modules never change under one name; the pages may, with the agent.
  res.set(http::field::cache_control, path.rfind("/vendor/", 0) == 0 ? "max-age=86400" : "no-cache");
  return res;
}

}  // namespace watt::web
