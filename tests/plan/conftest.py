"""The demo plan (fixtures/plan/), loaded through the same actions as the pages."""

import json
from pathlib import Path

import pytest
from django.conf import settings

from plan.demo import load_plan_setup
from tests.built_once import built_once

PLAN_FILE = Path(settings.BASE_DIR) / "fixtures" / "plan" / "gemensam-plan-primarvard.json"
FILES = Path(__file__).parent / "files"


def plan_data():
    return json.loads(PLAN_FILE.read_text("utf-8"))


@pytest.fixture
def demo_plan(distribution2023):
    """The whole demo plan with the 2023 agreement's indicators and links to its activities."""
    return built_once("demo_plan", lambda: load_plan_setup(plan_data()))


@pytest.fixture
def bare_plan(db):
    """The plan without the agreement or distribution (no links, no agreement indicators)."""

    def build():
        data = plan_data()
        data.pop("links")
        data.pop("agreement_indicators")
        return load_plan_setup(data)

    return built_once("bare_plan", build)
