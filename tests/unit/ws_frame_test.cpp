// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <initializer_list>
#include <string>

#include "ws/frame.h"

TEST_CASE("header lengths: 7-bit, 16-bit, 64-bit, and incomplete") {
  ws::FrameHeader h;
  const uint8_t small[] = {0x81, 0x85, 1, 2, 3, 4};
  CHECK(ws::parse_header(small, sizeof small, &h) == 6);
  CHECK(h.fin);
  CHECK(h.opcode == ws::kText);
  CHECK(h.masked);
  CHECK(h.length == 5);
  CHECK(h.mask[3] == 4);
  for (size_t n = 0; n < sizeof small; n++) CHECK(ws::parse_header(small, n, &h) == 0);
  const uint8_t mid[] = {0x02, 0xFE, 0x01, 0x00, 9, 9, 9, 9};
  CHECK(ws::parse_header(mid, sizeof mid, &h) == 8);
  CHECK(h.length == 256);
  CHECK_FALSE(h.fin);
  const uint8_t big[] = {0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4};
  CHECK(ws::parse_header(big, sizeof big, &h) == 14);
  CHECK(h.length == 0x8000000000000000ull);  // the endpoint refuses it (1009)
  const uint8_t rsv[] = {0xF1, 0x00};
  CHECK(ws::parse_header(rsv, sizeof rsv, &h) == 2);
  CHECK(h.rsv == 0x70);
  CHECK_FALSE(h.masked);
}

TEST_CASE("server headers are minimal and unmasked") {
  uint8_t out[10];
  CHECK(ws::write_header(out, ws::kText, 125) == 2);
  CHECK(out[0] == 0x81);
  CHECK(out[1] == 125);
  CHECK(ws::write_header(out, ws::kBinary, 126) == 4);
  CHECK(out[1] == 126);
  CHECK(out[2] == 0);
  CHECK(out[3] == 126);
  CHECK(ws::write_header(out, ws::kBinary, 65536) == 10);
  CHECK(out[1] == 127);
  CHECK(out[7] == 1);
}

TEST_CASE("unmask continues across pieces") {
  const uint8_t mask[4] = {0x37, 0xfa, 0x21, 0x3d};
  uint8_t data[] = {0x7f, 0x9f, 0x4d, 0x51, 0x58};  // RFC 6455 §5.7 "Hello"
  ws::unmask(data, 2, mask, 0);
  ws::unmask(data + 2, 3, mask, 2);
  CHECK(std::string(reinterpret_cast<char*>(data), 5) == "Hello");
}

TEST_CASE("close codes a peer may send") {
  for (int ok : {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999}) CHECK(ws::valid_close_code(static_cast<uint16_t>(ok)));
  for (int bad : {0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000}) CHECK_FALSE(ws::valid_close_code(static_cast<uint16_t>(bad)));
}
