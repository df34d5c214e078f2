// Gemini's generateContent / streamGenerateContent?alt=sse against a fake server that answers with the documented
// GenerateContentResponse (candidates[].content.parts[], finishReason, usageMetadata), streamed as SSE `data:` events
// separated by CRLF blank lines, or as a JSON array when a server ignores alt=sse; errors are google.rpc.Status
// bodies ({"error": {"code", "message", "status", "details"}}).
#include <gtest/gtest.h>

#include "llm_test_util.hpp"

namespace cowork::llm::test {
namespace {

using namespace std::chrono_literals;
using json = nlohmann::json;

json response(const json& parts, const json& finish_reason = nullptr, std::optional<std::pair<int, int>> usage = {}) {
  json candidate{{"content", {{"parts", parts}, {"role", "model"}}}, {"index", 0}};
  if (!finish_reason.is_null()) candidate["finishReason"] = finish_reason;
  json out{{"candidates", json::array({candidate})}, {"modelVersion", "gemini-2.0-flash"}, {"responseId", "r-123"}};
  if (usage)
    out["usageMetadata"] = {{"promptTokenCount", usage->first},
                            {"candidatesTokenCount", usage->second},
                            {"totalTokenCount", usage->first + usage->second}};
  return out;
}

json text_part(const std::string& text) { return {{"text", text}}; }

using Events = std::vector<std::pair<std::string, std::string>>;

Events stream_text(const std::vector<std::string>& pieces) {
  Events events;
  for (size_t i = 0; i < pieces.size(); ++i) {
    const bool last = i + 1 == pieces.size();
    events.emplace_back("", response(json::array({text_part(pieces[i])}), last ? json("STOP") : json(nullptr),
                                     std::pair{9, static_cast<int>(i + 1)})
                                .dump());
  }
  return events;
}

// Gemini separates its events with CRLF: the stream as the service writes it.
HttpExchangeResponse crlf_stream(const Events& events, std::chrono::milliseconds delay = 0ms) {
  HttpExchangeResponse out;
  out.headers = {{"Content-Type", "text/event-stream"}};
  for (const auto& [name, data] : events) out.chunks.push_back("data: " + data + "\r\n\r\n");
  out.chunk_delay = delay;
  return out;
}

Kit kit() {
  Kit k;
  k.provider = "gemini";
  k.model = "gemini-2.0-flash";
  k.base_suffix = "";
  k.key_variable = "GEMINI_API_KEY";
  k.stream_path = "/v1beta/models/gemini-2.0-flash:streamGenerateContent";
  k.plain_reply = [](const std::string& text) {
    return response(json::array({text_part(text)}), "STOP", std::pair{11, 4}).dump();
  };
  k.stream_text = stream_text;
  k.error_body = [](int status, const std::string& message) {
    const char* name = status == 401   ? "UNAUTHENTICATED"
                       : status == 403 ? "PERMISSION_DENIED"
                       : status == 404 ? "NOT_FOUND"
                       : status == 429 ? "RESOURCE_EXHAUSTED"
                       : status == 503 ? "UNAVAILABLE"
                       : status >= 500 ? "INTERNAL"
                                       : "INVALID_ARGUMENT";
    return json{{"error", {{"code", status}, {"message", message}, {"status", name}}}}.dump();
  };
  return k;
}

TEST(Gemini, PlainReply) {
  FakeHttpServer server([](const HttpExchangeRequest&) {
    return HttpExchangeResponse::json(200, kit().plain_reply("The orders model failed on a null key."));
  });
  auto provider = provider_for(config_for(kit(), server, /*stream=*/false));
  ASSERT_NE(provider, nullptr);
  EXPECT_EQ(provider->name(), "gemini");
  auto reply = provider->chat(hello_request());
  ASSERT_TRUE(reply) << reply.error().message;
  EXPECT_EQ(reply->message.role, Role::assistant);
  EXPECT_EQ(reply->message.text, "The orders model failed on a null key.");
  EXPECT_EQ(reply->usage.input_tokens, 11);
  EXPECT_EQ(reply->usage.output_tokens, 4);
  EXPECT_EQ(reply->finish_reason, "STOP");
  EXPECT_EQ(reply->attempts, 1);
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].target, "/v1beta/models/gemini-2.0-flash:generateContent");
}

