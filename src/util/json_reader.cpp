#include "util/json_reader.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>

namespace cowork::json {
namespace {

using simdjson::ondemand::json_type;

// Materialised values nest at most this deep; deeper input is refused rather than recursed into.
constexpr int k_max_json_depth = 256;

bool is_identifier(std::string_view key) {
  if (key.empty() || std::isdigit(static_cast<unsigned char>(key[0]))) return false;
  return std::all_of(key.begin(), key.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

}  // namespace

std::string_view kind_name(json_type type) {
  switch (type) {
    case json_type::array:
      return "an array";
    case json_type::object:
      return "an object";
    case json_type::number:
      return "a number";
    case json_type::string:
      return "a string";
    case json_type::boolean:
      return "a boolean";
    case json_type::null:
      return "null";
  }
  return "an unknown value";
}

JsonReader::JsonReader(std::string label, const char* data, std::size_t size, std::size_t capacity, StringArena* arena)
    : m_label(std::move(label)),
      m_data(data),
      m_size(size),
      m_capacity(capacity),
      m_arena(arena != nullptr ? arena : &m_own_arena) {}

Result<std::string_view> JsonReader::key_of(simdjson::ondemand::field& field) {
  // The raw key points into the document just past its opening quote; stage 1 has checked that it is closed, so the
  // first quote found ends it unless a backslash comes before it.
  const char* start = field.key().raw();
  const char* end =
      static_cast<const char*>(std::memchr(start, '"', static_cast<std::size_t>(m_data + m_capacity - start)));
  if (end != nullptr && std::memchr(start, '\\', static_cast<std::size_t>(end - start)) == nullptr)
    return std::string_view(start, static_cast<std::size_t>(end - start));
  std::string_view key;
  if (auto code = field.unescaped_key().get(key)) return from_simdjson(code);
  return m_arena->store(key);
}

Status JsonReader::open() {
  const std::string_view text(m_data, m_size);
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos)
    return make_error(ErrorCode::invalid_argument, "{}: the file is empty", m_label);
  if (m_capacity < m_size + simdjson::SIMDJSON_PADDING)
    return make_error(ErrorCode::internal, "{}: buffer lacks simdjson padding", m_label);
  auto&& result = m_parser.iterate(m_data, m_size, m_capacity);
  if (auto code = std::move(result).get(m_document)) return from_simdjson(code);
  json_type type;
  if (auto code = m_document.type().get(type)) return from_simdjson(code);
  if (type != json_type::object)
    return make_error(ErrorCode::invalid_argument, "{}: expected a JSON object at the top level, found {}", m_label,
                      kind_name(type));
  return {};
}

std::optional<std::size_t> JsonReader::position() {
  const char* at = nullptr;
  if (m_document.current_location().get(at)) return std::nullopt;
  return static_cast<std::size_t>(at - m_data);
}

std::string JsonReader::path() const {
  std::string out = "$";
  for (const auto& element : m_path) {
    if (element.is_index) {
      out += fmt::format("[{}]", element.index);
    } else if (is_identifier(element.key)) {
      out += '.';
      out += element.key;
    } else {
      out += fmt::format("[\"{}\"]", element.key);
    }
  }
  return out;
}

std::unexpected<Error> JsonReader::error_here(std::string_view what) const {
  return make_error(ErrorCode::invalid_argument, "{}: {}: {}", m_label, path(), what);
}

std::unexpected<Error> JsonReader::type_error(std::string_view expected, Value& value) {
  json_type type;
  if (auto code = value.type().get(type)) return from_simdjson(code);
  return error_here(fmt::format("expected {}, found {}", expected, kind_name(type)));
}

std::string JsonReader::location_of(const char* position) const {
  if (position < m_data || position > m_data + m_size) return {};
  std::size_t line = 1;
  const char* line_start = m_data;
  for (const char* p = m_data; p < position; ++p) {
    if (*p == '\n') {
      ++line;
      line_start = p + 1;
    }
  }
  return fmt::format("line {}, column {}", line, position - line_start + 1);
}

std::unexpected<Error> JsonReader::from_simdjson(simdjson::error_code code) {
  using simdjson::error_code;
  switch (code) {
    case error_code::INCORRECT_TYPE:
    case error_code::NUMBER_OUT_OF_RANGE:
      return error_here(simdjson::error_message(code));
    case error_code::EMPTY:
      return make_error(ErrorCode::invalid_argument, "{}: the file contains no JSON", m_label);
    case error_code::INCOMPLETE_ARRAY_OR_OBJECT:
      return make_error(ErrorCode::invalid_argument,
                        "{}: invalid JSON: the document ends before all its objects and arrays are closed, or has "
                        "content after the end (a truncated or concatenated file?)",
                        m_label);
    case error_code::UNCLOSED_STRING:
      return make_error(ErrorCode::invalid_argument, "{}: invalid JSON: a string is never closed (a truncated file?)",
                        m_label);
    case error_code::DEPTH_ERROR:
      return make_error(ErrorCode::invalid_argument, "{}: invalid JSON: nested deeper than {} levels", m_label,
                        m_parser.max_depth());
    case error_code::MEMALLOC:
      return make_error(ErrorCode::internal, "{}: out of memory while parsing", m_label);
    default:
      break;
  }
  std::string where;
  const char* position = nullptr;
  if (!m_document.current_location().get(position)) where = location_of(position);
  if (where.empty())
    return make_error(ErrorCode::invalid_argument, "{}: invalid JSON near {}: {}", m_label, path(),
                      simdjson::error_message(code));
  return make_error(ErrorCode::invalid_argument, "{}: invalid JSON at {} (in {}): {}", m_label, where, path(),
                    simdjson::error_message(code));
}

Result<std::string_view> JsonReader::get_string(Value& value) {
  std::string_view out;
  if (auto code = value.get_string().get(out)) {
    if (code == simdjson::error_code::INCORRECT_TYPE) return type_error("a string", value);
    return from_simdjson(code);
  }
  return out;
}

Result<std::optional<std::string_view>> JsonReader::get_optional_string(Value& value) {
  bool is_null = false;
  if (auto code = value.is_null().get(is_null)) return from_simdjson(code);
  if (is_null) return std::optional<std::string_view>{};
  COWORK_ASSIGN_OR_RETURN(auto text, get_string(value));
  return std::optional<std::string_view>{text};
}

Status JsonReader::read_string(Value& value, std::string& out) {
  COWORK_ASSIGN_OR_RETURN(auto text, get_optional_string(value));
  if (text) out.assign(*text);
  return {};
}

Status JsonReader::read_string_list(Value& value, std::vector<std::string>& out) {
  return for_each_element(value, [&](std::size_t, Value& element) -> Status {
    COWORK_ASSIGN_OR_RETURN(auto text, get_optional_string(element));
    if (text) out.emplace_back(*text);
    return {};
  });
}

namespace {

// The raw token of a value, without the whitespace that may follow it.
std::string_view token_of(Value& value) {
  std::string_view token = value.raw_json_token();
  while (!token.empty() &&
         (token.back() == ' ' || token.back() == '\n' || token.back() == '\r' || token.back() == '\t'))
    token.remove_suffix(1);
  return token;
}

}  // namespace

Result<std::optional<std::string_view>> JsonReader::get_text(Value& value) {
  const std::string_view token = token_of(value);
  if (token.size() >= 2 && token.front() == '"' && token.back() == '"' && token.find('\\') == std::string_view::npos)
    return std::optional<std::string_view>{token.substr(1, token.size() - 2)};
  if (token == "null") return std::optional<std::string_view>{};
  COWORK_ASSIGN_OR_RETURN(auto text, get_string(value));
  return std::optional<std::string_view>{m_arena->store(text)};
}

Status JsonReader::read_text(Value& value, std::string_view& out) {
  COWORK_ASSIGN_OR_RETURN(auto text, get_text(value));
  if (text) out = *text;
  return {};
}

Status JsonReader::read_text_list(Value& value, std::vector<std::string_view>& out) {
  return for_each_element(value, [&](std::size_t, Value& element) -> Status {
    COWORK_ASSIGN_OR_RETURN(auto text, get_text(element));
    if (text) out.push_back(*text);
    return {};
  });
}

Result<LazyText> JsonReader::get_lazy_text(Value& value) {
  const std::string_view token = token_of(value);
  if (token == "null") return LazyText();
  if (token.size() < 2 || token.front() != '"') return type_error("a string", value);
  return LazyText::from_json_token(token);
}

Result<std::optional<std::int64_t>> JsonReader::get_optional_int(Value& value) {
  bool is_null = false;
  if (auto code = value.is_null().get(is_null)) return from_simdjson(code);
  if (is_null) return std::optional<std::int64_t>{};
  std::int64_t out = 0;
  if (auto code = value.get_int64().get(out)) {
    // Some writers emit whole numbers as 3.0.
    double as_double = 0;
    if (code == simdjson::error_code::INCORRECT_TYPE && !value.get_double().get(as_double) &&
        as_double == static_cast<double>(static_cast<std::int64_t>(as_double)))
      return std::optional<std::int64_t>{static_cast<std::int64_t>(as_double)};
    if (code == simdjson::error_code::INCORRECT_TYPE) return type_error("an integer", value);
    return from_simdjson(code);
  }
  return std::optional<std::int64_t>{out};
}

Result<std::optional<double>> JsonReader::get_optional_double(Value& value) {
  bool is_null = false;
  if (auto code = value.is_null().get(is_null)) return from_simdjson(code);
  if (is_null) return std::optional<double>{};
  double out = 0;
  if (auto code = value.get_double().get(out)) {
    if (code == simdjson::error_code::INCORRECT_TYPE) return type_error("a number", value);
    return from_simdjson(code);
  }
  return std::optional<double>{out};
}

Result<std::optional<bool>> JsonReader::get_optional_bool(Value& value) {
  bool is_null = false;
  if (auto code = value.is_null().get(is_null)) return from_simdjson(code);
  if (is_null) return std::optional<bool>{};
  bool out = false;
  if (auto code = value.get_bool().get(out)) {
    if (code == simdjson::error_code::INCORRECT_TYPE) return type_error("true or false", value);
    return from_simdjson(code);
  }
  return std::optional<bool>{out};
}

Result<nlohmann::json> JsonReader::get_json(Value& value) {
  return get_json_at_depth(value, 0);
}

Result<nlohmann::json> JsonReader::get_json_at_depth(Value& value, int depth) {
  if (depth > k_max_json_depth) return error_here(fmt::format("nested deeper than {} levels", k_max_json_depth));
  json_type type;
  if (auto code = value.type().get(type)) return from_simdjson(code);
  switch (type) {
    case json_type::null: {
      bool is_null = false;
      if (auto code = value.is_null().get(is_null)) return from_simdjson(code);
      if (!is_null) return error_here("invalid literal");
      return nlohmann::json(nullptr);
    }
    case json_type::boolean: {
      bool out = false;
      if (auto code = value.get_bool().get(out)) return from_simdjson(code);
      return nlohmann::json(out);
    }
    case json_type::string: {
      COWORK_ASSIGN_OR_RETURN(auto text, get_string(value));
      return nlohmann::json(std::string(text));
    }
    case json_type::number: {
      simdjson::ondemand::number number;
      if (auto code = value.get_number().get(number)) return from_simdjson(code);
      switch (number.get_number_type()) {
        case simdjson::ondemand::number_type::signed_integer:
          return nlohmann::json(number.get_int64());
        case simdjson::ondemand::number_type::unsigned_integer:
          return nlohmann::json(number.get_uint64());
        default:
          return nlohmann::json(number.get_double());
      }
    }
    case json_type::array: {
      nlohmann::json out = nlohmann::json::array();
      COWORK_TRY(for_each_element(value, [&](std::size_t, Value& element) -> Status {
        COWORK_ASSIGN_OR_RETURN(auto item, get_json_at_depth(element, depth + 1));
        out.push_back(std::move(item));
        return {};
      }));
      return out;
    }
    case json_type::object: {
      nlohmann::json out = nlohmann::json::object();
      COWORK_TRY(for_each_field(value, [&](std::string_view key, Value& field) -> Status {
        COWORK_ASSIGN_OR_RETURN(auto item, get_json_at_depth(field, depth + 1));
        out[std::string(key)] = std::move(item);
        return {};
      }));
      return out;
    }
  }
  return error_here("unknown JSON value");
}

Result<std::string> JsonReader::get_scalar_text(Value& value) {
  COWORK_ASSIGN_OR_RETURN(auto json, get_json(value));
  if (json.is_null()) return std::string();
  if (json.is_string()) return json.get<std::string>();
  if (json.is_structured()) return error_here("expected a string or number, found " + std::string(json.type_name()));
  return json.dump();
}

}  // namespace cowork::json
