#include "fixes/yaml_document.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <utility>

#include "util/strings.hpp"
#include "util/utf8.hpp"

namespace cowork::fixes {

namespace {

bool is_blank(char c) {
  return c == ' ' || c == '\t';
}
bool is_flow_indicator(char c) {
  return c == ',' || c == '[' || c == ']' || c == '{' || c == '}';
}

std::string quote_for_message(std::string_view text) {
  std::string out = "'";
  out += one_line(text, 60);
  out += "'";
  return out;
}

struct Props {
  std::string anchor;
  std::string tag;
  std::size_t begin = std::string::npos;
  bool any() const { return begin != std::string::npos; }
};

}  // namespace

// ---------------------------------------------------------------------------------------------------------------------
// The parser: recursive descent over the text, one function per construct, every node recording its offsets.

class YamlParser {
  // Deeper nesting than any property file has is refused rather than recursed into until the stack runs out.
  static constexpr int k_max_depth = 200;

 public:
  explicit YamlParser(YamlDocument& doc) : m_doc(doc), m_text(doc.m_text) {}

  Status run() {
    std::size_t p = m_doc.m_bom;
    COWORK_TRY(check_indentation(p));
    COWORK_ASSIGN_OR_RETURN(p, skip_to_content(p));
    while (at(p) == '%' && column(p) == 0) {  // directives (%YAML, %TAG) before the document
      COWORK_ASSIGN_OR_RETURN(p, skip_to_content(line_end(p)));
    }
    if (is_document_marker(p, '-')) p += 3;
    COWORK_ASSIGN_OR_RETURN(m_doc.m_root, parse_block_node(p, -1, false, {}));
    COWORK_ASSIGN_OR_RETURN(std::size_t q, skip_to_content(node(m_doc.m_root).end));
    if (is_document_marker(q, '.')) {
      COWORK_ASSIGN_OR_RETURN(q, skip_to_content(q + 3));
    }
    if (!at_end(q)) {
      if (is_document_marker(q, '-'))
        return fail(q, "a second YAML document starts here; a dbt property file must hold exactly one");
      return fail(q, "unexpected text {} after the document's end", quote_for_message(rest_of_line(q)));
    }
    return {};
  }

 private:
  YamlDocument& m_doc;
  std::string_view m_text;
  int m_depth = 0;

  class Nesting {
   public:
    explicit Nesting(int& depth) : m_depth(depth) { ++m_depth; }
    ~Nesting() { --m_depth; }
    Nesting(const Nesting&) = delete;
    Nesting& operator=(const Nesting&) = delete;

   private:
    int& m_depth;
  };

  Status check_depth(std::size_t p) const {
    if (m_depth > k_max_depth) return fail(p, "collections nested more than {} deep", k_max_depth);
    return {};
  }

  // -- characters and lines ------------------------------------------------------------------------------------------

  bool at_end(std::size_t p) const { return p >= m_text.size(); }
  char at(std::size_t p) const { return p < m_text.size() ? m_text[p] : '\0'; }
  bool is_break(std::size_t p) const { return at(p) == '\n' || (at(p) == '\r' && at(p + 1) == '\n'); }
  bool is_space_or_end(std::size_t p) const { return at_end(p) || is_blank(at(p)) || is_break(p); }
  std::size_t line_end(std::size_t p) const {
    while (!at_end(p) && !is_break(p)) ++p;
    return p;
  }
  std::size_t next_line(std::size_t p) const {
    p = line_end(p);
    if (at(p) == '\r') return p + 2;
    if (at(p) == '\n') return p + 1;
    return p;
  }
  std::size_t skip_blanks(std::size_t p) const {
    while (is_blank(at(p))) ++p;
    return p;
  }
  int column(std::size_t p) const { return m_doc.column_of(p); }
  std::string_view rest_of_line(std::size_t p) const { return m_text.substr(p, line_end(p) - p); }
  bool is_dash(std::size_t p) const { return at(p) == '-' && is_space_or_end(p + 1); }
  bool is_document_marker(std::size_t p, char c) const {
    return column(p) == 0 && at(p) == c && at(p + 1) == c && at(p + 2) == c && is_space_or_end(p + 3);
  }
  // The end of a line's content: before a comment and trailing blanks.
  bool at_line_end_or_comment(std::size_t p) const { return at_end(p) || is_break(p) || at(p) == '#'; }

  template <typename... Args>
  std::unexpected<Error> fail(std::size_t p, fmt::format_string<Args...> format, Args&&... args) const {
    return std::unexpected(
        Error{ErrorCode::invalid_argument,
              fmt::format("{}: {}", m_doc.location(p), fmt::format(format, std::forward<Args>(args)...))});
  }

  // A tab may separate tokens but never indent a line that has content.
  Status check_indentation(std::size_t line) const {
    std::size_t q = line;
    while (at(q) == ' ') ++q;
    if (at(q) != '\t') return {};
    std::size_t r = skip_blanks(q);
    if (at_line_end_or_comment(r)) return {};
    return fail(q, "a tab character indents this line; YAML indentation must be spaces");
  }

  // Skips blanks, comments and line breaks to the next content (or the end). Called at a line start or right after a
  // token, where a `#` starts a comment.
  Result<std::size_t> skip_to_content(std::size_t p) const {
    while (true) {
      p = skip_blanks(p);
      if (at_end(p)) return p;
      if (at(p) == '#') {
        p = line_end(p);
        continue;
      }
      if (is_break(p)) {
        p = next_line(p);
        COWORK_TRY(check_indentation(p));
        continue;
      }
      return p;
    }
  }

  // -- nodes ---------------------------------------------------------------------------------------------------------

  Node& node(NodeId id) { return m_doc.m_nodes[static_cast<std::size_t>(id)]; }

  NodeId new_node(NodeKind kind, std::size_t begin, const Props& props) {
    Node n;
    n.kind = kind;
    n.begin = begin;
    n.end = begin;
    n.props_begin = props.any() ? props.begin : begin;
    n.anchor = props.anchor;
    n.tag = props.tag;
    m_doc.m_nodes.push_back(std::move(n));
    return static_cast<NodeId>(m_doc.m_nodes.size() - 1);
  }

