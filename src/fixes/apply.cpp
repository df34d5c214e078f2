#include "fixes/apply.hpp"

#include <optional>
#include <set>
#include <vector>

#include "fixes/project_files.hpp"
#include "util/files.hpp"
#include "util/md5.hpp"
#include "util/process.hpp"
#include "util/strings.hpp"

namespace cowork::fixes {
namespace {

namespace fs = std::filesystem;

constexpr std::chrono::seconds k_git_timeout{60};

struct Identity {
  std::string name;
  std::string email;
};

// "Alice <alice@example.com>", "alice@example.com" or "alice".
Identity parse_actor(std::string_view actor) {
  const auto open = actor.find('<');
  const auto close = actor.rfind('>');
  if (open != std::string_view::npos && close != std::string_view::npos && close > open)
    return {std::string(trim(actor.substr(0, open))), std::string(trim(actor.substr(open + 1, close - open - 1)))};
  const std::string text(trim(actor));
  return {text, text.find('@') != std::string::npos ? text : std::string()};
}

std::string actor_or_default(const std::string& actor) {
  return trim(actor).empty() ? std::string(store::k_cowork_actor) : std::string(trim(actor));
}

// git in the project folder, without a shell.
class Git {
 public:
  explicit Git(fs::path dir) : m_dir(std::move(dir)) {}

  Result<ProcessResult> run(std::vector<std::string> args, std::vector<std::string> env = {}) const {
    ProcessRequest request;
    request.argv = {"git"};
    request.argv.insert(request.argv.end(), args.begin(), args.end());
    request.env = std::move(env);
    request.cwd = m_dir;
    request.timeout = k_git_timeout;
    return run_process(request);
  }

  // Runs git; a non-zero exit is an error quoting git's own message.
  Result<std::string> checked(std::vector<std::string> args, std::vector<std::string> env = {}) const {
    const std::string what = "git " + join(args, " ");
    COWORK_ASSIGN_OR_RETURN(ProcessResult result, run(std::move(args), std::move(env)));
    if (result.timed_out)
      return make_error(ErrorCode::timeout, "{} in {} did not finish in {} s", what, m_dir.string(),
                        k_git_timeout.count());
    if (result.exit_code != 0)
      return make_error(ErrorCode::unavailable, "{} in {} failed: {}", what, m_dir.string(),
                        std::string(trim(result.err.empty() ? result.out : result.err)));
    return std::string(trim(result.out));
  }

  // The project must be inside a git work tree, with git installed.
  Status check_work_tree() const {
    if (!on_path("git"))
      return make_error(ErrorCode::unavailable, "git is not installed, so {} cannot be committed to a branch",
                        m_dir.string());
    auto inside = run({"rev-parse", "--is-inside-work-tree"});
    if (!inside || inside->exit_code != 0 || trim(inside->out) != "true")
      return make_error(ErrorCode::invalid_argument,
                        "{} is not a git work tree; apply without a git branch, or run `git init` there first",
                        m_dir.string());
    return {};
  }

  // The branch checked out now, or the commit when HEAD is detached.
  Result<std::string> current_ref() const {
    COWORK_ASSIGN_OR_RETURN(ProcessResult branch, run({"symbolic-ref", "--quiet", "--short", "HEAD"}));
    if (branch.exit_code == 0) return std::string(trim(branch.out));
    return checked({"rev-parse", "HEAD"});
  }

  // Author from the actor; the committer is git's configured identity, or the author when git has none.
  Result<std::vector<std::string>> identity_env(const std::string& actor) const {
    std::vector<std::string> env;
    std::optional<Identity> author;
    if (!trim(actor).empty()) author = parse_actor(actor);
    if (author) {
      env.push_back("GIT_AUTHOR_NAME=" + author->name);
      env.push_back("GIT_AUTHOR_EMAIL=" + author->email);
    }
    COWORK_ASSIGN_OR_RETURN(ProcessResult configured, run({"var", "GIT_COMMITTER_IDENT"}));
    if (configured.exit_code != 0) {
      const Identity committer = author.value_or(Identity{std::string(store::k_cowork_actor), "cowork@localhost"});
      env.push_back("GIT_COMMITTER_NAME=" + committer.name);
      env.push_back("GIT_COMMITTER_EMAIL=" + committer.email);
    }
    return env;
  }

