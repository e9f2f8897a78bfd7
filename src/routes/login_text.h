// SPDX-License-Identifier: MIT
// login_text — the words of the login page, under code-server's i18n keys.
//
// English is built in; --locale picks one of the languages code-server's
// package carries (its out/node/i18n/locales/<locale>.json, read from the
// install portico found, never copied here), and --i18n a JSON file whose
// members are laid over either, as code-server's --i18n does.  "{{app}}" in
// a value is the app name, "{{configFile}}" the config file's path.  Everything is read once at start; the page is
// then filled from these strings with no further work.
#pragma once

#include <string>
#include <string_view>

namespace routes {

struct LoginText {
  enum Key : unsigned char {
    Title,           // LOGIN_TITLE "{{app}} login"
    Below,           // LOGIN_BELOW
    Welcome,         // WELCOME "Welcome to {{app}}"
    FromFile,        // LOGIN_PASSWORD: where the password is
    FromEnv,         // LOGIN_USING_ENV_PASSWORD
    FromHashedEnv,   // LOGIN_USING_HASHED_PASSWORD
    Submit,          // SUBMIT
    Placeholder,     // PASSWORD_PLACEHOLDER
    RateLimited,     // LOGIN_RATE_LIMIT
    Missing,         // MISS_PASSWORD
    Incorrect,       // INCORRECT_PASSWORD
    kCount
  };
  static const char* const kNames[kCount];   // code-server's keys, in Key order

  LoginText();   // English
  // Lays the members of a JSON object of strings over the current words;
  // members with other names are ignored, as i18next ignores them.  False
  // with `why` when the text is not such an object (nothing is applied then).
  bool merge(std::string_view json, std::string* why);
  // Reads `path` and merges it.  False with `why`, naming the file.
  bool merge_file(const std::string& path, std::string* why);
  // Puts the app name where a value says {{app}}, and the config file's
  // path where it says {{configFile}}; called once, last.
  void settle(std::string_view app, std::string_view config_file);

  std::string_view operator[](Key k) const { return words[k]; }
  std::string words[kCount];
};

}  // namespace routes
