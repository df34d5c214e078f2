// Gemini's generateContent / streamGenerateContent (?alt=sse) with functionDeclarations. Gemini's function calls
// carry no id in older models; one is made up so the rest of cowork can pair calls and results, and results go
// back by function name (and id when the model sent one).
#include <algorithm>

#include <fmt/format.h>

#include "agent/llm/providers.hpp"
#include "agent/llm/transport.hpp"
#include "util/http.hpp"
#include "util/strings.hpp"

namespace cowork::llm {
namespace {

constexpr std::string_view k_name = "gemini";

// Gemini accepts an OpenAPI subset of JSON schema; other keywords (additionalProperties, $schema) are refused.
nlohmann::json gemini_schema(const nlohmann::json& schema) {
  static const std::vector<std::string> allowed = {
      "type", "format", "title", "description", "nullable", "enum", "maxItems", "minItems", "properties", "required",
      "minProperties", "maxProperties", "minLength", "maxLength", "pattern", "example", "anyOf", "propertyOrdering",
      "default", "items", "minimum", "maximum"};
  if (!schema.is_object()) return schema;
  nlohmann::json out = nlohmann::json::object();
  for (auto it = schema.begin(); it != schema.end(); ++it) {
    if (std::find(allowed.begin(), allowed.end(), it.key()) == allowed.end()) continue;
    if (it.key() == "properties" && it->is_object()) {
      nlohmann::json properties = nlohmann::json::object();
      for (auto p = it->begin(); p != it->end(); ++p) properties[p.key()] = gemini_schema(*p);
      out["properties"] = std::move(properties);
    } else if (it.key() == "items") {
      out["items"] = gemini_schema(*it);
    } else if (it.key() == "anyOf" && it->is_array()) {
      nlohmann::json any = nlohmann::json::array();
      for (const auto& s : *it) any.push_back(gemini_schema(s));
      out["anyOf"] = std::move(any);
    } else {
      out[it.key()] = *it;
    }
  }
  return out;
}

nlohmann::json to_wire(const ChatRequest& request) {
  nlohmann::json contents = nlohmann::json::array();
  auto append = [&](std::string_view role, nlohmann::json part) {
    // Consecutive parts of one role go in one turn (several function responses answer several calls).
    if (!contents.empty() && contents.back()["role"] == role) {
      contents.back()["parts"].push_back(std::move(part));
      return;
    }
    contents.push_back({{"role", role}, {"parts", nlohmann::json::array({std::move(part)})}});
  };
  for (const auto& message : request.messages) {
    switch (message.role) {
      case Role::user: append("user", {{"text", message.text}}); break;
      case Role::assistant: {
        if (!message.text.empty()) append("model", {{"text", message.text}});
        for (const auto& call : message.tool_calls) {
          nlohmann::json function{{"name", call.name}, {"args", arguments_object(call.arguments)}};
          if (!call.id.starts_with("gemini_call_")) function["id"] = call.id;
          nlohmann::json part{{"functionCall", std::move(function)}};
          if (!call.signature.empty()) part["thoughtSignature"] = call.signature;
          append("model", std::move(part));
        }
        if (message.text.empty() && message.tool_calls.empty()) append("model", {{"text", ""}});
        break;
      }
      case Role::tool: {
        nlohmann::json function{{"name", message.tool_name},
                                {"response", {{message.is_error ? "error" : "result", message.text}}}};
        if (!message.tool_call_id.starts_with("gemini_call_")) function["id"] = message.tool_call_id;
        append("user", {{"functionResponse", std::move(function)}});
        break;
      }
    }
  }
  nlohmann::json body{{"contents", std::move(contents)}};
  if (!request.system.empty()) body["systemInstruction"] = {{"parts", {{{"text", request.system}}}}};
  if (!request.tools.empty()) {
    nlohmann::json declarations = nlohmann::json::array();
    for (const auto& tool : request.tools)
      declarations.push_back(
          {{"name", tool.name}, {"description", tool.description}, {"parameters", gemini_schema(tool.parameters)}});
    body["tools"] = nlohmann::json::array({{{"functionDeclarations", std::move(declarations)}}});
    if (!request.allow_tool_calls) body["toolConfig"] = {{"functionCallingConfig", {{"mode", "NONE"}}}};
  }
  body["generationConfig"] = {{"maxOutputTokens", request.max_output_tokens}};
  return body;
}

class GeminiProvider final : public Provider {
 public:
  explicit GeminiProvider(ProviderConfig config) : Provider(std::move(config)) {}
  std::string_view name() const override { return k_name; }

