#include "agent/llm/provider.hpp"

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <map>

#include <fmt/format.h>

#include "agent/llm/providers.hpp"
#include "util/http.hpp"
#include "util/strings.hpp"
#include "util/yaml.hpp"

namespace cowork::llm {
namespace {

namespace fs = std::filesystem;

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(trim(value));
}

struct ProviderInfo {
  std::string_view name, default_model, default_base;
  std::vector<const char*> key_variables, base_variables;
};

const std::vector<ProviderInfo>& infos() {
  static const std::vector<ProviderInfo> list = {
      {"openai", "gpt-4o-mini", "https://api.openai.com/v1", {"OPENAI_API_KEY"}, {"OPENAI_BASE_URL"}},
      {"gemini", "gemini-2.0-flash", "https://generativelanguage.googleapis.com", {"GEMINI_API_KEY", "GOOGLE_API_KEY"},
       {"GOOGLE_GEMINI_BASE_URL"}},
      {"anthropic", "claude-sonnet-4-5", "https://api.anthropic.com", {"ANTHROPIC_API_KEY"}, {"ANTHROPIC_BASE_URL"}},
  };
  return list;
}

const ProviderInfo* info(std::string_view name) {
  for (const auto& i : infos())
    if (i.name == name) return &i;
  return nullptr;
}

// The `llm:` block of <project>/cowork.yml as strings, with where each came from.
struct FileSettings {
  std::map<std::string, std::string> values;
  std::map<std::string, std::string> where;
};

Result<FileSettings> read_file_settings(const fs::path& project_dir) {
  FileSettings out;
  const fs::path config = project_dir / "cowork.yml";
  std::error_code ec;
  if (project_dir.empty() || !fs::exists(config, ec)) return out;
  const std::string label = config.string();
  COWORK_ASSIGN_OR_RETURN(const YAML::Node root, load_yaml_file(config, label));
  if (!root.IsMap()) return out;
  const YAML::Node llm = root["llm"];
  if (!llm.IsDefined() || llm.IsNull()) return out;
  if (!llm.IsMap())
    return make_error(ErrorCode::invalid_argument,
                      "{}: llm must be a mapping, for example `llm: {{provider: openai, model: gpt-4o-mini}}`",
                      yaml_location(label, llm));
  static const std::vector<std::string> known = {"provider", "model", "timeout", "base_url",
                                                 "max_steps", "max_tokens", "max_seconds"};
  for (const auto& item : llm) {
    const std::string key = item.first.Scalar();
    if (std::find(known.begin(), known.end(), key) == known.end())
      return make_error(ErrorCode::invalid_argument, "{}: unknown llm setting '{}' (known: {})",
                        yaml_location(label, item.first), key, fmt::join(known, ", "));
    if (!item.second.IsScalar())
      return make_error(ErrorCode::invalid_argument, "{}: llm.{} must be a single value",
                        yaml_location(label, item.second), key);
    out.values[key] = std::string(trim(item.second.Scalar()));
    out.where[key] = yaml_location(label, item.second);
  }
  return out;
}

// A setting from the environment, else cowork.yml; `what` names the source for messages.
std::string pick(const char* variable, const FileSettings& file, const std::string& key, std::string* what) {
  if (std::string value = env(variable); !value.empty()) {
    *what = variable;
    return value;
  }
  if (auto it = file.values.find(key); it != file.values.end()) {
    *what = file.where.at(key) + " (llm." + key + ")";
    return it->second;
  }
  return {};
}

Result<double> positive_number(const std::string& text, const std::string& what) {
  try {
    size_t used = 0;
    const double value = std::stod(text, &used);
    // Up to a day (of seconds) or a billion (of tokens): anything larger is a typo, and would overflow.
    if (used == text.size() && value > 0 && value <= 1e9) return value;
  } catch (...) {
  }
  return make_error(ErrorCode::invalid_argument, "{}: '{}' is not a positive number (at most 1e9)", what, text);
}

// A whole number from 1 to 1e9 (turns, tokens, seconds of a budget).
Result<std::int64_t> whole_number(const std::string& text, const std::string& what) {
  COWORK_ASSIGN_OR_RETURN(const double value, positive_number(text, what));
  if (value < 1 || value != static_cast<double>(static_cast<std::int64_t>(value)))
    return make_error(ErrorCode::invalid_argument, "{}: '{}' must be a whole number of at least 1", what, text);
  return static_cast<std::int64_t>(value);
}

// Whether a URL's host is this machine: localhost, 127.x.x.x or [::1].
bool is_loopback_url(std::string_view url) {
  std::string host = http::host_of(url);
  if (host.starts_with('[')) return host.starts_with("[::1]");
  if (auto colon = host.find(':'); colon != std::string::npos) host.resize(colon);
  host = to_lower(host);
  return host == "localhost" || host.starts_with("127.");
}

}  // namespace

Result<ChatReply> Provider::chat(const ChatRequest& request, const CallOptions& options) {
  Result<ChatReply> reply = [&]() -> Result<ChatReply> {
    try {
      return send_chat(request, options);
    } catch (const std::exception& e) {
      // A reply of a shape the code did not expect (a field of another type): an error, never a crash.
      return make_error(ErrorCode::invalid_argument, "{} sent a reply the API does not document ({})", name(),
                        e.what());
    }
  }();
  if (!reply && !m_config.api_key.empty()) reply.error().message = redact(reply.error().message, m_config.api_key);
  return reply;
}

std::string redact(std::string text, std::string_view secret) {
  if (secret.empty()) return text;
  for (size_t at = 0; (at = text.find(secret, at)) != std::string::npos; at += 3) text.replace(at, secret.size(), "***");
  return text;
}

