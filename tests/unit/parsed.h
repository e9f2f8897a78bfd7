// SPDX-License-Identifier: MIT
// Parsed — a request as the server sees it, through the real parser, for
// tests of what looks at requests.  Not copyable: the request points into it.
#pragma once

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "http/parser.h"
#include "http/request.h"

class Parsed {
 public:
  explicit Parsed(std::string raw) : buf_(std::move(raw)), table_(limits_.max_headers) {
    parser_.init(&limits_, table_.data());
    REQUIRE(parser_.execute(buf_.data(), buf_.size()) == http::Parser::Event::Head);
    REQUIRE(http::make_request(buf_.data(), &parser_.head(), parser_.table(), "", &req_) == 0);
  }
  Parsed(const Parsed&) = delete;
  Parsed& operator=(const Parsed&) = delete;
  const http::Request& req() const { return req_; }

 private:
  std::string buf_;
  http::Limits limits_;
  std::vector<http::Header> table_;
  http::Parser parser_;
  http::Request req_;
};
