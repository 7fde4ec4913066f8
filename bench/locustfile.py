"""Locust users for bench/load.py: signed-in demo users reading the portal and printing a document.

Each simulated user signs in through the portal's login page (with its CSRF token) as one of the demo
accounts, in turn, then reads: the dashboard (首页), the project directory (项目库), a project's dossier,
the admin's project changelist, and a printed document (the project agreement 协议书 as PDF, made in the
request). What a user may see differs by role; the links are found on the pages themselves, so each
user reads only what its scope offers. The sign-in and the look-around that finds the links are left out
of the figures. Run through bench/load.py, which starts and stops locust.
"""

import itertools
import os
import re
import threading

import requests
from locust import HttpUser, between, task

PASSWORD = os.environ.get("QICAI_DEMO_PASSWORD", "qicai-demo-2013")
ACCOUNTS = os.environ.get("QICAI_LOAD_ACCOUNTS", "civil,committee,association,unit,unit2").split(",")
WAIT_MIN = float(os.environ.get("QICAI_LOAD_WAIT_MIN", "0.5"))
WAIT_MAX = float(os.environ.get("QICAI_LOAD_WAIT_MAX", "1.5"))

_accounts = itertools.cycle(ACCOUNTS)
_lock = threading.Lock()
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PROJECT = re.compile(r'href="/projects/([^"/?]+)/"')
AGREEMENT = re.compile(r'href="/admin/projects/agreement/(\d+)/change/')


class DemoUser(HttpUser):
    wait_time = between(WAIT_MIN, WAIT_MAX)

    def setup_get(self, path):
        """A request of the sign-in and look-around: a plain session of its own, left out of the figures."""
        response = self.setup.get(self.host.rstrip("/") + path, timeout=120)
        response.raise_for_status()
        return response

    def on_start(self):
        with _lock:
            self.username = next(_accounts)
        self.setup = requests.Session()
        token = CSRF.search(self.setup_get("/accounts/login/").text).group(1)
        response = self.setup.post(
            self.host.rstrip("/") + "/accounts/login/",
            data={"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": self.host.rstrip("/") + "/accounts/login/"},
            allow_redirects=False,
            timeout=120,
        )
        if response.status_code != 302:  # counted as an error of its own, then this user gives up
            error = RuntimeError(f"login of {self.username} answered {response.status_code}")
            self.environment.events.request.fire(
                request_type="POST", name="login", response_time=0, response_length=0, exception=error, context={}
            )
            raise error
        self.projects = list(dict.fromkeys(PROJECT.findall(self.setup_get("/projects/").text)))[:20]
        # The agreements this user may see, printed as 协议书: those whose PDF the user may have.
        agreements = list(dict.fromkeys(AGREEMENT.findall(self.setup_get("/admin/projects/agreement/").text)))
        self.pdfs = []
        for pk in agreements[:6]:
            url = f"/documents/agreements/{pk}.pdf"
            response = self.setup.get(self.host.rstrip("/") + url, timeout=120)
            if response.status_code == 200 and response.content.startswith(b"%PDF"):
                self.pdfs.append(url)
            if len(self.pdfs) == 2:
                break
        self.turn = 0
        self.client.cookies.update(self.setup.cookies)  # the signed-in session, for the measured requests

    def next_of(self, items):
        self.turn += 1
        return items[self.turn % len(items)]

    @task(3)
    def dashboard(self):
        self.client.get("/", name="dashboard")

    @task(3)
    def directory(self):
        self.client.get("/projects/", name="directory")

    @task(3)
    def dossier(self):
        if self.projects:
            self.client.get(f"/projects/{self.next_of(self.projects)}/", name="dossier")

    @task(2)
    def changelist(self):
        self.client.get("/admin/projects/project/", name="changelist")

    @task(1)
    def pdf(self):
        if self.pdfs:
            with self.client.get(self.next_of(self.pdfs), name="pdf", catch_response=True) as response:
                if response.status_code == 200 and not response.content.startswith(b"%PDF"):
                    response.failure("not a PDF")
