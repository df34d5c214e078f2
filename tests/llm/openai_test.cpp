// OpenAI's Chat Completions API against a fake server that answers with the documented shapes: a chat.completion
// object, or chat.completion.chunk events ending in `data: [DONE]` (with stream_options.include_usage, a last chunk
// with empty choices and the usage).
#include <gtest/gtest.h>

#include "llm_test_util.hpp"

namespace cowork::llm::test {
namespace {

using namespace std::chrono_literals;
using json = nlohmann::json;

std::string completion(const json& message, const std::string& finish_reason) {
  return json{{"id", "chatcmpl-abc123"},
              {"object", "chat.completion"},
              {"created", 1727000000},
              {"model", "gpt-4o-mini-2024-07-18"},
              {"system_fingerprint", "fp_44709d6fcb"},
              {"choices", json::array({{{"index", 0}, {"message", message}, {"logprobs", nullptr},
                                        {"finish_reason", finish_reason}}})},
              {"usage", {{"prompt_tokens", 19}, {"completion_tokens", 7}, {"total_tokens", 26},
                         {"completion_tokens_details", {{"reasoning_tokens", 0}}}}}}
      .dump();
}

std::string chunk(const json& delta, const json& finish_reason = nullptr) {
  return json{{"id", "chatcmpl-abc123"},
              {"object", "chat.completion.chunk"},
              {"created", 1727000000},
              {"model", "gpt-4o-mini-2024-07-18"},
              {"system_fingerprint", "fp_44709d6fcb"},
              {"choices", json::array({{{"index", 0}, {"delta", delta}, {"logprobs", nullptr},
                                        {"finish_reason", finish_reason}}})},
              {"usage", nullptr}}
      .dump();
}

std::string usage_chunk(int prompt, int completion_tokens) {
  return json{{"id", "chatcmpl-abc123"},
              {"object", "chat.completion.chunk"},
              {"created", 1727000000},
              {"model", "gpt-4o-mini-2024-07-18"},
              {"choices", json::array()},
              {"usage", {{"prompt_tokens", prompt}, {"completion_tokens", completion_tokens},
                         {"total_tokens", prompt + completion_tokens}}}}
      .dump();
}

using Events = std::vector<std::pair<std::string, std::string>>;

Events stream_text(const std::vector<std::string>& pieces) {
  Events events{{"", chunk({{"role", "assistant"}, {"content", ""}, {"refusal", nullptr}})}};
  for (const auto& piece : pieces) events.emplace_back("", chunk({{"content", piece}}));
  events.emplace_back("", chunk(json::object(), "stop"));
  events.emplace_back("", usage_chunk(12, 3));
  events.emplace_back("", "[DONE]");
  return events;
}

Kit kit() {
  Kit k;
  k.provider = "openai";
  k.model = "gpt-4o-mini";
  k.base_suffix = "/v1";
  k.key_variable = "OPENAI_API_KEY";
  k.stream_path = "/v1/chat/completions";
  k.plain_reply = [](const std::string& text) {
    return completion({{"role", "assistant"}, {"content", text}, {"refusal", nullptr}}, "stop");
  };
  k.stream_text = stream_text;
  k.error_body = [](int status, const std::string& message) {
    const char* type = status == 429 ? "requests" : status >= 500 ? "server_error" : "invalid_request_error";
    const json code = status == 401 ? json("invalid_api_key") : status == 404 ? json("model_not_found") : json(nullptr);
    return json{{"error", {{"message", message}, {"type", type}, {"param", nullptr}, {"code", code}}}}.dump();
  };
  return k;
}

TEST(OpenAi, PlainReply) {
  FakeHttpServer server([](const HttpExchangeRequest&) {
    return HttpExchangeResponse::json(200, kit().plain_reply("The orders model failed on a null key."));
  });
  auto provider = provider_for(config_for(kit(), server, /*stream=*/false));
  ASSERT_NE(provider, nullptr);
  EXPECT_EQ(provider->name(), "openai");
  auto reply = provider->chat(hello_request());
  ASSERT_TRUE(reply) << reply.error().message;
  EXPECT_EQ(reply->message.role, Role::assistant);
  EXPECT_EQ(reply->message.text, "The orders model failed on a null key.");
  EXPECT_TRUE(reply->message.tool_calls.empty());
  EXPECT_EQ(reply->usage.input_tokens, 19);
  EXPECT_EQ(reply->usage.output_tokens, 7);
  EXPECT_EQ(reply->finish_reason, "stop");
  EXPECT_EQ(reply->attempts, 1);
  // Not streamed: no stream flag, JSON accepted.
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  const auto body = body_json(requests[0]);
  EXPECT_FALSE(body.value("stream", false));
  EXPECT_FALSE(body.contains("stream_options"));
}

TEST(OpenAi, PlainReplyToAStreamedRequest) { check_plain_reply_to_streamed_request(kit()); }

TEST(OpenAi, PlainToolCalls) {
  FakeHttpServer server([](const HttpExchangeRequest&) {
    json message{{"role", "assistant"},
                 {"content", nullptr},
                 {"tool_calls", json::array({{{"id", "call_Abc"}, {"type", "function"},
                                              {"function", {{"name", "run_sql"},
                                                            {"arguments", R"({"sql":"select 1"})"}}}}})}};
    return HttpExchangeResponse::json(200, completion(message, "tool_calls"));
  });
  auto reply = provider_for(config_for(kit(), server, false))->chat(conversation_with_tools());
  ASSERT_TRUE(reply) << reply.error().message;
  EXPECT_EQ(reply->message.text, "");
  EXPECT_EQ(reply->finish_reason, "tool_calls");
  ASSERT_EQ(reply->message.tool_calls.size(), 1u);
  EXPECT_EQ(reply->message.tool_calls[0].id, "call_Abc");
  EXPECT_EQ(reply->message.tool_calls[0].name, "run_sql");
  EXPECT_EQ(json::parse(reply->message.tool_calls[0].arguments), json({{"sql", "select 1"}}));
}

// A stream cut short (no finish reason, no [DONE]) is an error, not a partial answer taken for a whole one.
TEST(OpenAi, AStreamCutShortIsAnError) {
  FakeHttpServer server([](const HttpExchangeRequest&) {
    return HttpExchangeResponse::sse({{"", chunk({{"role", "assistant"}, {"content", "The orders"}})},
                                      {"", chunk({{"content", " model"}})}});
  });
  auto reply = provider_for(config_for(kit(), server))->chat(hello_request());
  ASSERT_FALSE(reply);
  EXPECT_NE(reply.error().message.find("ended before the reply was complete"), std::string::npos)
      << reply.error().message;
}

TEST(OpenAi, StreamedTextInPieces) {
  FakeHttpServer server([](const HttpExchangeRequest&) {
    auto response = HttpExchangeResponse::sse(stream_text({"The ", "orders ", "model ", "failed."}));
    response.chunk_delay = 15ms;
    return response;
  });
  auto provider = provider_for(config_for(kit(), server));
  std::vector<std::string> pieces;
  CallOptions options;
  options.on_text = [&](std::string_view text) { pieces.emplace_back(text); };
  auto reply = provider->chat(hello_request(), options);
  ASSERT_TRUE(reply) << reply.error().message;
  EXPECT_EQ(pieces, (std::vector<std::string>{"The ", "orders ", "model ", "failed."}));
  EXPECT_EQ(reply->message.text, "The orders model failed.");
  EXPECT_EQ(reply->usage.input_tokens, 12);
  EXPECT_EQ(reply->usage.output_tokens, 3);
  EXPECT_EQ(reply->finish_reason, "stop");
  EXPECT_TRUE(reply->message.tool_calls.empty());
}

TEST(OpenAi, StreamedEventsSplitAcrossReadsWithCrlf) {
  std::string body;
  for (const auto& [name, data] : stream_text({"a", "b", "c"})) body += "data: " + data + "\r\n\r\n";
  body = ": keep-alive comment\r\n\r\n" + body;
  FakeHttpServer server([&](const HttpExchangeRequest&) {
    HttpExchangeResponse response;
    response.headers = {{"Content-Type", "text/event-stream"}};
    response.chunks = split_bytes(body, 7);
    response.chunk_delay = 1ms;
    return response;
  });
  auto reply = provider_for(config_for(kit(), server))->chat(hello_request());
  ASSERT_TRUE(reply) << reply.error().message;
  EXPECT_EQ(reply->message.text, "abc");
  EXPECT_EQ(reply->usage.output_tokens, 3);
}

// Deltas for tool calls: the first of each index carries id and name, then the arguments arrive in pieces.
Events streamed_tool_calls() {
  auto call_delta = [](int index, json function, std::optional<std::string> id = std::nullopt) {
    json call{{"index", index}, {"function", std::move(function)}};
    if (id) {
      call["id"] = *id;
      call["type"] = "function";
    }
    return chunk({{"tool_calls", json::array({call})}});
  };
  return {
      {"", chunk({{"role", "assistant"}, {"content", nullptr}})},
      {"", call_delta(0, {{"name", "run_sql"}, {"arguments", ""}}, "call_A1")},
      {"", call_delta(0, {{"arguments", "{\"sq"}})},
      {"", call_delta(0, {{"arguments", "l\": \"select count(*) "}})},
      {"", call_delta(0, {{"arguments", "from orders\"}"}})},
      {"", call_delta(1, {{"name", "read_file"}, {"arguments", ""}}, "call_B2")},
      {"", call_delta(1, {{"arguments", "{\"path\": "}})},
      {"", call_delta(1, {{"arguments", "\"models/a.sql\", \"lines\": [1, 20]}"}})},
      {"", chunk(json::object(), "tool_calls")},
      {"", usage_chunk(80, 41)},
      {"", "[DONE]"},
  };
}

TEST(OpenAi, StreamedOneToolCall) {
  auto events = streamed_tool_calls();
  events.erase(events.begin() + 5, events.begin() + 8);  // only the first call
  FakeHttpServer server([&](const HttpExchangeRequest&) {
    auto response = HttpExchangeResponse::sse(events);
    response.chunk_delay = 2ms;
    return response;
  });
  auto reply = provider_for(config_for(kit(), server))->chat(conversation_with_tools());
  ASSERT_TRUE(reply) << reply.error().message;
  EXPECT_EQ(reply->finish_reason, "tool_calls");
  ASSERT_EQ(reply->message.tool_calls.size(), 1u);
  const auto& call = reply->message.tool_calls[0];
  EXPECT_EQ(call.id, "call_A1");
  EXPECT_EQ(call.name, "run_sql");
  EXPECT_EQ(json::parse(call.arguments), json({{"sql", "select count(*) from orders"}}));
  EXPECT_EQ(reply->usage.input_tokens, 80);
  EXPECT_EQ(reply->usage.output_tokens, 41);
}

TEST(OpenAi, StreamedParallelToolCalls) {
  FakeHttpServer server([](const HttpExchangeRequest&) {
    auto response = HttpExchangeResponse::sse(streamed_tool_calls());
    response.chunk_delay = 2ms;
    return response;
  });
  auto reply = provider_for(config_for(kit(), server))->chat(conversation_with_tools());
  ASSERT_TRUE(reply) << reply.error().message;
  ASSERT_EQ(reply->message.tool_calls.size(), 2u);
  EXPECT_EQ(reply->message.tool_calls[0].id, "call_A1");
  EXPECT_EQ(reply->message.tool_calls[0].name, "run_sql");
  EXPECT_EQ(json::parse(reply->message.tool_calls[0].arguments), json({{"sql", "select count(*) from orders"}}));
  EXPECT_EQ(reply->message.tool_calls[1].id, "call_B2");
  EXPECT_EQ(reply->message.tool_calls[1].name, "read_file");
  EXPECT_EQ(json::parse(reply->message.tool_calls[1].arguments),
            json({{"path", "models/a.sql"}, {"lines", {1, 20}}}));
  EXPECT_EQ(reply->message.text, "");
}

TEST(OpenAi, RequestShape) {
  FakeHttpServer server([](const HttpExchangeRequest&) { return HttpExchangeResponse::sse(stream_text({"ok"})); });
  auto reply = provider_for(config_for(kit(), server))->chat(conversation_with_tools());
  ASSERT_TRUE(reply) << reply.error().message;
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  const auto& request = requests[0];
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.target, "/v1/chat/completions");
  EXPECT_EQ(request.header("authorization"), "Bearer sk-test-123");
  EXPECT_NE(request.header("content-type").find("application/json"), std::string::npos);
  EXPECT_EQ(request.header("x-api-key"), "");
  const auto body = body_json(request);
  EXPECT_EQ(body["model"], "gpt-4o-mini");
  EXPECT_EQ(body["stream"], true);
  EXPECT_EQ(body["stream_options"], json({{"include_usage", true}}));