TEST(Gemini, PlainReplyToAStreamedRequest) { check_plain_reply_to_streamed_request(kit()); }

TEST(Gemini, JsonArrayReplyToAStreamedRequest) {
  // streamGenerateContent without alt=sse answers with a JSON array of responses.
  json array = json::array();
  for (const auto& [name, data] : stream_text({"one ", "two"})) array.push_back(json::parse(data));
  FakeHttpServer server([&](const HttpExchangeRequest&) { return HttpExchangeResponse::json(200, array.dump(2)); });
  auto reply = provider_for(config_for(kit(), server))->chat(hello_request());
  ASSERT_TRUE(reply) << reply.error().message;
  EXPECT_EQ(reply->message.text, "one two");
  EXPECT_EQ(reply->finish_reason, "STOP");
  EXPECT_EQ(reply->usage.output_tokens, 2);
}

TEST(Gemini, StreamedTextInPieces) {
  FakeHttpServer server([](const HttpExchangeRequest&) {
    return crlf_stream(stream_text({"The ", "orders ", "model ", "failed."}), 15ms);
  });
  std::vector<std::string> pieces;
  CallOptions options;
  options.on_text = [&](std::string_view text) { pieces.emplace_back(text); };
  auto reply = provider_for(config_for(kit(), server))->chat(hello_request(), options);
  ASSERT_TRUE(reply) << reply.error().message;
  EXPECT_EQ(pieces, (std::vector<std::string>{"The ", "orders ", "model ", "failed."}));
  EXPECT_EQ(reply->message.text, "The orders model failed.");
  EXPECT_EQ(reply->usage.input_tokens, 9);
  EXPECT_EQ(reply->usage.output_tokens, 4);
  EXPECT_EQ(reply->finish_reason, "STOP");
}

TEST(Gemini, StreamedEventsSplitAcrossReads) {
  std::string body;
  for (const auto& [name, data] : stream_text({"a", "b", "c"})) body += "data: " + data + "\r\n\r\n";
  FakeHttpServer server([&](const HttpExchangeRequest&) {
    HttpExchangeResponse out;
    out.headers = {{"Content-Type", "text/event-stream"}};
    out.chunks = split_bytes(body, 11);
    return out;
  });
  auto reply = provider_for(config_for(kit(), server))->chat(hello_request());
  ASSERT_TRUE(reply) << reply.error().message;
  EXPECT_EQ(reply->message.text, "abc");
}

TEST(Gemini, ThoughtPartsAreNotText) {
  FakeHttpServer server([](const HttpExchangeRequest&) {
    json parts = json::array({{{"text", "thinking about it"}, {"thought", true}}, text_part("Answer.")});
    return crlf_stream({{"", response(parts, "STOP", std::pair{5, 2}).dump()}});
  });
  auto reply = provider_for(config_for(kit(), server))->chat(hello_request());
  ASSERT_TRUE(reply) << reply.error().message;
  EXPECT_EQ(reply->message.text, "Answer.");
}

TEST(Gemini, StreamedOneFunctionCall) {
  FakeHttpServer server([](const HttpExchangeRequest&) {
    json parts = json::array({{{"functionCall", {{"name", "run_sql"}, {"args", {{"sql", "select 1"}}}}}}});
    return crlf_stream({{"", response(parts, "STOP", std::pair{30, 8}).dump()}});
  });
  auto reply = provider_for(config_for(kit(), server))->chat(conversation_with_tools());
  ASSERT_TRUE(reply) << reply.error().message;
  ASSERT_EQ(reply->message.tool_calls.size(), 1u);
  EXPECT_EQ(reply->message.tool_calls[0].name, "run_sql");
  EXPECT_EQ(reply->message.tool_calls[0].id, "gemini_call_0") << "Gemini sends no id: one is made up";
  EXPECT_EQ(json::parse(reply->message.tool_calls[0].arguments), json({{"sql", "select 1"}}));
  EXPECT_EQ(reply->usage.input_tokens, 30);
  EXPECT_EQ(reply->usage.output_tokens, 8);
}

