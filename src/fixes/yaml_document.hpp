// A concrete-syntax view of a YAML file, for changing dbt property files (schema.yml, sources.yml) the way a person
// would: every node keeps the byte offsets of its text, so an edit (yaml_edit.hpp) splices new text into the old and
// leaves every comment, blank line, quote, indentation and flow/block choice it does not touch as it was.
//
// The parser covers what dbt property files use: block mappings and sequences (indented under their key or not,
// compact `- name: x` items), flow sequences and mappings across lines, plain, single- and double-quoted scalars
// (multi-line too), literal and folded block scalars (kept opaque), comments anywhere, a leading `---` and `%`
// directives, CRLF line breaks, a byte-order mark, and a last line without a line break. Anchors, aliases and tags
// are parsed and recorded so that edits can refuse to go through them. It refuses, with file:line:column and the
// reason, what it does not cover or YAML forbids: tabs in indentation, explicit `? ` keys, a second document,
// single-pair mappings inside `[...]`, unclosed quotes and brackets, bad indentation.
//
// Used by yaml_edit (the edits) and by the fix strategies, which address nodes with a Path.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.hpp"

namespace cowork::fixes {

enum class NodeKind {
  null,            // an empty value: `key:` with nothing after it, a bare `-`, an empty document
  scalar,          // plain, single- or double-quoted
  block_scalar,    // `|` or `>`; its text is kept as written
  alias,           // `*name`
  block_mapping,   // `key: value` lines
  block_sequence,  // `- item` lines
  flow_mapping,    // `{a: 1, b: 2}`
  flow_sequence,   // `[a, b]`
};

enum class ScalarStyle { plain, single_quoted, double_quoted, literal, folded };

using NodeId = int;
inline constexpr NodeId k_no_node = -1;

struct Node {
  NodeKind kind = NodeKind::null;
  ScalarStyle style = ScalarStyle::plain;
  // The node's own text: for a scalar the token with its quotes, for a flow collection the brackets and all
  // between, for a block collection from its first key or dash to the end of its last value. Comments and line
  // breaks after the last value are not part of it. A null node is empty (begin == end) where its value would go.
  std::size_t begin = 0;
  std::size_t end = 0;
  std::size_t props_begin = 0;  // the first byte of its anchor or tag; `begin` when it has neither
  int indent = -1;              // block collections: the 0-based column of their keys or dashes
  std::string value;            // scalars: the decoded value; aliases: the anchor's name; block scalars: as written
  std::string anchor;           // `&name` on this node, without the `&`
  std::string tag;              // `!tag` on this node, as written
  std::vector<NodeId> keys;     // mappings: the key of each entry (scalar nodes)
  std::vector<NodeId> values;   // mappings: the value of each entry; sequences: the items
  std::vector<std::size_t> entry_begins;  // each entry's first byte: its key, its dash, or a flow item's first byte
  NodeId parent = k_no_node;
  int index = -1;  // the entry of the parent this node belongs to
  bool is_key = false;

  bool is_mapping() const { return kind == NodeKind::block_mapping || kind == NodeKind::flow_mapping; }
  bool is_sequence() const { return kind == NodeKind::block_sequence || kind == NodeKind::flow_sequence; }
  bool is_collection() const { return is_mapping() || is_sequence(); }
  bool is_flow() const { return kind == NodeKind::flow_mapping || kind == NodeKind::flow_sequence; }
  bool is_block_collection() const { return kind == NodeKind::block_mapping || kind == NodeKind::block_sequence; }
};

// One step of a Path. A path such as models[name=dim_listings].columns[name=room_type].test(accepted_values)
// reads: the `models` key, the item whose `name` is dim_listings, `columns`, the item named room_type, and its data
// test `accepted_values`.
struct PathStep {
  enum class Kind {
    key,    // a key of a mapping
    match,  // the item of a sequence whose mapping has `name` (the key) equal to `value`
    index,  // the item of a sequence at `index` (0-based)
    test,   // a data test of a model, column or source table, under `data_tests:` or `tests:`, by its name
  };
  Kind kind = Kind::key;
  std::string name;   // key: the key; match: the key inside the item; test: the test name or its own `name:`
  std::string value;  // match: the value that key must have
  int index = -1;     // index: the item; test: which of several tests of that name (-1: there must be exactly one)

