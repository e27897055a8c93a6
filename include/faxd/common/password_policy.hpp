#pragma once
// The password policy every new password meets (users created or changed through the API, and the
// bootstrap admin unless the HTTP listener is on loopback): at least kMinPasswordLength
// characters, not the username (nor built from it), and not a common or dictionary password.
// "Common" is judged by Debian's cracklib (its dictionary under /var/cache/cracklib, package
// cracklib-runtime) on the password and on its core (lower case, leetspeak undone, leading and
// trailing digits and symbols stripped: "P@ssw0rd1234" is "password"), plus a short built-in list
// of keyboard walks and the most used passwords that cracklib's dictionary lacks.
//
// Threads: any. cracklib keeps static state, so its calls are serialised by a mutex inside.
#include <optional>
#include <string>
#include <string_view>

namespace faxd {

inline constexpr std::size_t kMinPasswordLength = 12;

// nullopt when the password is acceptable, else what is wrong, in words for the user
// ("password: at least 12 characters").
std::optional<std::string> password_problem(std::string_view password, std::string_view username);

// False when cracklib's dictionary cannot be read (the dictionary check is then skipped and the
// rest of the policy still applies); App logs it once at start.
bool password_dictionary_available();

}  // namespace faxd