TEST(Gemini, StreamedParallelFunctionCalls) {
  FakeHttpServer server([](const HttpExchangeRequest&) {
    // Text, then two calls in one chunk, then a third call in a later chunk.
    json first = response(json::array({text_part("Checking. ")}));
    json second = response(json::array({
        {{"functionCall", {{"name", "run_sql"}, {"args", {{"sql", "select count(*) from orders"}}}}}},
        {{"functionCall", {{"name", "read_file"}, {"args", {{"path", "models/a.sql"}, {"lines", {1, 20}}}}}}},
    }));
    json third = response(json::array({{{"functionCall", {{"name", "run_sql"}, {"args", json::object()}}}}}), "STOP",
                          std::pair{40, 12});
    return crlf_stream({{"", first.dump()}, {"", second.dump()}, {"", third.dump()}}, 5ms);
  });
  auto reply = provider_for(config_for(kit(), server))->chat(conversation_with_tools());
  ASSERT_TRUE(reply) << reply.error().message;
  EXPECT_EQ(reply->message.text, "Checking. ");
  ASSERT_EQ(reply->message.tool_calls.size(), 3u);
  EXPECT_EQ(reply->message.tool_calls[0].id, "gemini_call_0");
  EXPECT_EQ(reply->message.tool_calls[1].id, "gemini_call_1");
  EXPECT_EQ(reply->message.tool_calls[2].id, "gemini_call_2");
  EXPECT_EQ(reply->message.tool_calls[0].name, "run_sql");
  EXPECT_EQ(reply->message.tool_calls[1].name, "read_file");
  EXPECT_EQ(json::parse(reply->message.tool_calls[0].arguments), json({{"sql", "select count(*) from orders"}}));
  EXPECT_EQ(json::parse(reply->message.tool_calls[1].arguments), json({{"path", "models/a.sql"}, {"lines", {1, 20}}}));
  EXPECT_EQ(json::parse(reply->message.tool_calls[2].arguments), json::object());
  EXPECT_EQ(reply->finish_reason, "STOP");
}

TEST(Gemini, FunctionCallIdsFromTheModelAreKept) {
  FakeHttpServer server([](const HttpExchangeRequest&) {
    json parts = json::array({{{"functionCall", {{"id", "fc-77"}, {"name", "run_sql"}, {"args", {{"sql", "x"}}}}}}});
    return HttpExchangeResponse::json(200, response(parts, "STOP", std::pair{1, 1}).dump());
  });
  auto reply = provider_for(config_for(kit(), server, false))->chat(hello_request());
  ASSERT_TRUE(reply) << reply.error().message;
  ASSERT_EQ(reply->message.tool_calls.size(), 1u);
  EXPECT_EQ(reply->message.tool_calls[0].id, "fc-77");
}

