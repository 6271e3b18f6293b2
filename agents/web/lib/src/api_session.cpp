// POST /api/login and /api/logout.
#include "json_text.hpp"
#include "router.hpp"

#include <boost/asio/post.hpp>
#include <nlohmann/json.hpp>

namespace watt::web {

namespace asio = boost::asio;

namespace {

std::string set_cookie(const Context& ctx, const std::string& value, bool clear) {
  std::string c = std::string(session_cookie) + "=" + value + "; Path=/; HttpOnly; SameSite=Strict";
  if (ctx.options.secure_cookies) c += "; Secure";
  if (clear) c += "; Max-Age=0";
  return c;
}

// What an unknown name is checked against, so that a wrong name takes as
// long as a wrong password and tells nothing of who exists.
const User& nobody() {
  static const User user = [] {
    Users u;
    u.add("nobody", Role::viewer, random_token(16));
    return *u.find("nobody");
  }();
  return user;
}

}  // namespace

void login(const std::shared_ptr<Context>& ctx, const Request& req, const std::string& remote, Respond respond) {
  std::string name, password;
  try {
    const auto body = nlohmann::json::parse(req.body());
    name = body.at("user").get<std::string>();
    password = body.at("password").get<std::string>();
  } catch (const std::exception&) {
    return respond(error_response(req, http::status::bad_request, R"(expected {"user": …, "password": …})"));
  }
  const std::string by_name = "user:" + name, by_address = "address:" + remote;
  const auto wait = std::max(ctx->limiter.wait(by_name), ctx->address_limiter.wait(by_address));
  if (wait.count() > 0) {
    auto res = error_response(req, http::status::too_many_requests,
                              "too many failed logins: try again in " + std::to_string(wait.count()) + " s");
    res.set(http::field::retry_after, std::to_string(wait.count()));
    return respond(std::move(res));
  }
  // The attempt counts as a failure from now, before the hash is checked:
  // guesses sent at once are held to the limit as those sent one by one.
  ctx->limiter.failed(by_name);
  ctx->address_limiter.failed(by_address);
  ctx->users.refresh(ctx->sessions);
  const auto user = ctx->users.find(name);
  auto head = head_of(req);
  asio::post(ctx->hasher, [ctx, user, password = std::move(password), head, name, remote, by_name, by_address,
                           respond = std::move(respond)]() mutable {
    const bool ok = Users::verify(user ? *user : nobody(), password) && user.has_value();
    asio::post(ctx->io, [ctx, ok, user, head, name, remote, by_name, by_address, respond = std::move(respond)] {
      // The users may have changed while the hash was checked: the session
      // opens only for the user as they are now.
      ctx->users.refresh(ctx->sessions);
      const auto now = ctx->users.find(name);
      if (!ok || !now || now->hash != user->hash || now->role != user->role) {
        ++ctx->stats.failed_logins;
        // A name as typed may hold anything, even a password: logged only
        // when it is a user's name.
        ctx->log->warn("failed web login as {} from {}", now ? "'" + name + "'" : std::string("an unknown user"),
                       remote);
        return respond(error_response(*head, http::status::unauthorized, "wrong user name or password"));
      }
      ++ctx->stats.logins;
      ctx->limiter.succeeded(by_name);
      ctx->address_limiter.forgive(by_address);
      const auto token = ctx->sessions.open(user->name, user->role, user->hash);
      const auto* s = ctx->sessions.find(token);
      ctx->log->info("web login: {} ({}) from {}", user->name, to_string(user->role), remote);
      auto res = json_response(
          *head, http::status::ok,
          json_text(nlohmann::json{{"user", user->name}, {"role", to_string(user->role)}, {"csrf", s->csrf}}));
      res.set(http::field::set_cookie, set_cookie(*ctx, token, false));
      respond(std::move(res));
    });
  });
}

void logout(Context& ctx, const Request& req, const Caller& caller, Respond respond) {
  ctx.sessions.close(caller.token);
  for (auto* c : std::set<Connection*>(ctx.live)) c->recheck();
  auto res = json_response(req, http::status::ok, R"({"logged_out":true})");
  res.set(http::field::set_cookie, set_cookie(ctx, "", true));
  respond(std::move(res));
}

}  // namespace watt::web
