// The dry run of a fix option: the project is copied to a scratch folder, the option's edits are applied there, the
// nodes they change are built and the affected tests re-run in a sandbox of the warehouse, and the outcome says
// whether the failing tests now pass without breaking others. The investigation pipeline verifies every option it
// proposes; `cowork dry-run`, the dashboard and the MCP server show the result before anyone clicks Apply.
//
// The sandbox never writes to the real warehouse or the project:
//  - DuckDB: a scratch database in the scratch folder (so relations are named "cowork_sandbox"."main"."x") with the
//    real database ATTACHed READ_ONLY under its own name; each relation the run reads but does not rebuild (upstream
//    models, seeds, sources) is a view in the scratch database over the real relation.
//  - PostgreSQL: the build and the tests run in one transaction that is rolled back; each statement runs under a
//    savepoint so one failing model does not abort the rest of the run.
// The project's files and its target/ folder are only read.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "util/error.hpp"

namespace cowork::fixes {

// One file of a fix, as whole contents.
struct Edit {
  std::string path;    // relative to the project folder
  std::string before;  // the content the edit was made against; "" for a new file
  std::string after;
};

struct VerifyRequest {
  std::filesystem::path project_dir;
  std::string profiles_dir;  // dbt's --profiles-dir; empty: dbt's lookup
  std::string target;        // dbt's --target; empty: the profile's default
  std::string target_path;   // dbt's --target-path, where run_results.json is; empty: the project's
  std::vector<Edit> edits;
  std::vector<std::string> target_tests;  // unique ids of the failing tests the fix must make pass
  bool warn_counts_as_pass = false;       // for a severity change: a target test that warns is good enough
  std::chrono::seconds timeout{60};       // for the whole sandbox run
};

struct TestOutcome {
  std::string unique_id;
  std::string before;  // status in the project's run_results.json, or "unknown"
  std::string after;   // status in the sandbox, or "not run" / "removed"
  std::optional<std::int64_t> failures_before, failures_after;
};

enum class VerifyStatus { verified, failed, unverified };
std::string_view to_string(VerifyStatus status);

struct Verification {
  VerifyStatus status = VerifyStatus::unverified;
  std::string detail;              // one paragraph for a person: what passed, what broke, or why it could not run
  std::vector<TestOutcome> tests;  // the target tests first, then every other test the sandbox ran
  std::vector<std::string> built;  // models and seeds built in the sandbox, in run order
  double seconds = 0;

  // DESIGN.md's verification object {"status", "detail", "tests": [...]} plus "built" and "seconds".
  nlohmann::ordered_json to_json() const;
};

// Verifies the request's edits. The error is only for a bad request: a missing project or profile, an edit path
// outside the project, an edit whose `before` is not the file as it is now ("models/x.sql changed since the fix was
// made"), a target test the project does not have. Anything that goes wrong in the sandbox is a Verification:
// unverified says why it could not be checked (the warehouse is locked or unreachable, the engine cannot compile a
// model, the time ran out), failed says what broke (a model's error, the tests that fail).
Result<Verification> verify(const VerifyRequest& request);

}  // namespace cowork::fixes