  void add_entry(NodeId parent, std::size_t entry_begin, NodeId key, NodeId value) {
    Node& p = node(parent);
    const int index = static_cast<int>(p.values.size());
    p.entry_begins.push_back(entry_begin);
    if (key != k_no_node) {
      p.keys.push_back(key);
      node(key).parent = parent;
      node(key).index = index;
      node(key).is_key = true;
    }
    node(parent).values.push_back(value);
    node(value).parent = parent;
    node(value).index = index;
  }

  bool starts_props(std::size_t p) const { return at(p) == '&' || at(p) == '!'; }

  // `&anchor` and `!tag`, in either order; leaves p after them and their blanks.
  Result<Props> parse_props(std::size_t& p, bool flow) const {
    Props props;
    props.begin = p;
    while (starts_props(p)) {
      const char c = at(p);
      std::size_t q = p + 1;
      while (!is_space_or_end(q) && !(flow && is_flow_indicator(at(q)))) ++q;
      if (c == '&') {
        if (q == p + 1) return fail(p, "an anchor needs a name after '&'");
        props.anchor = std::string(m_text.substr(p + 1, q - p - 1));
      } else {
        props.tag = std::string(m_text.substr(p, q - p));
      }
      p = skip_blanks(q);
    }
    return props;
  }

  NodeId make_null(std::size_t at_offset, const Props& props) { return new_node(NodeKind::null, at_offset, props); }

  // A node that starts on a later line than `after` (or at `after` for the document). `parent_indent` is the
  // indentation of the owner; the node must sit right of it, except that a sequence may sit at its key's column.
  Result<NodeId> parse_block_node(std::size_t after, int parent_indent, bool sequence_at_parent, Props props) {
    COWORK_ASSIGN_OR_RETURN(std::size_t p, skip_to_content(after));
    const int c = column(p);
    const bool ends = at_end(p) || is_document_marker(p, '-') || is_document_marker(p, '.') || c < parent_indent ||
                      (c == parent_indent && !(sequence_at_parent && is_dash(p)));
    if (ends) return make_null(after, props);
    if (is_dash(p)) return parse_block_sequence(p, c, props);
    if (at(p) == '?' && is_space_or_end(p + 1)) return fail(p, "explicit mapping keys ('? ') are not supported");
    if (starts_props(p)) {
      if (props.any()) return fail(p, "a second anchor or tag for the same node");
      COWORK_ASSIGN_OR_RETURN(Props own, parse_props(p, false));
      if (at_line_end_or_comment(p)) return parse_block_node(p, parent_indent, sequence_at_parent, own);
      if (is_key(p)) return fail(own.begin, "an anchor or tag before a mapping key is not supported");
      return parse_inline(p, parent_indent, own);
    }
    if (is_key(p)) return parse_block_mapping(p, c, props);
    return parse_inline(p, parent_indent, props);
  }

  Result<NodeId> parse_block_sequence(std::size_t p, int indent, const Props& props) {
    const Nesting nesting(m_depth);
    COWORK_TRY(check_depth(p));
    const NodeId id = new_node(NodeKind::block_sequence, p, props);
    node(id).indent = indent;
    std::size_t last_end = p + 1;
    while (true) {
      const std::size_t q = skip_blanks(p + 1);
      NodeId item = k_no_node;
      if (at_line_end_or_comment(q)) {
        COWORK_ASSIGN_OR_RETURN(item, parse_block_node(p + 1, indent, false, {}));
      } else {
        COWORK_ASSIGN_OR_RETURN(item, parse_compact(q, indent));
      }
      add_entry(id, p, k_no_node, item);
      last_end = node(item).end;
      COWORK_ASSIGN_OR_RETURN(std::size_t n, skip_to_content(last_end));
      if (at_end(n) || is_document_marker(n, '-') || is_document_marker(n, '.')) break;
      const int c = column(n);
      if (c > indent)
        return fail(n, "this line is indented more than the sequence entries above it (column {})", indent + 1);
      if (c < indent || !is_dash(n)) break;
      p = n;
    }
    node(id).end = last_end;
    return id;
  }

  // The item of a block sequence that starts on the dash's line: a nested sequence, a mapping whose first key is
  // on that line, or a scalar or flow collection.
  Result<NodeId> parse_compact(std::size_t q, int dash_indent) {
    Props props;
    if (starts_props(q)) {
      COWORK_ASSIGN_OR_RETURN(props, parse_props(q, false));
      if (at_line_end_or_comment(q)) return parse_block_node(q, dash_indent, false, props);
    }
    if (is_dash(q)) return parse_block_sequence(q, column(q), props);
    if (at(q) == '?' && is_space_or_end(q + 1)) return fail(q, "explicit mapping keys ('? ') are not supported");
    if (is_key(q)) return parse_block_mapping(q, column(q), props);
    return parse_inline(q, dash_indent, props);
  }

