// A forward-only JSON reader over simdjson's On-Demand parser that keeps track of where it is, so every error names
// the file and the JSON path ($.nodes["model.a.b"].depends_on.nodes[2]) or the line and column of a syntax error.
// Values that the caller does not ask for are skipped without being materialised, which is what makes reading a
// 100 MB manifest cheap. Used by the dbt artifact loaders; knows nothing about dbt.
//
// Usage: open a PaddedFile, construct a JsonReader over it, then walk with for_each_field / for_each_element and the
// typed getters. Every getter accepts JSON null where the caller passes a nullable target (std::optional).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>
#include <nlohmann/json.hpp>

#include "util/arena.hpp"
#include "util/error.hpp"

namespace cowork::json {

using Value = simdjson::ondemand::value;

// The JSON kinds, named as a person would.
std::string_view kind_name(simdjson::ondemand::json_type type);

class JsonReader {
 public:
  // `label` is how errors name the document (usually its path). `data` must stay alive and readable for
  // `capacity` >= size + simdjson::SIMDJSON_PADDING bytes for the reader's lifetime. Keys and text that had escapes
  // are decoded into `arena` when given (then every view the reader hands out lives as long as `data` and `arena`),
  // else into storage that dies with the reader.
  JsonReader(std::string label, const char* data, std::size_t size, std::size_t capacity, StringArena* arena = nullptr);
  JsonReader(const JsonReader&) = delete;
  JsonReader& operator=(const JsonReader&) = delete;

  // Starts reading; the document must be a JSON object. Errors: empty file, not JSON, not an object.
  Status open();

  // Calls `fn(std::string_view key, Value& value) -> Status` for each field of the root object. Keys are views as
  // described for the constructor.
  template <typename Fn>
  Status for_each_root_field(Fn&& fn);

  // Calls `fn(key, value) -> Status` for each field of an object value; a non-object is a type error.
  // A null value is treated as an empty object when `null_ok`.
  template <typename Fn>
  Status for_each_field(Value& value, Fn&& fn, bool null_ok = true);

  // Calls `fn(std::size_t index, Value& value) -> Status` for each element of an array value.
  template <typename Fn>
  Status for_each_element(Value& value, Fn&& fn, bool null_ok = true);

  // Typed getters. The plain forms reject null; the optional forms map null to std::nullopt.
  Result<std::string_view> get_string(Value& value);
  Result<std::optional<std::string_view>> get_optional_string(Value& value);
  // Reads a string into `out`, leaving it unchanged for null.
  Status read_string(Value& value, std::string& out);
  Status read_string_list(Value& value, std::vector<std::string>& out);
  // Zero-copy string reads: a string without escapes is returned as a view into the document itself; one with
  // escapes is decoded into the arena (see the constructor).
  Result<std::optional<std::string_view>> get_text(Value& value);
  Status read_text(Value& value, std::string_view& out);
  Status read_text_list(Value& value, std::vector<std::string_view>& out);
  // A string left undecoded (see LazyText); null gives an empty LazyText.
  Result<LazyText> get_lazy_text(Value& value);
  Result<std::optional<std::int64_t>> get_optional_int(Value& value);
  Result<std::optional<double>> get_optional_double(Value& value);
  Result<std::optional<bool>> get_optional_bool(Value& value);
  // Materialises any value (used for small free-form parts such as meta and test kwargs).
  Result<nlohmann::json> get_json(Value& value);
  // Like get_json, but a scalar of any kind is returned as text ("1", "true"); null gives "".
  Result<std::string> get_scalar_text(Value& value);

  // Where the reader stands once the root object has been read: the offset of the next structural character (from
  // `data`), or nullopt when the document has been read to its end.
  std::optional<std::size_t> position();

  // The JSON path of the value being read, such as $.nodes["model.a.b"].config.
  std::string path() const;
  const std::string& label() const { return m_label; }

  // An error about the value at the current path: "<label>: <path>: <what>".
  std::unexpected<Error> error_here(std::string_view what) const;
  // An error for the value at the current path that has the wrong kind.
  std::unexpected<Error> type_error(std::string_view expected, Value& value);
  // Turns a simdjson error into an Error naming the file and the line/column or path.
  std::unexpected<Error> from_simdjson(simdjson::error_code code);

  // Path bookkeeping for callers that descend by hand.
  void push_key(std::string_view key) { m_path.push_back({key, 0, false}); }
  void push_index(std::size_t index) { m_path.push_back({{}, index, true}); }
  void pop() { m_path.pop_back(); }

 private:
  struct PathElement {
    std::string_view key;
    std::size_t index;
    bool is_index;
  };

  Result<nlohmann::json> get_json_at_depth(Value& value, int depth);
  Result<std::string_view> key_of(simdjson::ondemand::field& field);
  std::string location_of(const char* position) const;

  std::string m_label;
  const char* m_data;
  std::size_t m_size;
  std::size_t m_capacity;
  simdjson::ondemand::parser m_parser;
  simdjson::ondemand::document m_document;
  std::vector<PathElement> m_path;
  StringArena m_own_arena;
  StringArena* m_arena;
};

template <typename Fn>
Status JsonReader::for_each_root_field(Fn&& fn) {
  simdjson::ondemand::object object;
  if (auto code = m_document.get_object().get(object)) return from_simdjson(code);
  for (auto field_result : object) {
    simdjson::ondemand::field field;
    if (auto code = std::move(field_result).get(field)) return from_simdjson(code);
    COWORK_ASSIGN_OR_RETURN(std::string_view key, key_of(field));
    push_key(key);
    Status status = fn(key, field.value());
    pop();
    if (!status) return status;
  }
  return {};
}

template <typename Fn>
Status JsonReader::for_each_field(Value& value, Fn&& fn, bool null_ok) {
  simdjson::ondemand::json_type type;
  if (auto code = value.type().get(type)) return from_simdjson(code);
  if (type == simdjson::ondemand::json_type::null && null_ok) return {};
  if (type != simdjson::ondemand::json_type::object) return type_error("an object", value);
  simdjson::ondemand::object object;
  if (auto code = value.get_object().get(object)) return from_simdjson(code);
  for (auto field_result : object) {
    simdjson::ondemand::field field;
    if (auto code = std::move(field_result).get(field)) return from_simdjson(code);
    COWORK_ASSIGN_OR_RETURN(std::string_view key, key_of(field));
    push_key(key);
    Status status = fn(key, field.value());
    pop();
    if (!status) return status;
  }
  return {};
}

template <typename Fn>
Status JsonReader::for_each_element(Value& value, Fn&& fn, bool null_ok) {
  simdjson::ondemand::json_type type;
  if (auto code = value.type().get(type)) return from_simdjson(code);
  if (type == simdjson::ondemand::json_type::null && null_ok) return {};
  if (type != simdjson::ondemand::json_type::array) return type_error("an array", value);
  simdjson::ondemand::array array;
  if (auto code = value.get_array().get(array)) return from_simdjson(code);
  std::size_t index = 0;
  for (auto element_result : array) {
    Value element;
    if (auto code = std::move(element_result).get(element)) return from_simdjson(code);
    push_index(index);
    Status status = fn(index, element);
    pop();
    if (!status) return status;
    ++index;
  }
  return {};
}

}  // namespace cowork::json