  Result<ChatReply> send_chat(const ChatRequest& request, const CallOptions& options) override {
    Exchange exchange;
    std::string base = m_config.base_url;
    const bool versioned = base.find("/v1beta") != std::string::npos || base.ends_with("/v1") ||
                           base.ends_with("/v1/");
    const std::string method = m_config.stream ? "streamGenerateContent?alt=sse" : "generateContent";
    exchange.url = join_url(base, fmt::format("{}models/{}:{}", versioned ? "" : "v1beta/", m_config.model, method));
    exchange.headers = {{"Content-Type", "application/json"}};
    if (!m_config.api_key.empty()) exchange.headers.emplace_back("x-goog-api-key", m_config.api_key);
    exchange.body = request_body(to_wire(request));
    exchange.key_variable = "GEMINI_API_KEY (or GOOGLE_API_KEY)";

    ChatReply reply;
    reply.message.role = Role::assistant;
    std::optional<Error> stream_error;
    exchange.reset = [&] {
      reply = ChatReply{};
      reply.message.role = Role::assistant;
      stream_error.reset();
    };
    if (m_config.stream) {
      exchange.on_event = [&](std::string_view, std::string_view data) {
        auto chunk = nlohmann::json::parse(data, nullptr, false);
        if (!chunk.is_object()) {
          if (!stream_error) stream_error = malformed(k_name, m_config, "a streamed chunk that is not JSON");
          return;
        }
        if (auto status = read_chunk(chunk, reply, options); !status && !stream_error) stream_error = status.error();
      };
    }
    COWORK_ASSIGN_OR_RETURN(auto result, post(m_config, k_name, exchange, options));
    reply.attempts = result.attempts;
    if (result.sse_events == 0) {
      exchange.reset();
      reply.attempts = result.attempts;
      COWORK_ASSIGN_OR_RETURN(auto json, parse_reply(k_name, m_config, result.body));
      // streamGenerateContent without alt=sse answers with an array of chunks.
      if (json.is_array()) {
        for (const auto& chunk : json) COWORK_TRY(read_chunk(chunk, reply, options));
      } else {
        COWORK_TRY(read_chunk(json, reply, options));
      }
      if (reply.message.text.empty() && reply.message.tool_calls.empty() && reply.finish_reason.empty())
        return std::unexpected(malformed(k_name, m_config, "no candidates"));
      return reply;
    }
    if (stream_error) return std::unexpected(*stream_error);
    return reply;
  }

 private:
  Status read_chunk(const nlohmann::json& chunk, ChatReply& reply, const CallOptions& options) const {
    if (!chunk.is_object()) return std::unexpected(malformed(k_name, m_config, "a chunk that is not an object"));
    if (chunk.contains("error"))
      return make_error(ErrorCode::unavailable, "gemini at {} reported an error: {}", http::host_of(m_config.base_url),
                        chunk["error"].is_object() ? chunk["error"].value("message", chunk["error"].dump())
                                                   : chunk["error"].dump());
    if (chunk.contains("usageMetadata") && chunk["usageMetadata"].is_object()) {
      const auto& u = chunk["usageMetadata"];
      if (u.contains("promptTokenCount") && u["promptTokenCount"].is_number_integer())
        reply.usage.input_tokens = u["promptTokenCount"];
      if (u.contains("candidatesTokenCount") && u["candidatesTokenCount"].is_number_integer())
        reply.usage.output_tokens = u["candidatesTokenCount"];
    }
    if (!chunk.contains("candidates")) {
      if (chunk.contains("promptFeedback") && chunk["promptFeedback"].contains("blockReason"))
        return make_error(ErrorCode::invalid_argument, "gemini refused the prompt ({})",
                          chunk["promptFeedback"]["blockReason"].dump());
      return {};  // a usage-only chunk
    }
    if (!chunk["candidates"].is_array() || chunk["candidates"].empty() || !chunk["candidates"][0].is_object())
      return std::unexpected(malformed(k_name, m_config, "candidates is not a list of objects"));
    const auto& candidate = chunk["candidates"][0];
    if (candidate.contains("finishReason") && candidate["finishReason"].is_string())
      reply.finish_reason = candidate["finishReason"].get<std::string>();
    if (!candidate.contains("content") || !candidate["content"].is_object()) return {};
    const auto& content = candidate["content"];
    if (!content.contains("parts")) return {};
    if (!content["parts"].is_array()) return std::unexpected(malformed(k_name, m_config, "content.parts is not a list"));
    for (const auto& part : content["parts"]) {
      if (!part.is_object()) continue;
      const bool thought = part.contains("thought") && part["thought"].is_boolean() && part["thought"].get<bool>();
      if (part.contains("text") && part["text"].is_string() && !thought) {
        const auto text = part["text"].get<std::string>();
        reply.message.text += text;
        if (options.on_text && !text.empty()) options.on_text(text);
      }
      if (part.contains("functionCall") && part["functionCall"].is_object()) {
        const auto& function = part["functionCall"];
        if (!function.contains("name") || !function["name"].is_string())
          return std::unexpected(malformed(k_name, m_config, "a functionCall without a name"));
        ToolCall call;
        call.name = function["name"].get<std::string>();
        call.id = function.contains("id") && function["id"].is_string()
                      ? function["id"].get<std::string>()
                      : fmt::format("gemini_call_{}", reply.message.tool_calls.size());
        call.arguments = function.contains("args") ? function["args"].dump() : "{}";
        if (part.contains("thoughtSignature") && part["thoughtSignature"].is_string())
          call.signature = part["thoughtSignature"].get<std::string>();
        reply.message.tool_calls.push_back(std::move(call));
      }
    }
    return {};
  }
};

}  // namespace

std::unique_ptr<Provider> make_gemini(const ProviderConfig& config) { return std::make_unique<GeminiProvider>(config); }

}  // namespace cowork::llm
