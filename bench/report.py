#!/usr/bin/env python
"""Benchmark of the annual summary report (年度总结报告) against plain WeasyPrint.

    .venv/bin/python bench/report.py [--repeat 3]

Seeds the demo district on a throwaway SQLite database (or DATABASE_URL), then, each case in a fresh
process so that its peak memory is its own:

- the 2013 report (the seeded 60-project round) as the background worker makes it: figures read,
  charts drawn, template rendered, laid out, PDF written (``ANNUAL_REPORT.render`` + ``pdf.write_pdf``);
- a synthetic round of 1,000 running projects (copies of the 2013 projects, with their money) the same way;
- for each, WeasyPrint alone rendering a plain document of the same page count with the same fonts
  (headings and a ruled table of Chinese text, no Django, no charts): the ratio is what the report's
  reads, charts and template cost over WeasyPrint.

Targets (issue 14): 60 projects ≤ 6 s and ratio ≤ 1.3; 1,000 projects ≤ 60 s and ≤ 1 GiB.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024
PLAIN_CSS = """
@page { size: A4; margin: 26mm 22mm 22mm 26mm; @bottom-center { content: counter(page); } }
html { font-family: "Noto Serif CJK SC"; font-size: 10.5pt; line-height: 1.65; }
h2 { font-family: "Noto Sans CJK SC"; font-weight: 700; font-size: 13pt; }
table { border-collapse: collapse; width: 100%; font-family: "Noto Sans CJK SC"; font-size: 8.5pt; }
td { border: 0.6pt solid #000; padding: 1.3mm 2mm; }
"""
ROW = (
    "<tr><td>QC-2013-{n:03d}</td><td>江城社区阳光驿站社区矫正帮扶项目</td>"
    "<td>江城区阳光社会工作服务中心</td><td>20,000.00</td><td>实施中</td></tr>"
)


def setup():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qicai.settings_test")
    import django

    django.setup()


def seed(var_dir: str, projects: int) -> None:
    """The demo, and for a large case a round of ``projects`` running projects copied from 2013's."""
    setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    if projects > 60:
        import datetime
        from decimal import Decimal

        from projects.models import Project, Round

        base = Round.objects.get(year=2013)
        big = Round.objects.create(
            year=2015,
            title="2015年度七彩工程（基准测试）",
            status=Round.Status.IN_PROGRESS,
            budget=Decimal("20000000.00"),
            launch_date=datetime.date(2015, 3, 1),
            period_start=datetime.date(2015, 5, 1),
            period_end=datetime.date(2016, 4, 30),
        )
        originals = list(Project.objects.filter(round=base).order_by("sequence"))
        copies = []
        for n in range(projects):
            original = originals[n % len(originals)]
            fields = {
                f.attname: getattr(original, f.attname)
                for f in Project._meta.concrete_fields
                if f.attname not in {"id", "code", "sequence", "round_id", "start_date", "end_date"}
            }
            copies.append(
                Project(
                    **fields,
                    round=big,
                    sequence=n + 1,
                    code=f"QC-2015-{n + 1:04d}",
                    start_date=datetime.date(2015, 5, 1),
                    end_date=datetime.date(2016, 4, 30),
                )
            )
        Project.objects.bulk_create(copies, batch_size=500)


def measure(case: str, year: int, repeat: int) -> dict:
    """One case in this process: the report's median time, pages, size; the plain document's."""
    setup()
    import gc

    from weasyprint import HTML

    from projects.models import Round
    from qicai import pdf
    from qicai.documents.report import ANNUAL_REPORT

    round_ = Round.objects.get(year=year)

    def report():
        document = ANNUAL_REPORT.render(round_, "", lambda pages: None)
        made = len(document.pages), pdf.write_pdf(document)
        del document
        pdf.release_memory()
        return made

    def plain(pages: int):
        rows_per_page = 30
        body = "".join(
            f"<h2>第{p + 1}页</h2><table>{''.join(ROW.format(n=p * rows_per_page + r) for r in range(24))}</table>"
            f"<div style='break-after: page'></div>"
            for p in range(pages)
        )
        html = f"<html><head><meta charset='utf-8'><style>{PLAIN_CSS}</style></head><body>{body}</body></html>"
        document = HTML(string=html).render()
        made = len(document.pages), document.write_pdf()
        del document
        gc.collect()
        return made

    pages, data = report()  # warm up (and the page count the plain document copies)
    plain(pages)
    ours, theirs = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        pages, data = report()
        ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        plain_pages, _ = plain(pages)
        theirs.append(time.perf_counter() - start)
    return {
        "case": case,
        "seconds": statistics.median(ours),
        "plain": statistics.median(theirs),
        "pages": pages,
        "plain_pages": plain_pages,
        "kib": len(data) / 1024,
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", nargs=3, metavar=("CASE", "YEAR", "VAR_DIR"), help=argparse.SUPPRESS)
    parser.add_argument("--seed", nargs=2, metavar=("VAR_DIR", "PROJECTS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed:
        os.environ["QICAI_VAR_DIR"] = args.seed[0]
        seed(args.seed[0], int(args.seed[1]))
        return
    if args.child:
        case, year, var_dir = args.child
        os.environ["QICAI_VAR_DIR"] = var_dir
        print(json.dumps(measure(case, int(year), args.repeat)))
        return

    results = []
    for case, year, projects in (("60 projects (2013)", 2013, 60), ("1,000 projects", 2015, 1000)):
        var_dir = tempfile.mkdtemp(prefix="qicai-bench-report-")
        subprocess.run([sys.executable, __file__, "--seed", var_dir, str(projects)], check=True)
        out = subprocess.run(
            [sys.executable, __file__, "--child", case, str(year), var_dir, "--repeat", str(args.repeat)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        results.append(json.loads(out.strip().splitlines()[-1]))

    print(f"{'annual report':24} {'median s':>9} {'pages':>6} {'KiB':>7} {'plain s':>8} {'ratio':>6} {'peak MiB':>9}")
    for r in results:
        print(
            f"{r['case']:24} {r['seconds']:9.2f} {r['pages']:6d} {r['kib']:7.0f} {r['plain']:8.2f} "
            f"{r['seconds'] / r['plain']:6.2f} {r['peak_mib']:9.0f}"
        )
    print("targets: 60 projects ≤ 6 s, ratio ≤ 1.3; 1,000 projects ≤ 60 s and ≤ 1 GiB (peak of the measuring process)")


if __name__ == "__main__":
    main()
