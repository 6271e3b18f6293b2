#include "http_util.hpp"
#include "json_text.hpp"

#include <nlohmann/json.hpp>

namespace watt::web {

void secure_headers(Response& res) {
  res.set(http::field::server, "watt-web");
  res.set("X-Content-Type-Options", "nosniff");
  res.set("X-Frame-Options", "DENY");
  res.set("Referrer-Policy", "no-referrer");
  res.set("Content-Security-Policy",
          "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; "
          "frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
}

Response text_response(const Request& req, http::status status, std::string body, std::string_view content_type) {
  Response res{status, req.version()};
  secure_headers(res);
  res.set(http::field::content_type, std::string(content_type));
  res.set(http::field::cache_control, "no-store");
  res.keep_alive(req.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

Response json_response(const Request& req, http::status status, std::string json) {
  return text_response(req, status, std::move(json), "application/json");
}

Response error_response(const Request& req, http::status status, const std::string& message) {
  return json_response(req, status, json_text(nlohmann::json{{"error", message}}));
}

std::shared_ptr<const Request> head_of(const Request& req) {
  auto head = std::make_shared<Request>();
  head->version(req.version());
  head->keep_alive(req.keep_alive());
  return head;
}

std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

bool url_decode(std::string_view in, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '+') {
      out += ' ';
    } else if (in[i] == '%') {
      if (i + 2 >= in.size()) return false;
      const auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
      };
      const int hi = hex(in[i + 1]), lo = hex(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += in[i];
    }
  }
  return true;
}

std::vector<std::string> query_values(std::string_view target, std::string_view key) {
  std::vector<std::string> out;
  const auto q = target.find('?');
  if (q == std::string_view::npos) return out;
  auto rest = target.substr(q + 1);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const auto pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    const auto eq = pair.find('=');
    std::string k, v;
    if (!url_decode(pair.substr(0, eq), k) || k != key) continue;
    if (eq != std::string_view::npos && url_decode(pair.substr(eq + 1), v)) out.push_back(std::move(v));
  }
  return out;
}

std::string query_value(std::string_view target, std::string_view key, std::string fallback) {
  auto all = query_values(target, key);
  return all.empty() ? std::move(fallback) : std::move(all.front());
}

std::string cookie(const Request& req, std::string_view name) {
  const auto it = req.find(http::field::cookie);
  if (it == req.end()) return {};
  std::string_view rest = sv(it->value());
  while (!rest.empty()) {
    const auto semi = rest.find(';');
    auto item = rest.substr(0, semi);
    rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    const auto eq = item.find('=');
    if (eq != std::string_view::npos && item.substr(0, eq) == name) return std::string(item.substr(eq + 1));
  }
  return {};
}

}  // namespace watt::web
