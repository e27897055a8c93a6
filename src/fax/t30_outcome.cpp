#include "faxd/fax/t30_outcome.hpp"

#include <spandsp.h>

namespace faxd::fax {

namespace {

T30Group group_of(int code) noexcept {
  switch (code) {
    case T30_ERR_OK:
      return T30Group::ok;
    case T30_ERR_CEDTONE:
    case T30_ERR_T0_EXPIRED:
    case T30_ERR_T1_EXPIRED:
      return T30Group::no_fax_tones;
    case T30_ERR_HDLC_CARRIER:
    case T30_ERR_CANNOT_TRAIN:
    case T30_ERR_TX_BADDCS:
    case T30_ERR_TX_GOTDCN:
    case T30_ERR_TX_NODIS:
    case T30_ERR_TX_PHBDEAD:
    case T30_ERR_RX_GOTDCS:
    case T30_ERR_RX_DCNWHY:
      return T30Group::training;
    case T30_ERR_OPER_INT_FAIL:
    case T30_ERR_INCOMPATIBLE:
    case T30_ERR_RX_INCAPABLE:
    case T30_ERR_TX_INCAPABLE:
    case T30_ERR_NORESSUPPORT:
    case T30_ERR_NOSIZESUPPORT:
    case T30_ERR_NOPOLL:
    case T30_ERR_IDENT_UNACCEPTABLE:
    case T30_ERR_SUB_UNACCEPTABLE:
    case T30_ERR_SEP_UNACCEPTABLE:
    case T30_ERR_PSA_UNACCEPTABLE:
    case T30_ERR_SID_UNACCEPTABLE:
    case T30_ERR_PWD_UNACCEPTABLE:
    case T30_ERR_TSA_UNACCEPTABLE:
    case T30_ERR_IRA_UNACCEPTABLE:
    case T30_ERR_CIA_UNACCEPTABLE:
    case T30_ERR_ISP_UNACCEPTABLE:
    case T30_ERR_CSA_UNACCEPTABLE:
      return T30Group::incompatible;
    case T30_ERR_T3_EXPIRED:
    case T30_ERR_UNEXPECTED:
    case T30_ERR_TX_BADPG:
    case T30_ERR_TX_ECMPHD:
    case T30_ERR_TX_INVALRSP:
    case T30_ERR_TX_PHDDEAD:
    case T30_ERR_TX_T5EXP:
    case T30_ERR_RX_ECMPHD:
    case T30_ERR_RX_INVALCMD:
    case T30_ERR_RX_NOCARRIER:
    case T30_ERR_RX_NOEOL:
    case T30_ERR_RX_NOFAX:
    case T30_ERR_RX_T2EXPDCN:
    case T30_ERR_RX_T2EXPD:
    case T30_ERR_RX_T2EXPFAX:
    case T30_ERR_RX_T2EXPMPS:
    case T30_ERR_RX_T2EXPRR:
    case T30_ERR_RX_T2EXP:
    case T30_ERR_RX_DCNDATA:
    case T30_ERR_RX_DCNFAX:
    case T30_ERR_RX_DCNPHD:
    case T30_ERR_RX_DCNRRD:
    case T30_ERR_RX_DCNNORTN:
    case T30_ERR_RETRYDCN:
      return T30Group::page_transfer;
    case T30_ERR_CALLDROPPED:
      return T30Group::call_dropped;
    case T30_ERR_FILEERROR:
    case T30_ERR_NOPAGE:
    case T30_ERR_BADTIFF:
    case T30_ERR_BADPAGE:
    case T30_ERR_BADTAG:
    case T30_ERR_BADTIFFHDR:
      return T30Group::document;
    case T30_ERR_NOMEM:
      return T30Group::resource;
    default:
      return T30Group::other;
  }
}

FailureCode failure_of(T30Group group) noexcept {
  switch (group) {
    case T30Group::no_fax_tones:
      return FailureCode::not_a_fax;
    case T30Group::training:
    case T30Group::incompatible:
      return FailureCode::negotiation_failed;
    case T30Group::page_transfer:
    case T30Group::call_dropped:
      return FailureCode::transfer_failed;
    case T30Group::document:
      return FailureCode::document_invalid;
    case T30Group::ok:
    case T30Group::resource:
    case T30Group::other:
      break;
  }
  return FailureCode::internal;
}

}  // namespace

bool retry_makes_sense(T30Group group) noexcept {
  switch (group) {
    case T30Group::no_fax_tones:
    case T30Group::training:
    case T30Group::page_transfer:
    case T30Group::call_dropped:
    case T30Group::resource:
      return true;
    case T30Group::ok:
    case T30Group::incompatible:
    case T30Group::document:
    case T30Group::other:
      return false;
  }
  return false;
}

T30Outcome classify_t30_completion(int completion_code) noexcept {
  const T30Group group = group_of(completion_code);
  return {group, failure_of(group), retry_makes_sense(group)};
}

std::string_view to_string(T30Group group) noexcept {
  switch (group) {
    case T30Group::ok:
      return "ok";
    case T30Group::no_fax_tones:
      return "no_fax_tones";
    case T30Group::training:
      return "training";
    case T30Group::incompatible:
      return "incompatible";
    case T30Group::page_transfer:
      return "page_transfer";
    case T30Group::call_dropped:
      return "call_dropped";
    case T30Group::document:
      return "document";
    case T30Group::resource:
      return "resource";
    case T30Group::other:
      return "other";
  }
  return "other";
}

}  // namespace faxd::fax
