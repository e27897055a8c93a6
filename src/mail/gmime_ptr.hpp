#pragma once
// Owners for GMime (GObject) handles: g_object_unref when they go away. Private to src/mail.
#include <memory>

#include <gmime/gmime.h>

namespace faxd::mail::detail {

struct GObjectUnref {
  void operator()(void* object) const noexcept {
    if (object != nullptr) g_object_unref(object);
  }
};

template <class T>
using GPtr = std::unique_ptr<T, GObjectUnref>;

// Takes over a reference the caller already holds (a *_new() result).
template <class T>
GPtr<T> adopt(T* object) noexcept {
  return GPtr<T>(object);
}

struct FormatOptionsFree {
  void operator()(GMimeFormatOptions* o) const noexcept { g_mime_format_options_free(o); }
};
using FormatOptionsPtr = std::unique_ptr<GMimeFormatOptions, FormatOptionsFree>;

}  // namespace faxd::mail::detail
