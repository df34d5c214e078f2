// Anthropic's Messages API against a fake server that answers with the documented shapes: a `message` object, or
// the named SSE events message_start, content_block_start / _delta (text_delta, input_json_delta) / _stop, ping,
// message_delta, message_stop and error; errors are {"type": "error", "error": {"type", "message"}}.
#include <atomic>

#include <gtest/gtest.h>

#include "llm_test_util.hpp"

namespace cowork::llm::test {
namespace {

using namespace std::chrono_literals;
using json = nlohmann::json;
using Events = std::vector<std::pair<std::string, std::string>>;

std::string message(const json& content, const std::string& stop_reason, int input = 21, int output = 6) {
  return json{{"id", "msg_01XFDUDYJgAACzvnptvVoYEL"},
              {"type", "message"},
              {"role", "assistant"},
              {"model", "claude-sonnet-4-5-20250929"},
              {"content", content},
              {"stop_reason", stop_reason},
              {"stop_sequence", nullptr},
              {"usage", {{"input_tokens", input}, {"output_tokens", output}}}}
      .dump();
}

std::pair<std::string, std::string> event(const json& data) { return {data["type"].get<std::string>(), data.dump()}; }

std::pair<std::string, std::string> message_start(int input_tokens) {
  return event({{"type", "message_start"},
                {"message", {{"id", "msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY"}, {"type", "message"}, {"role", "assistant"},
                             {"content", json::array()}, {"model", "claude-sonnet-4-5-20250929"},
                             {"stop_reason", nullptr}, {"stop_sequence", nullptr},
                             {"usage", {{"input_tokens", input_tokens}, {"output_tokens", 1}}}}}});
}

std::pair<std::string, std::string> block_start(int index, const json& block) {
  return event({{"type", "content_block_start"}, {"index", index}, {"content_block", block}});
}
std::pair<std::string, std::string> block_delta(int index, const json& delta) {
  return event({{"type", "content_block_delta"}, {"index", index}, {"delta", delta}});
}
std::pair<std::string, std::string> block_stop(int index) {
  return event({{"type", "content_block_stop"}, {"index", index}});
}
std::pair<std::string, std::string> message_delta(const std::string& stop_reason, int output_tokens) {
  return event({{"type", "message_delta"},
                {"delta", {{"stop_reason", stop_reason}, {"stop_sequence", nullptr}}},
                {"usage", {{"output_tokens", output_tokens}}}});
}

Events stream_text(const std::vector<std::string>& pieces) {
  Events events{message_start(25), block_start(0, {{"type", "text"}, {"text", ""}}), event({{"type", "ping"}})};
  for (const auto& piece : pieces) events.push_back(block_delta(0, {{"type", "text_delta"}, {"text", piece}}));
  events.push_back(block_stop(0));
  events.push_back(message_delta("end_turn", 15));
  events.push_back(event({{"type", "message_stop"}}));
  return events;
}

Kit kit() {
  Kit k;
  k.provider = "anthropic";
  k.model = "claude-sonnet-4-5";
  k.base_suffix = "";
  k.key_variable = "ANTHROPIC_API_KEY";
  k.stream_path = "/v1/messages";
  k.plain_reply = [](const std::string& text) {
    return message(json::array({{{"type", "text"}, {"text", text}}}), "end_turn");
  };
  k.stream_text = stream_text;
  k.error_body = [](int status, const std::string& text) {
    const char* type = status == 401   ? "authentication_error"
                       : status == 403 ? "permission_error"
                       : status == 404 ? "not_found_error"
                       : status == 429 ? "rate_limit_error"
                       : status == 529 ? "overloaded_error"
                       : status >= 500 ? "api_error"
                                       : "invalid_request_error";
    return json{{"type", "error"}, {"error", {{"type", type}, {"message", text}}}}.dump();
  };
  return k;
}

TEST(Anthropic, PlainReply) {
  FakeHttpServer server([](const HttpExchangeRequest&) {
    return HttpExchangeResponse::json(200, kit().plain_reply("The orders model failed on a null key."));
  });
  auto provider = provider_for(config_for(kit(), server, /*stream=*/false));
  ASSERT_NE(provider, nullptr);
  EXPECT_EQ(provider->name(), "anthropic");
  auto reply = provider->chat(hello_request());
  ASSERT_TRUE(reply) << reply.error().message;
  EXPECT_EQ(reply->message.role, Role::assistant);
  EXPECT_EQ(reply->message.text, "The orders model failed on a null key.");
  EXPECT_EQ(reply->usage.input_tokens, 21);
  EXPECT_EQ(reply->usage.output_tokens, 6);
  EXPECT_EQ(reply->finish_reason, "end_turn");
  EXPECT_EQ(reply->attempts, 1);
  const auto body = body_json(server.requests().at(0));
  EXPECT_FALSE(body.value("stream", false));
}

TEST(Anthropic, PlainReplyToAStreamedRequest) { check_plain_reply_to_streamed_request(kit()); }

TEST(Anthropic, PlainToolUse) {
  FakeHttpServer server([](const HttpExchangeRequest&) {
    json content = json::array({{{"type", "text"}, {"text", "Let me check."}},
                                {{"type", "tool_use"}, {"id", "toolu_01A09q90qw90lq917835lq9"}, {"name", "run_sql"},
                                 {"input", {{"sql", "select 1"}}}}});
    return HttpExchangeResponse::json(200, message(content, "tool_use"));
  });
  auto reply = provider_for(config_for(kit(), server, false))->chat(conversation_with_tools());
  ASSERT_TRUE(reply) << reply.error().message;
  EXPECT_EQ(reply->message.text, "Let me check.");
  EXPECT_EQ(reply->finish_reason, "tool_use");
  ASSERT_EQ(reply->message.tool_calls.size(), 1u);
  EXPECT_EQ(reply->message.tool_calls[0].id, "toolu_01A09q90qw90lq917835lq9");
  EXPECT_EQ(reply->message.tool_calls[0].name, "run_sql");
  EXPECT_EQ(json::parse(reply->message.tool_calls[0].arguments), json({{"sql", "select 1"}}));
}

TEST(Anthropic, StreamedTextInPieces) {
  FakeHttpServer server([](const HttpExchangeRequest&) {
    auto response = HttpExchangeResponse::sse(stream_text({"The ", "orders ", "model ", "failed."}));
    response.chunk_delay = 15ms;
    return response;
  });
  std::vector<std::string> pieces;
  CallOptions options;
  options.on_text = [&](std::string_view text) { pieces.emplace_back(text); };
  auto reply = provider_for(config_for(kit(), server))->chat(hello_request(), options);
  ASSERT_TRUE(reply) << reply.error().message;
  EXPECT_EQ(pieces, (std::vector<std::string>{"The ", "orders ", "model ", "failed."}));
  EXPECT_EQ(reply->message.text, "The orders model failed.");
  EXPECT_EQ(reply->usage.input_tokens, 25);
  EXPECT_EQ(reply->usage.output_tokens, 15);
  EXPECT_EQ(reply->finish_reason, "end_turn");
  EXPECT_TRUE(reply->message.tool_calls.empty());
}

TEST(Anthropic, StreamedEventsSplitAcrossReads) {
  std::string body;
  for (const auto& [name, data] : stream_text({"a", "b", "c"})) body += "event: " + name + "\r\ndata: " + data + "\r\n\r\n";
  FakeHttpServer server([&](const HttpExchangeRequest&) {
    HttpExchangeResponse out;
    out.headers = {{"Content-Type", "text/event-stream"}};
    out.chunks = split_bytes(body, 13);
    return out;
  });
  auto reply = provider_for(config_for(kit(), server))->chat(hello_request());
  ASSERT_TRUE(reply) << reply.error().message;
  EXPECT_EQ(reply->message.text, "abc");
  EXPECT_EQ(reply->usage.output_tokens, 15);
}

Events streamed_tool_use(bool two) {
  Events events{message_start(472),
                block_start(0, {{"type", "text"}, {"text", ""}}),
                block_delta(0, {{"type", "text_delta"}, {"text", "Okay, let me check."}}),
                block_stop(0),
                block_start(1, {{"type", "tool_use"}, {"id", "toolu_01T1x1fJ34qAmk2tNTrN7Up6"}, {"name", "run_sql"},
                                {"input", json::object()}}),
                block_delta(1, {{"type", "input_json_delta"}, {"partial_json", ""}}),
                block_delta(1, {{"type", "input_json_delta"}, {"partial_json", "{\"sql\": \"sel"}}),
                block_delta(1, {{"type", "input_json_delta"}, {"partial_json", "ect count(*) from orders\"}"}}),
                block_stop(1)};
  if (two) {
    events.push_back(block_start(2, {{"type", "tool_use"}, {"id", "toolu_02"}, {"name", "read_file"},
                                     {"input", json::object()}}));
    events.push_back(block_delta(2, {{"type", "input_json_delta"}, {"partial_json", "{\"path\": \"models/a.sql\","}}));
    events.push_back(block_delta(2, {{"type", "input_json_delta"}, {"partial_json", " \"lines\": [1, 20]}"}}));
    events.push_back(block_stop(2));
    // A tool without arguments: no input_json_delta with content at all.
    events.push_back(block_start(3, {{"type", "tool_use"}, {"id", "toolu_03"}, {"name", "list_models"},
                                     {"input", json::object()}}));
    events.push_back(block_stop(3));
  }
  events.push_back(message_delta("tool_use", 89));
  events.push_back(event({{"type", "message_stop"}}));
  return events;
}

TEST(Anthropic, StreamedOneToolUse) {
  FakeHttpServer server([](const HttpExchangeRequest&) {
    auto response = HttpExchangeResponse::sse(streamed_tool_use(false));
    response.chunk_delay = 2ms;
    return response;
  });
  auto reply = provider_for(config_for(kit(), server))->chat(conversation_with_tools());
  ASSERT_TRUE(reply) << reply.error().message;
  EXPECT_EQ(reply->message.text, "Okay, let me check.");
  EXPECT_EQ(reply->finish_reason, "tool_use");
  ASSERT_EQ(reply->message.tool_calls.size(), 1u);
  EXPECT_EQ(reply->message.tool_calls[0].id, "toolu_01T1x1fJ34qAmk2tNTrN7Up6");
  EXPECT_EQ(reply->message.tool_calls[0].name, "run_sql");
  EXPECT_EQ(json::parse(reply->message.tool_calls[0].arguments), json({{"sql", "select count(*) from orders"}}));
  EXPECT_EQ(reply->usage.input_tokens, 472);
  EXPECT_EQ(reply->usage.output_tokens, 89);
}

TEST(Anthropic, StreamedParallelToolUse) {
  FakeHttpServer server([](const HttpExchangeRequest&) {
    auto response = HttpExchangeResponse::sse(streamed_tool_use(true));
    response.chunk_delay = 2ms;
    return response;
  });
  auto reply = provider_for(config_for(kit(), server))->chat(conversation_with_tools());
  ASSERT_TRUE(reply) << reply.error().message;
  ASSERT_EQ(reply->message.tool_calls.size(), 3u);
  EXPECT_EQ(reply->message.tool_calls[0].id, "toolu_01T1x1fJ34qAmk2tNTrN7Up6");
  EXPECT_EQ(reply->message.tool_calls[1].id, "toolu_02");
  EXPECT_EQ(reply->message.tool_calls[1].name, "read_file");
  EXPECT_EQ(json::parse(reply->message.tool_calls[1].arguments), json({{"path", "models/a.sql"}, {"lines", {1, 20}}}));
  EXPECT_EQ(reply->message.tool_calls[2].id, "toolu_03");
  EXPECT_EQ(reply->message.tool_calls[2].name, "list_models");
  EXPECT_EQ(json::parse(reply->message.tool_calls[2].arguments), json::object());
}

TEST(Anthropic, RequestShape) {
  FakeHttpServer server([](const HttpExchangeRequest&) { return HttpExchangeResponse::sse(stream_text({"ok"})); });
  auto reply = provider_for(config_for(kit(), server))->chat(conversation_with_tools());
  ASSERT_TRUE(reply) << reply.error().message;
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  const auto& request = requests[0];
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.target, "/v1/messages");
  EXPECT_EQ(request.header("x-api-key"), "sk-test-123");
  EXPECT_EQ(request.header("anthropic-version"), "2023-06-01");
  EXPECT_EQ(request.header("authorization"), "");
  EXPECT_NE(request.header("content-type").find("application/json"), std::string::npos);
  const auto body = body_json(request);
  EXPECT_EQ(body["model"], "claude-sonnet-4-5");
  EXPECT_EQ(body["max_tokens"], 1234);
  EXPECT_EQ(body["stream"], true);
  EXPECT_EQ(body["system"], "You are cowork. Investigate the failing dbt run.");

