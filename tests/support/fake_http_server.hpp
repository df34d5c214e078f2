// A scriptable HTTP/1.1 server on 127.0.0.1 for tests that play a remote service (an LLM endpoint): it records
// every request and answers with what the test's handler returns, whole or in timed chunks (server-sent events),
// or not at all (a hang, to test timeouts). Runs on its own thread; stops in the destructor.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace cowork::testing {

struct HttpExchangeRequest {
  std::string method;
  std::string target;  // path and query: "/v1/chat/completions?x=1"
  std::string path;    // without the query
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string header(const std::string& name) const;  // "" when absent
};

struct HttpExchangeResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;  // Content-Type defaults to application/json
  std::string body;                  // sent whole (Content-Length) unless `chunks` is set
  std::vector<std::string> chunks;   // sent one by one with chunked transfer encoding
  std::chrono::milliseconds chunk_delay{0};  // before each chunk
  std::chrono::milliseconds hang{0};         // wait this long before answering at all (the client may give up)

  static HttpExchangeResponse json(int status, std::string body);
  // text/event-stream: each event's data as `data: <x>\n\n` (with `event: <name>` when the pair's first is set).
  static HttpExchangeResponse sse(const std::vector<std::pair<std::string, std::string>>& events);
};

class FakeHttpServer {
 public:
  using Handler = std::function<HttpExchangeResponse(const HttpExchangeRequest&)>;
  explicit FakeHttpServer(Handler handler);
  ~FakeHttpServer();
  FakeHttpServer(const FakeHttpServer&) = delete;
  FakeHttpServer& operator=(const FakeHttpServer&) = delete;

  int port() const { return m_port; }
  std::string url() const;  // "http://127.0.0.1:<port>"
  std::vector<HttpExchangeRequest> requests() const;  // every request so far, in order (thread-safe copy)
  size_t request_count() const;

 private:
  void serve();
  void answer(int client);
  bool stopping() const;
  bool pause(int client, std::chrono::milliseconds delay) const;  // false: stopping, or the client went away
  Handler m_handler;
  int m_listen = -1;
  int m_port = 0;
  int m_wake[2] = {-1, -1};  // a pipe that stops the accept loop
  std::thread m_thread;
  std::vector<std::thread> m_clients;
  std::vector<int> m_client_fds;  // connections being answered, shut down by the destructor
  mutable std::mutex m_mutex;
  std::vector<HttpExchangeRequest> m_requests;
  bool m_stopping = false;
};

}  // namespace cowork::testing