TEST(Gemini, RequestShape) {
  FakeHttpServer server([](const HttpExchangeRequest&) { return crlf_stream(stream_text({"ok"})); });
  auto reply = provider_for(config_for(kit(), server))->chat(conversation_with_tools());
  ASSERT_TRUE(reply) << reply.error().message;
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  const auto& request = requests[0];
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.path, "/v1beta/models/gemini-2.0-flash:streamGenerateContent");
  EXPECT_EQ(request.target, "/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse");
  EXPECT_EQ(request.header("x-goog-api-key"), "sk-test-123");
  EXPECT_EQ(request.header("authorization"), "");
  EXPECT_EQ(request.target.find("key="), std::string::npos) << "the key goes in a header, not the URL";
  const auto body = body_json(request);
  EXPECT_FALSE(body.contains("model"));
  EXPECT_EQ(body["systemInstruction"], json({{"parts", {{{"text", "You are cowork. Investigate the failing dbt run."}}}}}));
  EXPECT_EQ(body["generationConfig"]["maxOutputTokens"], 1234);

  const auto& contents = body["contents"];
  ASSERT_EQ(contents.size(), 3u) << contents.dump(2);
  EXPECT_EQ(contents[0], json({{"role", "user"}, {"parts", {{{"text", "Why did fct_orders fail?"}}}}}));
  EXPECT_EQ(contents[1]["role"], "model");
  ASSERT_EQ(contents[1]["parts"].size(), 3u);
  EXPECT_EQ(contents[1]["parts"][0], json({{"text", "Let me look."}}));
  EXPECT_EQ(contents[1]["parts"][1],
            json({{"functionCall", {{"name", "run_sql"}, {"args", {{"sql", "select count(*) from orders"}}}, {"id", "call_1"}}}}));
  EXPECT_EQ(contents[1]["parts"][2]["functionCall"]["name"], "read_file");
  EXPECT_EQ(contents[1]["parts"][2]["functionCall"]["args"], json({{"path", "models/fct_orders.sql"}}));
  // Both results in one user turn, by function name (and id), then the user's text.
  EXPECT_EQ(contents[2]["role"], "user");
  ASSERT_EQ(contents[2]["parts"].size(), 3u);
  EXPECT_EQ(contents[2]["parts"][0],
            json({{"functionResponse", {{"name", "run_sql"}, {"id", "call_1"}, {"response", {{"result", "42"}}}}}}));
  EXPECT_EQ(contents[2]["parts"][1]["functionResponse"]["name"], "read_file");
  EXPECT_EQ(contents[2]["parts"][1]["functionResponse"]["response"], json({{"error", "no such file"}}));
  EXPECT_EQ(contents[2]["parts"][2], json({{"text", "Go on."}}));

  // Tools: functionDeclarations with the schema cut to Gemini's OpenAPI subset.
  ASSERT_EQ(body["tools"].size(), 1u);
  const auto& declarations = body["tools"][0]["functionDeclarations"];
  ASSERT_EQ(declarations.size(), 2u);
  EXPECT_EQ(declarations[0]["name"], "run_sql");
  EXPECT_EQ(declarations[0]["description"], "Run a read-only SQL query on the warehouse.");
  EXPECT_EQ(declarations[0]["parameters"], json::parse(R"({
    "type": "object",
    "properties": {
      "sql": {"type": "string", "description": "a read-only query"},
      "limit": {"type": "integer", "minimum": 1, "maximum": 1000},
      "options": {"type": "object", "properties": {"dialect": {"type": "string", "enum": ["duckdb", "postgres"]}}}
    },
    "required": ["sql"]
  })"));
  EXPECT_EQ(declarations[1]["parameters"], json::parse(R"({
    "type": "object",
    "properties": {"path": {"type": "string"}, "lines": {"type": "array", "items": {"type": "integer"}, "maxItems": 2}},
    "required": ["path"]
  })"));
  EXPECT_EQ(body.dump().find("additionalProperties"), std::string::npos);
  EXPECT_EQ(body.dump().find("$schema"), std::string::npos);
}

