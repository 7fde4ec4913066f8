"""Locust users for bench/load.py: signed-in demo users reading the portal and printing a document.

bench/load.py signs the users in before locust starts (through the portal's login page, with its CSRF
token; one session per simulated user, the demo accounts in turn) and finds what each account may read:
its projects (项目库) and the agreements it may print (协议书). It passes them in the JSON file named by
QICAI_LOAD_SESSIONS. Each simulated user takes the next session and reads, with a short pause between
requests: the dashboard (首页), the project directory, a project's dossier, the admin's project
changelist, and a printed agreement (PDF, made in the request). So the measured time holds only these.
"""

import itertools
import json
import os
import threading

from locust import HttpUser, between, task

WAIT_MIN = float(os.environ.get("QICAI_LOAD_WAIT_MIN", "0.5"))
WAIT_MAX = float(os.environ.get("QICAI_LOAD_WAIT_MAX", "1.5"))

with open(os.environ["QICAI_LOAD_SESSIONS"]) as handle:
    SESSIONS = json.load(handle)
_sessions = itertools.cycle(SESSIONS)
_lock = threading.Lock()


class DemoUser(HttpUser):
    wait_time = between(WAIT_MIN, WAIT_MAX)

    def on_start(self):
        with _lock:
            session = next(_sessions)
        self.client.cookies.update(session["cookies"])
        self.projects = session["projects"]
        self.pdfs = session["pdfs"]
        self.turn = 0

    def next_of(self, items):
        self.turn += 1
        return items[self.turn % len(items)]

    def get(self, path, name):
        # A redirect (to the login page) would be a lost session: count it as an error.
        with self.client.get(path, name=name, allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")
            elif name == "pdf" and not response.content.startswith(b"%PDF"):
                response.failure("not a PDF")

    @task(3)
    def dashboard(self):
        self.get("/", "dashboard")

    @task(3)
    def directory(self):
        self.get("/projects/", "directory")

    @task(3)
    def dossier(self):
        if self.projects:
            self.get(f"/projects/{self.next_of(self.projects)}/", "dossier")

    @task(2)
    def changelist(self):
        self.get("/admin/projects/project/", "changelist")

    @task(1)
    def pdf(self):
        if self.pdfs:
            self.get(self.next_of(self.pdfs), "pdf")
