// SPDX-License-Identifier: MIT
#include "routes/login_text.h"

#include <cerrno>
#include <cstring>

#include "base/fs.h"
#include "routes/form.h"

namespace routes {

const char* const LoginText::kNames[kCount] = {
    "LOGIN_TITLE", "LOGIN_BELOW", "WELCOME", "LOGIN_PASSWORD", "LOGIN_USING_ENV_PASSWORD",
    "LOGIN_USING_HASHED_PASSWORD", "SUBMIT", "PASSWORD_PLACEHOLDER", "LOGIN_RATE_LIMIT", "MISS_PASSWORD",
    "INCORRECT_PASSWORD",
};

LoginText::LoginText()
    : words{"{{app}} login",
            "Please log in below.",
            "Welcome to {{app}}",
            "Check the config file at {{configFile}} for the password.",
            "Password was set from $PASSWORD.",
            "Password was set from $HASHED_PASSWORD.",
            "SUBMIT",
            "PASSWORD",
            "Login rate limited!",
            "Missing password",
            "Incorrect password"} {}

bool LoginText::merge(std::string_view json, std::string* why) {
  std::string next[kCount];
  bool given[kCount] = {};
  JsonMembers m(json);
  std::string_view key, raw;
  while (m.next(&key, &raw)) {
    for (int k = 0; k < kCount; k++) {
      if (key != kNames[k]) continue;
      char buf[1024];
      size_t n;
      if (!json_string(raw, buf, sizeof buf, &n)) return *why = std::string(key) + ": not a string of at most 1 KiB", false;
      next[k].assign(buf, n);
      given[k] = true;
    }
  }
  if (!m.ok()) return *why = "not a JSON object", false;
  for (int k = 0; k < kCount; k++) {
    if (given[k]) words[k] = std::move(next[k]);
  }
  return true;
}

bool LoginText::merge_file(const std::string& path, std::string* why) {
  std::string text;
  if (!base::read_small(path, 1 << 16, &text, base::Links::Follow)) return *why = path + ": " + base::read_error(), false;
  if (!merge(text, why)) return *why = path + ": " + *why, false;
  return true;
}

void LoginText::settle(std::string_view app, std::string_view config_file) {
  struct Slot {
    std::string_view name, value;
  };
  for (const Slot& s : {Slot{"{{app}}", app}, Slot{"{{configFile}}", config_file}}) {
    for (std::string& w : words) {
      for (size_t at = w.find(s.name); at != std::string::npos; at = w.find(s.name, at + s.value.size())) {
        w.replace(at, s.name.size(), s.value);
      }
    }
  }
}

}  // namespace routes