  Result<NodeId> parse_block_mapping(std::size_t p, int indent, const Props& props) {
    const Nesting nesting(m_depth);
    COWORK_TRY(check_depth(p));
    const NodeId id = new_node(NodeKind::block_mapping, p, props);
    node(id).indent = indent;
    std::size_t last_end = p;
    while (true) {
      if (at(p) == '?' && is_space_or_end(p + 1)) return fail(p, "explicit mapping keys ('? ') are not supported");
      if (is_dash(p)) return fail(p, "a sequence entry where a mapping key was expected");
      if (!is_key(p)) return fail(p, "expected 'key: value' here, found {}", quote_for_message(rest_of_line(p)));
      COWORK_ASSIGN_OR_RETURN(NodeId key, parse_key(p));
      const std::size_t colon = skip_blanks(node(key).end);
      const std::size_t after = colon + 1;
      std::size_t q = skip_blanks(after);
      NodeId value = k_no_node;
      if (at_line_end_or_comment(q)) {
        COWORK_ASSIGN_OR_RETURN(value, parse_block_node(after, indent, true, {}));
      } else {
        Props value_props;
        if (starts_props(q)) {
          COWORK_ASSIGN_OR_RETURN(value_props, parse_props(q, false));
          if (at_line_end_or_comment(q)) {
            COWORK_ASSIGN_OR_RETURN(value, parse_block_node(q, indent, true, value_props));
          }
        }
        if (value == k_no_node) {
          if (is_dash(q)) return fail(q, "a block sequence cannot start on the line of its key");
          if (is_key(q)) return fail(q, "a block mapping cannot start on the line of its key");
          COWORK_ASSIGN_OR_RETURN(value, parse_inline(q, indent, value_props));
        }
      }
      add_entry(id, p, key, value);
      last_end = node(value).end;
      COWORK_ASSIGN_OR_RETURN(std::size_t n, skip_to_content(last_end));
      if (at_end(n) || is_document_marker(n, '-') || is_document_marker(n, '.')) break;
      const int c = column(n);
      if (c > indent) return fail(n, "this line is indented more than the keys of its mapping (column {})", indent + 1);
      if (c < indent) break;
      p = n;
    }
    node(id).end = last_end;
    return id;
  }

  // Whether a block mapping key (`key:` followed by a blank or the line's end) starts at p.
  bool is_key(std::size_t p) const {
    const char c = at(p);
    if (c == '"' || c == '\'') {
      const std::size_t e = quoted_end_on_line(p);
      if (e == std::string::npos) return false;
      const std::size_t q = skip_blanks(e);
      return at(q) == ':' && is_space_or_end(q + 1);
    }
    if (c == '\0' || std::string_view("[]{},#&*!|>%@`").find(c) != std::string_view::npos) return false;
    if ((c == '-' || c == '?' || c == ':') && is_space_or_end(p + 1)) return false;
    for (std::size_t q = p; !at_end(q) && !is_break(q); ++q) {
      if (at(q) == ':' && is_space_or_end(q + 1)) return true;
      if (at(q) == '#' && q > p && is_blank(at(q - 1))) return false;
    }
    return false;
  }

  // The end (one past the closing quote) of a quoted scalar that closes on its own line, or npos.
  std::size_t quoted_end_on_line(std::size_t p) const {
    const char quote = at(p);
    for (std::size_t q = p + 1; !at_end(q) && !is_break(q); ++q) {
      if (quote == '"' && at(q) == '\\') {
        ++q;
        continue;
      }
      if (at(q) == quote) {
        if (quote == '\'' && at(q + 1) == '\'') {
          ++q;
          continue;
        }
        return q + 1;
      }
    }
    return std::string::npos;
  }

  Result<NodeId> parse_key(std::size_t p) {
    if (at(p) == '"' || at(p) == '\'') {
      if (quoted_end_on_line(p) == std::string::npos) return fail(p, "a quoted key must end on its line");
      return parse_quoted(p, {});
    }
    const NodeId id = new_node(NodeKind::scalar, p, {});
    std::size_t q = p;
    while (!(at(q) == ':' && is_space_or_end(q + 1))) ++q;
    std::size_t e = q;
    while (e > p && is_blank(at(e - 1))) --e;
    node(id).end = e;
    node(id).value = std::string(m_text.substr(p, e - p));
    return id;
  }

  // A node that starts at p on the current line: an alias, a flow collection, a quoted or plain scalar, or a block
  // scalar. Anything left on its last line but a comment is an error.
  Result<NodeId> parse_inline(std::size_t p, int parent_indent, const Props& props) {
    const char c = at(p);
    NodeId id = k_no_node;
    if (c == '*') {
      std::size_t q = p + 1;
      while (!is_space_or_end(q)) ++q;
      id = new_node(NodeKind::alias, p, props);
      node(id).end = q;
      node(id).value = std::string(m_text.substr(p + 1, q - p - 1));
    } else if (c == '[' || c == '{') {
      COWORK_ASSIGN_OR_RETURN(id, parse_flow_collection(p, props));
    } else if (c == '\'' || c == '"') {
      COWORK_ASSIGN_OR_RETURN(id, parse_quoted(p, props));
    } else if (c == '|' || c == '>') {
      return parse_block_scalar(p, parent_indent, props);
    } else if (c == ']' || c == '}' || c == ',' || c == '%' || c == '@' || c == '`') {
      return fail(p, "a plain value cannot start with '{}'; quote it", c);
    } else {
      COWORK_ASSIGN_OR_RETURN(id, parse_plain_block(p, parent_indent, props));
    }
    const std::size_t q = skip_blanks(node(id).end);
    if (!at_line_end_or_comment(q) || (at(q) == '#' && q == node(id).end))
      return fail(q, "unexpected text {} after the value", quote_for_message(rest_of_line(q)));
    return id;
  }

  // The end of a plain scalar's text on the line starting at p (trailing blanks excluded).
  std::size_t plain_line_end(std::size_t p, bool flow) const {
    std::size_t last = p;
    for (std::size_t q = p; !at_end(q) && !is_break(q); ++q) {
      const char c = at(q);
      if (c == ':' && (is_space_or_end(q + 1) || (flow && is_flow_indicator(at(q + 1))))) break;
      if (c == '#' && q > p && is_blank(at(q - 1))) break;
      if (flow && is_flow_indicator(c)) break;
      if (!is_blank(c)) last = q + 1;
    }
    return last;
  }

