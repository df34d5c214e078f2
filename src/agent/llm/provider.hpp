// LLM providers: one provider-neutral conversation (system prompt, user / assistant / tool-result messages, tools
// with JSON schemas) sent to OpenAI's Chat Completions (and every server that speaks it: Gemini's OpenAI endpoint,
// Ollama, vLLM, llama.cpp, LM Studio), Gemini's generateContent, or Anthropic's Messages API. Streaming first: text is
// handed to the caller as it arrives; a server that answers with plain JSON instead is read the same way.
//
// Failures are errors with a message that names the provider and host (never the key): 401/403 (the key), 404 (the
// model), 429 and 5xx retried with backoff honouring Retry-After, a timeout per request, cancellation from another
// thread, and a reply that is not what the API documents.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "util/error.hpp"

namespace cowork::llm {

enum class Role { user, assistant, tool };

struct ToolCall {
  std::string id;         // the provider's id (synthesized for Gemini, which has none)
  std::string name;
  std::string arguments;  // as the model wrote them: JSON text, maybe malformed
  std::string signature;  // Gemini's thoughtSignature, sent back with the call as the API asks
};

struct Message {
  Role role = Role::user;
  std::string text;
  std::vector<ToolCall> tool_calls;  // assistant: the tools it asks for
  std::string tool_call_id;          // tool: which call this answers
  std::string tool_name;             // tool: the tool's name (Gemini answers by name)
  bool is_error = false;             // tool: the call failed
};

struct ToolSpec {
  std::string name;
  std::string description;
  nlohmann::json parameters;  // JSON schema, {"type": "object", ...}
};

struct ChatRequest {
  std::string system;
  std::vector<Message> messages;
  std::vector<ToolSpec> tools;  // empty: the model must answer in text
  // false: the tools are still declared (a history with tool calls needs them, for Anthropic) but the model is told
  // to answer in text (tool_choice none).
  bool allow_tool_calls = true;
  int max_output_tokens = 4096;
};

struct Usage {
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
};

struct ChatReply {
  Message message;  // role assistant: text and/or tool calls
  Usage usage;
  std::string finish_reason;
  int attempts = 1;  // requests made, retries included
};

struct CallOptions {
  std::function<void(std::string_view text)> on_text;  // narrative as it streams
  const std::atomic<bool>* cancel = nullptr;
  std::optional<std::chrono::milliseconds> timeout;     // this request only; default: the provider's
  // No attempt (retries included) runs past this, and no retry waits past it.
  std::optional<std::chrono::steady_clock::time_point> deadline;
  // Told before each retry: why, and how long it waits.
  std::function<void(std::string_view reason, std::chrono::milliseconds delay)> on_retry;
};

struct ProviderConfig {
  std::string provider;  // openai | gemini | anthropic
  std::string model;
  std::string base_url;  // without the API path: https://api.openai.com/v1, https://api.anthropic.com, ...
  std::string api_key;   // never printed, logged or stored
  std::chrono::milliseconds timeout{120000};  // per request
  int max_attempts = 4;                       // 429 / 5xx / dropped connections
  std::chrono::milliseconds backoff{1000};    // first retry delay, doubling
  std::chrono::milliseconds max_backoff{30000};
  bool stream = true;
};

class Provider {
 public:
  virtual ~Provider() = default;
  virtual std::string_view name() const = 0;
  const std::string& model() const { return m_config.model; }
  const ProviderConfig& config() const { return m_config; }
  // One model turn. Errors: permission_denied (key), not_found (model), timeout, unavailable (network, 5xx after
  // retries, cancelled), invalid_argument (the server's 4xx or a reply that is not the API's shape). Never throws,
  // and no message carries the key, even when the server echoes it.
  Result<ChatReply> chat(const ChatRequest& request, const CallOptions& options = {});

 protected:
  explicit Provider(ProviderConfig config) : m_config(std::move(config)) {}
  virtual Result<ChatReply> send_chat(const ChatRequest& request, const CallOptions& options) = 0;
  ProviderConfig m_config;
};

// How much one investigation may spend on the model, across its agents.
struct Budget {
  int max_steps = 8;                   // model turns per agent
  std::int64_t max_tokens = 200000;    // input + output tokens, all agents
  std::chrono::seconds max_wall{300};  // all agents together
};

struct Settings {
  ProviderConfig provider;
  Budget budget;
};

// What the user chose: flags first, then the environment (COWORK_LLM, COWORK_LLM_MODEL, COWORK_LLM_TIMEOUT), then
// <project>/cowork.yml's `llm:` block (provider, model, timeout, base_url, max_steps, max_tokens, max_seconds).
// Budgets also from COWORK_LLM_MAX_STEPS, COWORK_LLM_MAX_TOKENS, COWORK_LLM_MAX_SECONDS.
struct Selection {
  std::string provider;  // --llm; empty: not given
  std::string model;     // --model
  std::optional<double> timeout_seconds;
};

// The provider and budget to use, with key and base URL from the provider's environment variables; nullopt when the choice
// is `none` (or nothing is configured). Errors: an unknown provider, a missing key (naming the variable), a bad
// timeout, an unreadable cowork.yml (naming file and line).
Result<std::optional<Settings>> resolve(const Selection& selection, const std::filesystem::path& project_dir);

Result<std::unique_ptr<Provider>> make_provider(const ProviderConfig& config);

std::string_view default_model(std::string_view provider);
const std::vector<std::string>& provider_names();  // none, openai, gemini, anthropic

std::string_view to_string(Role role);

// `text` with every occurrence of `secret` replaced by ***.
std::string redact(std::string text, std::string_view secret);

}  // namespace cowork::llm
