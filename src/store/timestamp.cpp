#include "store/timestamp.hpp"

#include <cstdint>
#include <cstdio>

namespace cowork::store {
namespace {

using std::chrono::days;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::sys_days;

// Reads exactly `count` digits at `pos`.
bool read_digits(std::string_view text, std::size_t& pos, int count, int& value) {
  if (pos + count > text.size()) return false;
  value = 0;
  for (int i = 0; i < count; ++i) {
    const char c = text[pos + i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  pos += count;
  return true;
}

}  // namespace

std::string format_timestamp(Timestamp time) {
  const auto ms = std::chrono::floor<milliseconds>(time);
  const auto day = std::chrono::floor<days>(ms);
  const std::chrono::year_month_day date{day};
  const std::chrono::hh_mm_ss clock{ms - day};
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
                static_cast<int>(clock.seconds().count()), static_cast<int>(clock.subseconds().count()));
  return buffer;
}

Result<Timestamp> parse_timestamp(std::string_view text) {
  const auto fail = [&] {
    return make_error(ErrorCode::invalid_argument,
                      "'{}' is not an ISO-8601 time (expected e.g. 2024-05-01T12:00:00Z or 2024-05-01)", text);
  };
  std::size_t pos = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!read_digits(text, pos, 4, year) || pos >= text.size() || text[pos++] != '-' ||
      !read_digits(text, pos, 2, month) || pos >= text.size() || text[pos++] != '-' || !read_digits(text, pos, 2, day))
    return fail();
  const std::chrono::year_month_day date{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                                         std::chrono::day{static_cast<unsigned>(day)}};
  if (!date.ok()) return fail();
  nanoseconds fraction{0};
  std::chrono::minutes offset{0};
  if (pos < text.size() && (text[pos] == 'T' || text[pos] == 't' || text[pos] == ' ')) {
    ++pos;
    if (!read_digits(text, pos, 2, hour) || pos >= text.size() || text[pos++] != ':' ||
        !read_digits(text, pos, 2, minute))
      return fail();
    if (pos < text.size() && text[pos] == ':') {
      ++pos;
      if (!read_digits(text, pos, 2, second)) return fail();
      if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
        ++pos;
        std::int64_t nanos = 0;
        int digits = 0;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
          if (digits < 9) nanos = nanos * 10 + (text[pos] - '0');
          ++digits;
          ++pos;
        }
        if (digits == 0) return fail();
        for (int i = digits; i < 9; ++i) nanos *= 10;
        fraction = nanoseconds{nanos};
      }
    }
    if (hour > 23 || minute > 59 || second > 60) return fail();
    if (pos < text.size()) {
      const char zone = text[pos];
      if (zone == 'Z' || zone == 'z') {
        ++pos;
      } else if (zone == '+' || zone == '-') {
        ++pos;
        int zone_hours = 0, zone_minutes = 0;
        if (!read_digits(text, pos, 2, zone_hours)) return fail();
        if (pos < text.size() && text[pos] == ':') ++pos;
        if (pos < text.size() && !read_digits(text, pos, 2, zone_minutes)) return fail();
        if (zone_hours > 23 || zone_minutes > 59) return fail();
        offset = std::chrono::minutes{zone_hours * 60 + zone_minutes};
        if (zone == '-') offset = -offset;
      }
    }
  }
  if (pos != text.size()) return fail();
  const auto local = sys_days{date} + std::chrono::hours{hour} + std::chrono::minutes{minute} +
                     std::chrono::seconds{second} + fraction;
  return std::chrono::time_point_cast<Timestamp::duration>(local - offset);
}

Result<std::string> normalize_timestamp(std::string_view text) {
  COWORK_ASSIGN_OR_RETURN(const Timestamp time, parse_timestamp(text));
  return format_timestamp(time);
}

}  // namespace cowork::store
