// OpenAI's Chat Completions API (POST {base}/chat/completions) with tools and SSE streaming; also what Gemini's
// OpenAI-compatible endpoint, Ollama, vLLM, llama.cpp's server and LM Studio speak.
#include <map>

#include <fmt/format.h>

#include "agent/llm/providers.hpp"
#include "agent/llm/transport.hpp"
#include "util/http.hpp"

namespace cowork::llm {
namespace {

constexpr std::string_view k_name = "openai";

nlohmann::json to_wire(const ChatRequest& request, const std::string& model, bool stream) {
  nlohmann::json messages = nlohmann::json::array();
  if (!request.system.empty()) messages.push_back({{"role", "system"}, {"content", request.system}});
  for (const auto& message : request.messages) {
    switch (message.role) {
      case Role::user: messages.push_back({{"role", "user"}, {"content", message.text}}); break;
      case Role::assistant: {
        nlohmann::json m{{"role", "assistant"}};
        m["content"] = message.text.empty() ? nlohmann::json(nullptr) : nlohmann::json(message.text);
        if (!message.tool_calls.empty()) {
          m["tool_calls"] = nlohmann::json::array();
          for (const auto& call : message.tool_calls)
            m["tool_calls"].push_back({{"id", call.id},
                                       {"type", "function"},
                                       {"function", {{"name", call.name}, {"arguments", call.arguments}}}});
        }
        messages.push_back(std::move(m));
        break;
      }
      case Role::tool:
        messages.push_back({{"role", "tool"}, {"tool_call_id", message.tool_call_id}, {"content", message.text}});
        break;
    }
  }
  nlohmann::json body{{"model", model}, {"messages", std::move(messages)}};
  if (!request.tools.empty()) {
    body["tools"] = nlohmann::json::array();
    for (const auto& tool : request.tools)
      body["tools"].push_back({{"type", "function"},
                               {"function", {{"name", tool.name},
                                             {"description", tool.description},
                                             {"parameters", tool.parameters}}}});
  }
  if (!request.tools.empty() && !request.allow_tool_calls) body["tool_choice"] = "none";
  if (stream) {
    body["stream"] = true;
    body["stream_options"] = {{"include_usage", true}};
  }
  return body;
}

class OpenAiProvider final : public Provider {
 public:
  explicit OpenAiProvider(ProviderConfig config) : Provider(std::move(config)) {}
  std::string_view name() const override { return k_name; }

  Result<ChatReply> send_chat(const ChatRequest& request, const CallOptions& options) override {
    Exchange exchange;
    exchange.url = join_url(m_config.base_url, "/chat/completions");
    exchange.headers = {{"Content-Type", "application/json"}, {"Accept", m_config.stream ? "text/event-stream" : "application/json"}};
    if (!m_config.api_key.empty()) exchange.headers.emplace_back("Authorization", "Bearer " + m_config.api_key);
    exchange.body = request_body(to_wire(request, m_config.model, m_config.stream));
    exchange.key_variable = "OPENAI_API_KEY";

    // The streamed reply, assembled from deltas.
    ChatReply reply;
    reply.message.role = Role::assistant;
    std::map<int, ToolCall> calls;
    std::optional<Error> stream_error;
    bool done = false;
    exchange.reset = [&] {
      reply.message = Message{Role::assistant};
      calls.clear();
      stream_error.reset();
      done = false;
    };
    if (m_config.stream) {
      exchange.on_event = [&](std::string_view, std::string_view data) {
        if (data == "[DONE]") {
          done = true;
          return;
        }
        auto chunk = nlohmann::json::parse(data, nullptr, false);
        if (!chunk.is_object()) {
          if (!stream_error) stream_error = malformed(k_name, m_config, "a streamed chunk that is not JSON");
          return;
        }
        if (chunk.contains("error")) {
          if (!stream_error)
            stream_error = Error{ErrorCode::unavailable,
                                 fmt::format("openai at {} reported an error mid-reply: {}", host(),
                                             chunk["error"].is_object() ? chunk["error"].value("message", std::string())
                                                                        : chunk["error"].dump())};
          return;
        }
        read_usage(chunk, reply.usage);
        if (!chunk.contains("choices") || !chunk["choices"].is_array()) return;
        for (const auto& choice : chunk["choices"]) {
          if (choice.contains("finish_reason") && choice["finish_reason"].is_string())
            reply.finish_reason = choice["finish_reason"].get<std::string>();
          if (!choice.contains("delta") || !choice["delta"].is_object()) continue;
          const auto& delta = choice["delta"];
          if (delta.contains("content") && delta["content"].is_string()) {
            const auto text = delta["content"].get<std::string>();
            reply.message.text += text;
            if (options.on_text && !text.empty()) options.on_text(text);
          }
          if (delta.contains("tool_calls") && delta["tool_calls"].is_array()) {
            for (const auto& piece : delta["tool_calls"]) {
              const int index = piece.value("index", static_cast<int>(calls.size()));
              ToolCall& call = calls[index];
              if (piece.contains("id") && piece["id"].is_string()) call.id = piece["id"].get<std::string>();
              if (piece.contains("function") && piece["function"].is_object()) {
                const auto& function = piece["function"];
                if (function.contains("name") && function["name"].is_string())
                  call.name += function["name"].get<std::string>();
                if (function.contains("arguments") && function["arguments"].is_string())
                  call.arguments += function["arguments"].get<std::string>();
              }
            }
          }
        }
      };
    }
    COWORK_ASSIGN_OR_RETURN(auto result, post(m_config, k_name, exchange, options));
    reply.attempts = result.attempts;
    if (result.sse_events == 0) {
      // A plain JSON reply (asked for, or a server that does not stream).
      exchange.reset();
      COWORK_ASSIGN_OR_RETURN(auto json, parse_reply(k_name, m_config, result.body));
      COWORK_TRY(read_plain(json, reply, options));
      return reply;
    }
    if (stream_error) return std::unexpected(*stream_error);
    // A stream cut short (a proxy closing it mid-answer) has neither [DONE] nor a finish reason: the text or the tool
    // arguments would be partial.
    if (!done && reply.finish_reason.empty())
      return make_error(ErrorCode::unavailable, "openai at {}: the stream ended before the reply was complete",
                        http::host_of(m_config.base_url));
    int n = 0;
    for (auto& [index, call] : calls) {
      if (call.id.empty()) call.id = fmt::format("call_{}", n);
      ++n;
      if (call.name.empty()) return std::unexpected(malformed(k_name, m_config, "a tool call without a function name"));
      reply.message.tool_calls.push_back(std::move(call));
    }
    return reply;
  }

