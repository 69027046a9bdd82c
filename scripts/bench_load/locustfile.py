"""The load benchmark's users (python -m scripts.bench_load runs locust with this file): the
managers' pages, and one finance officer who changes the data now and then.

Its settings come from the environment the benchmark sets (BENCH_*). Every request names its
page in an X-Bench-Page header, which the benchmark's gunicorn hooks (gunicorn_hooks.py) note
with the request's CPU, so that the report has CPU per page. The samples (page, ms, error,
time) go to BENCH_SAMPLES when locust stops."""

import json
import os
import random
import re
import time
import urllib.parse

import gevent
from locust import FastHttpUser, between, constant, events, task

PASSWORD = os.environ["BENCH_PASSWORD"]
USERNAME = os.environ["BENCH_USERNAME"]
WRITER = os.environ["BENCH_WRITER"]
YEARS = [int(y) for y in os.environ["BENCH_YEARS"].split(",")]
AGREEMENT = int(os.environ["BENCH_AGREEMENT"])
# Activities as (pk, outcome so far in kronor): a new forecast is never below the outcome.
ACTIVITIES = [
    tuple(int(n) for n in a.split(":")) for a in os.environ["BENCH_ACTIVITIES"].split(",")
]
CHANGE_EVERY = float(os.environ["BENCH_CHANGE_EVERY"])
SEARCHES = ["9916", "utbildning", "ambulans", "4010", "genererad", "V12345"]
SAMPLES = []
SPAWNED = []
# The users work once all of them have logged in: a login hashes a password, slowly on purpose,
# and the pages are measured without twenty logins in the same seconds.
USERS = int(os.environ["BENCH_USERS"])
LOGGED_IN = [0]


def page_header(name):
    """The page's name for the CPU notes (URL-quoted: header values are ASCII)."""
    return {"X-Bench-Page": urllib.parse.quote(name)}


@events.request.add_listener
def _record(request_type, name, response_time, exception, **kwargs):
    SAMPLES.append((name, response_time, str(exception) if exception else None, time.time()))


@events.spawning_complete.add_listener
def _spawned(user_count, **kwargs):
    SPAWNED.append(time.time())


@events.quitting.add_listener
def _dump(environment, **kwargs):
    with open(os.environ["BENCH_SAMPLES"], "w") as out:
        json.dump({"samples": SAMPLES, "spawned": SPAWNED[:1]}, out)


class LoggedIn(FastHttpUser):
    abstract = True
    username = USERNAME

    def on_start(self):
        page = self.client.get(
            "/logga-in/",
            name="login GET /logga-in/",
            headers=page_header("login GET /logga-in/"),
        )
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text or "")
        body = urllib.parse.urlencode(
            {
                "username": self.username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": token.group(1) if token else "",
            }
        )
        with self.client.post(
            "/logga-in/",
            data=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                **page_header("login POST /logga-in/"),
            },
            name="login POST /logga-in/",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            location = response.headers.get("Location", "") if response.headers else ""
            if response.status_code != 302 or "logga-in" in location:
                response.failure(f"login failed: HTTP {response.status_code}")
            else:
                response.success()
        LOGGED_IN[0] += 1
        while LOGGED_IN[0] < USERS:
            gevent.sleep(0.05)
        # Not all in the same instant: each begins within one think time.
        gevent.sleep(random.uniform(0, float(os.environ["BENCH_WAIT_MAX"])))

    def _get(self, path, name):
        with self.client.get(
            path,
            name=name,
            headers=page_header(name),
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code == 200:
                response.success()
            else:
                response.failure(f"HTTP {response.status_code}")
            return response.text or ""


class Manager(LoggedIn):
    wait_time = between(float(os.environ["BENCH_WAIT_MIN"]), float(os.environ["BENCH_WAIT_MAX"]))

    @task(6)
    def dashboard(self):
        self._get("/oversikt/", "/oversikt/")

    @task(2)
    def dashboard_year(self):
        # Named by year so that the report can tell each year's first view from the rest.
        year = random.choice(YEARS)
        self._get(f"/oversikt/?ar={year}", f"/oversikt/?ar={year}")

    @task(1)
    def activities(self):
        self._get("/oversikt/aktiviteter/?year=2023", "/oversikt/aktiviteter/?year=2023")

    @task(1)
    def agreements(self):
        self._get("/overenskommelser/", "/overenskommelser/")

    @task(1)
    def agreement(self):
        self._get(f"/overenskommelser/{AGREEMENT}/", "/overenskommelser/<2023>/")

    @task(1)
    def start_page(self):  # not `start`: that is locust's own User.start
        self._get("/start/", "/start/")

    @task(1)
    def search(self):
        self._get(f"/sok/?q={random.choice(SEARCHES)}", "/sok/?q=<word>")

    @task(1)
    def followup(self):
        self._get(
            f"/overenskommelser/{AGREEMENT}/uppfoljning/", "/overenskommelser/<2023>/uppfoljning/"
        )


class Finance(LoggedIn):
    """Changes an activity's forecast every CHANGE_EVERY seconds: each change is new data for
    every dashboard, which the app then builds again."""

    fixed_count = 1 if CHANGE_EVERY > 0 else 0
    username = WRITER
    wait_time = constant(CHANGE_EVERY)

    @task
    def change_forecast(self):
        activity, outcome = random.choice(ACTIVITIES)
        path = f"/uppfoljning/aktivitet/{activity}/prognos/"
        page = self._get(path, "GET prognosformulär")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        version = re.search(r'name="version" value="([^"]*)"', page)
        body = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token.group(1) if token else "",
                "version": version.group(1) if version else "",
                "forecast": str(1000 * (outcome // 1000 + random.randrange(1, 2000))),
            }
        )
        with self.client.post(
            path,
            data=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": path,
                **page_header("POST prognos (ändrar data)"),
            },
            name="POST prognos (ändrar data)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code == 302:
                response.success()
            else:
                response.failure(f"HTTP {response.status_code}")