  const auto& messages = body["messages"];
  ASSERT_EQ(messages.size(), 6u) << messages.dump(2);
  EXPECT_EQ(messages[0], json({{"role", "system"}, {"content", "You are cowork. Investigate the failing dbt run."}}));
  EXPECT_EQ(messages[1], json({{"role", "user"}, {"content", "Why did fct_orders fail?"}}));
  EXPECT_EQ(messages[2]["role"], "assistant");
  EXPECT_EQ(messages[2]["content"], "Let me look.");
  ASSERT_EQ(messages[2]["tool_calls"].size(), 2u);
  EXPECT_EQ(messages[2]["tool_calls"][0],
            json({{"id", "call_1"},
                  {"type", "function"},
                  {"function", {{"name", "run_sql"}, {"arguments", R"({"sql": "select count(*) from orders"})"}}}}));
  EXPECT_EQ(messages[2]["tool_calls"][1]["id"], "call_2");
  EXPECT_EQ(messages[2]["tool_calls"][1]["function"]["name"], "read_file");
  EXPECT_EQ(messages[3], json({{"role", "tool"}, {"tool_call_id", "call_1"}, {"content", "42"}}));
  EXPECT_EQ(messages[4]["role"], "tool");
  EXPECT_EQ(messages[4]["tool_call_id"], "call_2");
  EXPECT_EQ(messages[4]["content"], "no such file");
  EXPECT_EQ(messages[5], json({{"role", "user"}, {"content", "Go on."}}));