  Result<NodeId> parse_plain_block(std::size_t p, int parent_indent, const Props& props) {
    const NodeId id = new_node(NodeKind::scalar, p, props);
    std::size_t end = plain_line_end(p, false);
    std::string value(m_text.substr(p, end - p));
    // Continuation lines: more indented than the owner, not comments.
    while (true) {
      const std::size_t q = skip_blanks(end);
      if (!is_break(q)) break;
      std::size_t line = next_line(q);
      int blank_lines = 0;
      std::size_t s = skip_blanks(line);
      while (is_break(s)) {
        ++blank_lines;
        line = next_line(s);
        s = skip_blanks(line);
      }
      if (at_end(s) || column(s) <= parent_indent || at(s) == '#' || is_document_marker(s, '-') ||
          is_document_marker(s, '.'))
        break;
      COWORK_TRY(check_indentation(line));
      if (is_key(s)) return fail(s, "this 'key: value' line is indented deeper than the entry above it");
      const std::size_t e = plain_line_end(s, false);
      if (e == s) break;
      value += blank_lines > 0 ? std::string(static_cast<std::size_t>(blank_lines), '\n') : std::string(" ");
      value += m_text.substr(s, e - s);
      end = e;
    }
    node(id).end = end;
    node(id).value = std::move(value);
    return id;
  }

  // Single- or double-quoted, possibly over several lines (folded as YAML folds them).
  Result<NodeId> parse_quoted(std::size_t p, const Props& props) {
    const char quote = at(p);
    const NodeId id = new_node(NodeKind::scalar, p, props);
    node(id).style = quote == '\'' ? ScalarStyle::single_quoted : ScalarStyle::double_quoted;
    std::string value;
    std::size_t q = p + 1;
    while (true) {
      if (at_end(q)) return fail(p, "this quoted string is never closed");
      const char c = at(q);
      if (c == quote) {
        if (quote == '\'' && at(q + 1) == '\'') {
          value += '\'';
          q += 2;
          continue;
        }
        break;
      }
      if (is_break(q)) {
        // Fold: trailing blanks go, one break becomes a space, each further (empty) line a newline.
        while (!value.empty() && is_blank(value.back())) value.pop_back();
        int breaks = 0;
        while (is_break(q)) {
          ++breaks;
          q = skip_blanks(next_line(q));
        }
        value += breaks == 1 ? std::string(" ") : std::string(static_cast<std::size_t>(breaks - 1), '\n');
        continue;
      }
      if (quote == '"' && c == '\\') {
        COWORK_TRY(decode_escape(q, value));
        continue;
      }
      value += c;
      ++q;
    }
    node(id).end = q + 1;
    node(id).value = std::move(value);
    return id;
  }

  Status decode_escape(std::size_t& q, std::string& out) const {
    const std::size_t start = q;
    const char e = at(q + 1);
    q += 2;
    auto hex = [&](int digits) -> Status {
      std::uint32_t cp = 0;
      for (int i = 0; i < digits; ++i, ++q) {
        const char h = at(q);
        int v = 0;
        if (h >= '0' && h <= '9')
          v = h - '0';
        else if (h >= 'a' && h <= 'f')
          v = h - 'a' + 10;
        else if (h >= 'A' && h <= 'F')
          v = h - 'A' + 10;
        else
          return fail(start, "a bad escape sequence in a double-quoted string");
        cp = cp * 16 + static_cast<std::uint32_t>(v);
      }
      append_utf8(out, cp);
      return {};
    };
    static constexpr std::pair<char, char> k_simple[] = {
        {'0', '\0'}, {'a', '\a'}, {'b', '\b'},   {'t', '\t'}, {'\t', '\t'}, {'n', '\n'}, {'v', '\v'},
        {'f', '\f'}, {'r', '\r'}, {'e', '\x1b'}, {' ', ' '},  {'"', '"'},   {'/', '/'},  {'\\', '\\'}};
    static constexpr std::pair<char, std::uint32_t> k_unicode[] = {
        {'N', 0x85}, {'_', 0xA0}, {'L', 0x2028}, {'P', 0x2029}};
    for (const auto& [from, to] : k_simple) {
      if (e != from) continue;
      out += to;
      return {};
    }
    for (const auto& [from, to] : k_unicode) {
      if (e != from) continue;
      append_utf8(out, to);
      return {};
    }
    switch (e) {
      case 'x':
        return hex(2);
      case 'u':
        return hex(4);
      case 'U':
        return hex(8);
      case '\r':
      case '\n':
        // An escaped line break joins the lines without a space.
        q = skip_blanks(next_line(start + 1));
        return {};
      default:
        return fail(start, "unknown escape '\\{}' in a double-quoted string", e);
    }
  }

  // `|` or `>` with its header; the content is every following line indented deeper than the owner.
  Result<NodeId> parse_block_scalar(std::size_t p, int parent_indent, const Props& props) {
    const NodeId id = new_node(NodeKind::block_scalar, p, props);
    node(id).style = at(p) == '|' ? ScalarStyle::literal : ScalarStyle::folded;
    std::size_t q = p + 1;
    char chomp = 0;
    int explicit_indent = 0;
    for (int i = 0; i < 2; ++i) {
      if (at(q) == '+' || at(q) == '-') {
        chomp = at(q++);
      } else if (at(q) >= '1' && at(q) <= '9') {
        explicit_indent = at(q++) - '0';
      }
    }
    q = skip_blanks(q);
    if (!at_line_end_or_comment(q) || (at(q) == '#' && !is_blank(at(q - 1))))
      return fail(q, "unexpected text {} after a block scalar's header", quote_for_message(rest_of_line(q)));
    const std::size_t header_end = line_end(q);
    std::size_t end = header_end;
    int block_indent = explicit_indent > 0 ? std::max(parent_indent, 0) + explicit_indent : -1;
    std::size_t line = next_line(header_end);
    if (block_indent < 0) {
      // The first non-empty line sets the indentation.
      for (std::size_t l = line; !at_end(l); l = next_line(l)) {
        std::size_t s = l;
        while (at(s) == ' ') ++s;
        if (is_break(s) || at_end(s)) continue;
        block_indent = static_cast<int>(s - l);
        break;
      }
    }
    std::size_t last_line_end = header_end;
    if (block_indent > parent_indent) {
      while (!at_end(line) && line != header_end) {
        std::size_t s = line;
        while (at(s) == ' ' && static_cast<int>(s - line) < block_indent) ++s;
        const bool blank = is_break(skip_blanks(s)) || at_end(skip_blanks(s));
        if (!blank && static_cast<int>(s - line) < block_indent) break;
        if (blank) {
          last_line_end = line_end(line);
        } else {
          end = last_line_end = line_end(line);
        }
        const std::size_t next = next_line(line);
        if (next == line) break;
        line = next;
      }
    }
    if (chomp == '+') end = last_line_end;
    node(id).end = end;
    node(id).value = std::string(m_text.substr(p, end - p));
    return id;
  }

