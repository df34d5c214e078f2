// Times as the state database stores them: ISO-8601 UTC text with milliseconds ("2024-05-01T12:00:00.250Z"), one
// fixed width so that text order is time order and SQL can compare them. Used by the store for every time it writes,
// and by surfaces that accept a time from a person (`cowork incidents snooze ID --until ...`).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "util/error.hpp"

namespace cowork::store {

using Timestamp = std::chrono::system_clock::time_point;

// "YYYY-MM-DDTHH:MM:SS.mmmZ", truncated to the millisecond.
std::string format_timestamp(Timestamp time);

// Reads ISO-8601 as dbt and people write it: a date, optionally "T" or a space and a time with optional seconds and
// fraction, then "Z", "+HH:MM", "+HHMM" or nothing (read as UTC). The error quotes the text.
Result<Timestamp> parse_timestamp(std::string_view text);

// The canonical form of an ISO-8601 text (parse then format).
Result<std::string> normalize_timestamp(std::string_view text);

}  // namespace cowork::store
