// Applying a fix option to the project's files, and undoing it. Nothing is applied without a person's command
// (`cowork apply`, the dashboard's Apply button); every apply keeps a backup of each file it replaced under
// <project>/.cowork/backups/<apply_id>/ and is recorded in the store, so `cowork revert` restores the files exactly.
// With a git branch the change is committed on a new branch; a revert of such an apply is a new commit, never a
// rewrite of history.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "store/store.hpp"
#include "util/error.hpp"

namespace cowork::fixes {

// The digest of a file's content that FileEdit::original_hash and AppliedFile's hashes hold: lower-case hex MD5 (it
// detects edits made since; it is not a security boundary).
std::string content_hash(std::string_view content);

struct ApplyOptions {
  std::filesystem::path project_dir;
  std::string git_branch;      // empty: no branch, no commit
  std::string actor;           // who applies it (the commit's author when given); empty: "cowork"
  std::string commit_message;  // the git commit's message; the caller writes it (citing the incident and the rule)
};

// Applies the fix's edits. Every file is checked before any is written: one whose content no longer has the edit's
// original_hash is refused ("models/x.sql changed since the fix was made (fix_...); investigate again") and nothing
// is written. Each replaced file is backed up, each new content written atomically, and the apply recorded. With
// git_branch the project must be a git work tree and the branch must not exist (both checked before any change);
// the branch is created from HEAD and checked out, and only the edited files are committed with commit_message.
// A failure after the first write puts the files (and the branch) back as they were.
Result<store::ApplyRecord> apply_fix(store::Store& store, std::string_view fix_id, const ApplyOptions& options);

struct RevertOptions {
  std::filesystem::path project_dir;
  std::string actor;   // empty: "cowork"
  bool force = false;  // overwrite files changed by hand since the apply
};

// Restores the files of an apply from its backups and deletes the files it created. Refused for an apply already
// reverted, and for one whose files were changed since (their hash is not the apply's after_hash) unless `force`.
// When the apply made a git commit, the revert is committed on the current branch ("Revert <fix title>").
Result<store::ApplyRecord> revert_apply(store::Store& store, std::string_view apply_id, const RevertOptions& options);

}  // namespace cowork::fixes