  // -- flow collections ----------------------------------------------------------------------------------------------

  Result<std::size_t> skip_flow_space(std::size_t p) const {
    while (true) {
      p = skip_blanks(p);
      if (at_end(p)) return p;
      if (is_break(p)) {
        p = next_line(p);
        continue;
      }
      if (at(p) == '#' && (p == 0 || is_blank(at(p - 1)) || at(p - 1) == '\n')) {
        p = line_end(p);
        continue;
      }
      return p;
    }
  }

  Result<NodeId> parse_flow_collection(std::size_t p, const Props& props) {
    const Nesting nesting(m_depth);
    COWORK_TRY(check_depth(p));
    const bool is_sequence = at(p) == '[';
    const char close = is_sequence ? ']' : '}';
    const NodeId id = new_node(is_sequence ? NodeKind::flow_sequence : NodeKind::flow_mapping, p, props);
    std::size_t q = p + 1;
    while (true) {
      COWORK_ASSIGN_OR_RETURN(q, skip_flow_space(q));
      if (at_end(q)) return fail(p, "this '{}' is never closed", at(p));
      if (at(q) == close) break;
      const std::size_t entry = q;
      if (is_sequence) {
        COWORK_ASSIGN_OR_RETURN(NodeId item, parse_flow_item(q));
        COWORK_ASSIGN_OR_RETURN(q, skip_flow_space(node(item).end));
        if (at(q) == ':')
          return fail(entry, "a 'key: value' pair directly inside [...] is not supported; write it as {{key: value}}");
        add_entry(id, entry, k_no_node, item);
      } else {
        COWORK_ASSIGN_OR_RETURN(NodeId key, parse_flow_item(q));
        if (node(key).kind != NodeKind::scalar) return fail(entry, "only scalar keys are supported in {{...}}");
        COWORK_ASSIGN_OR_RETURN(q, skip_flow_space(node(key).end));
        if (at(q) != ':') return fail(q, "expected ':' after the key {}", quote_for_message(node(key).value));
        const std::size_t after = q + 1;
        COWORK_ASSIGN_OR_RETURN(q, skip_flow_space(after));
        NodeId value = k_no_node;
        if (at(q) == ',' || at(q) == '}') {
          value = make_null(after, {});
        } else {
          COWORK_ASSIGN_OR_RETURN(value, parse_flow_item(q));
        }
        add_entry(id, entry, key, value);
        COWORK_ASSIGN_OR_RETURN(q, skip_flow_space(node(value).end));
      }
      if (at(q) == ',') {
        ++q;
        continue;
      }
      if (at(q) == close) break;
      if (at_end(q)) return fail(p, "this '{}' is never closed", at(p));
      return fail(q, "expected ',' or '{}' here, found {}", close, quote_for_message(rest_of_line(q)));
    }
    node(id).end = q + 1;
    return id;
  }

