#include <gtest/gtest.h>

#include "faxd/http/multipart.hpp"

using namespace faxd;
using namespace faxd::http;

namespace {

using namespace std::string_literals;

// A ""s literal keeps the NUL byte inside the file's data.
const std::string kBody =
    "preamble\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"to\"\r\n\r\n"
    "+34910000002\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"file\"; filename=\"a \\\"b\\\".pdf\"\r\n"
    "Content-Type: application/pdf\r\n\r\n"
    "%PDF-1.4\r\n\r\nbinary\x00\xff--Xy\r\n"
    "--XyZ--\r\n"s;

TEST(Multipart, SplitsFieldsAndFilesKeepingBinaryData) {
  auto b = multipart_boundary("multipart/form-data; boundary=XyZ");
  ASSERT_TRUE(b);
  auto parts = parse_multipart(std::string_view(kBody.data(), kBody.size()), *b);
  ASSERT_TRUE(parts) << parts.error().message;
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].name, "to");
  EXPECT_EQ((*parts)[0].data, "+34910000002");
  EXPECT_EQ((*parts)[1].filename, "a \"b\".pdf");
  EXPECT_EQ((*parts)[1].content_type, "application/pdf");
  EXPECT_EQ((*parts)[1].data, std::string_view("%PDF-1.4\r\n\r\nbinary\x00\xff--Xy", 24));
}

TEST(Multipart, QuotedBoundaryAndCaseInsensitiveHeaders) {
  auto b = multipart_boundary("Multipart/Form-Data; charset=utf-8; boundary=\"a b\"");
  ASSERT_TRUE(b);
  EXPECT_EQ(*b, "a b");
  auto parts =
      parse_multipart("--a b\r\ncontent-disposition: form-data; name=x\r\n\r\n1\r\n--a b--", *b);
  ASSERT_TRUE(parts);
  EXPECT_EQ((*parts)[0].name, "x");
}

TEST(Multipart, MalformedBodiesAreClearErrors) {
  EXPECT_FALSE(multipart_boundary("application/json"));
  EXPECT_FALSE(multipart_boundary("multipart/form-data"));
  EXPECT_FALSE(parse_multipart("no delimiter here", "B"));
  EXPECT_FALSE(
      parse_multipart("--B\r\nContent-Disposition: form-data; name=x\r\n\r\nunterminated", "B"));
  EXPECT_FALSE(parse_multipart("--B\r\nContent-Disposition: form-data; name=x", "B"));
  EXPECT_FALSE(parse_multipart("--B\r\nX: y\r\n\r\nv\r\n--B--", "B")) << "no field name";
  std::string many;
  for (int i = 0; i < 10; ++i) many += "--B\r\nContent-Disposition: form-data; name=f\r\n\r\nv\r\n";
  many += "--B--";
  auto r = parse_multipart(many, "B", 5);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::too_large);
}

}  // namespace
