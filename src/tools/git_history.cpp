// git_history: the recent commits that touched a project file, with their diffs.
#include "tools/support.hpp"
#include "util/process.hpp"
#include "util/strings.hpp"

namespace cowork::tools {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t k_max_diff_lines = 200;
constexpr std::chrono::seconds k_git_timeout{30};

Result<ProcessResult> git(const fs::path& cwd, std::vector<std::string> arguments) {
  ProcessRequest request;
  request.argv = {"git", "--no-pager"};
  request.argv.insert(request.argv.end(), arguments.begin(), arguments.end());
  request.cwd = cwd;
  request.timeout = k_git_timeout;
  // No pager, no colour, no prompt for credentials: the output is parsed.
  request.env = {"GIT_TERMINAL_PROMPT=0", "GIT_PAGER=cat", "LC_ALL=C"};
  return run_process(request);
}

std::string cap_lines(const std::string& text, std::size_t max_lines) {
  std::size_t lines = 0, pos = 0;
  while (pos < text.size()) {
    const std::size_t end = text.find('\n', pos);
    if (++lines > max_lines) {
      const auto total = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
      return text.substr(0, pos) + fmt::format("... ({} more lines)\n", total - max_lines);
    }
    if (end == std::string::npos) break;
    pos = end + 1;
  }
  return text;
}

Result<ToolOutput> run(ToolContext& context, const nlohmann::json& args) {
  std::string path = string_arg(args, "path");
  const std::int64_t limit = int_arg(args, "limit", 5);
  // A node name stands for its file.
  if (std::error_code ec; !fs::exists(context.project_dir / path, ec))
    if (auto node = context.find_node(path); node && !(*node)->original_file_path.empty())
      path = std::string((*node)->original_file_path);
  const fs::path relative = fs::path(path).lexically_normal();
  if (relative.is_absolute() || relative.empty() || *relative.begin() == "..")
    return make_error(ErrorCode::invalid_argument, "{}: give a path inside the project, relative to {}", path,
                      context.project_dir.string());

  auto inside = git(context.project_dir, {"rev-parse", "--is-inside-work-tree"});
  if (!inside)
    return ToolOutput{{{"commits", nlohmann::json::array()}, {"note", "git is not installed"}},
                      "no history: git is not installed"};
  if (inside->exit_code != 0 || trim(inside->out) != "true")
    return ToolOutput{{{"commits", nlohmann::json::array()}, {"note", "not a git repository"}},
                      fmt::format("no history: {} is not a git repository", context.project_dir.string())};

  COWORK_ASSIGN_OR_RETURN(const ProcessResult log,
                          git(context.project_dir, {"log", "--follow", fmt::format("-n{}", limit),
                                                    "--format=%H%x1f%an%x1f%aI%x1f%B%x1e", "--", relative.string()}));
  if (log.exit_code != 0)
    return make_error(ErrorCode::invalid_argument, "git log of {} in {} failed: {}", relative.string(),
                      context.project_dir.string(), one_line(log.err, 300));
  nlohmann::json commits = nlohmann::json::array();
  std::string first;
  for (std::string_view record : split(log.out, '\x1e')) {
    record = trim(record);
    if (record.empty()) continue;
    const auto fields = split(record, '\x1f');
    if (fields.size() < 4) continue;
    const std::string sha(trim(fields[0]));
    auto show = git(context.project_dir,
                    {"show", "--format=", "--patch", "--no-color", "--find-renames", sha, "--", relative.string()});
    std::string diff = show && show->exit_code == 0 ? cap_lines(show->out, k_max_diff_lines) : std::string();
    const std::string message(trim(fields[3]));
    if (first.empty())
      first = fmt::format("latest {} by {} on {}: {}", sha.substr(0, 7), fields[1], fields[2].substr(0, 10),
                          one_line(message, 80));
    commits.push_back({{"sha", sha},
                       {"author", std::string(fields[1])},
                       {"date", std::string(fields[2])},
                       {"message", message},
                       {"diff", std::move(diff)}});
  }
  if (commits.empty())
    return ToolOutput{{{"commits", std::move(commits)}},
                      fmt::format("no commit touches {} (a new or untracked file?)", relative.string())};
  std::string summary = fmt::format("{} touching {}; {}", plural(static_cast<std::int64_t>(commits.size()), "commit"),
                                    relative.string(), first);
  return ToolOutput{{{"commits", std::move(commits)}}, std::move(summary)};
}

}  // namespace

void register_git_history(ToolRegistry& registry) {
  registry.add({
      "git_history",
      "The most recent git commits that changed a project file (a model's SQL, a schema.yml), newest first, with "
      "author, date, message and the diff of that file. Use it when a model started failing without a data change: "
      "a teammate's commit (a renamed column, a changed filter) is often the cause.",
      object_schema({{"path", string_param("A file relative to the project folder (models/src/src_hosts.sql), or a "
                                           "model's name for its SQL file")},
                     {"limit", integer_param("Commits to return (default 5)", 1, 50)}},
                    {"path"}),
      run,
  });
}

}  // namespace cowork::tools