  Result<NodeId> parse_flow_item(std::size_t p) {
    Props props;
    if (starts_props(p)) {
      COWORK_ASSIGN_OR_RETURN(props, parse_props(p, true));
      COWORK_ASSIGN_OR_RETURN(p, skip_flow_space(p));
      if (at(p) == ',' || at(p) == ']' || at(p) == '}') return make_null(p, props);
    }
    const char c = at(p);
    if (c == '*') {
      std::size_t q = p + 1;
      while (!is_space_or_end(q) && !is_flow_indicator(at(q))) ++q;
      const NodeId id = new_node(NodeKind::alias, p, props);
      node(id).end = q;
      node(id).value = std::string(m_text.substr(p + 1, q - p - 1));
      return id;
    }
    if (c == '[' || c == '{') return parse_flow_collection(p, props);
    if (c == '\'' || c == '"') return parse_quoted(p, props);
    if (c == ',' || c == ']' || c == '}' || c == '#' || c == '|' || c == '>' || c == '%' || c == '@' || c == '`' ||
        at_end(p))
      return fail(p, "expected a value here");
    const NodeId id = new_node(NodeKind::scalar, p, props);
    std::size_t end = plain_line_end(p, true);
    if (end == p) return fail(p, "expected a value here");
    std::string value(m_text.substr(p, end - p));
    // A plain scalar may go on over lines inside brackets.
    while (true) {
      const std::size_t q = skip_blanks(end);
      if (!is_break(q)) break;
      const std::size_t s = skip_blanks(next_line(q));
      if (at_end(s) || is_break(s) || std::string_view(",[]{}#:").find(at(s)) != std::string_view::npos) break;
      const std::size_t e = plain_line_end(s, true);
      if (e == s) break;
      value += ' ';
      value += m_text.substr(s, e - s);
      end = e;
    }
    node(id).end = end;
    node(id).value = std::move(value);
    return id;
  }
};

// ---------------------------------------------------------------------------------------------------------------------

Result<YamlDocument> YamlDocument::parse(std::string text, std::string file) {
  YamlDocument doc;
  doc.m_text = std::move(text);
  doc.m_file = std::move(file);
  if (doc.m_text.starts_with("\xEF\xBB\xBF")) doc.m_bom = 3;
  doc.m_line_starts.push_back(doc.m_bom);
  for (std::size_t i = 0; i < doc.m_text.size(); ++i)
    if (doc.m_text[i] == '\n') doc.m_line_starts.push_back(i + 1);
  if (doc.m_text.find('\0') != std::string::npos) {
    const std::size_t at = doc.m_text.find('\0');
    return make_error(ErrorCode::invalid_argument, "{}: a NUL byte; this is not a text file", doc.location(at));
  }
  YamlParser parser(doc);
  COWORK_TRY(parser.run());
  doc.detect_conventions();
  return doc;
}

int YamlDocument::line_of(std::size_t offset) const {
  const auto it = std::upper_bound(m_line_starts.begin(), m_line_starts.end(), offset);
  return static_cast<int>(it - m_line_starts.begin());
}

int YamlDocument::column_of(std::size_t offset) const {
  const int line = line_of(offset);
  if (line <= 0) return 0;
  return static_cast<int>(offset - m_line_starts[static_cast<std::size_t>(line - 1)]);
}

std::size_t YamlDocument::line_start(std::size_t offset) const {
  const int line = line_of(offset);
  return line <= 0 ? 0 : m_line_starts[static_cast<std::size_t>(line - 1)];
}

std::size_t YamlDocument::line_end(std::size_t offset) const {
  std::size_t p = offset;
  while (p < m_text.size() && m_text[p] != '\n') ++p;
  if (p < m_text.size() && p > offset && m_text[p - 1] == '\r') --p;
  return p;
}

std::string_view YamlDocument::line_break_at(std::size_t offset) const {
  const std::size_t end = line_end(offset);
  if (end < m_text.size()) return m_text[end] == '\r' ? std::string_view("\r\n") : std::string_view("\n");
  return m_conventions.line_break;
}

std::string YamlDocument::location(std::size_t offset) const {
  return fmt::format("{}:{}:{}", m_file, line_of(offset), column_of(offset) + 1);
}

std::string YamlDocument::scalar_at(NodeId mapping, std::string_view key) const {
  const int i = key_index(mapping, key);
  if (i < 0) return {};
  const Node& value = node(node(mapping).values[static_cast<std::size_t>(i)]);
  return value.kind == NodeKind::scalar ? value.value : std::string();
}

int YamlDocument::key_index(NodeId mapping, std::string_view key) const {
  if (mapping == k_no_node || !node(mapping).is_mapping()) return -1;
  const Node& m = node(mapping);
  for (std::size_t i = 0; i < m.keys.size(); ++i)
    if (node(m.keys[i]).value == key) return static_cast<int>(i);
  return -1;
}

Result<NodeId> YamlDocument::find_key(NodeId mapping, std::string_view key) const {
  const Node& m = node(mapping);
  NodeId found = k_no_node;
  bool merges = false;
  for (std::size_t i = 0; i < m.keys.size(); ++i) {
    const Node& k = node(m.keys[i]);
    if (k.value == "<<" && k.style == ScalarStyle::plain) merges = true;
    if (k.value != key) continue;
    if (found != k_no_node)
      return make_error(ErrorCode::invalid_argument, "{}: the key '{}' appears twice in {}; which one is meant?",
                        location(k.begin), key, describe(mapping));
    found = m.values[i];
  }
  if (found == k_no_node && merges)
    return make_error(ErrorCode::invalid_argument,
                      "{}: {} merges another mapping (<<:) that may hold '{}'; cowork does not edit through YAML "
                      "merge keys",
                      location(m.begin), describe(mapping), key);
  return found;
}

Result<std::vector<NodeId>> YamlDocument::tests_of(NodeId owner) const {
  std::vector<NodeId> out;
  for (const char* key : {"data_tests", "tests"}) {
    COWORK_ASSIGN_OR_RETURN(NodeId list, find_key(owner, key));
    if (list == k_no_node || node(list).kind == NodeKind::null) continue;
    if (node(list).kind == NodeKind::alias)
      return make_error(ErrorCode::invalid_argument,
                        "{}: {} is an alias (*{}) of another node; cowork does not edit through YAML aliases",
                        location(node(list).begin), describe(list), node(list).value);
    if (!node(list).is_sequence())
      return make_error(ErrorCode::invalid_argument, "{}: '{}' should be a list of tests", location(node(list).begin),
                        key);
    for (NodeId item : node(list).values) out.push_back(item);
  }
  return out;
}

std::string YamlDocument::test_name(NodeId entry) const {
  const Node& n = node(entry);
  if (n.kind == NodeKind::scalar) return n.value;
  if (!n.is_mapping()) return {};
  const std::string explicit_name = scalar_at(entry, "test_name");
  if (!explicit_name.empty()) return explicit_name;
  // `- accepted_values: {...}`: the single key that is not the entry's own name.
  for (NodeId key : n.keys)
    if (node(key).value != "name") return node(key).value;
  return {};
}

std::string YamlDocument::test_custom_name(NodeId entry) const {
  const Node& n = node(entry);
  if (!n.is_mapping()) return {};
  std::string own = scalar_at(entry, "name");
  if (!own.empty()) return own;
  if (n.keys.size() == 1 && node(n.values[0]).is_mapping()) return scalar_at(n.values[0], "name");
  return {};
}

bool YamlDocument::is_entry_list(NodeId sequence) const {
  const Node& n = node(sequence);
  if (n.parent == k_no_node || !node(n.parent).is_mapping()) return false;
  return is_entry_list_key(node(node(n.parent).keys[static_cast<std::size_t>(n.index)]).value);
}

std::string YamlDocument::describe(NodeId id) const {
  std::vector<std::string> parts;
  NodeId cur = id;
  while (cur != k_no_node && node(cur).parent != k_no_node) {
    const Node& n = node(cur);
    const Node& parent = node(n.parent);
    if (parent.is_mapping()) {
      parts.push_back(node(parent.keys[static_cast<std::size_t>(n.index)]).value);
    } else {
      const std::string name = n.is_mapping() ? scalar_at(cur, "name") : std::string();
      if (!name.empty()) {
        parts.push_back(fmt::format("[name={}]", name));
      } else {
        parts.push_back(fmt::format("[{}]", n.index));
      }
    }
    cur = n.parent;
  }
  std::string out;
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
    if (!out.empty() && !it->starts_with("[")) out += '.';
    out += *it;
  }
  return out.empty() ? std::string("the document") : out;
}

