#include "faxd/common/password_policy.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstddef>
#include <mutex>

#include <fmt/format.h>

extern "C" {
#include <crack.h>
}

#include <unistd.h>

namespace faxd {

namespace {

// Keyboard walks and very common passwords (or their cores) that cracklib's small dictionary does
// not hold. Compared against the core of the password (see password_problem).
constexpr std::array<std::string_view, 48> kCommon = {
    "123456",   "1234567890", "12345678",   "123456789", "qwerty",        "qwertyuiop", "qwertz",
    "azerty",   "asdfgh",     "asdfghjkl",  "zxcvbnm",   "1q2w3e4r",      "1qaz2wsx",   "qazwsx",
    "letmein",  "iloveyou",   "welcome",    "monkey",    "dragon",        "football",   "baseball",
    "sunshine", "princess",   "starwars",   "whatever",  "trustno",       "passw",      "password",
    "passwort", "contrasena", "motdepasse", "admin",     "administrator", "root",       "changeme",
    "secret",   "master",     "login",      "abc",       "abcdef",        "abcdefgh",   "qwe",
    "default",  "faxd",       "fax",        "guest",     "test",          "user"};

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Leetspeak undone: p@ssw0rd -> password, $ecr3t -> secret.
std::string unleet(std::string s) {
  for (auto& c : s) {
    switch (c) {
      case '@':
      case '4':
        c = 'a';
        break;
      case '0':
        c = 'o';
        break;
      case '1':
      case '!':
        c = 'i';
        break;
      case '3':
        c = 'e';
        break;
      case '$':
      case '5':
        c = 's';
        break;
      case '7':
        c = 't';
        break;
      default:
        break;
    }
  }
  return s;
}

// The password without the digits and symbols people add in front or behind to pass a rule.
std::string_view strip_affixes(std::string_view s) {
  auto alpha = [](char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; };
  const auto b = std::find_if(s.begin(), s.end(), alpha);
  if (b == s.end()) return s;  // no letters at all: judged as a whole
  const auto e = std::find_if(s.rbegin(), s.rend(), alpha).base();
  return s.substr(std::size_t(b - s.begin()), std::size_t(e - b));
}

// Only letters, for comparing "correct-horse" with "correcthorse".
std::string letters(std::string_view s) {
  std::string out;
  for (char c : s)
    if (std::isalnum(static_cast<unsigned char>(c))) out += c;
  return out;
}

std::mutex& crack_mutex() {
  static std::mutex m;  // cracklib's dictionary handle and buffers are static
  return m;
}

// cracklib's verdict, or nullopt when it is happy (or has no dictionary).
std::optional<std::string> cracklib_says(const std::string& pw, std::string_view username) {
  if (!password_dictionary_available()) return std::nullopt;
  const std::string user(username);
  std::lock_guard lock(crack_mutex());
  const char* why = FascistCheckUser(pw.c_str(), GetDefaultCracklibDict(), user.c_str(), nullptr);
  if (why == nullptr) return std::nullopt;
  return std::string(why);
}

bool is_common(const std::string& core) {
  return std::find(kCommon.begin(), kCommon.end(), core) != kCommon.end();
}

}  // namespace

bool password_dictionary_available() {
  const std::string base = GetDefaultCracklibDict();
  return ::access((base + ".pwd").c_str(), R_OK) == 0 &&
         ::access((base + ".pwi").c_str(), R_OK) == 0 &&
         ::access((base + ".hwm").c_str(), R_OK) == 0;
}

std::optional<std::string> password_problem(std::string_view password, std::string_view username) {
  if (password.size() < kMinPasswordLength)
    return fmt::format("password: at least {} characters", kMinPasswordLength);
  const std::string pw = lower(password);
  const std::string user = lower(username);
  if (!user.empty() &&
      (pw.find(user) != std::string::npos ||
       letters(pw).find(letters(user)) != std::string::npos) &&
      letters(user).size() >= 3)
    return std::string("password: must not contain the username");
  const std::string core = unleet(std::string(strip_affixes(pw)));
  const std::string core_letters = letters(core);
  // A password that is only repeats of a common core ("qwertyqwerty") is common too.
  auto only_repeats_of_common = [&] {
    for (std::size_t n = 1; n <= core_letters.size() / 2; ++n) {
      if (core_letters.size() % n != 0) continue;
      bool rep = true;
      for (std::size_t i = n; i < core_letters.size() && rep; ++i)
        rep = core_letters[i] == core_letters[i % n];
      if (rep) return true;
    }
    return false;
  };
  if (is_common(core) || is_common(core_letters) || only_repeats_of_common())
    return std::string("password: too common; choose a longer, less guessable one");
  if (auto why = cracklib_says(std::string(password), username))
    return fmt::format("password: too easy to guess ({})", *why);
  // The core alone (a dictionary word dressed up with digits or symbols) fails too. cracklib
  // judges short cores as "too short", which says nothing about the whole: only its dictionary
  // verdict counts here.
  if (core_letters.size() >= 6 && core != pw) {
    if (auto why = cracklib_says(core, username);
        why && why->find("dictionary") != std::string::npos)
      return std::string(
          "password: a dictionary word with digits or symbols added is too easy "
          "to guess");
  }
  return std::nullopt;
}

}  // namespace faxd
