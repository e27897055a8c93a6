"""Parses a message with Python's standard email package (the way a mail client would) and
prints what a user would see as JSON: subject, from, to, date, body text, attachments
(filename, content type, SHA-256 of the decoded bytes, size).

usage: parse_mime.py FILE
"""
import email
import email.policy
import hashlib
import json
import sys

with open(sys.argv[1], "rb") as f:
    msg = email.message_from_bytes(f.read(), policy=email.policy.default)
out = {"subject": str(msg["subject"]), "from": str(msg["from"]), "to": str(msg["to"]),
       "date": str(msg["date"]), "message_id": str(msg["message-id"]),
       "content_type": msg.get_content_type(), "defects": len(msg.defects), "attachments": []}
body = msg.get_body(preferencelist=("plain",))
out["text"] = body.get_content() if body is not None else None
for part in msg.iter_attachments():
    data = part.get_payload(decode=True)
    out["attachments"].append({"filename": part.get_filename(),
                               "content_type": part.get_content_type(),
                               "sha256": hashlib.sha256(data).hexdigest(), "size": len(data),
                               "defects": len(part.defects)})
print(json.dumps(out))
