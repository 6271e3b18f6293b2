#include "web_config.hpp"

#include <watt/error.hpp>
#include <watt/yaml_keys.hpp>
#include <watt/yaml_settings.hpp>

namespace watt::web {

std::filesystem::path default_pages() {
  // A build tree serves the checkout's pages; a package (WATT_PACKAGING)
  // knows no checkout and serves only the installed ones.
#ifdef WATT_WEB_SOURCE_PAGES
  if (std::filesystem::exists(std::filesystem::path(WATT_WEB_SOURCE_PAGES) / "index.html"))
    return WATT_WEB_SOURCE_PAGES;
#endif
  return WATT_WEB_INSTALLED_PAGES;
}

ServerOptions read_web_config(const YAML::Node& c, const std::filesystem::path& home) {
  ServerOptions o;
  o.home = home;
  o.pages = default_pages();
  if (!c || c.IsNull()) return o;
  if (!c.IsMap()) throw Error("the web agent's config must be a map");
  if (auto err =
          yaml::key_error(c, {"listen", "port", "pages", "max_connections", "client_queue_kib", "max_ws_message_kib",
                              "session_idle_h", "secure_cookies", "allowed_origins", "login_failures",
                              "login_lockout_s", "max_rate", "linger_s", "cached_topics", "viewer_methods"});
      !err.empty())
    throw Error(err);
  using yaml::number;
  o.address = yaml::text<Error>(c["listen"], "listen", o.address);
  o.port = static_cast<unsigned short>(number<Error>(c["port"], "port", o.port, 0, 65535));
  if (c["pages"]) o.pages = yaml::text<Error>(c["pages"], "pages", "");
  if (!std::filesystem::exists(o.pages / "index.html")) throw Error("'pages': no index.html in " + o.pages.string());
  o.max_connections = static_cast<std::size_t>(number<Error>(c["max_connections"], "max_connections", 1024, 1, 1e6));
  o.client_queue_bytes =
      static_cast<std::size_t>(number<Error>(c["client_queue_kib"], "client_queue_kib", 256, 16, 65536)) * 1024;
  o.max_ws_message =
      static_cast<std::size_t>(number<Error>(c["max_ws_message_kib"], "max_ws_message_kib", 64, 1, 16384)) * 1024;
  o.session_idle = std::chrono::seconds(
      static_cast<long>(3600 * number<Error>(c["session_idle_h"], "session_idle_h", 8, 0.01, 24 * 30)));
  o.secure_cookies = yaml::flag<Error>(c["secure_cookies"], "secure_cookies", false);
  if (const auto& a = c["allowed_origins"]) {
    if (!a.IsSequence()) throw Error("'allowed_origins' must be a list, e.g. [https://watt.example.org]");
    for (const auto& origin : a) o.allowed_origins.push_back(yaml::text<Error>(origin, "allowed_origins", ""));
  }
  if (const auto& m = c["viewer_methods"]) {
    if (!m.IsSequence()) throw Error("'viewer_methods' must be a list of method names");
    o.viewer_methods.clear();
    for (const auto& name : m) o.viewer_methods.push_back(yaml::text<Error>(name, "viewer_methods", ""));
  }
  o.login_failures = static_cast<unsigned>(number<Error>(c["login_failures"], "login_failures", 5, 1, 1000));
  o.login_lockout =
      std::chrono::seconds(static_cast<long>(number<Error>(c["login_lockout_s"], "login_lockout_s", 60, 1, 86400)));
  o.hub.max_rate = number<Error>(c["max_rate"], "max_rate", 100, 1, 10000);
  o.hub.linger =
      std::chrono::milliseconds(static_cast<long>(1000 * number<Error>(c["linger_s"], "linger_s", 60, 0, 86400)));
  o.hub.cached_topics = static_cast<std::size_t>(number<Error>(c["cached_topics"], "cached_topics", 2000, 0, 1e6));
  return o;
}

}  // namespace watt::web
