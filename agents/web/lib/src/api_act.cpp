// POST and PUT /api/…: starting and stopping agents, editing configurations
// and calling methods. Operators and admins only; the platform's and the
// broker's own methods are for admins.
#include "json_text.hpp"
#include "router.hpp"

#include <watt/identity.hpp>

#include <nlohmann/json.hpp>

namespace watt::web {

namespace {

using nlohmann::json;

bool refused(const Request& req, const Caller& caller, Role needed, Respond& respond) {
  if (allows(caller.role, needed)) return false;
  respond(error_response(req, http::status::forbidden,
                         "'" + caller.user + "' is " + to_string(caller.role) + ": this needs " + to_string(needed)));
  return true;
}

void agent_action(const std::shared_ptr<Context>& ctx, const Request& req, const Caller& caller, const std::string& id,
                  const std::string& action, Respond respond) {
  ctx->log->info("web: {} asks to {} '{}'", caller.user, action, id);
  const auto a = json_text(json::array({id}));
  if (action != "restart") return call_and_answer(ctx, req, "platform", action, a, std::move(respond));
  auto head = head_of(req);
  ctx->backend.call("platform", "stop", a, std::chrono::milliseconds(30000),
                    [ctx, head, a, respond = std::move(respond)](CallResult r) mutable {
                      if (!r.ok) return respond(error_response(*head, http::status::unprocessable_entity, r.message));
                      call_and_answer(ctx, *head, "platform", "start", a, std::move(respond));
                    });
}

void rpc(const std::shared_ptr<Context>& ctx, const Request& req, const Caller& caller, Respond respond) {
  std::string peer, method, args = "[]";
  std::int64_t timeout_ms = 10000;
  try {
    const auto body = json::parse(req.body());
    peer = body.at("peer").get<std::string>();
    method = body.at("method").get<std::string>();
    if (body.contains("args")) {
      if (!body["args"].is_array()) throw std::runtime_error("args must be an array");
      args = json_text(body["args"]);
    }
    timeout_ms = body.value("timeout_ms", timeout_ms);
  } catch (const std::exception& e) {
    return respond(
        error_response(req, http::status::bad_request,
                       std::string(R"(expected {"peer": …, "method": …, "args": […], "timeout_ms": …}: )") + e.what()));
  }
  if (timeout_ms <= 0 || timeout_ms > 600000)
    return respond(error_response(req, http::status::bad_request, "timeout_ms: from 1 to 600000"));
  const bool own = peer == "platform" || peer == "broker";
  if (refused(req, caller, own ? Role::admin : Role::operator_, respond)) return;
  ctx->log->info("web: {} calls {}/{}", caller.user, peer, method);
  auto head = head_of(req);
  ctx->backend.call(
      peer, method, args, std::chrono::milliseconds(timeout_ms), [head, respond = std::move(respond)](CallResult r) {
        if (r.ok) return respond(json_response(*head, http::status::ok, r.json));
        respond(json_response(*head, http::status::ok, json_text(json{{"error", r.message}, {"code", r.code}})));
      });
}

}  // namespace

bool act_api(const std::shared_ptr<Context>& ctx, const Request& req, const Caller& caller, Respond& respond) {
  const auto path = path_of(target_of(req));
  if (path == "/api/rpc" && req.method() == http::verb::post) {
    rpc(ctx, req, caller, std::move(respond));
    return true;
  }
  if (const auto seg = segments_after(path, "/api/agents/"); seg.size() == 2 && req.method() == http::verb::post) {
    if (seg[1] != "start" && seg[1] != "stop" && seg[1] != "restart") return false;
    if (refused(req, caller, Role::operator_, respond)) return true;
    if (auto err = identity_error(seg[0]); !err.empty())
      return respond(error_response(req, http::status::bad_request, err)), true;
    agent_action(ctx, req, caller, seg[0], seg[1], std::move(respond));
    return true;
  }
  if (const auto seg = segments_after(path, "/api/configs/"); seg.size() == 2 && req.method() == http::verb::put) {
    if (refused(req, caller, Role::operator_, respond)) return true;
    std::string args;
    try {
      args = json::array({seg[0], seg[1], req.body()}).dump();  // strict: a configuration is text
    } catch (const json::exception&) {
      return respond(error_response(req, http::status::bad_request, "a configuration is UTF-8 text")), true;
    }
    ctx->log->info("web: {} sets configuration '{}' of '{}'", caller.user, seg[1], seg[0]);
    call_and_answer(ctx, req, "platform", "config_set", args, std::move(respond), [](const std::string& t) {
      return json_text(json{{"result", json::parse(t)}});
    });
    return true;
  }
  return false;
}

}  // namespace watt::web