  const auto& messages = body["messages"];
  ASSERT_EQ(messages.size(), 3u) << messages.dump(2);
  EXPECT_EQ(messages[0], json({{"role", "user"}, {"content", {{{"type", "text"}, {"text", "Why did fct_orders fail?"}}}}}));
  EXPECT_EQ(messages[1]["role"], "assistant");
  ASSERT_EQ(messages[1]["content"].size(), 3u);
  EXPECT_EQ(messages[1]["content"][0], json({{"type", "text"}, {"text", "Let me look."}}));
  EXPECT_EQ(messages[1]["content"][1], json({{"type", "tool_use"}, {"id", "call_1"}, {"name", "run_sql"},
                                             {"input", {{"sql", "select count(*) from orders"}}}}));
  EXPECT_EQ(messages[1]["content"][2]["id"], "call_2");
  EXPECT_EQ(messages[1]["content"][2]["input"], json({{"path", "models/fct_orders.sql"}}));
  // Consecutive tool results in one user turn, first, then the user's text.
  EXPECT_EQ(messages[2]["role"], "user");
  ASSERT_EQ(messages[2]["content"].size(), 3u);
  EXPECT_EQ(messages[2]["content"][0]["type"], "tool_result");
  EXPECT_EQ(messages[2]["content"][0]["tool_use_id"], "call_1");
  EXPECT_EQ(messages[2]["content"][0]["content"], "42");
  EXPECT_EQ(messages[2]["content"][0].value("is_error", false), false);
  EXPECT_EQ(messages[2]["content"][1]["type"], "tool_result");
  EXPECT_EQ(messages[2]["content"][1]["tool_use_id"], "call_2");
  EXPECT_EQ(messages[2]["content"][1]["content"], "no such file");
  EXPECT_EQ(messages[2]["content"][1]["is_error"], true);
  EXPECT_EQ(messages[2]["content"][2], json({{"type", "text"}, {"text", "Go on."}}));