bool is_entry_list_key(std::string_view key) {
  static constexpr std::string_view k_keys[] = {
      "tests",     "data_tests", "columns",    "models",      "sources", "tables",  "seeds",          "snapshots",
      "exposures", "versions",   "unit_tests", "constraints", "macros",  "metrics", "semantic_models"};
  return std::find(std::begin(k_keys), std::end(k_keys), key) != std::end(k_keys);
}

void YamlDocument::detect_conventions() {
  std::map<int, int> mapping_steps, sequence_steps, item_steps;
  int single = 0, dbl = 0, item_plain = 0, item_single = 0, item_double = 0, data_tests = 0, tests = 0;
  for (std::size_t i = 0; i < m_nodes.size(); ++i) {
    const Node& n = m_nodes[i];
    if (n.kind == NodeKind::scalar && !n.is_key) {
      if (n.style == ScalarStyle::single_quoted) ++single;
      if (n.style == ScalarStyle::double_quoted) ++dbl;
      if (n.parent != k_no_node && node(n.parent).is_sequence() && !is_entry_list(n.parent)) {
        if (n.style == ScalarStyle::plain) ++item_plain;
        if (n.style == ScalarStyle::single_quoted) ++item_single;
        if (n.style == ScalarStyle::double_quoted) ++item_double;
      }
    }
    if (n.is_key && n.value == "data_tests") ++data_tests;
    if (n.is_key && n.value == "tests") ++tests;
    if (n.parent == k_no_node) continue;
    const Node& parent = node(n.parent);
    if (parent.kind == NodeKind::block_mapping && n.is_block_collection()) {
      const int key_column = column_of(node(parent.keys[static_cast<std::size_t>(n.index)]).begin);
      if (n.kind == NodeKind::block_mapping) ++mapping_steps[n.indent - key_column];
      if (n.kind == NodeKind::block_sequence) ++sequence_steps[n.indent - key_column];
    }
    if (parent.kind == NodeKind::block_sequence && n.kind != NodeKind::null && !n.is_key) {
      const int dash_column = parent.indent;
      const int content_column = column_of(n.props_begin);
      if (line_of(n.props_begin) == line_of(parent.entry_begins[static_cast<std::size_t>(n.index)]))
        ++item_steps[content_column - dash_column];
    }
  }
  auto mode = [](const std::map<int, int>& counts, int fallback) {
    int best = fallback, best_count = 0;
    for (const auto& [value, count] : counts)
      if (count > best_count && value >= 0) best = value, best_count = count;
    return best;
  };
  // A file without nested mappings still shows its step in how far lists sit under their keys.
  const int sequence_step = mode(sequence_steps, -1);
  m_conventions.mapping_indent = std::max(1, mode(mapping_steps, sequence_step > 0 ? sequence_step : 2));
  m_conventions.sequence_indent = sequence_step >= 0 ? sequence_step : m_conventions.mapping_indent;
  m_conventions.item_indent = std::max(2, mode(item_steps, 2));
  m_conventions.quote = single > dbl ? '\'' : '"';
  if (item_plain > item_single && item_plain > item_double) {
    m_conventions.item_style = ScalarStyle::plain;
  } else if (item_double > item_single) {
    m_conventions.item_style = ScalarStyle::double_quoted;
  } else {
    m_conventions.item_style = ScalarStyle::single_quoted;
  }
  m_conventions.tests_key = tests > data_tests ? "tests" : "data_tests";
  const std::size_t first_break = m_text.find('\n');
  m_conventions.line_break =
      first_break != std::string::npos && first_break > 0 && m_text[first_break - 1] == '\r' ? "\r\n" : "\n";
}

// ---------------------------------------------------------------------------------------------------------------------
// Paths.

namespace {

std::string path_token(std::string_view text) {
  const bool plain = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '+' || c == '/' ||
           static_cast<unsigned char>(c) >= 0x80;
  });
  if (plain) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace

std::string to_string(const Path& path) {
  std::string out;
  for (const PathStep& step : path) {
    switch (step.kind) {
      case PathStep::Kind::key:
        if (!out.empty()) out += '.';
        out += path_token(step.name);
        break;
      case PathStep::Kind::match:
        out += fmt::format("[{}={}]", path_token(step.name), path_token(step.value));
        break;
      case PathStep::Kind::index:
        out += fmt::format("[{}]", step.index);
        break;
      case PathStep::Kind::test:
        if (!out.empty()) out += '.';
        out += "test(" + path_token(step.name);
        if (step.index >= 0) out += fmt::format("#{}", step.index);
        out += ')';
        break;
    }
  }
  return out;
}

Result<Path> parse_path(std::string_view text) {
  Path path;
  std::size_t p = 0;
  auto bad = [&](std::string_view why) {
    return make_error(ErrorCode::invalid_argument, "bad path '{}' at character {}: {}", text, p + 1, why);
  };
  // A token: a double-quoted string or a run of characters other than the path's punctuation.
  auto token = [&](std::string_view stops) -> std::optional<std::string> {
    std::string out;
    if (p < text.size() && text[p] == '"') {
      ++p;
      while (p < text.size() && text[p] != '"') {
        if (text[p] == '\\' && p + 1 < text.size()) ++p;
        out += text[p++];
      }
      if (p >= text.size()) return std::nullopt;
      ++p;
      return out;
    }
    while (p < text.size() && stops.find(text[p]) == std::string_view::npos) out += text[p++];
    return out;
  };
  while (p < text.size()) {
    if (text[p] == '.') {
      if (path.empty()) return bad("a path cannot start with '.'");
      ++p;
    }
    if (p < text.size() && text[p] == '[') {
      ++p;
      auto first = token("=]");
      if (!first) return bad("unclosed quote");
      if (p < text.size() && text[p] == '=') {
        ++p;
        auto second = token("]");
        if (!second) return bad("unclosed quote");
        path.push_back(PathStep::match(*first, *second));
      } else {
        if (first->empty() || !std::all_of(first->begin(), first->end(), ::isdigit))
          return bad("expected [N] or [key=value]");
        path.push_back(PathStep::item(std::stoi(*first)));
      }
      if (p >= text.size() || text[p] != ']') return bad("expected ']'");
      ++p;
      continue;
    }
    if (text.substr(p).starts_with("test(")) {
      p += 5;
      auto name = token("#)");
      if (!name) return bad("unclosed quote");
      int which = -1;
      if (p < text.size() && text[p] == '#') {
        ++p;
        auto n = token(")");
        if (!n || n->empty() || !std::all_of(n->begin(), n->end(), ::isdigit)) return bad("expected a number after #");
        which = std::stoi(*n);
      }
      if (p >= text.size() || text[p] != ')') return bad("expected ')'");
      ++p;
      path.push_back(PathStep::test(*name, which));
      continue;
    }
    auto key = token(".[");
    if (!key) return bad("unclosed quote");
    if (key->empty()) return bad("empty key");
    path.push_back(PathStep::key(*key));
  }
  return path;
}

