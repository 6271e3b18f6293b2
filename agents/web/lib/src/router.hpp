// Every HTTP request that is not a WebSocket or an event stream: the JSON
// API under /api/ (docs/web.md) and the front end's files.
#pragma once

#include "auth.hpp"

#include <functional>
#include <memory>

namespace watt::web {

using Respond = std::function<void(Response)>;

void route(const std::shared_ptr<Context>& ctx, const Request& req, const std::string& remote, Respond respond);

// The parts of the API, each in its own file.
void login(const std::shared_ptr<Context>& ctx, const Request& req, const std::string& remote, Respond respond);
void logout(Context& ctx, const Request& req, const Caller& caller, Respond respond);
// GET /api/…: what the platform and its agents say.
bool read_api(const std::shared_ptr<Context>& ctx, const Request& req, const Caller& caller, Respond& respond);
// POST and PUT /api/…: what an operator or an admin may do.
bool act_api(const std::shared_ptr<Context>& ctx, const Request& req, const Caller& caller, Respond& respond);
// GET of anything else: a file of the front end.
Response static_file(const Context& ctx, const Request& req);

// Calls a method through the backend and answers with its result, or with
// its error mapped to an HTTP status (the callee's message kept).
void call_and_answer(const std::shared_ptr<Context>& ctx, const Request& req, const std::string& peer,
                     const std::string& method, const std::string& args_json, Respond respond,
                     std::function<std::string(const std::string&)> shape = {});
// The path's segments after `prefix`, %-decoded; empty when the path does
// not start with it or a segment is badly escaped.
std::vector<std::string> segments_after(std::string_view path, std::string_view prefix);

}  // namespace watt::web
