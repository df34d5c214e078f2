// Anthropic's Messages API (POST {base}/v1/messages) with tools and streaming. Tool results go back in a user turn
// as tool_result blocks carrying the tool_use id; consecutive user parts share one turn.
#include <map>

#include <fmt/format.h>

#include "agent/llm/providers.hpp"
#include "agent/llm/transport.hpp"
#include "util/http.hpp"

namespace cowork::llm {
namespace {

constexpr std::string_view k_name = "anthropic";
constexpr std::string_view k_version = "2023-06-01";

bool blank(const std::string& text) {
  return text.find_first_not_of(" \t\r\n") == std::string::npos;
}

nlohmann::json to_wire(const ChatRequest& request, const std::string& model, bool stream) {
  nlohmann::json messages = nlohmann::json::array();
  auto append = [&](std::string_view role, nlohmann::json block) {
    if (!messages.empty() && messages.back()["role"] == role) {
      messages.back()["content"].push_back(std::move(block));
      return;
    }
    messages.push_back({{"role", role}, {"content", nlohmann::json::array({std::move(block)})}});
  };
  for (const auto& message : request.messages) {
    switch (message.role) {
      // The API refuses empty or blank text blocks.
      case Role::user: append("user", {{"type", "text"}, {"text", blank(message.text) ? "(empty)" : message.text}}); break;
      case Role::assistant:
        if (!blank(message.text) || message.tool_calls.empty())
          append("assistant", {{"type", "text"}, {"text", blank(message.text) ? "(empty)" : message.text}});
        for (const auto& call : message.tool_calls)
          append("assistant", {{"type", "tool_use"}, {"id", call.id}, {"name", call.name},
                               {"input", arguments_object(call.arguments)}});
        break;
      case Role::tool:
        append("user", {{"type", "tool_result"}, {"tool_use_id", message.tool_call_id}, {"content", message.text},
                        {"is_error", message.is_error}});
        break;
    }
  }
  nlohmann::json body{{"model", model}, {"max_tokens", request.max_output_tokens}, {"messages", std::move(messages)}};
  if (!request.system.empty()) body["system"] = request.system;
  if (!request.tools.empty()) {
    body["tools"] = nlohmann::json::array();
    for (const auto& tool : request.tools)
      body["tools"].push_back(
          {{"name", tool.name}, {"description", tool.description}, {"input_schema", tool.parameters}});
  }
  if (!request.tools.empty() && !request.allow_tool_calls) body["tool_choice"] = {{"type", "none"}};
  if (stream) body["stream"] = true;
  return body;
}

class AnthropicProvider final : public Provider {
 public:
  explicit AnthropicProvider(ProviderConfig config) : Provider(std::move(config)) {}
  std::string_view name() const override { return k_name; }