  static PathStep key(std::string name) { return {Kind::key, std::move(name), {}, -1}; }
  static PathStep match(std::string name, std::string value) {
    return {Kind::match, std::move(name), std::move(value), -1};
  }
  static PathStep item(int index) { return {Kind::index, {}, {}, index}; }
  static PathStep test(std::string name, int which = -1) { return {Kind::test, std::move(name), {}, which}; }
};
using Path = std::vector<PathStep>;

// `models[name=dim_x].columns[0].test(unique)`; keys that need it are double-quoted.
std::string to_string(const Path& path);
// The inverse of to_string; also accepts `test(name#1)` for the second of two same-named tests.
Result<Path> parse_path(std::string_view text);

// Whether lists under `key` hold dbt entries (models, columns, data tests...), which people write in block style one
// a line, with bare names (`- unique`) rather than in the quotes of value lists.
bool is_entry_list_key(std::string_view key);

// How a file is written, so that new text looks like the old. Each is the most common choice in the file, or the
// usual dbt choice when the file does not show one.
struct Conventions {
  int mapping_indent = 2;   // columns a nested block mapping sits right of its key
  int sequence_indent = 2;  // columns a block sequence sits right of its key (0: `columns:\n- name: a`)
  int item_indent = 2;      // columns from a dash to its item (`- name` is 2)
  char quote = '"';         // the quote the file uses most for values that need quoting
  ScalarStyle item_style = ScalarStyle::single_quoted;  // how strings in value lists (`values: [...]`) mostly are
  std::string tests_key = "data_tests";                 // `data_tests` or `tests`, whichever the file uses
  std::string line_break = "\n";                        // the file's first line break
};

class YamlDocument {
 public:
  // Parses `text`; `file` names it in messages ("models/schema.yml:12:7: ...").
  static Result<YamlDocument> parse(std::string text, std::string file);

  const std::string& text() const { return m_text; }
  const std::string& file() const { return m_file; }
  NodeId root() const { return m_root; }
  const Node& node(NodeId id) const { return m_nodes[static_cast<std::size_t>(id)]; }
  std::size_t node_count() const { return m_nodes.size(); }
  const Conventions& conventions() const { return m_conventions; }

  // The node at `path`, or an error naming where the path stopped and what is there instead.
  Result<NodeId> resolve(const Path& path) const;

  // The value of `key` in `mapping`, k_no_node when it has none. An error when the key appears twice, or when it is
  // missing and the mapping merges another (`<<:`), where it might come from.
  Result<NodeId> find_key(NodeId mapping, std::string_view key) const;
  // The index of `key` among the mapping's entries, -1 when absent.
  int key_index(NodeId mapping, std::string_view key) const;
  // The data test entries of a model, column or source table mapping: the items under `data_tests:` and `tests:`.
  Result<std::vector<NodeId>> tests_of(NodeId owner) const;
  // What a test entry tests: `unique` for `- unique`, `- unique: {...}` and `- test_name: unique`.
  std::string test_name(NodeId entry) const;
  // The entry's own `name:` if it has one.
  std::string test_custom_name(NodeId entry) const;
  // The scalar value of `key` in `mapping`, or empty when absent or not a scalar.
  std::string scalar_at(NodeId mapping, std::string_view key) const;

  // 0-based column of an offset (a byte-order mark does not count), 1-based line.
  int column_of(std::size_t offset) const;
  int line_of(std::size_t offset) const;
  // "models/schema.yml:12:7" (1-based line and column).
  std::string location(std::size_t offset) const;
  std::size_t line_start(std::size_t offset) const;
  std::size_t line_end(std::size_t offset) const;  // the line break that ends the offset's line, or the text's end
  // The line break that ends the offset's line, or the file's usual one when it is the last line.
  std::string_view line_break_at(std::size_t offset) const;
  // Whether the list `sequence` is the value of a key that is_entry_list_key.
  bool is_entry_list(NodeId sequence) const;
  // Where path `id` sits, for messages: "models[name=dim_x].columns".
  std::string describe(NodeId id) const;

 private:
  friend class YamlParser;
  void detect_conventions();

  std::string m_text;
  std::string m_file;
  std::vector<Node> m_nodes;
  std::vector<std::size_t> m_line_starts;
  NodeId m_root = k_no_node;
  std::size_t m_bom = 0;
  Conventions m_conventions;
};

}  // namespace cowork::fixes
