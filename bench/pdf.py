#!/usr/bin/env python
"""Benchmark of the printed documents: all certificates of the demo 2012 round against plain WeasyPrint.

    .venv/bin/python bench/pdf.py [--repeat 5]

Seeds the demo district on a throwaway SQLite database in a temporary folder (or DATABASE_URL when set),
then times, median of ``--repeat`` runs each:

- all certificates of the 2012 round (10 award records, one landscape page each) as the background
  document makes them: records read, template rendered, laid out, PDF written (``ROUND_CERTIFICATES``);
- in the same run, by turns with the above, WeasyPrint alone rendering a plain document of the same page
  count with the same fonts (a landscape page of the same Chinese text per certificate, no Django, no
  template, no frame): the ratio of the two is what the machinery costs over WeasyPrint;
- the whole request as civil affairs makes it (POST, generated and kept) once, and again when nothing
  changed (the kept file is served);
- the single documents: a project agreement, a framework agreement, a finalised score sheet and a
  dossier, each through its view as civil affairs.

Target (issue 14): all certificates of a round ≤ 5 s.
"""

import argparse
import gc
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QICAI_VAR_DIR", tempfile.mkdtemp(prefix="qicai-bench-pdf-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qicai.settings_test")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

MIB = 1024 * 1024
PLAIN_CSS = """
@page { size: A4 landscape; margin: 20mm; }
html { font-family: "Noto Serif CJK SC"; font-size: 15pt; line-height: 2; }
h1 { font-family: "Noto Serif CJK SC"; font-weight: 700; font-size: 44pt; text-align: center; }
h2 { font-family: "Noto Sans CJK SC"; font-weight: 700; font-size: 24pt; text-align: center; }
p.small { font-family: "Noto Sans CJK SC"; font-size: 11pt; }
section { break-after: page; }
"""


def timed(fn, repeat):
    samples, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), result


def interleaved(first, second, repeat):
    """Median times of ``first`` and ``second`` run by turns, so that a busy machine slows both alike."""
    samples: tuple[list, list] = ([], [])
    results = [None, None]
    for _ in range(repeat):
        for index, fn in enumerate((first, second)):
            start = time.perf_counter()
            results[index] = fn()
            samples[index].append(time.perf_counter() - start)
    return [(statistics.median(times), result) for times, result in zip(samples, results, strict=True)]


def plain_document(certificates) -> str:
    """The certificates' words on bare pages: what WeasyPrint alone makes of the same text and fonts."""
    pages = "".join(
        f"<section><h1>荣誉证书</h1><p class='small'>江城区 · {c.round_title}</p><p><b>{c.recipient}：</b></p>"
        f"<p>{c.body}</p><h2>{c.award}</h2><p>特发此证，以资鼓励。</p><p>{c.presenter}</p>"
        f"<p>二〇一三年九月十六日</p></section>"
        for c in certificates
    )
    return f"<html><head><meta charset='utf-8'><style>{PLAIN_CSS}</style></head><body>{pages}</body></html>"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    setup_test_environment()
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    # What seeding left in memory is frozen out of the garbage collector: a worker process does not hold it,
    # and the collections after each document would otherwise walk it.
    gc.collect()
    gc.freeze()

    from weasyprint import HTML

    from projects.models import Agreement, Evaluation, Project, Round
    from qicai import pdf
    from qicai.documents.certificates import ROUND_CERTIFICATES, certificate, certificate_records
    from qicai.models import GeneratedDocument

    round_ = Round.objects.get(year=2012)
    records = list(certificate_records(round_))

    def certificates_pdf():
        """As the worker makes them (qicai.documents.generated.document_generate), without storing the file."""
        document = ROUND_CERTIFICATES.render(round_, "", lambda pages: None)
        made = len(document.pages), pdf.write_pdf(document)
        del document
        pdf.release_memory()
        return made

    def plain_pdf():
        document = HTML(string=plain_document([certificate(r) for r in records])).render()
        made = len(document.pages), document.write_pdf()
        del document
        gc.collect()  # as release_memory does for ours
        return made

    certificates_pdf()  # warm up: imports, fontconfig, the fonts' first subsetting
    plain_pdf()
    (ours, (pages, data)), (plain, (plain_pages, plain_data)) = interleaved(certificates_pdf, plain_pdf, args.repeat)

    client = Client()
    client.force_login(django.contrib.auth.get_user_model().objects.get(username="civil"))
    url = f"/documents/rounds/{round_.year}/certificates/"
    start = time.perf_counter()
    response = client.post(url)
    first_request = time.perf_counter() - start
    assert response.status_code == 302, response.status_code
    document = GeneratedDocument.objects.latest("pk")
    start = time.perf_counter()
    client.post(url)
    download = client.get(f"/documents/generated/{document.pk}/download/")
    b"".join(download.streaming_content)
    kept_request = time.perf_counter() - start
    assert GeneratedDocument.objects.count() == 1

    print(f"database: {django.db.connection.vendor}; {len(records)} award records of the {round_.year} round")
    print(f"{'':44} {'median s':>9} {'pages':>6} {'KiB':>7}")
    print(f"{'all certificates of the round':44} {ours:9.2f} {pages:6d} {len(data) / 1024:7.0f}   target ≤ 5 s")
    print(f"{'plain WeasyPrint, same pages and fonts':44} {plain:9.2f} {plain_pages:6d} {len(plain_data) / 1024:7.0f}")
    print(f"{'ratio certificates ÷ plain':44} {ours / plain:9.2f}")
    print(f"{'the request, generated and kept (once)':44} {first_request:9.2f}")
    print(f"{'the request again, data unchanged + download':44} {kept_request:9.2f}")

    singles = {
        "project agreement": f"/documents/agreements/{Agreement.objects.get(number='QCXY-2013-001').pk}.pdf",
        "framework agreement": f"/documents/agreements/{Agreement.objects.get(number='QCKJ-2013').pk}.pdf",
        "score sheet (finalised, 3 experts)": "/documents/evaluations/"
        f"{Evaluation.objects.filter(status=Evaluation.Status.FINALISED).order_by('pk').first().pk}.pdf",
        "project dossier": f"/documents/projects/{Project.objects.get(code='QC-2013-001').code}.pdf",
    }
    for label, single in singles.items():
        seconds, response = timed(lambda single=single: client.get(single), args.repeat)
        assert response.status_code == 200, (single, response.status_code)
        size = len(response.content)
        print(f"{label:44} {seconds:9.2f} {pdf_pages(response.content):6d} {size / 1024:7.0f}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak RSS over the whole run (seeding included): {peak:.0f} MiB")


def pdf_pages(data: bytes) -> int:
    """The page count pdfinfo reads (the page objects sit in compressed streams)."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(data)
        handle.flush()
        info = subprocess.run(["pdfinfo", handle.name], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


if __name__ == "__main__":
    main()
