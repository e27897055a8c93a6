"""Tenants, users and the configuration API against a real faxd over HTTP.

The scope matrix is generated: every role (platform admin, brand admin of B1, company admin of
C11, user of C11) against every resource and verb, on objects in the caller's own company (C11),
another company of the same brand (C12) and a company of another brand (C21). The expected
outcome comes from the small model of api.md's rules below, not from the server.
"""
import itertools
import http.client
import json
import unittest

from harness import FaxdTestCase

ROLES = ("platform_admin", "brand_admin", "company_admin", "user")
RANK = {r: i for i, r in enumerate(reversed(ROLES))}  # user 0 .. platform_admin 3
LOCS = ("B1C1", "B1C2", "B2C1")  # own company, sibling company, other brand
PASSWORD = "correct-horse-1"

# Which roles may read a collection, create in it, and change (PATCH/DELETE) what they see.
READ = {"brands": {"platform_admin", "brand_admin"},
        "companies": {"platform_admin", "brand_admin", "company_admin"},
        "users": {"platform_admin", "brand_admin", "company_admin"},
        "carriers": {"platform_admin", "brand_admin"},
        "routes": {"platform_admin", "brand_admin"},
        "ddis": {"platform_admin", "brand_admin", "company_admin"},
        "virtual-faxes": set(ROLES)}
CREATE = {"brands": {"platform_admin"},
          "companies": {"platform_admin", "brand_admin"},
          "users": {"platform_admin", "brand_admin", "company_admin"},
          "carriers": {"platform_admin", "brand_admin"},
          "routes": {"platform_admin", "brand_admin"},
          "ddis": {"platform_admin", "brand_admin"},
          "virtual-faxes": {"platform_admin", "brand_admin", "company_admin"}}
# A brand admin may patch its own brand (its mail language; the matrix's patch keeps the name):
# renaming and switching a brand stay the platform admin's (brand_admin_cannot_rename_a_brand).
PATCH = dict(CREATE, ddis={"platform_admin", "brand_admin", "company_admin"},
             brands={"platform_admin", "brand_admin"})
DELETE = CREATE
COMPANY_LEVEL = {"companies", "users", "ddis", "virtual-faxes"}


def in_scope(role, resource, loc):
    """Would `role` administer an object of `resource` living at `loc`?"""
    if role == "platform_admin":
        return True
    if role == "brand_admin":
        return loc.startswith("B1")
    if role == "company_admin":
        return resource in COMPANY_LEVEL and loc == "B1C1"
    return False


def visible(role, resource, loc, linked=False):
    if resource == "virtual-faxes" and role == "user":
        return linked
    return role in READ[resource] and in_scope(role, resource, loc)


class World:
    """Two brands with two companies each, and one of everything in every company."""

    def __init__(self, d):
        self.d = d
        self.admin = d.login()
        self.serial = itertools.count(100)
        self.brand = {}
        self.company = {}
        self.carrier = {}
        self.vfax = {}
        for b in ("B1", "B2"):
            self.brand[b] = self.post("/brands", {"name": f"brand {b}"})["id"]
            self.carrier[b] = self.make_carrier(b)
            for c in ("C1", "C2"):
                self.company[b + c] = self.post("/companies", {"brand_id": self.brand[b],
                                                              "name": f"company {b}{c}"})["id"]
                self.vfax[b + c] = self.make_vfax(b + c)
        self.tokens = {"platform_admin": self.admin}
        self.users = {}
        for role, body in (("brand_admin", {"brand_id": self.brand["B1"]}),
                           ("company_admin", {"company_id": self.company["B1C1"]}),
                           ("user", {"company_id": self.company["B1C1"],
                                     "virtual_fax_ids": [self.vfax["B1C1"]]})):
            u = self.post("/users", dict(body, username=role, password=PASSWORD, role=role))
            self.users[role] = u
            self.tokens[role] = d.login(role, PASSWORD)

    def post(self, path, body, token=None):
        return self.d.api("POST", path, body, token=token or self.admin, expect=201)

    def n(self):
        return next(self.serial)

    def make_carrier(self, brand):
        return self.post("/carriers", {"brand_id": self.brand[brand], "name": f"carrier {self.n()}",
                                       "host": "192.0.2.10", "password": "trunk-secret"})["id"]

    def make_vfax(self, loc):
        return self.post("/virtual-faxes", {"company_id": self.company[loc],
                                            "name": f"fax {self.n()}"})["id"]

    def body(self, resource, loc):
        """A valid creation body for an object at `loc`."""
        b, c = loc[:2], loc
        n = self.n()
        return {"brands": {"name": f"brand {n}"},
                "companies": {"brand_id": self.brand[b], "name": f"company {n}"},
                "users": {"username": f"user{n}", "password": PASSWORD, "role": "user",
                          "company_id": self.company[c]},
                "carriers": {"brand_id": self.brand[b], "name": f"carrier {n}", "host": "sip.example.net"},
                "routes": {"brand_id": self.brand[b], "prefix": "+49", "carrier_id": self.carrier[b]},
                "ddis": {"brand_id": self.brand[b], "company_id": self.company[c],
                         "number": f"+4930555{n:04d}"},
                "virtual-faxes": {"company_id": self.company[c], "name": f"fax {n}"}}[resource]

    def make(self, resource, loc):
        return self.post("/" + resource, self.body(resource, loc))

    PATCHES = {"brands": lambda o: {"name": o["name"]},
               "companies": lambda o: {"language": "de"},
               "users": lambda o: {"username": o["username"]},
               "carriers": lambda o: {"port": 5070},
               "routes": lambda o: {"weight": 3},
               "ddis": lambda o: {"virtual_fax_id": None},
               "virtual-faxes": lambda o: {"header": "ACME fax"}}