std::string_view to_string(Role role) {
  switch (role) {
    case Role::user: return "user";
    case Role::assistant: return "assistant";
    case Role::tool: return "tool";
  }
  return "user";
}

const std::vector<std::string>& provider_names() {
  static const std::vector<std::string> names = {"none", "openai", "gemini", "anthropic"};
  return names;
}

std::string_view default_model(std::string_view provider) {
  const ProviderInfo* i = info(provider);
  return i == nullptr ? std::string_view() : i->default_model;
}

Result<std::optional<Settings>> resolve(const Selection& selection, const fs::path& project_dir) {
  COWORK_ASSIGN_OR_RETURN(const FileSettings file, read_file_settings(project_dir));
  std::string source = "--llm";
  std::string provider = selection.provider;
  if (provider.empty()) provider = pick("COWORK_LLM", file, "provider", &source);
  provider = to_lower(provider);
  if (provider.empty() || provider == "none") return std::optional<Settings>();
  const ProviderInfo* i = info(provider);
  if (i == nullptr)
    return make_error(ErrorCode::invalid_argument, "{}: unknown LLM provider '{}' (choose one of: {})", source, provider,
                      fmt::join(provider_names(), ", "));

  Settings settings;
  ProviderConfig& config = settings.provider;
  config.provider = provider;
  std::string what;
  // A model or base URL belongs to the provider it was written for: cowork.yml's (and COWORK_LLM_MODEL with
  // COWORK_LLM) apply only when that source names no other provider.
  const auto file_provider = file.values.find("provider");
  const bool file_applies = file_provider == file.values.end() || to_lower(file_provider->second) == provider;
  const std::string env_provider = to_lower(env("COWORK_LLM"));
  config.model = selection.model;
  if (config.model.empty() && (env_provider.empty() || env_provider == provider)) config.model = env("COWORK_LLM_MODEL");
  if (config.model.empty() && file_applies)
    if (auto it = file.values.find("model"); it != file.values.end()) config.model = it->second;
  if (config.model.empty()) config.model = std::string(i->default_model);

  if (selection.timeout_seconds) {
    if (!(*selection.timeout_seconds >= 1 && *selection.timeout_seconds <= 86400))
      return make_error(ErrorCode::invalid_argument, "--llm-timeout must be a number of seconds from 1 to 86400");
    config.timeout = std::chrono::milliseconds(static_cast<long long>(*selection.timeout_seconds * 1000));
  } else if (std::string text = pick("COWORK_LLM_TIMEOUT", file, "timeout", &what); !text.empty()) {
    COWORK_ASSIGN_OR_RETURN(const double seconds, positive_number(text, what));
    if (seconds < 1) return make_error(ErrorCode::invalid_argument, "{}: '{}' is under a second", what, text);
    config.timeout = std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
  }
  if (std::string text = pick("COWORK_LLM_MAX_STEPS", file, "max_steps", &what); !text.empty()) {
    COWORK_ASSIGN_OR_RETURN(const std::int64_t steps, whole_number(text, what));
    settings.budget.max_steps = static_cast<int>(std::min<std::int64_t>(steps, 1000));
  }
  if (std::string text = pick("COWORK_LLM_MAX_TOKENS", file, "max_tokens", &what); !text.empty()) {
    COWORK_ASSIGN_OR_RETURN(settings.budget.max_tokens, whole_number(text, what));
  }
  if (std::string text = pick("COWORK_LLM_MAX_SECONDS", file, "max_seconds", &what); !text.empty()) {
    COWORK_ASSIGN_OR_RETURN(const std::int64_t seconds, whole_number(text, what));
    settings.budget.max_wall = std::chrono::seconds(seconds);
  }

  for (const char* variable : i->base_variables)
    if (config.base_url = env(variable); !config.base_url.empty()) break;
  if (config.base_url.empty() && file_applies) {
    if (auto it = file.values.find("base_url"); it != file.values.end()) {
      // cowork.yml is part of the repository: it may point at a server on this machine, but it does not get to send
      // the user's key to a host of its choosing.
      if (!is_loopback_url(it->second))
        return make_error(ErrorCode::invalid_argument,
                          "{}: llm.base_url may only name a server on this machine (localhost, 127.0.0.1); a remote "
                          "endpoint is set in the environment ({}), so a cloned project cannot redirect your key",
                          file.where.at("base_url"), i->base_variables.front());
      config.base_url = it->second;
    }
  }
  const bool default_endpoint = config.base_url.empty();
  if (default_endpoint) config.base_url = std::string(i->default_base);
  if (!config.base_url.starts_with("http://") && !config.base_url.starts_with("https://"))
    return make_error(ErrorCode::invalid_argument, "the {} base URL '{}' must start with http:// or https://",
                      provider, config.base_url);

  for (const char* variable : i->key_variables)
    if (config.api_key = env(variable); !config.api_key.empty()) break;
  // A local server (Ollama, vLLM, a test double) may need no key; the public APIs always do.
  if (config.api_key.empty() && default_endpoint)
    return make_error(ErrorCode::invalid_argument, "--llm {} needs an API key: set {}{}", provider,
                      fmt::join(i->key_variables, " or "),
                      fmt::format(" (or point {} at a server that needs none)", i->base_variables.front()));
  return std::optional<Settings>(std::move(settings));
}

Result<std::unique_ptr<Provider>> make_provider(const ProviderConfig& config) {
  if (config.provider == "openai") return make_openai(config);
  if (config.provider == "gemini") return make_gemini(config);
  if (config.provider == "anthropic") return make_anthropic(config);
  return make_error(ErrorCode::invalid_argument, "unknown LLM provider '{}' (choose one of: {})", config.provider,
                    fmt::join(provider_names(), ", "));
}

}  // namespace cowork::llm
