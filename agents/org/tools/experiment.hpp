// watt-org's parts: the organization and agent files for a case, the run of
// an experiment over the bus, and its report (docs/organizations.md,
// The 33-bus experiment).
#pragma once

#include <watt/client.hpp>
#include <watt/org/case_file.hpp>
#include <watt/org/messages.hpp>

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace watt::org::tool {

namespace fs = std::filesystem;

inline const std::string runner_identity = "watt-org-runner";
inline const std::string disco_org = "disco";

struct Experiment {
  TradingCase trading;
  double tolerance = 1e-6;
  std::uint64_t max_rounds = 50;
  bool paper = false;  // the 33-bus case, whose figures the paper gives
};

// The case from the settings file and the case file, or a generated one
// with `users` > 0.
Experiment load_experiment(const fs::path& choices, const fs::path& case_json, std::size_t users, std::size_t regions,
                           std::uint64_t seed);

// Writes `dir`/orgs.yml (watt org apply) and `dir`/agents.yml (watt install
// --from): a historian, and each organization's agents; each region's
// end-user agents in one container, the DisCo's and aggregators' in another.
void write_setup(const Experiment& e, const fs::path& dir, const fs::path& lib_dir, std::size_t history_days);

// One run of the four: its case and scenario, and the DisCo's account.
struct RunRecord {
  bool iterative = false, shiftable = false;
  RunResultMsg result;
  double reference_ec_e = 0, reference_ec_a = 0, reference_ec_d = 0;
  std::string balance;  // the first of (1)-(8) the reference breaks, or empty
};

struct RunSettings {
  std::string address;  // empty: the default platform
  std::size_t history_days = 14;
  std::chrono::seconds timeout{600};
};

// The client that drives an experiment, as watt-org-runner (a member of
// every end-user organization, as their meters, and of the DisCo's, to read
// its results). Each step throws watt::Error naming what did not happen.
class Runner {
public:
  Runner(const Experiment& e, const RunSettings& s);
  // Publishes the end-users' load history and waits until every prediction
  // engine has forecast from all of it.
  void feed_forecasts();
  // Asks the DisCo's DMS for a run; returns its number.
  std::uint64_t start(bool iterative, bool shiftable);
  RunResultMsg await(std::uint64_t run);
  Client& client() { return *client_; }

private:
  void publish_history(const std::vector<std::string>& users);

  const Experiment& e_;
  RunSettings s_;
  std::unique_ptr<Client> client_;
  std::optional<RunResultMsg> last_;
};

// Feeds the forecasts and runs Case 1 and Case 2 in S1 and S2 on the
// platform, each beside the same run by direct calls.
std::vector<RunRecord> run_experiment(const Experiment& e, const RunSettings& s);

// Prints the table (beside the paper's for the 33-bus case) and the checks;
// writes result.json and the hourly flows as CSV into `out`. Returns whether
// every check held.
bool report(const Experiment& e, const std::vector<RunRecord>& runs, const fs::path& out, const fs::path& case_json);

}  // namespace watt::org::tool
