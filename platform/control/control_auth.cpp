// ControlAgent: the allow-list of TCP clients (auth.yml), edited here and
// reloaded by the broker.
#include "control_agent.hpp"

#include "../broker/allow_list.hpp"

namespace watt::platform {

void ControlAgent::change_allow_list(const std::function<void(broker::AllowList&)>& change) {
  const auto file = options_.home / "auth.yml";
  auto list = broker::AllowList::load(file);
  change(list);
  list.save(file);
  // The broker holds its own copy.
  auto r = call("broker", "reload_auth").get();
  if (!r) throw Error("saved, but the broker did not reload it: " + r.error().what());
}

void ControlAgent::export_auth_methods() {
  const auto file = options_.home / "auth.yml";
  auto apply = [this](const std::function<void(broker::AllowList&)>& change) { change_allow_list(change); };
  export_method("auth_list", [file] { return broker::AllowList::load(file).entries(); });
  export_method("auth_add", [apply, file](const broker::AuthEntry& e) {
    if (broker::AllowList::load(file).by_name(e.name) != nullptr)
      throw Error("an entry '" + e.name + "' exists; use auth update");
    apply([&](broker::AllowList& l) { l.put(e); });
  });
  export_method("auth_update", [apply, file](const broker::AuthEntry& e) {
    if (broker::AllowList::load(file).by_name(e.name) == nullptr) throw Error("no entry '" + e.name + "'");
    apply([&](broker::AllowList& l) { l.put(e); });
  });
  export_method("auth_remove", [apply](const std::string& name) {
    apply([&](broker::AllowList& l) {
      if (!l.remove(name)) throw Error("no entry '" + name + "'");
    });
  });
}

}  // namespace watt::platform