class ScopeMatrix(FaxdTestCase):
    @classmethod
    def setUpClass(cls):
        from harness import Faxd
        cls.d = Faxd(name="tenancy").start()
        cls.w = World(cls.d)

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()

    def call(self, role, method, path, body=None):
        status, _, data = self.d.request(method, "/api/v1" + path, body, token=self.w.tokens[role])
        return status, (json.loads(data) if data else None)

    def test_matrix(self):
        w = self.w
        checked = 0
        for resource, role, loc in itertools.product(READ, ROLES, LOCS):
            if resource == "brands" and loc == "B1C2":
                continue  # brands have no company part
            # Brands and companies are the tenants themselves: read and patch the fixtures
            # (B1 is the brand admin's own brand, C11 the company admin's own company) and
            # delete fresh ones, which are nobody's own.
            tenant = resource in ("brands", "companies")
            if tenant:
                fixture_id = w.brand[loc[:2]] if resource == "brands" else w.company[loc]
                obj = w.d.api("GET", f"/{resource}/{fixture_id}", token=w.admin)
            else:
                obj = w.make(resource, loc)
            linked = False
            if resource == "virtual-faxes" and role == "user" and loc == "B1C1":
                w.d.api("PATCH", f"/users/{w.users['user']['id']}",
                        {"virtual_fax_ids": [w.vfax["B1C1"], obj["id"]]}, token=w.admin)
                linked = True
            sees = visible(role, resource, loc, linked)
            where = f"{role} on {resource} at {loc}"
            with self.subTest(verb="GET", case=where):
                status, body = self.call(role, "GET", f"/{resource}/{obj['id']}")
                self.assertEqual(status, 200 if sees else 404, body)
                if not sees:
                    self.assertEqual(body["error"]["code"], "not_found")
            with self.subTest(verb="LIST", case=where):
                status, body = self.call(role, "GET", f"/{resource}?limit=500")
                if role not in READ[resource]:
                    self.assertEqual(status, 403, body)
                else:
                    self.assertEqual(status, 200, body)
                    self.assertEqual(obj["id"] in [o["id"] for o in body["data"]], sees)
            with self.subTest(verb="PATCH", case=where):
                status, body = self.call(role, "PATCH", f"/{resource}/{obj['id']}",
                                         World.PATCHES[resource](obj))
                self.assertEqual(status, (200 if role in PATCH[resource] else 403) if sees else 404, body)
            if tenant and sees and role in DELETE[resource]:
                # Deleting a fixture would only conflict (it is in use): use a fresh one.
                eff = "B3" if resource == "brands" else loc[:2] + "C9"
                obj = w.make(resource, loc)
                sees = role == "platform_admin" or (resource == "companies" and visible(role, resource, eff))
            with self.subTest(verb="DELETE", case=where):
                status, body = self.call(role, "DELETE", f"/{resource}/{obj['id']}")
                expect = (204 if role in DELETE[resource] else 403) if sees else 404
                self.assertEqual(status, expect, body)
                still = w.d.request("GET", f"/api/v1/{resource}/{obj['id']}", token=w.admin)[0]
                self.assertEqual(still, 404 if expect == 204 else 200)
            with self.subTest(verb="POST", case=where):
                status, body = self.call(role, "POST", f"/{resource}", w.body(resource, loc))
                if role not in CREATE[resource]:
                    self.assertEqual(status, 403, body)
                elif in_scope(role, resource, loc):
                    self.assertEqual(status, 201, body)
                else:
                    # A brand or company outside the caller's scope reads as missing.
                    self.assertEqual(status, 422, body)
                    self.assertIn(body["error"]["field"], ("brand_id", "company_id"))
            checked += 5
        self.assertGreaterEqual(checked, 5 * 7 * 4 * 3 - 5 * 4)

    def test_nobody_creates_or_makes_a_user_more_powerful_than_themselves(self):
        w = self.w
        cases = [("brand_admin", {"role": "platform_admin"}, 403),
                 ("company_admin", {"role": "brand_admin", "brand_id": w.brand["B1"]}, 403),
                 ("user", {"role": "user", "company_id": w.company["B1C1"]}, 403),
                 ("brand_admin", {"role": "brand_admin"}, 201),
                 ("company_admin", {"role": "company_admin"}, 201)]
        for role, extra, expect in cases:
            with self.subTest(role=role, extra=extra):
                status, body = self.call(role, "POST", "/users",
                                         dict(extra, username=f"p{w.n()}", password=PASSWORD))
                self.assertEqual(status, expect, body)
        u = w.post("/users", {"username": f"p{w.n()}", "password": PASSWORD, "role": "user",
                              "company_id": w.company["B1C1"]})
        status, _ = self.call("company_admin", "PATCH", f"/users/{u['id']}", {"role": "brand_admin"})
        self.assertEqual(status, 403)
        status, body = self.call("company_admin", "PATCH", f"/users/{u['id']}", {"role": "company_admin"})
        self.assertEqual((status, body["role"]), (200, "company_admin"))
        me = w.users["company_admin"]["id"]
        self.assertEqual(self.call("company_admin", "PATCH", f"/users/{me}", {"role": "user"})[0], 403)
        self.assertEqual(self.call("company_admin", "DELETE", f"/users/{me}")[0], 403)
        # Everyone may change their own password, with the current one (POST /me/password);
        # PATCH on oneself does not take a password without it.
        status, _ = self.call("user", "PATCH", f"/users/{w.users['user']['id']}",
                              {"password": PASSWORD})
        self.assertEqual(status, 403)
        status, _ = self.call("user", "POST", "/me/password",
                              {"current_password": PASSWORD, "new_password": PASSWORD + "-b"})
        self.assertEqual(status, 204)
        status, _ = self.call("user", "POST", "/me/password",
                              {"current_password": PASSWORD + "-b", "new_password": PASSWORD})
        self.assertEqual(status, 204)


