// The demo workspace: a copy of examples/airbnb with its own git history, into which realistic faults are injected
// and from which they are removed again. Data faults edit the raw seed files the way a changed platform export
// would; the code fault is a commit by a teammate that renames a column. The workspace remembers what it holds in
// .cowork/demo/state.json and keeps the pristine files in .cowork/demo/baseline/, so `restore` is exact even after
// fixes were applied by hand or by cowork.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.hpp"

namespace cowork::demo {

enum class Fault {
  new_room_type,        // 'Entire place' in raw_listings.room_type (DQ-114)
  null_host_ids,        // listings without host_id (DQ-201)
  zero_minimum_nights,  // minimum_nights = 0 (DQ-087)
  duplicate_listings,   // the same listing id sent twice with a later updated_at (DQ-131)
  orphan_reviews,       // reviews of listings that are not in the export yet (incident playbook, late data)
  renamed_column,       // a commit renames host_name in src_hosts; dim_hosts_cleansed no longer builds
};

struct FaultInfo {
  Fault fault;
  std::string_view name;     // as typed on the command line
  std::string_view summary;  // what changes, in one line
  std::string_view breaks;   // what the next build shows
  bool code = false;         // a git commit rather than a data change
};

const std::vector<FaultInfo>& all_faults();
const FaultInfo& info(Fault fault);
std::optional<Fault> parse_fault(std::string_view name);

// Where the example project is: $COWORK_EXAMPLES_DIR/airbnb, then beside the binary (<exe>/../examples/airbnb for a
// build tree, <exe>/../share/cowork/examples/airbnb for an install), then the source tree cowork was built from.
Result<std::filesystem::path> find_example();

struct InitOptions {
  std::filesystem::path example;  // the example project to copy
  std::filesystem::path dir;      // the workspace to create
  bool force = false;             // replace an existing demo workspace at `dir`
};

// Copies the example into `dir`, snapshots it, and commits it to a new git repository (when git is installed).
// Refuses a non-empty folder that is not a demo workspace, and an existing workspace unless `force`.
// Returns notes for the user (for example that git is missing, so the code fault is unavailable).
Result<std::vector<std::string>> init_workspace(const InitOptions& options);

struct WorkspaceState {
  std::vector<Fault> injected;     // in the order they were injected
  std::string code_fault_commit;   // the commit of renamed_column, when injected
  bool has_git = false;
};

// Reads the state of the workspace at `dir`; the error says how to create one when `dir` is not a workspace.
Result<WorkspaceState> load_workspace(const std::filesystem::path& dir);

struct InjectOutcome {
  std::vector<Fault> injected;          // newly injected
  std::vector<Fault> already_present;   // asked for but already injected
  std::string commit;                   // the commit made for the code fault, if any
};

// Injects `faults` (all of them when empty). Data faults are recomputed from the baseline for the whole set of
// injected faults, so the order of injection never changes the files. Idempotent.
Result<InjectOutcome> inject(const std::filesystem::path& dir, std::vector<Fault> faults);

struct RestoreOutcome {
  std::vector<std::string> restored_files;  // workspace-relative paths written back
  std::string commit;                       // the commit that restored tracked files, if one was needed
};

// Writes every baseline file back and commits the tracked ones that changed, so the project is as `init` left it.
Result<RestoreOutcome> restore(const std::filesystem::path& dir);

// The data edits alone, on CSV text: exposed for tests. `faults` are the injected data faults; others are ignored.
// `reviews_csv` is the baseline raw_reviews.csv: the listings without a review are those null_host_ids edits.
Result<std::string> apply_listing_faults(std::string_view baseline_csv, const std::vector<Fault>& faults,
                                         std::string_view reviews_csv = {});
Result<std::string> apply_review_faults(std::string_view baseline_csv, const std::vector<Fault>& faults);

}  // namespace cowork::demo