  ASSERT_EQ(body["tools"].size(), 2u);
  EXPECT_EQ(body["tools"][0], json({{"name", "run_sql"},
                                    {"description", "Run a read-only SQL query on the warehouse."},
                                    {"input_schema", run_sql_schema()}}));
  EXPECT_EQ(body["tools"][1]["input_schema"], read_file_schema());
}

TEST(Anthropic, MalformedToolArgumentsAreSentAsAnObject) {
  // A model that wrote arguments that are not a JSON object: tool_use.input must still be an object.
  FakeHttpServer server([](const HttpExchangeRequest&) { return HttpExchangeResponse::sse(stream_text({"ok"})); });
  ChatRequest request;
  request.messages.push_back(Message{Role::user, "go"});
  Message assistant{Role::assistant, ""};
  assistant.tool_calls.push_back(ToolCall{"toolu_1", "run_sql", "{\"sql\": \"select"});
  request.messages.push_back(assistant);
  Message result{Role::tool, "bad arguments"};
  result.tool_call_id = "toolu_1";
  result.is_error = true;
  request.messages.push_back(result);
  ASSERT_TRUE(provider_for(config_for(kit(), server))->chat(request));
  const auto messages = body_json(server.requests().at(0))["messages"];
  ASSERT_EQ(messages.size(), 3u);
  ASSERT_EQ(messages[1]["content"].size(), 1u) << "no empty text block before the tool_use";
  EXPECT_TRUE(messages[1]["content"][0]["input"].is_object());
  EXPECT_EQ(messages[1]["content"][0]["input"]["_raw"], "{\"sql\": \"select");
}

TEST(Anthropic, VersionedBaseUrl) {
  FakeHttpServer server([](const HttpExchangeRequest&) { return HttpExchangeResponse::sse(stream_text({"ok"})); });
  auto config = config_for(kit(), server);
  config.base_url += "/v1";
  ASSERT_TRUE(provider_for(config)->chat(hello_request()));
  EXPECT_EQ(server.requests().at(0).target, "/v1/messages");
}

TEST(Anthropic, ErrorEventMidStream) {
  auto events = stream_text({"Partial "});
  events.insert(events.begin() + 4,
                event({{"type", "error"}, {"error", {{"type", "overloaded_error"}, {"message", "Overloaded"}}}}));
  FakeHttpServer server([&](const HttpExchangeRequest&) { return HttpExchangeResponse::sse(events); });
  auto reply = provider_for(config_for(kit(), server))->chat(hello_request());
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error().code, ErrorCode::unavailable);
  EXPECT_NE(reply.error().message.find("Overloaded"), std::string::npos) << reply.error().message;
  EXPECT_EQ(server.request_count(), 1u) << "not retried once the reply began";
}

