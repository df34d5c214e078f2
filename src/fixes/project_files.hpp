// The project files a fix touches, as the verifier and apply/revert see them: a path given by a fix must stay inside
// the project folder, and a file's current content is read whole (absent files are not an error: a fix may create
// one).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "util/error.hpp"

namespace cowork::fixes {

// `relative` as a normalized path inside the project ("models/x.sql"). Empty, absolute and ".." paths are
// invalid_argument naming the path.
Result<std::filesystem::path> project_relative_path(std::string_view relative);

// The file's bytes, or nullopt when nothing exists at `path`. A folder or an unreadable file is an error.
Result<std::optional<std::string>> read_if_exists(const std::filesystem::path& path);

}  // namespace cowork::fixes
