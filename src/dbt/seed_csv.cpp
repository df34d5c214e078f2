#include "dbt/seed_csv.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <set>

#include "util/strings.hpp"

namespace cowork::dbt {
namespace {

bool is_integer(std::string_view text) {
  if (text.empty()) return false;
  std::size_t i = (text[0] == '-' || text[0] == '+') ? 1 : 0;
  if (i == text.size() || text.size() - i > 18) return false;  // beyond 18 digits may overflow BIGINT
  return std::all_of(text.begin() + static_cast<std::ptrdiff_t>(i), text.end(),
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

bool is_number(std::string_view text) {
  if (text.empty()) return false;
  double value = 0;
  const char* begin = text.data() + ((text[0] == '+') ? 1 : 0);
  auto [ptr, ec] = std::from_chars(begin, text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) return false;
  // "inf"/"nan" parse as numbers but are text in a CSV.
  return text.find_first_of("0123456789") != std::string_view::npos;
}

bool is_boolean(std::string_view text) {
  return iequals(text, "true") || iequals(text, "false");
}

bool digits(std::string_view text, std::size_t from, std::size_t count) {
  if (from + count > text.size()) return false;
  for (std::size_t i = from; i < from + count; ++i)
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
  return true;
}

// YYYY-MM-DD
bool is_date(std::string_view text) {
  return text.size() == 10 && digits(text, 0, 4) && text[4] == '-' && digits(text, 5, 2) && text[7] == '-' &&
         digits(text, 8, 2);
}

// YYYY-MM-DD HH:MM:SS or YYYY-MM-DDTHH:MM:SS, optional fraction and zone.
bool is_timestamp(std::string_view text) {
  if (text.size() < 19 || !is_date(text.substr(0, 10)) || (text[10] != ' ' && text[10] != 'T')) return false;
  if (!(digits(text, 11, 2) && text[13] == ':' && digits(text, 14, 2) && text[16] == ':' && digits(text, 17, 2)))
    return false;
  for (char c : text.substr(19))
    if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '+' || c == '-' || c == ':' || c == 'Z'))
      return false;
  return true;
}

SeedType infer(const std::vector<std::vector<std::optional<std::string>>>& rows, std::size_t column) {
  bool integer = true, number = true, boolean = true, date = true, timestamp = true, any = false;
  for (const auto& row : rows) {
    const auto& cell = row[column];
    if (!cell) continue;
    any = true;
    integer = integer && is_integer(*cell);
    number = number && is_number(*cell);
    boolean = boolean && is_boolean(*cell);
    date = date && is_date(*cell);
    timestamp = timestamp && is_timestamp(*cell);
  }
  if (!any) return SeedType::text;
  if (integer) return SeedType::integer;
  if (number) return SeedType::number;
  if (date) return SeedType::date;
  if (timestamp) return SeedType::timestamp;
  if (boolean) return SeedType::boolean;
  return SeedType::text;
}

}  // namespace

std::string_view to_string(SeedType type) {
  switch (type) {
    case SeedType::integer:
      return "integer";
    case SeedType::number:
      return "number";
    case SeedType::boolean:
      return "boolean";
    case SeedType::date:
      return "date";
    case SeedType::timestamp:
      return "timestamp";
    case SeedType::text:
      return "text";
  }
  return "text";
}

Result<SeedTable> parse_seed_csv(std::string_view text, std::string_view label, const nlohmann::json& column_types) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // a byte-order mark
  std::vector<std::vector<std::optional<std::string>>> records;
  std::vector<std::size_t> record_lines;
  std::vector<std::optional<std::string>> record;
  std::string field;
  bool quoted = false, field_was_quoted = false, field_started = false;
  std::size_t line = 1, record_line = 1, quote_line = 0;
  auto end_field = [&] {
    // An empty unquoted value is NULL; "" (quoted) is an empty string.
    if (field.empty() && !field_was_quoted)
      record.emplace_back(std::nullopt);
    else
      record.emplace_back(field);
    field.clear();
    field_was_quoted = false;
    field_started = false;
  };
  auto end_record = [&] {
    end_field();
    // Blank lines are skipped.
    if (!(record.size() == 1 && !record[0])) {
      records.push_back(std::move(record));
      record_lines.push_back(record_line);
    }
    record.clear();
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    if (c == '"' && !field_started) {
      quoted = true;
      field_was_quoted = true;
      field_started = true;
      quote_line = line;
    } else if (c == ',') {
      end_field();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      end_record();
      ++line;
      record_line = line;
    } else {
      field += c;
      field_started = true;
    }
  }
  if (quoted)
    return make_error(ErrorCode::invalid_argument, "{}:{}: a quoted value is never closed", label, quote_line);
  if (field_started || !record.empty()) end_record();
  if (records.empty()) return make_error(ErrorCode::invalid_argument, "{}: the seed is empty (no header row)", label);

  SeedTable table;
  std::set<std::string> seen;
  for (const auto& cell : records[0]) {
    std::string name = cell ? std::string(trim(*cell)) : std::string();
    if (name.empty()) return make_error(ErrorCode::invalid_argument, "{}:1: a column without a name", label);
    if (!seen.insert(to_lower(name)).second)
      return make_error(ErrorCode::invalid_argument, "{}:1: column '{}' appears twice", label, name);
    table.columns.push_back({name, SeedType::text, ""});
  }
  for (std::size_t r = 1; r < records.size(); ++r) {
    if (records[r].size() != table.columns.size())
      return make_error(ErrorCode::invalid_argument, "{}:{}: {} values, but the header has {} columns", label,
                        record_lines[r], records[r].size(), table.columns.size());
    for (auto& cell : records[r])
      if (cell && iequals(*cell, "null")) cell.reset();  // dbt reads "null" as NULL too
    table.rows.push_back(std::move(records[r]));
  }
  for (std::size_t c = 0; c < table.columns.size(); ++c) {
    table.columns[c].type = infer(table.rows, c);
    if (column_types.is_object()) {
      for (const auto& [name, type] : column_types.items())
        if (iequals(name, table.columns[c].name) && type.is_string()) table.columns[c].declared_type = type;
    }
  }
  return table;
}

}  // namespace cowork::dbt