class Validation(FaxdTestCase):
    """One daemon for all: every test makes its own objects (names from World.n())."""

    @classmethod
    def setUpClass(cls):
        from harness import Faxd
        cls.d = Faxd(name="tenancy-validation").start()
        cls.w = World(cls.d)

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()

    def refused(self, method, path, body, field, status=422, token=None):
        s, _, data = self.d.request(method, "/api/v1" + path, body, token=token or self.w.admin)
        err = json.loads(data)["error"]
        self.assertEqual(s, status, err)
        self.assertEqual(err.get("field"), field, err)
        self.assertTrue(err["message"].startswith(field), err)
        return err

    def test_bad_fields_are_refused_naming_the_field(self):
        w = self.w
        b1, c11 = w.brand["B1"], w.company["B1C1"]
        self.refused("POST", "/ddis", {"brand_id": b1, "number": "030 1234"}, "number")
        self.refused("POST", "/ddis", {"brand_id": b1, "number": "+0301234"}, "number")
        self.refused("POST", "/virtual-faxes", {"company_id": c11, "name": "x", "email": "no-at-sign"}, "email")
        self.refused("POST", "/virtual-faxes", {"company_id": c11, "name": "y", "send_by_email": True}, "email")
        self.refused("POST", "/carriers", {"brand_id": b1, "name": "k", "host": "h.example", "port": 70000}, "port")
        self.refused("POST", "/carriers", {"brand_id": b1, "name": "k", "host": "bad host"}, "host")
        self.refused("POST", "/carriers", {"brand_id": b1, "name": "k", "host": "h", "transport": "sctp"}, "transport")
        self.refused("POST", "/routes", {"brand_id": b1, "carrier_id": w.carrier["B1"], "weight": 0}, "weight")
        self.refused("POST", "/routes", {"brand_id": b1, "carrier_id": w.carrier["B1"], "prefix": "49a"}, "prefix")
        self.refused("POST", "/companies", {"brand_id": b1, "name": "tz", "timezone": "Mars/Base"}, "timezone")
        self.refused("POST", "/users", {"username": "short", "password": "123", "role": "user",
                                        "company_id": c11}, "password")
        self.refused("POST", "/brands", {"name": "x", "colour": "red"}, "colour")
        self.refused("POST", "/brands", {}, "name")
        # References must exist and be in the same tenant (another brand's reads as missing).
        self.refused("POST", "/routes", {"brand_id": b1, "carrier_id": w.carrier["B2"]}, "carrier_id")
        self.refused("POST", "/ddis", {"brand_id": b1, "number": "+15550001", "company_id": w.company["B2C1"]}, "company_id")
        self.refused("POST", "/virtual-faxes", {"company_id": c11, "name": "z",
                                                "outgoing_ddi_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV"}, "outgoing_ddi_id")
        self.refused("POST", "/users", {"username": "linked", "password": PASSWORD, "role": "user",
                                        "company_id": c11, "virtual_fax_ids": [w.vfax["B1C2"]]}, "virtual_fax_ids")
        self.refused("GET", "/carriers?limit=501", None, "limit")
        self.refused("GET", "/carriers?cursor=../../etc", None, "cursor")
        # Names unique where api.md says so: 409 conflict.
        taken = f"taken {w.n()}"
        w.post("/virtual-faxes", {"company_id": c11, "name": taken})
        self.refused("POST", "/virtual-faxes", {"company_id": c11, "name": taken}, "name", 409)
        w.post("/virtual-faxes", {"company_id": w.company["B1C2"], "name": taken})  # other company: fine

    def test_deleting_what_is_in_use_is_a_conflict(self):
        w = self.w
        ddi = w.post("/ddis", {"brand_id": w.brand["B1"], "company_id": w.company["B1C1"], "number": "+4930111"})
        vf = w.post("/virtual-faxes", {"company_id": w.company["B1C1"], "name": "out",
                                       "outgoing_ddi_id": ddi["id"]})
        w.post("/routes", {"brand_id": w.brand["B1"], "carrier_id": w.carrier["B1"]})
        for path in (f"/ddis/{ddi['id']}", f"/carriers/{w.carrier['B1']}", f"/companies/{w.company['B1C1']}",
                     f"/brands/{w.brand['B1']}"):
            with self.subTest(path=path):
                status, _, data = self.d.request("DELETE", "/api/v1" + path, token=w.admin)
                self.assertEqual(status, 409, data)
                self.assertEqual(json.loads(data)["error"]["code"], "conflict")
        self.d.api("PATCH", f"/virtual-faxes/{vf['id']}", {"outgoing_ddi_id": None}, token=w.admin)
        self.d.api("DELETE", f"/ddis/{ddi['id']}", token=w.admin, expect=204)

    def test_write_only_secrets_are_never_returned(self):
        w = self.w
        k = w.post("/carriers", {"brand_id": w.brand["B1"], "name": "secret", "host": "h.example",
                                 "username": "trunk", "password": "s3cret-trunk-pw"})
        u = w.post("/users", {"username": "pwuser", "password": "s3cret-user-pw", "role": "user",
                              "company_id": w.company["B1C1"]})
        for path in ("/carriers", f"/carriers/{k['id']}", "/users", f"/users/{u['id']}"):
            _, _, data = self.d.request("GET", "/api/v1" + path, token=w.admin)
            self.assertNotIn(b"s3cret", data)
            self.assertNotIn(b"argon2", data)
        self.assertTrue(k["has_password"])
        self.assertNotIn("password", k)
        self.assertNotIn("password", u)

    def test_company_admin_routes_its_ddis_and_nothing_more(self):
        w = self.w
        ddi = w.post("/ddis", {"brand_id": w.brand["B1"], "company_id": w.company["B1C1"], "number": "+4930222"})
        ca = w.tokens["company_admin"]
        routed = self.d.api("PATCH", f"/ddis/{ddi['id']}", {"virtual_fax_id": w.vfax["B1C1"]}, token=ca)
        self.assertEqual(routed["virtual_fax_id"], w.vfax["B1C1"])
        self.refused("PATCH", f"/ddis/{ddi['id']}", {"virtual_fax_id": w.vfax["B1C2"]}, "virtual_fax_id", token=ca)
        s, _, _ = self.d.request("PATCH", f"/api/v1/ddis/{ddi['id']}",
                                 {"company_id": w.company["B1C2"]}, token=ca)
        self.assertEqual(s, 403)
        # The brand admin moves it to the sibling company: that unroutes it.
        moved = self.d.api("PATCH", f"/ddis/{ddi['id']}", {"company_id": w.company["B1C2"]},
                           token=w.tokens["brand_admin"])
        self.assertEqual((moved["company_id"], moved["virtual_fax_id"]), (w.company["B1C2"], None))
        s, _, _ = self.d.request("GET", f"/api/v1/ddis/{ddi['id']}", token=ca)
        self.assertEqual(s, 404)

    def test_brand_admin_cannot_rename_a_brand(self):
        w = self.w
        ba = w.tokens["brand_admin"]
        for change in ({"name": "renamed by its admin"}, {"enabled": False}):
            s, body, _ = self.d.request("PATCH", f"/api/v1/brands/{w.brand['B1']}", change, token=ba)
            self.assertEqual(s, 403, body)
        # Its mail language is its own to set.
        brand = self.d.api("PATCH", f"/brands/{w.brand['B1']}", {"language": "es"}, token=ba)
        self.assertEqual((brand["name"], brand["language"], brand["enabled"]), ("brand B1", "es", True))

    def test_lists_page_with_limit_and_cursor(self):
        w = self.w
        made = [w.post("/ddis", {"brand_id": w.brand["B2"], "number": f"+1555000{i:04d}"})["id"]
                for i in range(7)]
        seen, cursor = [], None
        while True:
            page = self.d.api("GET", "/ddis?limit=3" + (f"&cursor={cursor}" if cursor else ""), token=w.admin)
            self.assertLessEqual(len(page["data"]), 3)
            seen += [o["id"] for o in page["data"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        self.assertEqual(len(seen), len(set(seen)), "no object twice")
        self.assertEqual([i for i in seen if i in made], made)

    def test_api_tokens_act_for_their_owner_until_deleted(self):
        w = self.w
        t = self.d.api("POST", "/tokens", {"name": "script"}, token=w.tokens["user"])
        self.assertTrue(t["token"].startswith("fxd_"))
        self.assertEqual(self.d.api("GET", "/me", token=t["token"])["username"], "user")
        listed = self.d.api("GET", "/tokens", token=w.tokens["user"])["data"]
        self.assertEqual([x["name"] for x in listed], ["script"])
        self.assertNotIn("token", listed[0])
        self.assertEqual(self.d.request("DELETE", f"/api/v1/tokens/{t['id']}", token=w.admin)[0], 404)
        self.d.api("DELETE", f"/tokens/{t['id']}", token=w.tokens["user"], expect=204)
        self.assertEqual(self.d.request("GET", "/api/v1/me", token=t["token"])[0], 401)

    def test_repeated_failed_logins_are_throttled(self):
        victim = f"victim{self.w.n()}"
        self.w.post("/users", {"username": victim, "password": PASSWORD, "role": "user",
                               "company_id": self.w.company["B1C1"]})
        for _ in range(3):
            s, _, _ = self.d.request("POST", "/api/v1/login", {"username": victim, "password": "wrong"})
            self.assertEqual(s, 401)
        # The guessing address waits, whatever it sends next...
        s, headers, data = self.d.request("POST", "/api/v1/login", {"username": victim, "password": PASSWORD})
        self.assertEqual(s, 429, data)
        self.assertGreater(int(headers["retry-after"]), 0)
        self.assertEqual(json.loads(data)["error"]["code"], "too_many_attempts")
        # ... but the user, from another address, is not locked out; nor are other users.
        conn = http.client.HTTPConnection("127.0.0.1", self.d.http_port, timeout=30,
                                          source_address=("127.0.0.2", 0))
        conn.request("POST", "/api/v1/login", body=json.dumps({"username": victim, "password": PASSWORD}),
                     headers={"Content-Type": "application/json"})
        self.assertEqual(conn.getresponse().status, 200)
        conn.close()
        self.assertTrue(self.d.login("brand_admin", PASSWORD))


if __name__ == "__main__":
    unittest.main()
