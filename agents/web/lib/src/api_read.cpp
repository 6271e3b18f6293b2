// GET /api/…: what the platform and its agents say, for any logged-in user
// (configurations for operators and admins: they may hold credentials).
#include "json_text.hpp"
#include "router.hpp"

#include <watt/identity.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>

namespace watt::web {

namespace {

using nlohmann::json;

// Adds each running agent's CPU and memory, from /proc on this machine.
void add_usage(Context& ctx, json& agent) {
  const auto pid = agent.value("pid", std::int64_t{0});
  if (const auto u = ctx.procs.sample(pid)) {
    agent["cpu_percent"] = u->cpu_percent;
    agent["rss_bytes"] = u->rss_bytes;
  }
}

std::string args(const json& a) { return json_text(a); }

// The historian's query takes one map; the query string's names are its keys.
std::string history_args(const Request& req) {
  const auto t = target_of(req);
  json q{{"topic", query_value(t, "topic")}};
  for (const char* key : {"start", "end", "order", "agg", "agg_period"})
    if (auto v = query_value(t, key); !v.empty()) q[key] = v;
  const auto count = query_value(t, "count", "1000");
  try {
    q["count"] = std::stoll(count);
  } catch (const std::exception&) {
    q["count"] = count;  // the historian names what is wrong with it
  }
  return json_text(json::array({q}));
}

json web_stats(const Context& ctx) {
  const auto& s = ctx.stats;
  const auto h = ctx.hub.stats();
  return {{"connections", ctx.live.size()},
          {"websockets", s.websockets},
          {"streams", s.streams},
          {"refused", s.refused},
          {"requests", s.requests},
          {"logins", s.logins},
          {"failed_logins", s.failed_logins},
          {"dropped", s.dropped},
          {"sessions", ctx.sessions.size()},
          {"patterns", h.patterns},
          {"feeds", h.feeds},
          {"messages", h.messages},
          {"frames", h.frames},
          {"conflated", h.conflated}};
}

// The applications' pages read their agents' state through the methods
// `viewer_methods` names: read-only by the agents' own word.
void viewer_call(const std::shared_ptr<Context>& ctx, const Request& req, const std::string& peer,
                 const std::string& method, Respond respond) {
  const auto& allowed = ctx->options.viewer_methods;
  const bool own = peer == "platform" || peer == "broker";
  if (own || std::find(allowed.begin(), allowed.end(), method) == allowed.end())
    return respond(error_response(req, http::status::forbidden,
                                  "'" + method + "' is not a viewer's method (viewer_methods); use /api/rpc"));
  std::string call_args = query_value(target_of(req), "args", "[]");
  try {
    if (!json::parse(call_args).is_array()) throw std::runtime_error("not an array");
  } catch (const std::exception&) {
    return respond(error_response(req, http::status::bad_request, "args: a JSON array"));
  }
  call_and_answer(ctx, req, peer, method, call_args, std::move(respond));
}

}  // namespace

bool read_api(const std::shared_ptr<Context>& ctx, const Request& req, const Caller& caller, Respond& respond) {
  const auto path = path_of(target_of(req));
  // Every agent named in the path (or as the historian) must be one that can
  // exist, and never the platform's own where a viewer may reach.
  for (const char* prefix : {"/api/agents/", "/api/configs/", "/api/call/", "/api/logs/"})
    if (const auto seg = segments_after(path, prefix); !seg.empty())
      if (auto err = identity_error(seg[0]); !err.empty())
        return respond(error_response(req, http::status::bad_request, err)), true;
  const auto platform_read = [&](const char* method) {
    call_and_answer(ctx, req, "platform", method, "[]", std::move(respond));
  };
  if (path == "/api/agents") {
    call_and_answer(ctx, req, "platform", "list", "[]", std::move(respond), [ctx](const std::string& text) {
      auto agents = json::parse(text);
      for (auto& a : agents) add_usage(*ctx, a);
      return json_text(agents);
    });
    return true;
  }
  if (path == "/api/health") return platform_read("health"), true;
  if (path == "/api/stats") return platform_read("stats"), true;
  if (path == "/api/platform") return platform_read("platform_status"), true;
  if (path == "/api/containers") return platform_read("containers"), true;
  if (path == "/api/orgs") return platform_read("org_list"), true;
  if (path == "/api/web") return respond(json_response(req, http::status::ok, json_text(web_stats(*ctx)))), true;
  if (path == "/api/history") {
    const auto historian = query_value(target_of(req), "historian", "historian");
    if (auto err = identity_error(historian); !err.empty() || historian == "platform")
      return respond(error_response(req, http::status::bad_request,
                                    "historian: " + (err.empty() ? "not the platform" : err))),
             true;
    call_and_answer(ctx, req, historian, "query", history_args(req), std::move(respond));
    return true;
  }
  if (const auto seg = segments_after(path, "/api/call/"); seg.size() == 2) {
    viewer_call(ctx, req, seg[0], seg[1], std::move(respond));
    return true;
  }
  if (const auto seg = segments_after(path, "/api/agents/"); seg.size() == 1) {
    call_and_answer(ctx, req, "platform", "status", args({seg[0]}), std::move(respond), [ctx](const std::string& t) {
      auto a = json::parse(t);
      add_usage(*ctx, a);
      return json_text(a);
    });
    return true;
  }
  if (const auto seg = segments_after(path, "/api/logs/"); seg.size() == 1) {
    const auto container = query_value(target_of(req), "container");
    if (auto err = container.empty() ? "" : identity_error(container); !err.empty())
      return respond(error_response(req, http::status::bad_request, err)), true;
    std::size_t n = 200;
    try {
      n = std::stoul(query_value(target_of(req), "n", "200"));
    } catch (const std::exception&) {
      return respond(error_response(req, http::status::bad_request, "n: a count of lines")), true;
    }
    const auto lines = log_tail(log_source(ctx->options.home, seg[0], container), n);
    return respond(json_response(
               req, http::status::ok,
               json{{"id", seg[0]}, {"lines", lines}}.dump(-1, ' ', false, json::error_handler_t::replace))),
           true;
  }
  if (const auto seg = segments_after(path, "/api/configs/"); seg.size() == 1 || seg.size() == 2) {
    if (!allows(caller.role, Role::operator_))
      return respond(error_response(req, http::status::forbidden, "configurations are for operators and admins")), true;
    if (seg.size() == 1)
      call_and_answer(ctx, req, "platform", "config_list", args({seg[0]}), std::move(respond));
    else
      call_and_answer(ctx, req, "platform", "config_get", args({seg[0], seg[1]}), std::move(respond),
                      [](const std::string& t) {
                        return json_text(json{{"text", json::parse(t)}});
                      });
    return true;
  }
  return false;
}

}  // namespace watt::web