  ASSERT_EQ(body["tools"].size(), 2u);
  EXPECT_EQ(body["tools"][0], json({{"type", "function"},
                                    {"function", {{"name", "run_sql"},
                                                  {"description", "Run a read-only SQL query on the warehouse."},
                                                  {"parameters", run_sql_schema()}}}}));
  EXPECT_EQ(body["tools"][1]["function"]["name"], "read_file");
  EXPECT_EQ(body["tools"][1]["function"]["parameters"], read_file_schema());
}

TEST(OpenAi, AssistantTurnWithOnlyToolCallsSendsNullContent) {
  FakeHttpServer server([](const HttpExchangeRequest&) { return HttpExchangeResponse::sse(stream_text({"ok"})); });
  auto request = conversation_with_tools();
  request.system.clear();
  request.messages[1].text.clear();
  ASSERT_TRUE(provider_for(config_for(kit(), server))->chat(request));
  const auto body = body_json(server.requests().at(0));
  EXPECT_EQ(body["messages"][0]["role"], "user") << "no system message when there is no system prompt";
  EXPECT_TRUE(body["messages"][1]["content"].is_null()) << body["messages"][1].dump();
}

TEST(OpenAi, NoKeyNoAuthorizationHeader) {
  FakeHttpServer server([](const HttpExchangeRequest&) { return HttpExchangeResponse::sse(stream_text({"ok"})); });
  auto config = config_for(kit(), server);
  config.api_key.clear();  // a local server (Ollama, vLLM) that needs none
  ASSERT_TRUE(provider_for(config)->chat(hello_request()));
  EXPECT_EQ(server.requests().at(0).header("authorization"), "");
}

TEST(OpenAi, BaseUrlWithTrailingSlash) {
  FakeHttpServer server([](const HttpExchangeRequest&) { return HttpExchangeResponse::sse(stream_text({"ok"})); });
  auto config = config_for(kit(), server);
  config.base_url += "/";
  ASSERT_TRUE(provider_for(config)->chat(hello_request()));
  EXPECT_EQ(server.requests().at(0).target, "/v1/chat/completions");
}

TEST(OpenAi, ErrorEventMidStream) {
  auto events = stream_text({"Partial "});
  events.insert(events.begin() + 2,
                {"", json{{"error", {{"message", "The server had an error while processing your request."},
                                     {"type", "server_error"}}}}.dump()});
  FakeHttpServer server([&](const HttpExchangeRequest&) { return HttpExchangeResponse::sse(events); });
  auto reply = provider_for(config_for(kit(), server))->chat(hello_request());
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error().code, ErrorCode::unavailable);
  EXPECT_NE(reply.error().message.find("had an error while processing"), std::string::npos) << reply.error().message;
}

