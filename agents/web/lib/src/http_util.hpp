// Small pieces every handler uses: responses with the headers every answer
// carries, the query string, cookies.
#pragma once

#include <boost/beast/http.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace watt::web {

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

Response text_response(const Request& req, http::status status, std::string body, std::string_view content_type);
Response json_response(const Request& req, http::status status, std::string json);
// {"error": message}
Response error_response(const Request& req, http::status status, const std::string& message);
// What an answer given later needs of its request (HTTP version and
// keep-alive), without its body.
std::shared_ptr<const Request> head_of(const Request& req);
// Headers every answer carries: no sniffing, no framing, a strict
// content security policy, no referrer.
void secure_headers(Response& res);

// Beast's string_view (Boost 1.74's) as the standard one.
inline std::string_view sv(boost::beast::string_view s) { return {s.data(), s.size()}; }
inline std::string_view target_of(const Request& req) { return sv(req.target()); }

// The target's path, without its query string.
std::string_view path_of(std::string_view target);
// The values of `key` in the query string, %-decoded ('+' is a space).
std::vector<std::string> query_values(std::string_view target, std::string_view key);
std::string query_value(std::string_view target, std::string_view key, std::string fallback = {});
// %-decodes; false for a bad escape.
bool url_decode(std::string_view in, std::string& out);
// The value of one cookie, or empty.
std::string cookie(const Request& req, std::string_view name);

}  // namespace watt::web
