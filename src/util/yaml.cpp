#include "util/yaml.hpp"

#include <charconv>
#include <cmath>

#include "util/files.hpp"
#include "util/strings.hpp"

namespace cowork {

Result<YAML::Node> parse_yaml(std::string_view text, std::string_view label) {
  try {
    return YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return make_error(ErrorCode::invalid_argument, "{}:{}:{}: invalid YAML: {}", label, e.mark.line + 1,
                      e.mark.column + 1, e.msg);
  }
}

Result<YAML::Node> load_yaml_file(const std::filesystem::path& path, std::string_view label) {
  COWORK_ASSIGN_OR_RETURN(auto text, read_file(path));
  return parse_yaml(text, label.empty() ? std::string_view(path.string()) : label);
}

namespace {

nlohmann::json scalar_to_json(const YAML::Node& node) {
  const std::string& text = node.Scalar();
  // Quoted scalars carry the non-specific tag "!": they are strings whatever they look like.
  if (node.Tag() == "!") return text;
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") return nullptr;
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  const char* begin = text.data();
  const char* end = begin + text.size();
  if (*begin == '+') ++begin;
  std::int64_t integer = 0;
  if (auto [ptr, ec] = std::from_chars(begin, end, integer); ec == std::errc() && ptr == end) return integer;
  double number = 0;
  if (text.find_first_of("0123456789") != std::string::npos) {
    if (auto [ptr, ec] = std::from_chars(begin, end, number); ec == std::errc() && ptr == end && std::isfinite(number))
      return number;
  }
  return text;
}

}  // namespace

nlohmann::json yaml_to_json(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return nullptr;
    case YAML::NodeType::Scalar:
      return scalar_to_json(node);
    case YAML::NodeType::Sequence: {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& item : node) out.push_back(yaml_to_json(item));
      return out;
    }
    case YAML::NodeType::Map: {
      nlohmann::json out = nlohmann::json::object();
      for (const auto& item : node) out[item.first.as<std::string>()] = yaml_to_json(item.second);
      return out;
    }
  }
  return nullptr;
}

std::string yaml_location(std::string_view file, const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  if (mark.is_null()) return std::string(file);
  return fmt::format("{}:{}:{}", file, mark.line + 1, mark.column + 1);
}

}  // namespace cowork