  Result<ChatReply> send_chat(const ChatRequest& request, const CallOptions& options) override {
    Exchange exchange;
    const std::string& base = m_config.base_url;
    exchange.url = join_url(base, base.ends_with("/v1") || base.ends_with("/v1/") ? "/messages" : "/v1/messages");
    exchange.headers = {{"Content-Type", "application/json"}, {"anthropic-version", std::string(k_version)}};
    if (!m_config.api_key.empty()) exchange.headers.emplace_back("x-api-key", m_config.api_key);
    exchange.body = request_body(to_wire(request, m_config.model, m_config.stream));
    exchange.key_variable = "ANTHROPIC_API_KEY";

    ChatReply reply;
    reply.message.role = Role::assistant;
    // Streamed content blocks by index: text, or a tool_use whose input arrives as partial JSON.
    struct Block {
      std::string type;
      ToolCall call;
    };
    std::map<int, Block> blocks;
    std::optional<Error> stream_error;
    exchange.reset = [&] {
      reply = ChatReply{};
      reply.message.role = Role::assistant;
      blocks.clear();
      stream_error.reset();
    };
    if (m_config.stream) {
      exchange.on_event = [&](std::string_view, std::string_view data) {
        auto event = nlohmann::json::parse(data, nullptr, false);
        if (!event.is_object() || !event.contains("type") || !event["type"].is_string()) {
          if (!stream_error) stream_error = malformed(k_name, m_config, "a streamed event that is not a JSON object with a type");
          return;
        }
        const std::string type = event["type"];
        if (type == "message_start" && event.contains("message") && event["message"].is_object()) {
          read_usage(event["message"], reply.usage);
        } else if (type == "content_block_start" && event.contains("content_block")) {
          const auto& block = event["content_block"];
          Block& b = blocks[event.value("index", 0)];
          b.type = block.value("type", "");
          if (b.type == "tool_use") {
            b.call.id = block.value("id", "");
            b.call.name = block.value("name", "");
          } else if (b.type == "text") {
            append_text(reply, block.value("text", ""), options);
          }
        } else if (type == "content_block_delta" && event.contains("delta") && event["delta"].is_object()) {
          const auto& delta = event["delta"];
          const std::string kind = delta.value("type", "");
          Block& b = blocks[event.value("index", 0)];
          if (kind == "text_delta") append_text(reply, delta.value("text", ""), options);
          else if (kind == "input_json_delta") b.call.arguments += delta.value("partial_json", "");
        } else if (type == "message_delta") {
          if (event.contains("delta") && event["delta"].is_object() && event["delta"].contains("stop_reason") &&
              event["delta"]["stop_reason"].is_string())
            reply.finish_reason = event["delta"]["stop_reason"];
          if (event.contains("usage") && event["usage"].is_object()) {
            const auto& u = event["usage"];
            if (u.contains("output_tokens") && u["output_tokens"].is_number_integer())
              reply.usage.output_tokens = u["output_tokens"];
          }
        } else if (type == "error") {
          if (!stream_error)
            stream_error = Error{ErrorCode::unavailable,
                                 fmt::format("anthropic at {} reported an error mid-reply: {}",
                                             http::host_of(m_config.base_url),
                                             event.contains("error") && event["error"].is_object()
                                                 ? event["error"].value("message", event["error"].dump())
                                                 : std::string("no detail"))};
        }
      };
    }
    COWORK_ASSIGN_OR_RETURN(auto result, post(m_config, k_name, exchange, options));
    if (result.sse_events == 0) {
      exchange.reset();
      COWORK_ASSIGN_OR_RETURN(auto json, parse_reply(k_name, m_config, result.body));
      COWORK_TRY(read_plain(json, reply, options));
      reply.attempts = result.attempts;
      return reply;
    }
    reply.attempts = result.attempts;
    if (stream_error) return std::unexpected(*stream_error);
    for (auto& [index, block] : blocks) {
      if (block.type != "tool_use") continue;
      if (block.call.name.empty()) return std::unexpected(malformed(k_name, m_config, "a tool_use block without a name"));
      if (block.call.arguments.empty()) block.call.arguments = "{}";
      reply.message.tool_calls.push_back(std::move(block.call));
    }
    return reply;
  }

 private:
  static void append_text(ChatReply& reply, const std::string& text, const CallOptions& options) {
    if (text.empty()) return;
    reply.message.text += text;
    if (options.on_text) options.on_text(text);
  }

  static void read_usage(const nlohmann::json& message, Usage& usage) {
    if (!message.contains("usage") || !message["usage"].is_object()) return;
    const auto& u = message["usage"];
    if (u.contains("input_tokens") && u["input_tokens"].is_number_integer()) usage.input_tokens = u["input_tokens"];
    if (u.contains("output_tokens") && u["output_tokens"].is_number_integer()) usage.output_tokens = u["output_tokens"];
  }

  Status read_plain(const nlohmann::json& json, ChatReply& reply, const CallOptions& options) const {
    if (json.is_object() && json.value("type", "") == "error")
      return make_error(ErrorCode::unavailable, "anthropic at {} reported an error: {}", http::host_of(m_config.base_url),
                        json.contains("error") && json["error"].is_object() ? json["error"].value("message", "")
                                                                            : json.dump());
    if (!json.is_object() || !json.contains("content") || !json["content"].is_array())
      return std::unexpected(malformed(k_name, m_config, "no content list"));
    read_usage(json, reply.usage);
    if (json.contains("stop_reason") && json["stop_reason"].is_string()) reply.finish_reason = json["stop_reason"];
    for (const auto& block : json["content"]) {
      if (!block.is_object()) continue;
      const std::string type = block.value("type", "");
      if (type == "text" && block.contains("text") && block["text"].is_string()) {
        append_text(reply, block["text"].get<std::string>(), options);
      } else if (type == "tool_use") {
        if (!block.contains("name") || !block["name"].is_string())
          return std::unexpected(malformed(k_name, m_config, "a tool_use block without a name"));
        ToolCall call;
        call.id = block.value("id", fmt::format("toolu_{}", reply.message.tool_calls.size()));
        call.name = block["name"].get<std::string>();
        call.arguments = block.contains("input") ? block["input"].dump() : "{}";
        reply.message.tool_calls.push_back(std::move(call));
      }
    }
    return {};
  }
};

}  // namespace

std::unique_ptr<Provider> make_anthropic(const ProviderConfig& config) {
  return std::make_unique<AnthropicProvider>(config);
}

}  // namespace cowork::llm
