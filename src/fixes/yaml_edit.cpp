#include "fixes/yaml_edit.hpp"

#include <algorithm>

#include <yaml-cpp/yaml.h>

#include "util/strings.hpp"

namespace cowork::fixes {

namespace {

constexpr std::size_t k_flow_width = 80;

bool is_scalar_value(const Value& v) {
  return !v.is_array() && !v.is_object();
}

std::string spaces(int n) {
  return std::string(static_cast<std::size_t>(std::max(n, 0)), ' ');
}

bool has_control(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7F;
  });
}

std::string double_quoted(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
          out += fmt::format("\\x{:02X}", static_cast<unsigned char>(c));
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

std::string single_quoted(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  out += '\'';
  return out;
}

std::string emit_key(std::string_view key) {
  return plain_is_safe(key, false) ? std::string(key) : double_quoted(key);
}

Value wrap(const std::vector<std::string>& keys, std::size_t from, const Value& value) {
  Value out = value;
  for (std::size_t i = keys.size(); i > from; --i) {
    Value outer = Value::object();
    outer[keys[i - 1]] = std::move(out);
    out = std::move(outer);
  }
  return out;
}

// How new text is laid out, from the file's conventions.
class Writer {
 public:
  explicit Writer(const Conventions& conventions) : m_c(conventions) {}

  std::string scalar(const Value& v, ScalarStyle style, bool in_flow) const {
    return emit_scalar(v, style, in_flow, m_c.quote);
  }

  // JSON-looking flow collections (`{"a": "b"}`) get new text in the same dress.
  void set_json(bool json) { m_json = json; }

  std::string flow(const Value& v, ScalarStyle item_style) const {
    if (m_json) item_style = ScalarStyle::double_quoted;
    if (v.is_array()) {
      std::vector<std::string> parts;
      for (const Value& x : v) parts.push_back(flow(x, item_style));
      return "[" + join(parts, ", ") + "]";
    }
    if (v.is_object()) {
      std::vector<std::string> parts;
      for (const auto& [k, x] : v.items())
        parts.push_back((m_json ? double_quoted(k) : emit_key(k)) + ": " +
                        (is_scalar_value(x) ? scalar(x, m_json ? ScalarStyle::double_quoted : ScalarStyle::plain, true)
                                            : flow(x, item_style)));
      return "{" + join(parts, ", ") + "}";
    }
    return scalar(v, item_style, true);
  }

  // Whether `key: value` fits on the key's line.
  bool fits_inline(std::string_view key, const Value& v) const {
    if (is_scalar_value(v) || v.empty()) return true;
    if (v.is_object()) return false;
    if (is_entry_list_key(key)) return false;
    if (!std::all_of(v.begin(), v.end(), [](const Value& x) { return is_scalar_value(x); })) return false;
    return flow(v, m_c.item_style).size() <= k_flow_width;
  }

  std::string inline_text(const Value& v) const {
    if (is_scalar_value(v)) return scalar(v, ScalarStyle::plain, false);
    if (v.is_object() && v.empty()) return "{}";
    return flow(v, m_c.item_style);
  }

  void pair(std::vector<std::string>& out, int indent, std::string_view key, const Value& v) const {
    std::string head = spaces(indent) + emit_key(key) + ":";
    if (fits_inline(key, v)) {
      out.push_back(head + " " + inline_text(v));
      return;
    }
    out.push_back(std::move(head));
    body(out, indent + m_c.mapping_indent, indent + m_c.sequence_indent, v, key);
  }

  // An object's pairs at `object_indent`, or an array's items with their dashes at `array_indent`; `key` is the key
  // the value belongs to.
  void body(std::vector<std::string>& out, int object_indent, int array_indent, const Value& v,
            std::string_view key) const {
    if (v.is_object()) {
      for (const auto& [k, x] : v.items()) pair(out, object_indent, k, x);
    } else {
      const ScalarStyle style = is_entry_list_key(key) ? ScalarStyle::plain : m_c.item_style;
      for (const Value& x : v) item(out, array_indent, m_c.item_indent, x, style);
    }
  }

  void item(std::vector<std::string>& out, int dash, int item_indent, const Value& v, ScalarStyle style) const {
    const std::string prefix = spaces(dash) + "-" + spaces(item_indent - 1);
    if (is_scalar_value(v)) {
      out.push_back(prefix + scalar(v, style, false));
    } else if (v.is_array() || v.empty()) {
      out.push_back(prefix + flow(v, style));
    } else {
      std::vector<std::string> lines;
      for (const auto& [k, x] : v.items()) pair(lines, dash + item_indent, k, x);
      lines[0] = prefix + lines[0].substr(static_cast<std::size_t>(dash + item_indent));
      out.insert(out.end(), lines.begin(), lines.end());
    }
  }

 private:
  const Conventions& m_c;
  bool m_json = false;
};

std::string_view kind_name(NodeKind kind) {
  switch (kind) {
    case NodeKind::null:
      return "empty";
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
}

// The style most items of a list are written in, or the file's usual one.
ScalarStyle item_style_of(const YamlDocument& doc, NodeId sequence) {
  int counts[3] = {0, 0, 0};
  for (NodeId item : doc.node(sequence).values) {
    const Node& n = doc.node(item);
    if (n.kind != NodeKind::scalar) continue;
    ++counts[static_cast<int>(n.style)];
  }
  if (counts[0] + counts[1] + counts[2] == 0)
    return doc.is_entry_list(sequence) ? ScalarStyle::plain : doc.conventions().item_style;
  if (counts[0] >= counts[1] && counts[0] >= counts[2]) return ScalarStyle::plain;
  return counts[1] >= counts[2] ? ScalarStyle::single_quoted : ScalarStyle::double_quoted;
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------------------

bool plain_is_safe(std::string_view text, bool in_flow) {
  if (text.empty() || has_control(text)) return false;
  if (text.front() == ' ' || text.back() == ' ') return false;
  if (std::string_view("-?:,[]{}#&*!|>'\"%@`").find(text.front()) != std::string_view::npos) return false;
  if (text.find(": ") != std::string_view::npos || text.find(" #") != std::string_view::npos) return false;
  if (text.back() == ':') return false;
  if (text.find('\'') != std::string_view::npos || text.find('"') != std::string_view::npos) return false;
  if (in_flow && text.find_first_of(",[]{}") != std::string_view::npos) return false;
  const std::string lower = to_lower(text);
  for (std::string_view word :
       {"null", "~", "true", "false", "yes", "no", "on", "off", "y", "n", ".inf", ".nan", "=", "<<"})
    if (lower == word) return false;
  // Anything that starts like a number (or a date, which YAML 1.1 reads as one) is quoted.
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (digit(text.front())) return false;
  if ((text.front() == '+' || text.front() == '.') && text.size() > 1 && (digit(text[1]) || text[1] == '.'))
    return false;
  if (lower == "+.inf" || lower == "-.inf") return false;
  return true;
}

std::string emit_scalar(const Value& value, ScalarStyle style, bool in_flow, char fallback_quote) {
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  if (value.is_null()) return "null";
  if (value.is_number_integer()) return std::to_string(value.get<std::int64_t>());
  if (value.is_number_unsigned()) return std::to_string(value.get<std::uint64_t>());
  if (value.is_number()) return value.dump();
  const std::string text = value.is_string() ? value.get<std::string>() : value.dump();
  if (style != ScalarStyle::single_quoted && style != ScalarStyle::double_quoted) {
    if (plain_is_safe(text, in_flow)) return text;
    style = fallback_quote == '\'' ? ScalarStyle::single_quoted : ScalarStyle::double_quoted;
  }
  // A person quotes text with an apostrophe in double quotes rather than doubling it.
  if (style == ScalarStyle::single_quoted && text.find('\'') != std::string::npos &&
      text.find('"') == std::string::npos)
    style = ScalarStyle::double_quoted;
  if (style == ScalarStyle::single_quoted && !has_control(text)) return single_quoted(text);
  return double_quoted(text);
}

// ---------------------------------------------------------------------------------------------------------------------
// Editor.

void Editor::splice(std::size_t begin, std::size_t end, std::string text) {
  m_splices.push_back({begin, end, std::move(text)});
}

void Editor::insert_lines(std::size_t at, const std::vector<std::string>& lines) {
  const std::string_view eol = m_doc.line_break_at(at);
  std::string text;
  for (const std::string& line : lines) {
    text += eol;
    text += line;
  }
  splice(at, at, std::move(text));
}

Status Editor::check_editable(NodeId id) const {
  for (NodeId cur = id; cur != k_no_node; cur = m_doc.node(cur).parent) {
    const Node& n = m_doc.node(cur);
    if (n.kind == NodeKind::alias)
      return make_error(ErrorCode::invalid_argument,
                        "{}: {} is an alias (*{}) of another node; cowork does not edit through YAML aliases",
                        m_doc.location(n.begin), m_doc.describe(cur), n.value);
    if (!n.anchor.empty())
      return make_error(ErrorCode::invalid_argument,
                        "{}: {} carries the anchor &{}, so other places may repeat it through aliases; cowork does "
                        "not edit anchored YAML",
                        m_doc.location(n.props_begin), m_doc.describe(cur), n.anchor);
  }
  return {};
}

int Editor::owner_column(NodeId id) const {
  const Node& n = m_doc.node(id);
  if (n.parent == k_no_node) return -1;
  const Node& parent = m_doc.node(n.parent);
  if (parent.kind == NodeKind::block_mapping)
    return m_doc.column_of(m_doc.node(parent.keys[static_cast<std::size_t>(n.index)]).begin);
  if (parent.kind == NodeKind::block_sequence) return parent.indent;
  return m_doc.column_of(n.begin);
}

// The end of the last line of node `id`, past the comment lines right after it that are indented deeper than
// `owner_column` (a commented-out `# - unique` under a list belongs to the list).
std::size_t Editor::block_end(NodeId id, int owner) const {
  const std::string& text = m_doc.text();
  std::size_t p = m_doc.line_end(m_doc.node(id).end);
  while (p < text.size()) {
    std::size_t s = p + (text[p] == '\r' ? 2 : 1);
    while (s < text.size() && text[s] == ' ') ++s;
    if (s < text.size() && text[s] == '#' && m_doc.column_of(s) > owner) {
      p = m_doc.line_end(s);
      continue;
    }
    break;
  }
  return p;
}

std::size_t Editor::colon_after_key(NodeId key) const {
  const std::string& text = m_doc.text();
  std::size_t p = m_doc.node(key).end;
  while (p < text.size() && (text[p] == ' ' || text[p] == '\t')) ++p;
  return p;
}

Status Editor::replace_value(NodeId id, const Value& value) {
  COWORK_TRY(check_editable(id));
  const Node& n = m_doc.node(id);
  const Writer writer(m_doc.conventions());
  const bool in_flow = n.parent != k_no_node && m_doc.node(n.parent).is_flow();
  const std::string text = is_scalar_value(value) ? writer.scalar(value, ScalarStyle::plain, in_flow)
                                                  : writer.flow(value, m_doc.conventions().item_style);
  switch (n.kind) {
    case NodeKind::null:
      return fill_empty(id, value);
    case NodeKind::scalar:
      if (value.is_string()) {
        // Keep the quotes it had, unless the new text cannot be written in them.
        splice(n.begin, n.end, writer.scalar(value, n.style, in_flow));
      } else {
        splice(n.props_begin, n.end, text);
      }
      return {};
    case NodeKind::alias:
      return make_error(ErrorCode::internal, "aliases are refused by check_editable");
    case NodeKind::block_scalar:
    case NodeKind::flow_mapping:
    case NodeKind::flow_sequence:
      splice(n.props_begin, n.end, text);
      return {};
    case NodeKind::block_mapping:
    case NodeKind::block_sequence: {
      if (n.parent == k_no_node)
        return make_error(ErrorCode::invalid_argument, "{}: cannot replace the whole document",
                          m_doc.location(n.begin));
      const Node& parent = m_doc.node(n.parent);
      const std::size_t start = parent.kind == NodeKind::block_mapping
                                    ? colon_after_key(parent.keys[static_cast<std::size_t>(n.index)]) + 1
                                    : parent.entry_begins[static_cast<std::size_t>(n.index)] + 1;
      splice(start, n.end, " " + text);
      return {};
    }
  }
  return {};
}

Status Editor::fill_empty(NodeId id, const Value& value) {
  COWORK_TRY(check_editable(id));
  const Node& n = m_doc.node(id);
  const Conventions& c = m_doc.conventions();
  const Writer writer(c);
  if (n.parent == k_no_node) {
    // An empty document.
    std::vector<std::string> lines;
    if (is_scalar_value(value)) {
      lines.push_back(writer.scalar(value, ScalarStyle::plain, false));
    } else {
      writer.body(lines, 0, 0, value, {});
    }
    const std::string& text = m_doc.text();
    std::string out = !text.empty() && text.back() != '\n' ? std::string(c.line_break) : std::string();
    for (const std::string& line : lines) out += line + c.line_break;
    splice(text.size(), text.size(), std::move(out));
    return {};
  }
  const Node& parent = m_doc.node(n.parent);
  if (parent.is_flow()) {
    splice(n.begin, n.begin,
           " " + (is_scalar_value(value) ? writer.scalar(value, ScalarStyle::plain, true)
                                         : writer.flow(value, c.item_style)));
    return {};
  }
  if (parent.kind == NodeKind::block_mapping) {
    const Node& key = m_doc.node(parent.keys[static_cast<std::size_t>(n.index)]);
    if (writer.fits_inline(key.value, value)) {
      splice(n.begin, n.begin, " " + writer.inline_text(value));
      return {};
    }
    const int key_column = m_doc.column_of(key.begin);
    std::vector<std::string> lines;
    writer.body(lines, key_column + c.mapping_indent, key_column + c.sequence_indent, value, key.value);
    insert_lines(m_doc.line_end(n.begin), lines);
    return {};
  }
  // A bare `-`.
  if (is_scalar_value(value) || value.is_array() || value.empty()) {
    splice(
        n.begin, n.begin,
        " " + (is_scalar_value(value) ? writer.scalar(value, c.item_style, false) : writer.flow(value, c.item_style)));
    return {};
  }
  std::vector<std::string> lines;
  writer.item(lines, parent.indent, c.item_indent, value, c.item_style);
  splice(n.begin, n.begin, lines[0].substr(static_cast<std::size_t>(parent.indent + 1)));
  lines.erase(lines.begin());
  if (!lines.empty()) insert_lines(m_doc.line_end(n.begin), lines);
  return {};
}

Status Editor::set_in(NodeId container, const std::vector<std::string>& keys, const Value& value) {
  if (keys.empty()) return make_error(ErrorCode::internal, "set_in needs at least one key");
  COWORK_TRY(check_editable(container));
  const Node& n = m_doc.node(container);
  if (n.kind == NodeKind::null) return fill_empty(container, wrap(keys, 0, value));
  if (!n.is_mapping())
    return make_error(ErrorCode::invalid_argument, "{}: {} is {}, not a mapping; cannot set '{}' in it",
                      m_doc.location(n.begin), m_doc.describe(container), kind_name(n.kind), keys[0]);
  COWORK_ASSIGN_OR_RETURN(NodeId existing, m_doc.find_key(container, keys[0]));
  if (existing == k_no_node) return insert_pair(container, keys[0], wrap(keys, 1, value));
  if (keys.size() == 1) return replace_value(existing, value);
  return set_in(existing, std::vector<std::string>(keys.begin() + 1, keys.end()), value);
}

Status Editor::insert_pair(NodeId mapping, std::string_view key, const Value& value) {
  COWORK_TRY(check_editable(mapping));
  const Node& n = m_doc.node(mapping);
  const Writer writer(m_doc.conventions());
  if (n.kind == NodeKind::block_mapping) {
    std::vector<std::string> lines;
    writer.pair(lines, n.indent, key, value);
    insert_lines(block_end(mapping, owner_column(mapping)), lines);
    return {};
  }
  if (n.kind != NodeKind::flow_mapping)
    return make_error(ErrorCode::invalid_argument, "{}: {} is {}, not a mapping", m_doc.location(n.begin),
                      m_doc.describe(mapping), kind_name(n.kind));
  const bool json = !n.keys.empty() && std::all_of(n.keys.begin(), n.keys.end(), [&](NodeId k) {
    return m_doc.node(k).style == ScalarStyle::double_quoted;
  });
  Writer writer_json(m_doc.conventions());
  writer_json.set_json(json);
  const std::string entry =
      (json ? double_quoted(key) : emit_key(key)) + ": " +
      (is_scalar_value(value) ? writer.scalar(value, json ? ScalarStyle::double_quoted : ScalarStyle::plain, true)
                              : writer_json.flow(value, m_doc.conventions().item_style));
  const std::string& text = m_doc.text();
  if (n.values.empty()) {
    const std::string_view inner(text.data() + n.begin + 1, n.end - n.begin - 2);
    if (!inner.empty() && inner.find_first_not_of(' ') == std::string_view::npos) {
      splice(n.begin + 1, n.end - 1, " " + entry + " ");
    } else {
      splice(n.end - 1, n.end - 1, entry);
    }
    return {};
  }
  const std::size_t count = n.values.size();
  const std::size_t last_begin = n.entry_begins.back();
  const std::size_t last_end = m_doc.node(n.values.back()).end;
  const bool multi_line = count >= 2 ? m_doc.line_of(last_begin) != m_doc.line_of(n.entry_begins[count - 2])
                                     : m_doc.line_of(last_begin) != m_doc.line_of(n.begin);
  if (multi_line) {
    splice(last_end, last_end,
           "," + std::string(m_doc.line_break_at(last_end)) + spaces(m_doc.column_of(last_begin)) + entry);
  } else {
    const bool space = count < 2 || text[last_begin - 1] == ' ';
    splice(last_end, last_end, std::string(space ? ", " : ",") + entry);
  }
  return {};
}

Status Editor::append_items(NodeId sequence, const std::vector<Value>& items) {
  COWORK_TRY(check_editable(sequence));
  if (items.empty()) return {};
  const Node& n = m_doc.node(sequence);
  if (n.kind == NodeKind::null) return fill_empty(sequence, Value(items));
  if (!n.is_sequence())
    return make_error(ErrorCode::invalid_argument, "{}: {} is {}, not a list", m_doc.location(n.begin),
                      m_doc.describe(sequence), kind_name(n.kind));
  const Writer writer(m_doc.conventions());
  const ScalarStyle style = item_style_of(m_doc, sequence);
  if (n.kind == NodeKind::block_sequence) {
    int item_indent = m_doc.conventions().item_indent;
    for (std::size_t i = 0; i < n.values.size(); ++i) {
      const Node& item = m_doc.node(n.values[i]);
      if (item.kind != NodeKind::null && m_doc.line_of(item.props_begin) == m_doc.line_of(n.entry_begins[i]))
        item_indent = m_doc.column_of(item.props_begin) - n.indent;
    }
    std::vector<std::string> lines;
    for (const Value& v : items) writer.item(lines, n.indent, item_indent, v, style);
    insert_lines(block_end(sequence, owner_column(sequence)), lines);
    return {};
  }
  std::vector<std::string> texts;
  for (const Value& v : items) texts.push_back(writer.flow(v, style));
  const std::string& text = m_doc.text();
  if (n.values.empty()) {
    const std::string_view inner(text.data() + n.begin + 1, n.end - n.begin - 2);
    if (!inner.empty() && inner.find_first_not_of(' ') == std::string_view::npos) {
      splice(n.begin + 1, n.end - 1, " " + join(texts, ", ") + " ");
    } else {
      splice(n.end - 1, n.end - 1, join(texts, ", "));
    }
    return {};
  }
  const std::size_t count = n.values.size();
  const std::size_t last_begin = n.entry_begins.back();
  const std::size_t last_end = m_doc.node(n.values.back()).end;
  const bool multi_line = count >= 2 ? m_doc.line_of(last_begin) != m_doc.line_of(n.entry_begins[count - 2])
                                     : m_doc.line_of(last_begin) != m_doc.line_of(n.begin);
  std::string separator;
  if (multi_line) {
    separator = "," + std::string(m_doc.line_break_at(last_end)) + spaces(m_doc.column_of(last_begin));
  } else {
    separator = count < 2 || text[last_begin - 1] == ' ' ? ", " : ",";
  }
  std::string out;
  for (const std::string& t : texts) out += separator + t;
  splice(last_end, last_end, std::move(out));
  return {};
}

Status Editor::remove_entry(NodeId collection, int index) {
  COWORK_TRY(check_editable(collection));
  const Node& n = m_doc.node(collection);
  const std::string& text = m_doc.text();
  if (!n.is_collection() || index < 0 || static_cast<std::size_t>(index) >= n.values.size())
    return make_error(ErrorCode::internal, "remove_entry: no entry {} in {}", index, m_doc.describe(collection));
  const auto i = static_cast<std::size_t>(index);
  const std::size_t count = n.values.size();
  const std::size_t begin = n.entry_begins[i];
  if (n.is_flow()) {
    const std::size_t end = m_doc.node(n.values[i]).end;
    if (count == 1) {
      splice(begin, end, "");
    } else if (i + 1 < count) {
      splice(begin, n.entry_begins[i + 1], "");
    } else {
      splice(m_doc.node(n.values[i - 1]).end, end, "");
    }
    return {};
  }
  const std::size_t line = m_doc.line_start(begin);
  const bool first_on_line = text.find_first_not_of(' ', line) == begin;
  const std::size_t end = block_end(n.values[i], m_doc.column_of(begin));
  if (!first_on_line) {
    // The first key of `- name: x`: the next key moves up onto the dash line.
    if (i + 1 < count) {
      splice(begin, n.entry_begins[i + 1], "");
      return {};
    }
    return make_error(ErrorCode::invalid_argument, "{}: cannot remove the only entry of {}", m_doc.location(begin),
                      m_doc.describe(collection));
  }
  if (count == 1) {
    if (n.parent != k_no_node && m_doc.node(n.parent).kind == NodeKind::block_mapping) {
      // `key:` keeps an empty collection of the same kind.
      const NodeId key = m_doc.node(n.parent).keys[static_cast<std::size_t>(n.index)];
      splice(colon_after_key(key) + 1, end, n.kind == NodeKind::block_sequence ? " []" : " {}");
      return {};
    }
    return make_error(ErrorCode::invalid_argument, "{}: cannot remove the only entry of {}", m_doc.location(begin),
                      m_doc.describe(collection));
  }
  if (end < text.size()) {
    splice(line, end + (text[end] == '\r' ? 2 : 1), "");
  } else {
    // The last line has no line break: take the one before it.
    std::size_t start = line;
    if (start > 0) --start;
    if (start > 0 && text[start - 1] == '\r') --start;
    splice(start, end, "");
  }
  return {};
}

Status Editor::expand_bare_test(NodeId item, const std::vector<std::string>& keys, const Value& value) {
  COWORK_TRY(check_editable(item));
  const Node& n = m_doc.node(item);
  if (n.kind != NodeKind::scalar || n.parent == k_no_node || !m_doc.node(n.parent).is_sequence())
    return make_error(ErrorCode::internal, "expand_bare_test: not a scalar list item");
  const Writer writer(m_doc.conventions());
  const Value body = wrap(keys, 0, value);
  const std::string name(m_doc.text().substr(n.begin, n.end - n.begin));
  if (m_doc.node(n.parent).kind == NodeKind::flow_sequence) {
    splice(n.begin, n.end, "{" + name + ": " + writer.flow(body, m_doc.conventions().item_style) + "}");
    return {};
  }
  splice(n.end, n.end, ":");
  std::vector<std::string> lines;
  const int column = m_doc.column_of(n.begin) + m_doc.conventions().mapping_indent;
  writer.body(lines, column, column, body, {});
  insert_lines(m_doc.line_end(n.end), lines);
  return {};
}

Result<std::string> Editor::finish() const {
  const std::string& text = m_doc.text();
  if (m_splices.empty()) return text;
  std::vector<Splice> sorted = m_splices;
  std::stable_sort(sorted.begin(), sorted.end(), [](const Splice& a, const Splice& b) { return a.begin < b.begin; });
  std::string out;
  out.reserve(text.size() + 256);
  std::size_t pos = 0;
  for (const Splice& s : sorted) {
    if (s.begin < pos || s.end < s.begin || s.end > text.size())
      return make_error(ErrorCode::internal, "{}: two edits overlap at byte {}", m_doc.file(), s.begin);
    out.append(text, pos, s.begin - pos);
    out += s.text;
    pos = s.end;
  }
  out.append(text, pos, std::string::npos);
  // The result must read back: with this parser (for the next edit) and with yaml-cpp (as dbt's loader would).
  if (auto reparsed = YamlDocument::parse(out, m_doc.file()); !reparsed)
    return make_error(ErrorCode::internal,
                      "the edit of {} would produce YAML that does not read back ({}); the file "
                      "was left as it was",
                      m_doc.file(), reparsed.error().message);
  try {
    (void)YAML::Load(out);
  } catch (const YAML::Exception& e) {
    bool original_ok = true;
    try {
      (void)YAML::Load(text);
    } catch (const std::exception&) {
      original_ok = false;
    }
    if (original_ok)
      return make_error(ErrorCode::internal,
                        "the edit of {} would produce YAML that yaml-cpp rejects at line {} ({}); the file was left "
                        "as it was",
                        m_doc.file(), e.mark.line + 1, e.msg);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------------
// Data test entries.

NodeId test_body(const YamlDocument& doc, NodeId entry) {
  const Node& n = doc.node(entry);
  if (!n.is_mapping()) return k_no_node;
  if (doc.key_index(entry, "test_name") >= 0) return entry;
  for (std::size_t i = 0; i < n.keys.size(); ++i)
    if (doc.node(n.keys[i]).value != "name") return n.values[i];
  return k_no_node;
}

Status set_in_test(Editor& editor, NodeId entry, const std::vector<std::string>& keys, const Value& value) {
  const YamlDocument& doc = editor.document();
  const Node& n = doc.node(entry);
  if (n.kind == NodeKind::scalar) return editor.expand_bare_test(entry, keys, value);
  const NodeId body = test_body(doc, entry);
  if (body == k_no_node)
    return make_error(ErrorCode::invalid_argument, "{}: {} is not a data test entry dbt understands",
                      doc.location(n.begin), doc.describe(entry));
  const Node& b = doc.node(body);
  if (b.kind != NodeKind::null && !b.is_mapping())
    return make_error(ErrorCode::invalid_argument, "{}: the test '{}' has {} where its arguments and config belong",
                      doc.location(b.begin), doc.test_name(entry), kind_name(b.kind));
  return editor.set_in(body, keys, value);
}

// ---------------------------------------------------------------------------------------------------------------------
// The one-shot edits.

namespace {

Result<YamlDocument> parse_for_edit(std::string_view text, std::string_view file) {
  return YamlDocument::parse(std::string(text), std::string(file));
}

}  // namespace

Result<std::string> set_scalar(std::string_view text, std::string_view file, const Path& path, const Value& value) {
  COWORK_ASSIGN_OR_RETURN(YamlDocument doc, parse_for_edit(text, file));
  COWORK_ASSIGN_OR_RETURN(NodeId id, doc.resolve(path));
  const Node& n = doc.node(id);
  if (!is_scalar_value(value))
    return make_error(ErrorCode::invalid_argument, "set_scalar needs a scalar value, not {}", value.dump());
  if (n.kind != NodeKind::scalar && n.kind != NodeKind::null && n.kind != NodeKind::block_scalar)
    return make_error(ErrorCode::invalid_argument, "{}: {} is {}, not a scalar", doc.location(n.begin), to_string(path),
                      kind_name(n.kind));
  Editor editor(doc);
  COWORK_TRY(editor.replace_value(id, value));
  return editor.finish();
}

Result<std::string> append_items(std::string_view text, std::string_view file, const Path& path,
                                 const std::vector<Value>& items) {
  COWORK_ASSIGN_OR_RETURN(YamlDocument doc, parse_for_edit(text, file));
  COWORK_ASSIGN_OR_RETURN(NodeId id, doc.resolve(path));
  Editor editor(doc);
  COWORK_TRY(editor.append_items(id, items));
  return editor.finish();
}

Result<std::string> remove_item(std::string_view text, std::string_view file, const Path& path) {
  COWORK_ASSIGN_OR_RETURN(YamlDocument doc, parse_for_edit(text, file));
  COWORK_ASSIGN_OR_RETURN(NodeId id, doc.resolve(path));
  const Node& n = doc.node(id);
  if (n.parent == k_no_node || !doc.node(n.parent).is_sequence())
    return make_error(ErrorCode::invalid_argument, "{}: {} is not a list item", doc.location(n.begin), to_string(path));
  Editor editor(doc);
  COWORK_TRY(editor.remove_entry(n.parent, n.index));
  return editor.finish();
}

Result<std::string> set_key(std::string_view text, std::string_view file, const Path& path,
                            const std::vector<std::string>& keys, const Value& value) {
  if (keys.empty()) return make_error(ErrorCode::invalid_argument, "set_key needs at least one key");
  COWORK_ASSIGN_OR_RETURN(YamlDocument doc, parse_for_edit(text, file));
  COWORK_ASSIGN_OR_RETURN(NodeId id, doc.resolve(path));
  Editor editor(doc);
  if (!path.empty() && path.back().kind == PathStep::Kind::test) {
    COWORK_TRY(set_in_test(editor, id, keys, value));
  } else {
    COWORK_TRY(editor.set_in(id, keys, value));
  }
  return editor.finish();
}

Result<std::string> remove_key(std::string_view text, std::string_view file, const Path& path, std::string_view key) {
  COWORK_ASSIGN_OR_RETURN(YamlDocument doc, parse_for_edit(text, file));
  COWORK_ASSIGN_OR_RETURN(NodeId id, doc.resolve(path));
  if (!doc.node(id).is_mapping())
    return make_error(ErrorCode::invalid_argument, "{}: {} is {}, not a mapping", doc.location(doc.node(id).begin),
                      to_string(path), kind_name(doc.node(id).kind));
  COWORK_ASSIGN_OR_RETURN(NodeId existing, doc.find_key(id, key));
  if (existing == k_no_node)
    return make_error(ErrorCode::not_found, "{}: {} has no key '{}'", doc.location(doc.node(id).begin), to_string(path),
                      key);
  Editor editor(doc);
  COWORK_TRY(editor.remove_entry(id, doc.node(existing).index));
  return editor.finish();
}

}  // namespace cowork::fixes