Result<NodeId> YamlDocument::resolve(const Path& path) const {
  NodeId cur = m_root;
  auto here = [&](NodeId id) { return location(node(id).begin); };
  auto kind_name = [&](NodeId id) -> std::string_view {
    switch (node(id).kind) {
      case NodeKind::null:
        return "nothing";
      case NodeKind::scalar:
      case NodeKind::block_scalar:
        return "a scalar";
      case NodeKind::alias:
        return "an alias";
      case NodeKind::block_mapping:
      case NodeKind::flow_mapping:
        return "a mapping";
      case NodeKind::block_sequence:
      case NodeKind::flow_sequence:
        return "a list";
    }
    return "a node";
  };
  for (const PathStep& step : path) {
    if (node(cur).kind == NodeKind::alias)
      return make_error(ErrorCode::invalid_argument,
                        "{}: {} is an alias (*{}) of another node; cowork does not edit through YAML aliases",
                        here(cur), describe(cur), node(cur).value);
    switch (step.kind) {
      case PathStep::Kind::key: {
        if (!node(cur).is_mapping())
          return make_error(ErrorCode::invalid_argument, "{}: {} is {}, not a mapping with the key '{}'", here(cur),
                            describe(cur), kind_name(cur), step.name);
        COWORK_ASSIGN_OR_RETURN(NodeId value, find_key(cur, step.name));
        if (value == k_no_node) {
          std::vector<std::string> keys;
          for (NodeId k : node(cur).keys) keys.push_back(node(k).value);
          return make_error(ErrorCode::not_found, "{}: no key '{}' in {} (keys here: {})", here(cur), step.name,
                            describe(cur), join(keys, ", "));
        }
        cur = value;
        break;
      }
      case PathStep::Kind::match:
      case PathStep::Kind::index: {
        if (!node(cur).is_sequence())
          return make_error(ErrorCode::invalid_argument, "{}: {} is {}, not a list", here(cur), describe(cur),
                            kind_name(cur));
        const std::vector<NodeId>& items = node(cur).values;
        if (step.kind == PathStep::Kind::index) {
          if (step.index < 0 || static_cast<std::size_t>(step.index) >= items.size())
            return make_error(ErrorCode::not_found, "{}: {} has {} items; there is no item {}", here(cur),
                              describe(cur), items.size(), step.index);
          cur = items[static_cast<std::size_t>(step.index)];
          break;
        }
        std::vector<NodeId> found;
        std::vector<std::string> names;
        for (NodeId item : items) {
          if (!node(item).is_mapping()) continue;
          const std::string value = scalar_at(item, step.name);
          if (!value.empty()) names.push_back(value);
          if (value == step.value) found.push_back(item);
        }
        if (found.empty())
          return make_error(ErrorCode::not_found, "{}: no item with {} '{}' in {} ({}s here: {})", here(cur), step.name,
                            step.value, describe(cur), step.name, names.empty() ? "none" : join(names, ", "));
        if (found.size() > 1)
          return make_error(ErrorCode::invalid_argument, "{}: {} items with {} '{}' in {}; which one is meant?",
                            here(found[1]), found.size(), step.name, step.value, describe(cur));
        cur = found[0];
        break;
      }
      case PathStep::Kind::test: {
        if (!node(cur).is_mapping())
          return make_error(ErrorCode::invalid_argument, "{}: {} is {}, not a model, column or table with tests",
                            here(cur), describe(cur), kind_name(cur));
        COWORK_ASSIGN_OR_RETURN(std::vector<NodeId> entries, tests_of(cur));
        std::vector<NodeId> found;
        std::vector<std::string> names;
        for (NodeId e : entries) {
          const std::string name = test_name(e);
          names.push_back(name);
          if (name == step.name || test_custom_name(e) == step.name) found.push_back(e);
        }
        if (found.empty()) {
          // `expression_is_true` for `dbt_utils.expression_is_true`.
          for (NodeId e : entries) {
            const std::string name = test_name(e);
            const std::size_t dot = name.rfind('.');
            if (dot != std::string::npos && name.substr(dot + 1) == step.name) found.push_back(e);
          }
        }
        if (found.empty())
          return make_error(ErrorCode::not_found, "{}: {} has no test '{}' (tests here: {})", here(cur), describe(cur),
                            step.name, names.empty() ? "none" : join(names, ", "));
        if (step.index >= 0) {
          if (static_cast<std::size_t>(step.index) >= found.size())
            return make_error(ErrorCode::not_found, "{}: {} has {} '{}' tests; there is no #{}", here(cur),
                              describe(cur), found.size(), step.name, step.index);
          cur = found[static_cast<std::size_t>(step.index)];
        } else if (found.size() > 1) {
          return make_error(ErrorCode::invalid_argument,
                            "{}: {} has {} '{}' tests; say which with test({}#N), N from 0, or by its name:",
                            here(found[1]), describe(cur), found.size(), step.name, step.name);
        } else {
          cur = found[0];
        }
        break;
      }
    }
  }
  return cur;
}

}  // namespace cowork::fixes
