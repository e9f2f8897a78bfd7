// SPDX-License-Identifier: MIT
// The renderer and Response framing, written into a real Conn on a socketpair.
#include <doctest/doctest.h>

#include <string>
#include <sys/socket.h>
#include <unistd.h>

#include "http/error_page.h"
#include "http/response.h"
#include "reactor/loop.h"

namespace {

class NoSignals final : public reactor::SignalHandler {
 public:
  void on_signal(int) override {}
};

// Renders through `fn` on one end of a socketpair and returns what the peer reads.
template <typename F>
std::string rendered(F fn) {
  NoSignals sig;
  reactor::Loop loop;
  reactor::LoopLimits lim;
  lim.max_conns = 2;
  REQUIRE(loop.init(lim, &sig));
  int sv[2];
  REQUIRE(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0);
  reactor::Conn* c = loop.open(sv[0]);
  REQUIRE(c != nullptr);
  fn(*c, loop.clock());
  CHECK(c->flush() == reactor::Io::Ok);
  std::string out(65536, '\0');
  ssize_t n = read(sv[1], &out[0], out.size());
  close(sv[1]);
  c->close("test");
  out.resize(n > 0 ? static_cast<size_t>(n) : 0);
  return out;
}

http::Request request_with_accept(const char* accept, std::string* storage, http::Head* head,
                                  http::Header* table) {
  *storage = std::string("Accept") + accept;
  table[0].name = {0, 6};
  table[0].value = {6, static_cast<uint16_t>(storage->size() - 6)};
  head->nheaders = 1;
  http::Request req;
  req.base = storage->data();
  req.head = head;
  req.table = table;
  req.path = "/a/b/";
  return req;
}

}  // namespace

TEST_CASE("JSON error body is escaped and framed") {
  http::Site site{"app", "<p>{{MESSAGE}}</p>"};
  std::string out = rendered([&](reactor::Conn& c, const base::Clock& clock) {
    http::Response resp(c, clock, false, true);
    http::render_error(nullptr, resp, site, 404, "no \"such\" thing");
  });
  CHECK(out.rfind("HTTP/1.1 404 Not Found\r\n", 0) == 0);
  CHECK(out.find("Content-Type: application/json\r\n") != std::string::npos);
  std::string body = "{\"error\":\"no \\\"such\\\" thing\"}";
  CHECK(out.find("Content-Length: " + std::to_string(body.size()) + "\r\n") != std::string::npos);
  CHECK(out.substr(out.size() - body.size()) == body);
  CHECK(out.find("Connection: close") == std::string::npos);
}

TEST_CASE("HTML error page escapes the message and the app name") {
  http::Site site{"<b>app</b>", "<title>{{CODE}} - {{APP}}</title><p>{{MESSAGE}}</p><a href=\"{{BASE}}/\">{{REASON}}</a>"};
  std::string storage;
  http::Head head;
  http::Header table[1];
  http::Request req = request_with_accept("text/html,*/*", &storage, &head, table);
  std::string out = rendered([&](reactor::Conn& c, const base::Clock& clock) {
    http::Response resp(c, clock, false, false);
    http::render_error(&req, resp, site, 405, "<script>alert(1)</script>", "GET, HEAD");
  });
  CHECK(out.find("Allow: GET, HEAD\r\n") != std::string::npos);
  CHECK(out.find("Connection: close\r\n") != std::string::npos);
  CHECK(out.find("text/html; charset=utf-8") != std::string::npos);
  CHECK(out.find("<script>") == std::string::npos);
  CHECK(out.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  CHECK(out.find("<title>405 - &lt;b&gt;app&lt;/b&gt;</title>") != std::string::npos);
  CHECK(out.find("<a href=\"./../../\">Method Not Allowed</a>") != std::string::npos);
}

TEST_CASE("HEAD gets the length of the body it does not get") {
  std::string out = rendered([&](reactor::Conn& c, const base::Clock& clock) {
    http::Response resp(c, clock, true, true);
    resp.begin(200);
    resp.send("text/plain", "twelve bytes");
  });
  CHECK(out.find("Content-Length: 12\r\n") != std::string::npos);
  CHECK(out.size() >= 4);
  CHECK(out.substr(out.size() - 4) == "\r\n\r\n");
}

TEST_CASE("an HTTP/1.0 client is told when its connection is kept, and only then") {
  for (bool keep : {true, false}) {
    std::string out = rendered([&](reactor::Conn& c, const base::Clock& clock) {
      http::Response resp(c, clock, false, keep);
      resp.http10_client();
      resp.begin(200);
      resp.send("text/plain", "ok");
    });
    CHECK((out.find("\r\nConnection: keep-alive\r\n") != std::string::npos) == keep);
    CHECK((out.find("\r\nConnection: close\r\n") != std::string::npos) == !keep);
  }
  std::string out11 = rendered([&](reactor::Conn& c, const base::Clock& clock) {
    http::Response resp(c, clock, false, true);
    resp.begin(200);
    resp.send("text/plain", "ok");
  });
  CHECK(out11.find("Connection:") == std::string::npos);  // HTTP/1.1 keeps by default
}
