"""The yearly follow-up document: a tagged PDF read back with pypdf."""

import io

from django.urls import reverse
from pypdf import PdfReader

from plan.models import MeasureQuestion
from tests.reporting.archival import archival_problems
from tests.reporting.layout import pdf_text, read_layout, save_pictures
from tests.reporting.test_layout import ARTEFACTS


def test_followup_pdf_reads_back(client_for, demo_plan, users):
    question = MeasureQuestion.objects.get(question="Är handlingsplanen uppföljd?")
    client = client_for("officer")
    client.post(
        reverse("plan:question_answer", args=[question.pk]), {"year": 2024, "answer_yes": "1"}
    )
    response = client_for("manager").get(
        reverse("plan:followup_pdf", args=[demo_plan.pk]), {"ar": "2024"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="uppfoljning-plan-2024.pdf"' in response["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.content))
    text = pdf_text(response.content)
    assert "Årlig uppföljning 2024" in text
    assert "Gemensam plan för primärvårdsnivå i Jämtland Härjedalen" in text
    for strategy in [
        "Ökad delaktighet",
        "Ökad kontinuitet",
        "Ökad tillgänglighet",
        "Hälsofrämjande och förebyggande fokus",
        "Ökad samordning och samverkan",
    ]:
        assert f"Strategi: {strategy}" in text
    assert "Ej påbörjat – uppdrag behövs" in text
    assert "Är handlingsplanen uppföljd? (mål: ja): Ja" in text
    assert "Minst 55 %" in text and "56,1 %" in text
    assert "Statsbidrag bakom planens aktiviteter" in text
    # Tagged for accessibility (PDF/UA): structure tree, marked content, language.
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"]
    assert str(root.get("/Lang", "")).startswith("sv")
    assert reader.metadata.title.startswith("Uppföljning 2024")
    # Archival (PDF/A-2a) and a running header and page number on every page.
    assert archival_problems(response.content) == []
    pages = read_layout(response.content)
    for page in pages:
        texts = [line.text for line in page.lines]
        assert any(t.startswith("Uppföljning 2024 – Gemensam plan") for t in texts), page.number
        assert f"Sida {page.number} av {len(pages)}" in texts


def test_followup_pdf_is_about_its_year(client_for, demo_plan):
    """The 2023 follow-up shows 2023's values (52,4 %), not the later 2024 ones."""
    response = client_for("manager").get(
        reverse("plan:followup_pdf", args=[demo_plan.pk]), {"ar": "2023"}
    )
    # Kept as pictures for a person to look at, beside the reports' pages.
    save_pictures(response.content, ARTEFACTS, "plan-uppfoljning-2023")
    assert archival_problems(response.content) == []
    text = pdf_text(response.content)
    assert "Årlig uppföljning 2023" in text and "Värde 2023" in text
    assert "52,4 %" in text and "56,1 %" not in text
    assert "värde saknas för 2023" in text


def test_pdf_year_out_of_range_uses_this_year(client_for, demo_plan):
    response = client_for("manager").get(
        reverse("plan:followup_pdf", args=[demo_plan.pk]), {"ar": "tjugo"}
    )
    assert response.status_code == 200