 private:
  std::string host() const { return http::host_of(m_config.base_url); }

  static void read_usage(const nlohmann::json& json, Usage& usage) {
    if (!json.contains("usage") || !json["usage"].is_object()) return;
    const auto& u = json["usage"];
    if (u.contains("prompt_tokens") && u["prompt_tokens"].is_number_integer()) usage.input_tokens = u["prompt_tokens"];
    if (u.contains("completion_tokens") && u["completion_tokens"].is_number_integer())
      usage.output_tokens = u["completion_tokens"];
  }

  Status read_plain(const nlohmann::json& json, ChatReply& reply, const CallOptions& options) const {
    if (json.contains("error"))
      return make_error(ErrorCode::unavailable, "openai at {} reported an error: {}", host(),
                        json["error"].is_object() ? json["error"].value("message", json["error"].dump())
                                                  : json["error"].dump());
    if (!json.is_object() || !json.contains("choices") || !json["choices"].is_array() || json["choices"].empty() ||
        !json["choices"][0].is_object() || !json["choices"][0].contains("message") ||
        !json["choices"][0]["message"].is_object())
      return std::unexpected(malformed(k_name, m_config, "no choices[0].message"));
    const auto& choice = json["choices"][0];
    const auto& message = choice["message"];
    read_usage(json, reply.usage);
    if (choice.contains("finish_reason") && choice["finish_reason"].is_string())
      reply.finish_reason = choice["finish_reason"].get<std::string>();
    if (message.contains("content") && message["content"].is_string()) {
      reply.message.text = message["content"].get<std::string>();
      if (options.on_text && !reply.message.text.empty()) options.on_text(reply.message.text);
    }
    if (message.contains("tool_calls") && message["tool_calls"].is_array()) {
      int n = 0;
      for (const auto& item : message["tool_calls"]) {
        if (!item.is_object() || !item.contains("function") || !item["function"].is_object() ||
            !item["function"].contains("name") || !item["function"]["name"].is_string())
          return std::unexpected(malformed(k_name, m_config, "a tool call without a function name"));
        ToolCall call;
        call.id = item.contains("id") && item["id"].is_string() ? item["id"].get<std::string>() : fmt::format("call_{}", n);
        call.name = item["function"]["name"].get<std::string>();
        const auto& arguments = item["function"].contains("arguments") ? item["function"]["arguments"] : nlohmann::json();
        call.arguments = arguments.is_string() ? arguments.get<std::string>() : arguments.is_null() ? "" : arguments.dump();
        reply.message.tool_calls.push_back(std::move(call));
        ++n;
      }
    }
    return {};
  }
};

}  // namespace

std::unique_ptr<Provider> make_openai(const ProviderConfig& config) { return std::make_unique<OpenAiProvider>(config); }

}  // namespace cowork::llm
