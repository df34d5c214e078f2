// The demo project (examples/airbnb) in a temporary folder with faults injected and built, and the cowork binary
// run on it: what the end-to-end tests of the investigation start from.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace cowork::testing {

// Runs `cowork ARGS --project-dir PROJECT` (no --project-dir when empty) with NO_COLOR and a fixed user, plus `env`.
ProcessResult run_cowork(const std::vector<std::string>& args, const std::filesystem::path& project,
                         const std::vector<std::string>& env = {});

std::string read_whole_file(const std::filesystem::path& path);

class DemoWorkspace {
 public:
  // `cowork demo init` and `cowork demo inject FAULTS...` (which builds); throws when either cannot run.
  explicit DemoWorkspace(const std::vector<std::string>& faults);
  const std::filesystem::path& dir() const { return m_dir; }
  // The ids of `cowork incidents`, in its order.
  std::vector<std::string> incident_ids() const;

 private:
  TempDir m_temp;
  std::filesystem::path m_dir;
};

}  // namespace cowork::testing
