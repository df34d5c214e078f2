// Unified diffs, the form in which every proposed edit is shown to a person (the `diff` of a fix option's edits) and
// stored; and their exact application, used to check that a stored patch still applies to the file as it is now
// before a fix is verified or applied.
//
// Lines are compared byte for byte including their line break, so a CRLF file diffs as CRLF and a change of line
// breaks is a change. The diff is minimal (Myers' O(ND) algorithm in its linear-space form, after trimming the common
// head and tail), in the format of GNU diff -u and git: `--- a/path`, `+++ b/path`, `@@ -l,n +l,n @@` hunks with
// `context_lines` of context, and `\ No newline at end of file` after a last line without a line break.
#pragma once

#include <string>
#include <string_view>

#include "util/error.hpp"

namespace cowork::fixes {

// The unified diff turning `old_text` into `new_text`, or an empty string when they are equal. `path` is relative to
// the project folder ("models/schema.yml").
std::string unified_diff(std::string_view old_text, std::string_view new_text, std::string_view path,
                         int context_lines = 3);

// Applies `diff` (as unified_diff writes it; headers optional) to `old_text`. Every context and removed line must be
// where the hunk says, byte for byte; otherwise the error says which hunk, which line, and what it expected and
// found. An empty diff returns `old_text`.
Result<std::string> apply_unified_diff(std::string_view old_text, std::string_view diff);

}  // namespace cowork::fixes
