#include "faxd/numbers/phone_number.hpp"

#include <gtest/gtest.h>

namespace faxd::numbers {
namespace {

std::string e164(std::string_view typed, std::string_view country) {
  auto r = to_e164(typed, country);
  return r ? *r : "error: " + r.error().message;
}

TEST(ToE164, NationalNumbersAsPeopleTypeThem) {
  EXPECT_EQ(e164("910000002", "ES"), "+34910000002");
  EXPECT_EQ(e164("91 000 00 02", "ES"), "+34910000002");
  EXPECT_EQ(e164(" 910-000-002 ", "ES"), "+34910000002");
  EXPECT_EQ(e164("030 123456", "DE"), "+4930123456");
  EXPECT_EQ(e164("(212) 555-1234", "US"), "+12125551234");
}

TEST(ToE164, InternationalFormsWhateverTheCountry) {
  EXPECT_EQ(e164("+34910000002", "DE"), "+34910000002");
  EXPECT_EQ(e164("+34 (91) 000-0002", ""), "+34910000002");
  EXPECT_EQ(e164("0049 30 123456", "ES"), "+4930123456");  // Spain's international prefix
  EXPECT_EQ(e164("011 49 30 123456", "US"), "+4930123456");
  EXPECT_EQ(e164("+15550002000", ""), "+15550002000");  // ranges are not checked
}

TEST(ToE164, RefusesWhatCannotBeANumberOfItsCountry) {
  EXPECT_FALSE(to_e164("12", "ES"));
  EXPECT_NE(e164("12", "ES").find("too short for a number of ES"), std::string::npos);
  EXPECT_NE(e164("9100000021234", "ES").find("too long for a number of ES"), std::string::npos);
  EXPECT_FALSE(to_e164("+999123456", ""));
  EXPECT_FALSE(to_e164("+0301234", ""));
  EXPECT_FALSE(to_e164("+33123456", ""));  // France has 9-digit numbers
  EXPECT_FALSE(to_e164("", "ES"));
  EXPECT_FALSE(to_e164("1-800-FLOWERS", "US"));
  EXPECT_FALSE(to_e164("910000002 ext. 12", "ES"));
  EXPECT_FALSE(to_e164("910000002", "XX"));
  EXPECT_NE(e164("910000002", "").find("needs a country"), std::string::npos);
}

TEST(Countries, KnowsIsoRegionCodesOnly) {
  EXPECT_TRUE(is_country("ES"));
  EXPECT_TRUE(is_country("US"));
  EXPECT_FALSE(is_country("es"));
  EXPECT_FALSE(is_country("EU"));
  EXPECT_FALSE(is_country("001"));
  EXPECT_GT(countries().size(), 200u);
  EXPECT_TRUE(std::is_sorted(countries().begin(), countries().end()));
}

TEST(ForCarrier, EachNumberFormat) {
  EXPECT_EQ(for_carrier("+34910000002", DialFormat::e164, "ES"), "+34910000002");
  EXPECT_EQ(for_carrier("+34910000002", DialFormat::e164_digits, "ES"), "34910000002");
  EXPECT_EQ(for_carrier("+34910000002", DialFormat::national, "ES"), "910000002");
  EXPECT_EQ(for_carrier("+4930123456", DialFormat::national, "DE"), "030123456");
  // A number abroad goes out with the carrier country's international prefix.
  EXPECT_EQ(for_carrier("+4930123456", DialFormat::national, "ES"), "004930123456");
  EXPECT_EQ(for_carrier("+4930123456", DialFormat::national, "US"), "0114930123456");
  // No country: national cannot be told, digits are the closest.
  EXPECT_EQ(for_carrier("+34910000002", DialFormat::national, ""), "34910000002");
}

TEST(FromCarrier, ReadsWithTheCarriersCountry) {
  EXPECT_EQ(from_carrier("910000002", "ES"), "+34910000002");
  EXPECT_EQ(from_carrier("34910000002", "ES"), "+34910000002");
  EXPECT_EQ(from_carrier("+34910000002", "ES"), "+34910000002");
  EXPECT_EQ(from_carrier("0034910000002", "ES"), "+34910000002");
  EXPECT_EQ(from_carrier("tel:+34910000002", "ES"), "+34910000002");
  EXPECT_EQ(from_carrier("030123456", "DE"), "+4930123456");
  // A foreign number in digits that is no number of the country keeps the old rule.
  EXPECT_EQ(from_carrier("15550001000", "ES"), "+15550001000");
}

TEST(FromCarrier, WithoutCountryDigitsGetAPlus) {
  EXPECT_EQ(from_carrier("34910000002", ""), "+34910000002");
  EXPECT_EQ(from_carrier("0034910000002", ""), "+34910000002");
  EXPECT_EQ(from_carrier("+34910000002", ""), "+34910000002");
  EXPECT_EQ(from_carrier("anonymous", "ES"), std::nullopt);
  EXPECT_EQ(from_carrier("", "ES"), std::nullopt);
}

TEST(Display, InternationalFormatAndCountry) {
  EXPECT_EQ(display("+34910000002"), "+34 910 00 00 02");
  EXPECT_EQ(country_of("+34910000002"), "ES");
  EXPECT_EQ(country_of("+4930123456"), "DE");
  EXPECT_EQ(display("garbage"), "garbage");
}

TEST(SipUriUser, EscapesTheHashOfATechPrefixOnly) {
  EXPECT_EQ(sip_uri_user("1234#910000002"), "1234%23910000002");
  EXPECT_EQ(sip_uri_user("#31#+34910000002"), "%2331%23+34910000002");
  EXPECT_EQ(sip_uri_user("*99+34910000002"), "*99+34910000002");
}

}  // namespace
}  // namespace faxd::numbers
