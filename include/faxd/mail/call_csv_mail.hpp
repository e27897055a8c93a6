#pragma once
// The mail of a scheduled call CSV (outbox kind "call_csv"): the calls of the report's period
// and scope as a CSV attachment (store/call_csv.hpp), with a one-line summary. A CSV larger
// than `max_attachment_bytes` is not attached; the text says how to fetch it from the API.
//
// Threads: the composer runs on the outbox worker (blocking store reads).
#include <cstddef>

#include "faxd/mail/outbox_worker.hpp"
#include "faxd/store/call_csv_schedule_repo.hpp"
#include "faxd/store/call_repo.hpp"

namespace faxd::mail {

MailComposer call_csv_composer(store::CallCsvScheduleRepo& schedules, store::CallRepo& calls,
                               std::size_t max_attachment_bytes = 20u << 20);

}  // namespace faxd::mail