// Gemini 2.5+ signs its function calls (thoughtSignature beside functionCall); the signature goes back with the call.
TEST(Gemini, ThoughtSignatureRoundTrips) {
  FakeHttpServer server([](const HttpExchangeRequest&) {
    json part{{"functionCall", {{"name", "lineage"}, {"args", {{"node", "x"}}}}}, {"thoughtSignature", "c2lnLTE="}};
    return HttpExchangeResponse::json(200, response(json::array({part}), "STOP", std::pair{1, 1}).dump());
  });
  auto provider = provider_for(config_for(kit(), server, false));
  auto reply = provider->chat(hello_request());
  ASSERT_TRUE(reply) << reply.error().message;
  ASSERT_EQ(reply->message.tool_calls.size(), 1u);
  EXPECT_EQ(reply->message.tool_calls[0].signature, "c2lnLTE=");

  ChatRequest request = hello_request();
  request.messages.push_back(reply->message);
  Message result{Role::tool, "ok"};
  result.tool_call_id = reply->message.tool_calls[0].id;
  result.tool_name = "lineage";
  request.messages.push_back(result);
  ASSERT_TRUE(provider->chat(request));
  const auto contents = body_json(server.requests().at(1))["contents"];
  ASSERT_GE(contents.size(), 2u) << contents.dump(2);
  EXPECT_EQ(contents[1]["parts"][0]["thoughtSignature"], "c2lnLTE=") << contents.dump(2);
}

TEST(Gemini, MadeUpIdsAreNotSentBack) {
  FakeHttpServer server([](const HttpExchangeRequest&) { return crlf_stream(stream_text({"ok"})); });
  ChatRequest request;
  request.messages.push_back(Message{Role::user, "go"});
  Message assistant{Role::assistant, ""};
  assistant.tool_calls.push_back(ToolCall{"gemini_call_0", "run_sql", R"({"sql": "select 1"})"});
  request.messages.push_back(assistant);
  Message result{Role::tool, "1"};
  result.tool_call_id = "gemini_call_0";
  result.tool_name = "run_sql";
  request.messages.push_back(result);
  ASSERT_TRUE(provider_for(config_for(kit(), server))->chat(request));
  const auto contents = body_json(server.requests().at(0))["contents"];
  ASSERT_EQ(contents.size(), 3u) << contents.dump(2);
  EXPECT_EQ(contents[1], json({{"role", "model"},
                               {"parts", {{{"functionCall", {{"name", "run_sql"}, {"args", {{"sql", "select 1"}}}}}}}}}));
  EXPECT_EQ(contents[2], json({{"role", "user"},
                               {"parts", {{{"functionResponse", {{"name", "run_sql"}, {"response", {{"result", "1"}}}}}}}}}));
}

TEST(Gemini, VersionedBaseUrl) {
  FakeHttpServer server([](const HttpExchangeRequest&) { return crlf_stream(stream_text({"ok"})); });
  auto config = config_for(kit(), server);
  config.base_url += "/v1beta/";
  ASSERT_TRUE(provider_for(config)->chat(hello_request()));
  EXPECT_EQ(server.requests().at(0).target, "/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse");
}

TEST(Gemini, BlockedPromptIsAnError) {
  FakeHttpServer server([](const HttpExchangeRequest&) {
    return HttpExchangeResponse::json(
        200, R"({"promptFeedback": {"blockReason": "SAFETY"}, "usageMetadata": {"promptTokenCount": 5}})");
  });
  auto reply = provider_for(config_for(kit(), server, false))->chat(hello_request());
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(reply.error().message.find("SAFETY"), std::string::npos) << reply.error().message;
}

TEST(Gemini, ErrorObjectMidStream) {
  FakeHttpServer server([](const HttpExchangeRequest&) {
    auto events = stream_text({"Partial "});
    events.emplace_back("", R"({"error": {"code": 500, "message": "An internal error has occurred.", "status": "INTERNAL"}})");
    return crlf_stream(events);
  });
  auto reply = provider_for(config_for(kit(), server))->chat(hello_request());
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error().code, ErrorCode::unavailable);
  EXPECT_NE(reply.error().message.find("An internal error has occurred."), std::string::npos) << reply.error().message;
}

TEST(Gemini, NotJson) { check_not_json(kit()); }
TEST(Gemini, MalformedStreamChunk) { check_malformed_stream_chunk(kit()); }