TEST(Anthropic, NotJson) { check_not_json(kit()); }
TEST(Anthropic, MalformedStreamChunk) { check_malformed_stream_chunk(kit()); }

// An event of the wrong shape (a field of another type) is an error, never an exception through libcurl's frames.
TEST(Anthropic, EventOfTheWrongShapeIsNotAnException) {
  const std::vector<std::string> bad = {
      block_delta(0, {{"type", "text_delta"}, {"text", 42}}).second,
      block_start(0, "not a block").second,
      R"({"type": "content_block_delta", "index": "zero", "delta": {"type": "text_delta", "text": "x"}})",
      R"({"type": "error", "error": {"type": "api_error", "message": 7}})",
  };
  for (const auto& data : bad) {
    SCOPED_TRACE(data);
    FakeHttpServer server([&](const HttpExchangeRequest&) {
      return HttpExchangeResponse::sse({message_start(1), {"", data}, event({{"type", "message_stop"}})});
    });
    auto provider = provider_for(config_for(kit(), server));
    EXPECT_NO_THROW({ (void)provider->chat(hello_request()); });
  }
}

// A plain reply whose fields have other types is an error, not an exception.
TEST(Anthropic, PlainReplyOfTheWrongShapeIsAnError) {
  const std::vector<std::string> bad = {
      R"({"type": "message", "content": "hi"})",
      R"({"type": 5, "content": []})",
      R"({"type": "message", "content": [{"type": "tool_use", "id": 5, "name": "run_sql"}]})",
      R"({"type": "error", "error": {"type": "api_error", "message": 7}})",
  };
  for (const auto& body : bad) {
    SCOPED_TRACE(body);
    FakeHttpServer server([&](const HttpExchangeRequest&) { return HttpExchangeResponse::json(200, body); });
    auto provider = provider_for(config_for(kit(), server, false));
    EXPECT_NO_THROW({ EXPECT_FALSE(provider->chat(hello_request())); });
  }
}

