// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "http/parser.h"
#include "http/request.h"
#include "ws/handshake.h"

namespace {

// Parses `head` with the real parser and validates it as a handshake.
int validate(const std::string& head, ws::Handshake* hs) {
  http::Limits limits;
  std::vector<http::Header> table(limits.max_headers);
  http::Parser p;
  p.init(&limits, table.data());
  std::string buf = head;
  http::Parser::Event ev = p.execute(buf.data(), buf.size());
  if (ev == http::Parser::Event::Error) return p.error_status();  // refused before any route sees it
  if (ev != http::Parser::Event::Upgrade) return -1;
  http::Request req;
  REQUIRE(http::make_request(buf.data(), &p.head(), p.table(), "", &req) == 0);
  return ws::validate(req, hs);
}

std::string handshake(const std::string& extra, const std::string& method = "GET", const std::string& version = "HTTP/1.1") {
  return method + " /healthz " + version + "\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" + extra + "\r\n";
}

const std::string kKey = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
const std::string kV13 = "Sec-WebSocket-Version: 13\r\n";

}  // namespace

TEST_CASE("the RFC 6455 example key") {
  char out[28];
  ws::accept_key("dGhlIHNhbXBsZSBub25jZQ==", out);
  CHECK(std::string(out, 28) == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST_CASE("handshake validation") {
  ws::Handshake hs;
  CHECK(validate(handshake(kKey + kV13), &hs) == 0);
  CHECK(std::string(hs.accept, 28) == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  CHECK(validate("GET / HTTP/1.1\r\nHost: a\r\nUpgrade: WebSocket\r\nConnection: keep-alive, Upgrade\r\n" + kKey + kV13 + "\r\n", &hs) == 0);
  CHECK(validate(handshake(kKey + "Sec-WebSocket-Version: 8\r\n"), &hs) == 426);
  CHECK(validate(handshake(kKey), &hs) == 426);
  CHECK(validate(handshake(kKey + kV13 + kV13), &hs) == 426);
  CHECK(validate(handshake(kV13), &hs) == 400);
  CHECK(validate(handshake("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ\r\n" + kV13), &hs) == 400);
  CHECK(validate(handshake("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=\r\n" + kV13), &hs) == 400);
  CHECK(validate(handshake("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZR==\r\n" + kV13), &hs) == 400);  // stray low bits
  CHECK(validate(handshake("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25j!Q==\r\n" + kV13), &hs) == 400);
  CHECK(validate(handshake(kKey + kKey + kV13), &hs) == 400);
  CHECK(validate(handshake(kKey + kV13, "POST"), &hs) == 400);
  CHECK(validate(handshake(kKey + kV13 + "Content-Length: 3\r\n"), &hs) == 400);
  CHECK(validate("GET / HTTP/1.0\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" + kKey + kV13 + "\r\n", &hs) == 400);
}

TEST_CASE("the 101 answer") {
  ws::Handshake hs;
  ws::accept_key("dGhlIHNhbXBsZSBub25jZQ==", hs.accept);
  char out[256];
  size_t n = ws::write_101(hs, out, sizeof out);
  CHECK(std::string(out, n) ==
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n");
  CHECK(ws::write_101(hs, out, 10) == 0);
}
