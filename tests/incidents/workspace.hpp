// A demo workspace for the incidents tests: `cowork demo init` builds the Airbnb example green (Elementary's tables
// get a passing result of every test), then `cowork demo inject` rebuilds it with a fault (a failing result).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace cowork::testing {

// The accepted_values test that the new_room_type fault ('Entire place') breaks (its unique id without the hash of
// its arguments dbt appends), and the model it tests.
inline const std::string k_room_type_test_prefix =
    "test.airbnb.accepted_values_dim_listings_cleansed_room_type__Entire_home_apt__Private_room__Shared_room__Hotel_"
    "room";
inline const std::string k_listings_model = "model.airbnb.dim_listings_cleansed";

// Runs the cowork binary in `cwd` without colour; `env` adds variables ("NAME=value").
ProcessResult cowork(std::vector<std::string> args, const std::filesystem::path& cwd,
                     std::vector<std::string> env = {});

class Workspace {
 public:
  // Creates the workspace at <temp>/ws and injects `faults` (none: it stays green). Throws when a step fails, so
  // the suite stops with the command's output.
  explicit Workspace(const std::vector<std::string>& faults);

  const std::filesystem::path& dir() const { return m_dir; }
  // The run_results.json of the green build `init` made, saved before any fault was injected.
  std::filesystem::path green_run_results() const { return m_root.path() / "green_run_results.json"; }
  // A copy of the workspace (project, artifacts, DuckDB file) for a test that changes it.
  std::filesystem::path copy(const std::string& name) const;
  // The unique id of the room-type test in this workspace.
  const std::string& room_type_test() const { return m_room_type_test; }

 private:
  TempDir m_root;
  std::filesystem::path m_dir;
  std::string m_room_type_test;
};

}  // namespace cowork::testing
