// JSON to text that never throws: strings that are not valid UTF-8 (a warehouse value, a user's file) are written
// with U+FFFD in place of the bad bytes instead of aborting the command. Use for everything cowork writes or prints.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace cowork {

inline std::string dump_json(const nlohmann::json& value, int indent = -1) {
  return value.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

inline std::string dump_json(const nlohmann::ordered_json& value, int indent = -1) {
  return value.dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace cowork
