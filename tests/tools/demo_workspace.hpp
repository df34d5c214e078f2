// The demo workspace every test of this binary reads: `cowork demo init` into a temporary folder, then the faults
// new_room_type, null_host_ids and duplicate_listings (data) and renamed_column (a teammate's commit), each followed
// by a build, so target/ holds their failures and airbnb.duckdb their data. Built once, on first use; read-only after
// that (the tools never write).
#pragma once

#include <filesystem>

#include <nlohmann/json.hpp>

#include "tools/tool.hpp"

namespace cowork::testing {

// The workspace folder. Fails the calling test (with the command's output) when it cannot be built.
const std::filesystem::path& demo_dir();

// A context opened on the workspace, shared by the tests (one read-only warehouse connection).
tools::ToolContext& demo_context();

// The failing rows the last build reported for the test named `test_name` (run_results.json), -1 when absent.
std::int64_t reported_failures(std::string_view test_name);

// Calls a built-in tool on the demo context; the test fails with the tool's error when it fails.
tools::ToolOutput call_ok(std::string_view tool, const nlohmann::json& args);
// Calls a built-in tool that must fail, and returns its error.
Error call_error(std::string_view tool, const nlohmann::json& args);

}  // namespace cowork::testing
