"""Provisions a tenant through the REST API, as an admin would: brand, company, company admin,
carrier, fax route, DDI and virtual fax. Returns the ids and a company-admin token."""
import itertools
import os
import time

_seq = itertools.count(1)


def provision(d, carrier_host="127.0.0.1", carrier_port=5060, t38=True, ddi="+15550001000",
              email="", send_by_email=False, outgoing_ddi=None, company_default_ddi=True,
              country=None):
    """company_default_ddi: the company's default outgoing DDI (its caller id when the virtual
    fax has none) is its receiving DDI, as most offices have it; False leaves it unset.
    country: the company's country (ISO 3166 alpha-2) for national numbers."""
    admin = d.login()
    n = next(_seq)
    brand = d.api("POST", "/brands", {"name": f"Brand {n} {os.getpid()}"}, token=admin)
    company_body = {"brand_id": brand["id"], "name": f"Company {n}",
                    "timezone": "Europe/Madrid", "language": "es"}
    if country:
        company_body["country"] = country
    company = d.api("POST", "/companies", company_body, token=admin)
    user = f"ca{n}x{os.getpid()}"
    d.api("POST", "/users", {"username": user, "password": "company-pass-1",
                             "role": "company_admin", "brand_id": brand["id"],
                             "company_id": company["id"]}, token=admin)
    carrier = d.api("POST", "/carriers", {"brand_id": brand["id"], "name": f"Peer {n}",
                                          "host": carrier_host, "port": carrier_port,
                                          "transport": "udp", "t38": t38}, token=admin)
    route = d.api("POST", "/routes", {"brand_id": brand["id"], "type": "fax", "prefix": "",
                                      "carrier_id": carrier["id"], "priority": 1, "weight": 1}, token=admin)
    ddis = {}
    for number in [ddi] + ([outgoing_ddi] if outgoing_ddi else []):
        ddis[number] = d.api("POST", "/ddis", {"brand_id": brand["id"], "company_id": company["id"],
                                                "number": number}, token=admin)
    if company_default_ddi:
        company = d.api("PATCH", f"/companies/{company['id']}",
                        {"default_outgoing_ddi_id": ddis[ddi]["id"]}, token=admin)
    token = d.login(user, "company-pass-1")
    vfax_body = {"company_id": company["id"], "name": f"Fax {n}", "email": email,
                 "send_by_email": send_by_email}
    if outgoing_ddi:
        vfax_body["outgoing_ddi_id"] = ddis[outgoing_ddi]["id"]
    vfax = d.api("POST", "/virtual-faxes", vfax_body, token=token)
    d.api("PATCH", f"/ddis/{ddis[ddi]['id']}", {"virtual_fax_id": vfax["id"]}, token=token)
    return {"brand": brand, "company": company, "carrier": carrier, "route": route,
            "ddi": ddis[ddi], "vfax": vfax, "token": token, "admin": admin}


def multipart(fields, files):
    """(body, content_type) for fields {name: value} and files [(name, filename, bytes, type)]."""
    boundary = "faxdtestboundary7MA4YWxkTrZu0gW"
    out = []
    for k, v in fields.items():
        out.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode())
    for name, filename, data, ctype in files:
        out.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                   f'filename="{filename}"\r\nContent-Type: {ctype}\r\n\r\n'.encode() + data + b"\r\n")
    out.append(f"--{boundary}--\r\n".encode())
    return b"".join(out), f"multipart/form-data; boundary={boundary}"


def send_fax(d, token, vfax_id, to, pdf_path, quality="standard", expect=202, headers=None):
    with open(pdf_path, "rb") as f:
        data = f.read()
    body, ctype = multipart({"virtual_fax_id": vfax_id, "to": to, "quality": quality},
                            [("file", os.path.basename(pdf_path), data, "application/pdf")])
    hdrs = {"Content-Type": ctype, **(headers or {})}
    return d.api("POST", "/faxes", body, token=token, expect=expect, headers=hdrs)


def wait_for(d, token, fax_id, statuses, timeout=240):
    deadline = time.monotonic() + timeout
    fax = None
    while time.monotonic() < deadline:
        fax = d.api("GET", f"/faxes/{fax_id}", token=token)
        if fax["status"] in statuses:
            return fax
        time.sleep(0.5)
    raise AssertionError(f"fax {fax_id} still {fax and fax['status']} after {timeout}s")


def inbox(d, token, direction="inbound"):
    return d.api("GET", f"/faxes?direction={direction}", token=token)["data"]
