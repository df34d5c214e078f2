// An investigation as the surfaces run it (the CLI's `cowork investigate`, later the dashboard and the MCP server):
// the project's tool context, the incident synced into the state store, the playbook with every step recorded as an
// event as it happens (a crash loses nothing already seen), each option verified in the sandbox and saved, and the
// report stored with the investigation. Also the dry run of a saved fix.
#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <string>

#include "agent/playbook.hpp"
#include "agent/report.hpp"
#include "store/store.hpp"
#include "tools/context.hpp"

namespace cowork::agent {

struct InvestigateRequest {
  tools::ContextOptions project;
  std::string incident_id;  // full id or unique prefix
  bool verify = true;
  std::optional<llm::Settings> llm;           // a model's agents join the playbook's
  const std::atomic<bool>* cancel = nullptr;  // stops the model (the playbook's report still comes out)
};

struct InvestigateCallbacks {
  std::function<void(const store::Event&)> on_event;  // each event as stored
};

// Runs the playbook on the incident and stores everything. The report's fixes carry their store ids.
Result<Report> investigate(const InvestigateRequest& request, const InvestigateCallbacks& callbacks = {});

// Verifies a saved fix again against the project as it is now, and stores the new verification. An edit whose file
// changed since the fix was made is an error saying so.
struct DryRunResult {
  store::FixRecord fix;
  VerificationResult verification;
};
Result<DryRunResult> dry_run(const tools::ContextOptions& project, std::string_view fix_id);

// The verification of edits (fixes::verify), in the report's terms.
VerificationResult verify_edits(const tools::ContextOptions& project, const std::vector<FileChange>& edits,
                                const std::vector<std::string>& target_tests, bool warn_counts_as_pass);

}  // namespace cowork::agent
