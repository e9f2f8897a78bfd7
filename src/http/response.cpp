// SPDX-License-Identifier: MIT
#include "http/response.h"

#include <unistd.h>

#include "base/log.h"
#include "http/status.h"

namespace http {

void Response::begin(int status) {
  status_ = status;
  size_t cap = 0;
  char* p = conn_.out_space(&cap);
  w_ = base::Writer(p, p != nullptr ? cap : 0);
  w_.put("HTTP/1.1 ");
  w_.put_u64(static_cast<uint64_t>(status));
  w_.put(' ');
  w_.put(reason(status));
  w_.put("\r\nServer: portico\r\nDate: ");
  w_.put(clock_.http_date());
  w_.put("\r\n");
}

void Response::header(std::string_view name, std::string_view value) {
  w_.put(name);
  w_.put(": ");
  w_.put(value);
  w_.put("\r\n");
}

bool Response::end_head(std::string_view content_type, size_t length) {
  bool bodyless = status_ == 204 || status_ == 304 || status_ < 200;
  if (!content_type.empty() && !bodyless) header("Content-Type", content_type);
  if (!bodyless) {
    w_.put("Content-Length: ");
    w_.put_u64(length);
    w_.put("\r\n");
  }
  // Browsers must not guess a type for anything portico serves.
  w_.put("X-Content-Type-Options: nosniff\r\n");
  if (!keep_alive_) w_.put("Connection: close\r\n");
  else if (http10_) w_.put("Connection: keep-alive\r\n");  // else a 1.0 client waits for the close
  w_.put("\r\n");
  return !bodyless && !head_only_;
}

void Response::send(std::string_view content_type, std::string_view body, Body kind) {
  if (!end_head(content_type, body.size())) body = {};
  if (kind == Body::Copy) w_.put(body);
  if (!w_.ok()) return overflow();
  conn_.out_commit(w_.size());
  if (kind == Body::Static && !body.empty()) conn_.set_tail(body.data(), body.size());
  sent_ = true;
}

void Response::send_file(std::string_view content_type, int fd, size_t off, size_t len) {
  bool with_body = end_head(content_type, len);
  if (!w_.ok()) {
    ::close(fd);
    return overflow();
  }
  conn_.out_commit(w_.size());
  if (with_body && len > 0) conn_.set_file(fd, off, len);
  else ::close(fd);
  sent_ = true;
}

// The head or a copied body did not fit the output chunk: a programming error
// (bodies that can be large are Static).  Answer 500 and close rather than
// send a truncated response.
void Response::overflow() {
  base::logf(base::Level::Error, "conn %llu: response %d does not fit the output buffer",
             static_cast<unsigned long long>(conn_.id()), status_);
  size_t cap = 0;
  char* p = conn_.out_space(&cap);
  base::Writer w(p, p != nullptr ? cap : 0);
  w.put("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  if (w.ok()) conn_.out_commit(w.size());
  keep_alive_ = false;
  status_ = 500;
  sent_ = true;
}

}  // namespace http