TEST(OpenAi, NotJson) { check_not_json(kit()); }
TEST(OpenAi, MalformedStreamChunk) { check_malformed_stream_chunk(kit()); }

// A chunk that is JSON but not the documented shape (a tool_calls entry that is not an object, a message that is
// not a string) must be an error (or ignored), never an exception escaping chat().
TEST(OpenAi, StreamChunkOfTheWrongShapeIsNotAnException) {
  const std::vector<std::string> bad = {
      chunk({{"tool_calls", json::array({"not an object"})}}),
      json{{"error", {{"message", 42}}}}.dump(),
  };
  for (const auto& data : bad) {
    SCOPED_TRACE(data);
    FakeHttpServer server([&](const HttpExchangeRequest&) {
      return HttpExchangeResponse::sse({{"", chunk({{"content", "x"}})}, {"", data}, {"", "[DONE]"}});
    });
    auto provider = provider_for(config_for(kit(), server));
    EXPECT_NO_THROW({
      auto reply = provider->chat(hello_request());
      if (reply) {
        EXPECT_TRUE(reply->message.tool_calls.empty());
      }
    });
  }
}

// A plain reply whose fields have other types is an error, not an exception.
TEST(OpenAi, PlainReplyOfTheWrongShapeIsAnError) {
  const std::vector<std::string> bad = {
      R"({"choices": []})",
      R"({"choices": [{"message": "hi"}]})",
      R"([1, 2])",
      R"({"error": {"message": 42}})",
  };
  for (const auto& body : bad) {
    SCOPED_TRACE(body);
    FakeHttpServer server([&](const HttpExchangeRequest&) { return HttpExchangeResponse::json(200, body); });
    auto provider = provider_for(config_for(kit(), server, false));
    EXPECT_NO_THROW({
      auto reply = provider->chat(hello_request());
      EXPECT_FALSE(reply);
    });
  }
}

