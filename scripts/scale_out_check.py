"""What scripts/scale-out-trial.sh checks through the load balancer (run by it, with its environment).

Signs in once as a demo user, reads pages until both app servers have answered on the same session, has
a round's certificates made in the background and downloads them, and says which task worker made them.
"""

import json
import os
import re
import sys
import time
from collections import Counter
from pathlib import Path

import django
import requests

BASE, TRIAL = sys.argv[1].rstrip("/"), Path(sys.argv[2])
ONE_LEFT = sys.argv[3:] == ["--one-left"]  # the second phase: app server 1 has been stopped
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qicai.settings")
django.setup()
from django.conf import settings  # noqa: E402
from django_tasks_db.models import DBTaskResult  # noqa: E402

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def check(condition, message):
    print(("ok   " if condition else "FAIL ") + message, flush=True)
    if not condition:
        sys.exit(1)


session = requests.Session()
if ONE_LEFT:
    session.cookies.update(json.loads((TRIAL / "cookies.json").read_text()))
    seen, retried = Counter(), 0
    for _ in range(10):
        response = session.get(f"{BASE}/projects/", allow_redirects=False)
        tried = response.headers["X-Upstream"].split(", ")  # nginx lists each server it tried
        check(response.status_code == 200, f"GET /projects/ {response.status_code} after trying {tried}")
        seen[tried[-1]] += 1
        retried += len(tried) > 1
    check(
        len(seen) == 1,
        f"app server 1 stopped: the same session goes on, answered by {dict(seen)} "
        f"({retried} requests first tried the stopped server, then passed on by nginx)",
    )
    sys.exit(0)
page = session.get(f"{BASE}/accounts/login/")
token = CSRF.search(page.text).group(1)
answer = session.post(
    f"{BASE}/accounts/login/",
    data={"username": "civil", "password": settings.QICAI_DEMO_PASSWORD, "csrfmiddlewaretoken": token},
    headers={"Referer": f"{BASE}/accounts/login/"},
    allow_redirects=False,
)
check(answer.status_code == 302, f"signed in as civil through the balancer ({answer.headers.get('X-Upstream')})")

upstreams = Counter()
for _ in range(20):
    for path in ("/", "/projects/", "/admin/projects/project/"):
        response = session.get(BASE + path, allow_redirects=False)
        check(response.status_code == 200, f"GET {path} {response.status_code} from {response.headers['X-Upstream']}")
        upstreams[response.headers["X-Upstream"]] += 1
check(len(upstreams) == 2, f"one session, both app servers answered: {dict(upstreams)}")

for year in range(2010, 2031):
    page = session.get(f"{BASE}/documents/rounds/{year}/certificates/")
    if page.status_code == 200 and "生成 PDF" in page.text:
        break
else:
    check(False, "a round with certificates to print")
token = CSRF.search(page.text).group(1)
started = time.monotonic()
answer = session.post(
    f"{BASE}/documents/rounds/{year}/certificates/",
    data={"csrfmiddlewaretoken": token},
    headers={"Referer": f"{BASE}/documents/rounds/{year}/certificates/"},
    allow_redirects=False,
)
check(answer.status_code == 302, f"asked for the {year} certificates via {answer.headers['X-Upstream']}")
status_url = BASE + answer.headers["Location"]
download = status_url.rstrip("/") + "/download/"
while time.monotonic() - started < 300:
    status = session.get(status_url)
    if download.removeprefix(BASE) in status.text:
        break
    time.sleep(1)
pdf = session.get(download)
check(
    pdf.status_code == 200 and pdf.content.startswith(b"%PDF"),
    f"downloaded {len(pdf.content)} bytes of PDF "
    f"via {pdf.headers['X-Upstream']} after {time.monotonic() - started:.1f} s",
)
task = DBTaskResult.objects.filter(task_path__contains="document").order_by("-enqueued_at").first()
workers = {n: (TRIAL / f"worker{n}.log").read_text() for n in (1, 2)}
made_by = [n for n, log in workers.items() if task and any(w in log for w in task.worker_ids)]
check(
    task is not None and task.status == "SUCCESSFUL" and len(made_by) == 1,
    f"the task was run by worker {made_by} (worker id {task.worker_ids if task else None})",
)
(TRIAL / "cookies.json").write_text(json.dumps(session.cookies.get_dict()))
print("scale-out trial passed (both app servers up)")
