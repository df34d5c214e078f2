// Minimal edits of a YAML file: each changes the text only where it must and writes new text the way the file is
// already written (its indentation, how far lists sit under their keys, its line breaks, its quotes, flow or block as
// the surrounding collection is), so the unified diff a person reviews shows exactly the change. Everything the edit
// does not touch stays byte for byte: comments before, after and inside the changed block, key order, blank lines.
//
// Each function parses the text, edits it, and checks the result parses again (with this parser and with yaml-cpp)
// before returning it; an edit that cannot be done cleanly (a path that is not there, an anchor or alias in the way,
// YAML outside the supported subset) is an error naming file:line:column, never a mangled file. The dbt-specific
// edits built on these (accepted values, test configs, data tests) are in property_edits.hpp.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "fixes/yaml_document.hpp"
#include "util/error.hpp"

namespace cowork::fixes {

// A value to write: a string, number, boolean or null becomes a scalar (strings quoted only when YAML needs it or
// the context is quoted; numbers and booleans bare); arrays and objects become lists and mappings, in flow style
// inside flow collections or for short lists of scalars, otherwise in block style. Object keys keep their order.
using Value = nlohmann::ordered_json;

// Sets the scalar at `path` to `value`, keeping its quoting style unless the new value cannot be written in it.
Result<std::string> set_scalar(std::string_view text, std::string_view file, const Path& path, const Value& value);
// Appends items to the list at `path` in the list's own style: `['a', 'b']` gains `, 'c'` in the same quotes; a block
// list gains `- 'c'` lines at its indentation. An empty value (`values:`) becomes a list.
Result<std::string> append_items(std::string_view text, std::string_view file, const Path& path,
                                 const std::vector<Value>& items);
// Removes the list item at `path` (its lines, or its text and one comma in a flow list).
Result<std::string> remove_item(std::string_view text, std::string_view file, const Path& path);
// Sets keys.back() in the mapping reached from `path` through keys[0..n-2], creating those mappings when missing:
// set_key(text, file, path, {"config", "severity"}, "warn"). A new key goes at the end of its mapping; an existing
// one has its value replaced. When `path` ends at a data test, the keys go into the test's own mapping, turning
// `- unique` into `- unique:` with the keys below it.
Result<std::string> set_key(std::string_view text, std::string_view file, const Path& path,
                            const std::vector<std::string>& keys, const Value& value);
// Removes `key` and its value from the mapping at `path`.
Result<std::string> remove_key(std::string_view text, std::string_view file, const Path& path, std::string_view key);

// Several edits on one parsed document, applied together by finish(). Offsets refer to the document's text, so all
// edits of one Editor must touch disjoint places; for edits that depend on each other, finish and parse again.
// The free functions above and property_edits.hpp are built on this.
class Editor {
 public:
  explicit Editor(const YamlDocument& doc) : m_doc(doc) {}

  const YamlDocument& document() const { return m_doc; }

  // Fails when `id` or a node above it has an anchor or is an alias, where an edit would change other places too.
  Status check_editable(NodeId id) const;

  // Replaces the value `id` (a mapping value or a list item) with `value`.
  Status replace_value(NodeId id, const Value& value);
  // Sets keys.back() below `container` (a mapping, or an empty value that becomes one), creating mappings on the way.
  Status set_in(NodeId container, const std::vector<std::string>& keys, const Value& value);
  // Adds `key: value` at the end of `mapping`; the key must not be there yet.
  Status insert_pair(NodeId mapping, std::string_view key, const Value& value);
  // Appends to the list `sequence`, or makes the empty value `sequence` a list of `items`.
  Status append_items(NodeId sequence, const std::vector<Value>& items);
  // Removes entry `index` of a mapping or list, with its comments that are indented under it.
  Status remove_entry(NodeId collection, int index);
  // Gives a bare `- unique` list item a mapping (`- unique:` with `keys` below it).
  Status expand_bare_test(NodeId item, const std::vector<std::string>& keys, const Value& value);

  bool empty() const { return m_splices.empty(); }
  // The edited text, checked to parse again; the original text when nothing was edited.
  Result<std::string> finish() const;

 private:
  struct Splice {
    std::size_t begin = 0;
    std::size_t end = 0;
    std::string text;
  };

  void splice(std::size_t begin, std::size_t end, std::string text);
  void insert_lines(std::size_t at, const std::vector<std::string>& lines);
  Status fill_empty(NodeId id, const Value& value);
  std::size_t block_end(NodeId id, int owner_column) const;
  int owner_column(NodeId id) const;
  std::size_t colon_after_key(NodeId key) const;

  const YamlDocument& m_doc;
  std::vector<Splice> m_splices;
};

// The mapping that holds a data test entry's arguments and config: the entry itself for `- test_name: unique`, the
// value of its single key for `- accepted_values: {...}` (possibly an empty value, `- unique:`), k_no_node for a
// bare `- unique`.
NodeId test_body(const YamlDocument& doc, NodeId entry);
// Sets keys.back() below a data test entry, in its body (see test_body), creating the body when the entry is bare.
Status set_in_test(Editor& editor, NodeId entry, const std::vector<std::string>& keys, const Value& value);

// Writes `value` as a YAML scalar. `style` is the preferred style (plain: quoted only when needed); `in_flow` says
// whether it goes inside [...] or {...}, where commas and brackets need quotes too. Exposed for tests.
std::string emit_scalar(const Value& value, ScalarStyle style, bool in_flow, char fallback_quote = '"');
// Whether `text` reads back as the same string when written without quotes (never for text that YAML 1.1 or 1.2
// would take as a number, boolean, null or date, nor for text with quotes in it, which people quote).
bool plain_is_safe(std::string_view text, bool in_flow);

}  // namespace cowork::fixes
