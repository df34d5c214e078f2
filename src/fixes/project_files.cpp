#include "fixes/project_files.hpp"

#include "util/files.hpp"

namespace cowork::fixes {

namespace fs = std::filesystem;

Result<fs::path> project_relative_path(std::string_view relative) {
  const fs::path path = fs::path(relative).lexically_normal();
  if (relative.empty() || path.empty() || path.is_absolute() || path.has_root_name())
    return make_error(ErrorCode::invalid_argument,
                      "edit path '{}' must be relative to the project folder, like models/x.sql", relative);
  for (const auto& part : path)
    if (part == "..")
      return make_error(ErrorCode::invalid_argument, "edit path '{}' leaves the project folder", relative);
  if (path.filename().empty() || path == ".")
    return make_error(ErrorCode::invalid_argument, "edit path '{}' names a folder, not a file", relative);
  return path;
}

Result<std::optional<std::string>> read_if_exists(const fs::path& path) {
  std::error_code ec;
  const auto status = fs::symlink_status(path, ec);
  if (ec && ec != std::errc::no_such_file_or_directory)
    return make_error(ErrorCode::permission_denied, "cannot look at {}: {}", path.string(), ec.message());
  if (!fs::exists(status)) return std::optional<std::string>{};
  COWORK_ASSIGN_OR_RETURN(auto content, read_file(path));
  return std::optional<std::string>{std::move(content)};
}

}  // namespace cowork::fixes