TEST(OpenAi, RetryAfterThenSuccess) { check_retry_after_then_success(kit()); }
TEST(OpenAi, Retries503ThenSucceeds) { check_503_three_times_then_success(kit()); }
TEST(OpenAi, Gives429UpAfterMaxAttempts) { check_429_forever(kit()); }
TEST(OpenAi, TimeoutIsNotRetried) { check_timeout_not_retried(kit()); }
TEST(OpenAi, Unauthorized) {
  check_unauthorized(kit(), 401);
  check_unauthorized(kit(), 403);
}
TEST(OpenAi, UnknownModel) { check_unknown_model(kit()); }
TEST(OpenAi, UnknownModelAs400) {
  // vLLM and others answer an unknown model with 400 rather than 404.
  FakeHttpServer server([](const HttpExchangeRequest&) {
    return HttpExchangeResponse::json(
        400, R"({"object":"error","message":"The model `llama-9` does not exist.","type":"NotFoundError","code":404})");
  });
  auto config = config_for(kit(), server);
  config.model = "llama-9";
  auto reply = provider_for(config)->chat(hello_request());
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error().code, ErrorCode::not_found) << reply.error().message;
  EXPECT_NE(reply.error().message.find("llama-9"), std::string::npos);
}
TEST(OpenAi, OtherClientErrorIsInvalidArgument) {
  FakeHttpServer server([](const HttpExchangeRequest&) {
    return error_response(kit(), 400, "Invalid schema for function 'run_sql'");
  });
  auto reply = provider_for(config_for(kit(), server))->chat(conversation_with_tools());
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(reply.error().message.find("Invalid schema for function 'run_sql'"), std::string::npos);
  EXPECT_EQ(server.request_count(), 1u);
}
TEST(OpenAi, CancelWhileHanging) { check_cancel_while_hanging(kit()); }
TEST(OpenAi, KeyEchoedByServerIsRedacted) { check_key_echoed_by_server_is_redacted(kit()); }

TEST(OpenAi, ToolsStayDeclaredWhenCallsAreNotAllowed) {
  const json body = request_with_tool_calls_not_allowed(kit());
  EXPECT_EQ(body["tool_choice"], "none");
}

}  // namespace
}  // namespace cowork::llm::test
