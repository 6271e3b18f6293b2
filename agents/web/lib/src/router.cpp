#include "router.hpp"
#include "json_text.hpp"

#include <nlohmann/json.hpp>

namespace watt::web {

namespace {

http::status status_of(const std::string& code) {
  if (code == "unauthorized") return http::status::forbidden;
  if (code == "unknown_peer" || code == "unknown_method") return http::status::not_found;
  if (code == "timeout") return http::status::gateway_timeout;
  if (code == "bad_args") return http::status::bad_request;
  if (code == "handler_threw") return http::status::unprocessable_entity;  // the callee refused: its words
  return http::status::bad_gateway;
}

}  // namespace

std::vector<std::string> segments_after(std::string_view path, std::string_view prefix) {
  if (path.substr(0, prefix.size()) != prefix) return {};
  std::vector<std::string> out;
  auto rest = path.substr(prefix.size());
  while (!rest.empty()) {
    const auto slash = rest.find('/');
    std::string seg;
    if (!url_decode(rest.substr(0, slash), seg)) return {};
    out.push_back(std::move(seg));
    rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
  }
  return out;
}

void call_and_answer(const std::shared_ptr<Context>& ctx, const Request& req, const std::string& peer,
                     const std::string& method, const std::string& args_json, Respond respond,
                     std::function<std::string(const std::string&)> shape) {
  auto head = head_of(req);
  ctx->backend.call(
      peer, method, args_json, std::chrono::milliseconds(10000),
      [head, respond = std::move(respond), shape = std::move(shape)](CallResult r) {
        if (!r.ok) {
          auto res = json_response(*head, status_of(r.code),
                                   json_text(nlohmann::json{{"error", r.message}, {"code", r.code}}));
          respond(std::move(res));
          return;
        }
        try {
          respond(json_response(*head, http::status::ok, shape ? shape(r.json) : r.json));
        } catch (const std::exception& e) {
          respond(error_response(*head, http::status::bad_gateway, std::string("cannot read the answer: ") + e.what()));
        }
      });
}

void route(const std::shared_ptr<Context>& ctx, const Request& req, const std::string& remote, Respond respond) {
  ++ctx->stats.requests;
  const auto path = path_of(target_of(req));
  const auto method = req.method();
  if (!host_allowed(*ctx, req))
    return respond(error_response(req, http::status::misdirected_request, "this server does not answer for that host"));
  if (path.substr(0, 5) != "/api/") {
    if (method != http::verb::get)
      return respond(error_response(req, http::status::method_not_allowed, "only GET here"));
    return respond(static_file(*ctx, req));
  }
  const bool changes = method != http::verb::get;
  // A browser always names its origin on a change: another site's page is
  // refused here, whatever cookie it carries.
  if (changes && !origin_allowed(*ctx, req))
    return respond(error_response(req, http::status::forbidden, "cross-origin request refused"));
  if (path == "/api/login" && method == http::verb::post) return login(ctx, req, remote, std::move(respond));
  ctx->users.refresh(ctx->sessions);
  const auto caller = session_of(*ctx, req);
  if (!caller) {
    nlohmann::json body{{"error", "not logged in"}};
    if (ctx->users.empty()) body["no_users"] = true;
    return respond(json_response(req, http::status::unauthorized, json_text(body)));
  }
  if (changes && !csrf_ok(*caller, req))
    return respond(error_response(req, http::status::forbidden, "missing or wrong X-CSRF-Token"));
  if (path == "/api/logout" && method == http::verb::post) return logout(*ctx, req, *caller, std::move(respond));
  if (path == "/api/me" && method == http::verb::get)
    return respond(json_response(
        req, http::status::ok,
        json_text(nlohmann::json{{"user", caller->user}, {"role", to_string(caller->role)}, {"csrf", caller->csrf}})));
  if (!changes && read_api(ctx, req, *caller, respond)) return;
  if (changes && act_api(ctx, req, *caller, respond)) return;
  respond(error_response(req, http::status::not_found, "no such API: " + std::string(path)));
}

}  // namespace watt::web
