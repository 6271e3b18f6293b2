// One entry of the allow-list ($WATT_HOME/auth.yml): who may connect over TCP,
// or run as an installed agent, and what it may do on the bus. The control RPC
// (auth_list, auth_add) carries it as it is.
#pragma once

#include <msgpack.hpp>

#include <string>
#include <vector>

namespace watt::broker {

struct AuthEntry {
  std::string name;                     // what the key is called (also the ZAP user id)
  std::string key;                      // the client's public key, Z85 (40 characters); empty if local
  bool local = false;                   // an agent installed on this machine (ipc, no key)
  std::vector<std::string> identities;  // identities it may claim; "*" = any, "watt-cli-*" = any with that prefix
  std::vector<std::string> publish;     // topic patterns it may publish to
  std::vector<std::string> call;        // "peer/method" patterns it may call ("meter1/#": any method)
  std::vector<std::string> subscribe;   // patterns it may subscribe within ("#": any)
  MSGPACK_DEFINE_MAP(name, key, local, identities, publish, call, subscribe)
};

}  // namespace watt::broker
