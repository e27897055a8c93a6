#include <gtest/gtest.h>

#include <spandsp.h>

#include "faxd/fax/t30_outcome.hpp"

namespace faxd::fax {
namespace {

TEST(T30Outcome, SuccessIsOk) {
  EXPECT_EQ(classify_t30_completion(T30_ERR_OK).group, T30Group::ok);
  EXPECT_FALSE(classify_t30_completion(T30_ERR_OK).retry);
}

TEST(T30Outcome, NoFaxTonesIsNotAFaxAndWorthARetry) {
  for (int code : {T30_ERR_T0_EXPIRED, T30_ERR_T1_EXPIRED, T30_ERR_CEDTONE}) {
    const auto o = classify_t30_completion(code);
    EXPECT_EQ(o.failure, FailureCode::not_a_fax) << code;
    EXPECT_TRUE(o.retry) << code;
  }
}

TEST(T30Outcome, TrainingFailuresRetryButIncompatibilityDoesNot) {
  for (int code : {T30_ERR_CANNOT_TRAIN, T30_ERR_TX_PHBDEAD, T30_ERR_TX_BADDCS}) {
    const auto o = classify_t30_completion(code);
    EXPECT_EQ(o.group, T30Group::training) << code;
    EXPECT_EQ(o.failure, FailureCode::negotiation_failed);
    EXPECT_TRUE(o.retry);
  }
  for (int code : {T30_ERR_INCOMPATIBLE, T30_ERR_RX_INCAPABLE, T30_ERR_NORESSUPPORT,
                   T30_ERR_NOSIZESUPPORT, T30_ERR_PWD_UNACCEPTABLE}) {
    const auto o = classify_t30_completion(code);
    EXPECT_EQ(o.group, T30Group::incompatible) << code;
    EXPECT_EQ(o.failure, FailureCode::negotiation_failed);
    EXPECT_FALSE(o.retry);
  }
}

TEST(T30Outcome, PageErrorsAndDroppedCallsAreTransferFailures) {
  for (int code : {T30_ERR_TX_PHDDEAD, T30_ERR_RX_T2EXPFAX, T30_ERR_RX_DCNDATA,
                   T30_ERR_RX_NOCARRIER, T30_ERR_RETRYDCN, T30_ERR_CALLDROPPED}) {
    const auto o = classify_t30_completion(code);
    EXPECT_EQ(o.failure, FailureCode::transfer_failed) << code;
    EXPECT_TRUE(o.retry) << code;
  }
  EXPECT_EQ(classify_t30_completion(T30_ERR_CALLDROPPED).group, T30Group::call_dropped);
}

TEST(T30Outcome, DocumentErrorsAreNotRetried) {
  for (int code : {T30_ERR_FILEERROR, T30_ERR_NOPAGE, T30_ERR_BADTIFF, T30_ERR_BADTIFFHDR}) {
    const auto o = classify_t30_completion(code);
    EXPECT_EQ(o.failure, FailureCode::document_invalid) << code;
    EXPECT_FALSE(o.retry);
  }
}

TEST(T30Outcome, EveryKnownCodeHasAGroupAndUnknownOnesAreInternal) {
  for (int code = T30_ERR_OK + 1; code <= T30_ERR_CSA_UNACCEPTABLE; ++code) {
    EXPECT_NE(classify_t30_completion(code).group, T30Group::other) << code;
  }
  const auto o = classify_t30_completion(9999);
  EXPECT_EQ(o.group, T30Group::other);
  EXPECT_EQ(o.failure, FailureCode::internal);
  EXPECT_FALSE(o.retry);
  EXPECT_EQ(to_string(T30Group::page_transfer), "page_transfer");
}

}  // namespace
}  // namespace faxd::fax