  // Commits exactly `paths` (as they are in the work tree, deletions included) and returns the new commit, or ""
  // when they hold no change.
  Result<std::string> commit_paths(const std::vector<std::string>& paths, const std::vector<std::string>& messages,
                                   const std::string& actor) const {
    std::vector<std::string> add{"add", "--all", "--"};
    add.insert(add.end(), paths.begin(), paths.end());
    COWORK_TRY(checked(add));
    std::vector<std::string> staged{"diff", "--cached", "--quiet", "--"};
    staged.insert(staged.end(), paths.begin(), paths.end());
    COWORK_ASSIGN_OR_RETURN(ProcessResult diff, run(staged));
    if (diff.exit_code == 0) return std::string();
    std::vector<std::string> commit{"commit", "--quiet"};
    for (const auto& message : messages) {
      commit.push_back("-m");
      commit.push_back(message);
    }
    commit.push_back("--");
    commit.insert(commit.end(), paths.begin(), paths.end());
    COWORK_ASSIGN_OR_RETURN(auto env, identity_env(actor));
    COWORK_TRY(checked(commit, env));
    return checked({"rev-parse", "HEAD"});
  }

 private:
  fs::path m_dir;
};

// One file of an apply: where it is and what it held before.
struct PlannedFile {
  fs::path relative;
  std::optional<std::string> previous;  // nullopt: the fix creates it
  const store::FileEdit* edit = nullptr;
};

// Puts the project's files back as they were before an apply started writing.
void restore_files(const fs::path& project_dir, const std::vector<PlannedFile>& files, std::size_t written) {
  std::error_code ec;
  for (std::size_t i = 0; i < written && i < files.size(); ++i) {
    const fs::path path = project_dir / files[i].relative;
    if (files[i].previous) {
      (void)write_file_atomic(path, *files[i].previous);
    } else {
      fs::remove(path, ec);
    }
  }
}

// .cowork/ holds state that is never committed; a project whose store lives elsewhere still gets the ignore file.
Status ensure_state_folder(const fs::path& project_dir) {
  const fs::path folder = project_dir / ".cowork";
  std::error_code ec;
  fs::create_directories(folder, ec);
  if (ec) return make_error(ErrorCode::permission_denied, "cannot create {}: {}", folder.string(), ec.message());
  if (!fs::exists(folder / ".gitignore", ec)) COWORK_TRY(write_file_atomic(folder / ".gitignore", "*\n"));
  return {};
}

}  // namespace

std::string content_hash(std::string_view content) {
  return md5_hex(content);
}

Result<store::ApplyRecord> apply_fix(store::Store& store, std::string_view fix_id, const ApplyOptions& options) {
  COWORK_ASSIGN_OR_RETURN(const store::FixRecord fix, store.get_fix(fix_id));
  const fs::path& project_dir = options.project_dir;
  std::error_code ec;
  if (!fs::is_directory(project_dir, ec))
    return make_error(ErrorCode::not_found, "the project folder {} does not exist", project_dir.string());
  if (fix.edits.empty())
    return make_error(ErrorCode::invalid_argument, "fix {} ({}) has no file edits to apply", fix.id, fix.title);

  // Every file is checked before any is written.
  std::vector<PlannedFile> files;
  std::set<fs::path> seen;
  for (const auto& edit : fix.edits) {
    COWORK_ASSIGN_OR_RETURN(fs::path relative, project_relative_path(edit.path));
    if (!seen.insert(relative).second)
      return make_error(ErrorCode::invalid_argument, "fix {} edits {} twice", fix.id, edit.path);
    COWORK_ASSIGN_OR_RETURN(auto current, read_if_exists(project_dir / relative));
    if (edit.original_hash.empty()) {
      if (current)
        return make_error(ErrorCode::invalid_argument,
                          "{} exists now, but the fix creates it ({}); investigate again", edit.path, fix.id);
    } else if (!current) {
      return make_error(ErrorCode::invalid_argument, "{} no longer exists ({}); investigate again", edit.path,
                        fix.id);
    } else if (content_hash(*current) != edit.original_hash) {
      return make_error(ErrorCode::invalid_argument, "{} changed since the fix was made ({}); investigate again",
                        edit.path, fix.id);
    }
    files.push_back({std::move(relative), std::move(current), &edit});
  }

  const Git git(project_dir);
  std::string previous_ref;
  if (!options.git_branch.empty()) {
    COWORK_TRY(git.check_work_tree());
    COWORK_ASSIGN_OR_RETURN(ProcessResult valid, git.run({"check-ref-format", "--branch", options.git_branch}));
    if (valid.exit_code != 0)
      return make_error(ErrorCode::invalid_argument, "'{}' is not a valid git branch name", options.git_branch);
    COWORK_ASSIGN_OR_RETURN(ProcessResult exists,
                            git.run({"rev-parse", "--verify", "--quiet", "refs/heads/" + options.git_branch}));
    if (exists.exit_code == 0)
      return make_error(ErrorCode::invalid_argument, "git branch {} already exists in {}; choose another name",
                        options.git_branch, project_dir.string());
    COWORK_ASSIGN_OR_RETURN(previous_ref, git.current_ref());
  }

  COWORK_TRY(ensure_state_folder(project_dir));
  const std::string apply_id = store::new_id("app");
  const fs::path backup_root = fs::path(".cowork") / "backups" / apply_id;
  bool branch_created = false;
  bool committed = false;
  std::size_t written = 0;
  // Undoes whatever was done so far, so a failure leaves the project as it was.
  auto undo = [&](Error error) -> std::unexpected<Error> {
    if (committed) (void)git.checked({"checkout", "--quiet", previous_ref});
    restore_files(project_dir, files, written);
    if (branch_created) {
      if (!committed) (void)git.checked({"checkout", "--quiet", previous_ref});
      (void)git.checked({"branch", "-D", options.git_branch});
    }
    fs::remove_all(project_dir / backup_root, ec);
    return std::unexpected(std::move(error));
  };

  if (!options.git_branch.empty()) {
    COWORK_TRY(git.checked({"checkout", "--quiet", "-b", options.git_branch}));
    branch_created = true;
  }

  store::ApplyRecord record;
  record.id = apply_id;
  record.fix_id = fix.id;
  record.applied_by = actor_or_default(options.actor);
  record.git_branch = options.git_branch;
  for (const auto& file : files) {
    store::AppliedFile applied;
    applied.path = file.relative.generic_string();
    if (file.previous) {
      applied.backup_path = (backup_root / file.relative).generic_string();
      applied.before_hash = content_hash(*file.previous);
      fs::create_directories((project_dir / applied.backup_path).parent_path(), ec);
      if (auto saved = write_file_atomic(project_dir / applied.backup_path, *file.previous); !saved)
        return undo(saved.error().with_context("backing up " + applied.path));
    }
    applied.after_hash = content_hash(file.edit->new_content);
    record.files.push_back(std::move(applied));
  }
  for (const auto& file : files) {
    const fs::path path = project_dir / file.relative;
    fs::create_directories(path.parent_path(), ec);
    ++written;  // counted first: a failed atomic write leaves the old file, which restoring rewrites harmlessly
    if (auto saved = write_file_atomic(path, file.edit->new_content); !saved) return undo(saved.error());
  }

  if (!options.git_branch.empty()) {
    std::vector<std::string> paths;
    for (const auto& file : files) paths.push_back(file.relative.generic_string());
    const std::string message = trim(options.commit_message).empty() ? fix.title : options.commit_message;
    auto commit = git.commit_paths(paths, {message}, options.actor);
    if (!commit) return undo(commit.error());
    committed = !commit->empty();
    record.git_commit = *commit;
  }

  auto recorded = store.record_apply(record);
  if (!recorded) return undo(recorded.error());
  return store.get_apply(*recorded);
}

Result<store::ApplyRecord> revert_apply(store::Store& store, std::string_view apply_id, const RevertOptions& options) {
  COWORK_ASSIGN_OR_RETURN(const store::ApplyRecord apply, store.get_apply(apply_id));
  if (apply.reverted())
    return make_error(ErrorCode::invalid_argument, "apply {} was already reverted at {} by {}", apply.id,
                      apply.reverted_at, apply.reverted_by);
  const fs::path& project_dir = options.project_dir;
  std::error_code ec;
  if (!fs::is_directory(project_dir, ec))
    return make_error(ErrorCode::not_found, "the project folder {} does not exist", project_dir.string());
  auto fix = store.get_fix(apply.fix_id);
  const std::string title = fix ? fix->title : apply.fix_id;

  // Everything is read and checked before anything is written.
  struct Restore {
    fs::path relative;
    std::optional<std::string> content;  // nullopt: the apply created the file; delete it
  };
  std::vector<Restore> restores;
  std::vector<std::string> changed;
  for (const auto& file : apply.files) {
    COWORK_ASSIGN_OR_RETURN(fs::path relative, project_relative_path(file.path));
    COWORK_ASSIGN_OR_RETURN(auto current, read_if_exists(project_dir / relative));
    if (!current || content_hash(*current) != file.after_hash)
      changed.push_back(current ? file.path : file.path + " (deleted)");
    Restore restore{std::move(relative), std::nullopt};
    if (!file.backup_path.empty()) {
      const fs::path backup = fs::path(file.backup_path).is_absolute() ? fs::path(file.backup_path)
                                                                       : project_dir / file.backup_path;
      auto saved = read_if_exists(backup);
      if (!saved) return std::unexpected(saved.error());
      if (!*saved)
        return make_error(ErrorCode::not_found, "the backup of {} ({}) is missing, so apply {} cannot be reverted",
                          file.path, backup.string(), apply.id);
      restore.content = std::move(**saved);
    }
    restores.push_back(std::move(restore));
  }
  if (!changed.empty() && !options.force)
    return make_error(ErrorCode::invalid_argument,
                      "{} changed after apply {}; revert with force to replace those changes with the backup",
                      join(changed, ", "), apply.id);
  const Git git(project_dir);
  if (!apply.git_commit.empty()) COWORK_TRY(git.check_work_tree());

  std::vector<std::string> done;
  for (const auto& restore : restores) {
    const fs::path path = project_dir / restore.relative;
    Status status;
    if (restore.content) {
      fs::create_directories(path.parent_path(), ec);
      status = write_file_atomic(path, *restore.content);
    } else if (fs::remove(path, ec); ec) {
      status = make_error(ErrorCode::permission_denied, "cannot delete {}: {}", path.string(), ec.message());
    }
    if (!status)
      return make_error(status.error().code, "reverting apply {} stopped: {} (already restored: {})", apply.id,
                        status.error().message, done.empty() ? std::string("none") : join(done, ", "));
    done.push_back(restore.relative.generic_string());
  }

  if (!apply.git_commit.empty()) {
    const std::vector<std::string> messages{
        fmt::format("Revert \"{}\"", title),
        fmt::format("This reverts commit {} (apply {} of fix {}).", apply.git_commit, apply.id, apply.fix_id)};
    COWORK_TRY(git.commit_paths(done, messages, options.actor));
  }
  COWORK_TRY(store.mark_reverted(apply.id, store.now(), actor_or_default(options.actor)));
  return store.get_apply(apply.id);
}

}  // namespace cowork::fixes
