"""`faxd convert`: the real binary turns uploads into TIFF-F and fax TIFFs into PDFs, and refuses
bad documents with a message and exit status 1."""
import os
import re
import shutil
import struct
import subprocess
import tempfile
import unittest

from harness import FAXD_BIN, SHARED_DIR

CORPUS = os.path.join(SHARED_DIR, "corpus")


def faxd_convert(*args):
    return subprocess.run([FAXD_BIN, "convert", *args], capture_output=True, text=True, timeout=300)


def tiff_pages(path):
    """Each IFD's tags we care about: {tag: first value}. Stdlib-only TIFF reader."""
    with open(path, "rb") as f:
        data = f.read()
    end = "<" if data[:2] == b"II" else ">"
    (offset,) = struct.unpack(end + "I", data[4:8])
    sizes = {1: 1, 3: 2, 4: 4, 5: 8}
    pages = []
    while offset:
        (count,) = struct.unpack(end + "H", data[offset:offset + 2])
        tags = {}
        for i in range(count):
            entry = data[offset + 2 + 12 * i: offset + 14 + 12 * i]
            tag, typ, n = struct.unpack(end + "HHI", entry[:8])
            if typ == 5:  # RATIONAL, stored elsewhere
                (at,) = struct.unpack(end + "I", entry[8:12])
                num, den = struct.unpack(end + "II", data[at:at + 8])
                tags[tag] = num / den
            elif typ == 3:
                tags[tag] = struct.unpack(end + "H", entry[8:10])[0]
            elif typ == 4:
                tags[tag] = struct.unpack(end + "I", entry[8:12])[0]
            elif sizes.get(typ, 0) * n <= 4:
                tags[tag] = entry[8]
        pages.append(tags)
        (offset,) = struct.unpack(end + "I", data[offset + 2 + 12 * count: offset + 6 + 12 * count])
    return pages


def minimal_pdf(pages):
    """A valid PDF with `pages` A4 pages (0 gives a document without pages)."""
    objs = ["<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [%s] /Count %d >>" % (" ".join("%d 0 R" % (3 + i) for i in range(pages)), pages)]
    objs += ["<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"] * pages
    out = b"%PDF-1.4\n"
    offsets = []
    for i, body in enumerate(objs):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (i + 1, body.encode())
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return out


class ConvertTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="faxd-convert-")
        if not os.path.exists(os.path.join(CORPUS, "pdf", "letter10.pdf")):
            self.skipTest("shared corpus not found")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.dir, name)

    def write(self, name, data):
        with open(self.path(name), "wb") as f:
            f.write(data)
        return self.path(name)

    def assert_refused(self, name, data, message):
        src = self.write(name, data)
        r = faxd_convert(src, self.path("out.tiff"))
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn(message, r.stderr)
        self.assertFalse(os.path.exists(self.path("out.tiff")))

    def test_pdf_to_fine_and_standard_tiff_f(self):
        for quality, y_res, lines in (("fine", 196, 2292), ("standard", 98, 1146)):
            out = self.path(f"letter-{quality}.tiff")
            r = faxd_convert(os.path.join(CORPUS, "pdf", "letter10.pdf"), out, "--quality", quality)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("10 pages", r.stdout)
            pages = tiff_pages(out)
            self.assertEqual(len(pages), 10)
            for p in pages:
                self.assertEqual(p[256], 1728)       # ImageWidth
                self.assertEqual(p[257], lines)      # ImageLength: A4
                self.assertEqual(p[258], 1)          # BitsPerSample
                self.assertEqual(p[259], 4)          # Compression: CCITT T.6
                self.assertEqual(p[266], 1)          # FillOrder
                self.assertEqual(p[296], 2)          # ResolutionUnit: inch
                self.assertAlmostEqual(p[282], 204)  # XResolution
                self.assertAlmostEqual(p[283], y_res)

    def test_several_documents_join_in_order(self):
        out = self.path("joined.tiff")
        r = faxd_convert(os.path.join(CORPUS, "tiff", "one-page-g4-204x196.tiff"),
                         os.path.join(CORPUS, "pdf", "mixed10.pdf"), out)
        self.assertEqual(r.returncode, 0, r.stderr)
        pages = tiff_pages(out)
        self.assertEqual(len(pages), 11)
        self.assertEqual(pages[0][257], 2156)  # the Letter-size fax page first
        self.assertEqual(pages[1][257], 2292)

    def test_standard_tiff_to_pdf_keeps_page_shape(self):
        tiff = self.path("std.tiff")
        self.assertEqual(faxd_convert(os.path.join(CORPUS, "pdf", "letter10.pdf"), tiff,
                                      "--quality", "standard").returncode, 0)
        pdf = self.path("std.pdf")
        r = faxd_convert(tiff, pdf)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(pdf, "rb") as f:
            body = f.read().decode("latin-1")
        boxes = re.findall(r"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", body)
        self.assertEqual(len(boxes), 10)
        w, h = map(float, boxes[0])
        self.assertAlmostEqual(h / w, 842 / 610, delta=0.01)  # A4 on a fax-width page
        self.assertIn("/CCITTFaxDecode", body)

    def test_g4_tiff_to_pdf(self):
        pdf = self.path("fax.pdf")
        r = faxd_convert(os.path.join(CORPUS, "tiff", "one-page-g4-204x196.tiff"), pdf)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(pdf, "rb") as f:
            self.assertTrue(f.read().startswith(b"%PDF-"))

    def test_bad_documents(self):
        with open(os.path.join(CORPUS, "pdf", "letter10.pdf"), "rb") as f:
            letter = f.read()
        self.assert_refused("empty.pdf", b"", "the file is empty")
        self.assert_refused("image.pdf", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "not a PDF or TIFF document (it is a PNG image)")
        self.assert_refused("cut.pdf", letter[: len(letter) // 2], "truncated")
        self.assert_refused("none.pdf", minimal_pdf(0), "the document has no pages")
        self.assert_refused("junk.pdf", b"%PDF-1.5\n" + os.urandom(30000) + b"\n%%EOF\n", "damaged")

    def test_encrypted_pdf(self):
        qpdf = shutil.which("qpdf")
        if not qpdf:
            self.skipTest("qpdf not installed")
        plain = self.write("plain.pdf", minimal_pdf(1))
        locked = self.path("locked.pdf")
        subprocess.run([qpdf, "--encrypt", "user-pw", "owner-pw", "256", "--", plain, locked], check=True)
        r = faxd_convert(locked, self.path("out.tiff"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("encrypted", r.stderr)

    def test_usage_errors_exit_2(self):
        self.assertEqual(faxd_convert("only-one-argument.pdf").returncode, 2)
        self.assertEqual(faxd_convert("a.pdf", "b.tiff", "--quality", "superfine").returncode, 2)
        self.assertEqual(faxd_convert("a.pdf", "b.docx").returncode, 2)


if __name__ == "__main__":
    unittest.main()