// A part whose fields have other types (`thought: "yes"`) is an error or ignored, never an exception.
TEST(Gemini, ChunkOfTheWrongShapeIsNotAnException) {
  const std::vector<std::string> bad = {
      R"({"candidates": [{"content": {"parts": [{"text": "x", "thought": "yes"}]}}]})",
      R"({"candidates": "none"})",
      R"({"candidates": [{"content": {"parts": {"text": "x"}}}]})",
      R"({"promptFeedback": "blocked"})",
  };
  for (const auto& data : bad) {
    SCOPED_TRACE(data);
    for (const bool stream : {true, false}) {
      FakeHttpServer server([&](const HttpExchangeRequest&) {
        return stream ? crlf_stream({{"", data}}) : HttpExchangeResponse::json(200, data);
      });
      auto provider = provider_for(config_for(kit(), server, stream));
      EXPECT_NO_THROW({ (void)provider->chat(hello_request()); }) << (stream ? "streamed" : "plain");
    }
  }
}

TEST(Gemini, RetryAfterThenSuccess) { check_retry_after_then_success(kit()); }
TEST(Gemini, Retries503ThenSucceeds) { check_503_three_times_then_success(kit()); }
TEST(Gemini, Gives429UpAfterMaxAttempts) { check_429_forever(kit()); }
TEST(Gemini, TimeoutIsNotRetried) { check_timeout_not_retried(kit()); }
TEST(Gemini, Unauthorized) {
  check_unauthorized(kit(), 401);
  check_unauthorized(kit(), 403);
}

// What the Gemini API actually answers for a bad key: HTTP 400 INVALID_ARGUMENT with reason API_KEY_INVALID.
TEST(Gemini, InvalidKeyAs400IsPermissionDenied) {
  FakeHttpServer server([](const HttpExchangeRequest&) {
    return HttpExchangeResponse::json(400, R"({
      "error": {
        "code": 400,
        "message": "API key not valid. Please pass a valid API key.",
        "status": "INVALID_ARGUMENT",
        "details": [
          {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID", "domain": "googleapis.com",
           "metadata": {"service": "generativelanguage.googleapis.com"}},
          {"@type": "type.googleapis.com/google.rpc.LocalizedMessage", "locale": "en-US",
           "message": "API key not valid. Please pass a valid API key."}
        ]
      }
    })");
  });
  auto reply = provider_for(config_for(kit(), server))->chat(hello_request());
  ASSERT_FALSE(reply);
  EXPECT_NE(reply.error().message.find("API key not valid"), std::string::npos) << reply.error().message;
  EXPECT_EQ(reply.error().code, ErrorCode::permission_denied) << reply.error().message;
  EXPECT_NE(reply.error().message.find("GEMINI_API_KEY"), std::string::npos) << reply.error().message;
  EXPECT_EQ(server.request_count(), 1u);
}

TEST(Gemini, UnknownModel) { check_unknown_model(kit()); }
TEST(Gemini, UnknownModelAsDocumented) {
  FakeHttpServer server([](const HttpExchangeRequest&) {
    return HttpExchangeResponse::json(404, kit().error_body(404,
        "models/gemini-9-ultra is not found for API version v1beta, or is not supported for generateContent. Call "
        "ListModels to see the list of available models and their supported methods."));
  });
  auto config = config_for(kit(), server);
  config.model = "gemini-9-ultra";
  auto reply = provider_for(config)->chat(hello_request());
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error().code, ErrorCode::not_found);
  EXPECT_NE(reply.error().message.find("'gemini-9-ultra'"), std::string::npos) << reply.error().message;
  EXPECT_EQ(server.requests().at(0).path, "/v1beta/models/gemini-9-ultra:streamGenerateContent");
}
TEST(Gemini, CancelWhileHanging) { check_cancel_while_hanging(kit()); }
TEST(Gemini, KeyEchoedByServerIsRedacted) { check_key_echoed_by_server_is_redacted(kit()); }

TEST(Gemini, ToolsStayDeclaredWhenCallsAreNotAllowed) {
  const json body = request_with_tool_calls_not_allowed(kit());
  EXPECT_EQ(body["toolConfig"]["functionCallingConfig"]["mode"], "NONE");
}

}  // namespace
}  // namespace cowork::llm::test
