// What the verifier and apply tests share: the demo workspace with the new_room_type fault injected and built (made
// once per test binary with the cowork binary, as a user would), private copies of it for tests that change files,
// and byte-exact snapshots of folders.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "support/temp_dir.hpp"

namespace cowork::fixes::testing {

// The shared workspace: `cowork demo init` + `cowork demo inject new_room_type`. Tests only read it. Throws when the
// cowork binary cannot make it, so every test using it fails with the reason.
const std::filesystem::path& demo_workspace();

// A copy of the shared workspace (git history, DuckDB file and target/ included) at `into`/ws.
std::filesystem::path copy_workspace(const cowork::testing::TempDir& into);

// The unique id of the accepted_values test on dim_listings_cleansed.room_type, which new_room_type makes fail.
std::string room_type_test_id(const std::filesystem::path& workspace);

std::string read_bytes(const std::filesystem::path& path);
void write_bytes(const std::filesystem::path& path, const std::string& content);

// Every regular file under `dir` (relative path -> MD5 of its bytes), for "nothing changed" checks.
std::map<std::string, std::string> snapshot(const std::filesystem::path& dir);

}  // namespace cowork::fixes::testing