TEST(Anthropic, RetryAfterThenSuccess) { check_retry_after_then_success(kit()); }
TEST(Anthropic, Retries503ThenSucceeds) { check_503_three_times_then_success(kit()); }
TEST(Anthropic, RetriesOverloaded529) {
  std::atomic<int> calls{0};
  FakeHttpServer server([&](const HttpExchangeRequest&) {
    if (calls++ == 0) return error_response(kit(), 529, "Overloaded");
    return HttpExchangeResponse::json(200, kit().plain_reply("ok"));
  });
  auto reply = provider_for(config_for(kit(), server))->chat(hello_request());
  ASSERT_TRUE(reply) << reply.error().message;
  EXPECT_EQ(reply->attempts, 2);
}
TEST(Anthropic, Gives429UpAfterMaxAttempts) { check_429_forever(kit()); }
TEST(Anthropic, TimeoutIsNotRetried) { check_timeout_not_retried(kit()); }
TEST(Anthropic, Unauthorized) {
  check_unauthorized(kit(), 401);
  check_unauthorized(kit(), 403);
}
TEST(Anthropic, UnknownModel) { check_unknown_model(kit()); }
TEST(Anthropic, CancelWhileHanging) { check_cancel_while_hanging(kit()); }
TEST(Anthropic, KeyEchoedByServerIsRedacted) { check_key_echoed_by_server_is_redacted(kit()); }

TEST(Anthropic, ToolsStayDeclaredWhenCallsAreNotAllowed) {
  const json body = request_with_tool_calls_not_allowed(kit());
  EXPECT_EQ(body["tool_choice"], json({{"type", "none"}}));
}

}  // namespace
}  // namespace cowork::llm::test
