"""A child types a question about one of the seven subjects, in their own words, and the real
model and the real API answer it with that subject's answer, not a near topic's.

Unlike tests/service/test_subjects.py (a fixed analysis), this is the whole path a child's
words take, so it fails if the model stops telling these subjects apart.
"""

from __future__ import annotations

import httpx
import pytest

import content

# What a child typed (issue 14's list), and the subject whose answer they must get.
TYPED = {
    "they took my tv": "incentives",
    "i havent had school for a week": "education",
    "they wont let me call my mum": "phone_calls",
    "i want to phone my solicitor": "legal_advice",
    "can i have a lawyer": "legal_advice",
    "i want to appeal my sentence": "sentence_appeals",
    "what is the imb": "imb",
}


@pytest.mark.parametrize(("typed", "subject"), TYPED.items())
async def test_a_question_in_words_gets_its_subjects_answer(
    client: httpx.AsyncClient, typed: str, subject: str
) -> None:
    started = await client.post("/api/chat/sessions")
    session_id = started.json()["session_id"]
    answered = await client.post(f"/api/chat/sessions/{session_id}/messages", json={"text": typed})
    first = answered.json()["replies"][0]["text"]
    wanted = content.load_library().answer(subject, "child")
    assert wanted is not None
    assert wanted.first[0] in first
    assert "Tell me more" in [b["label"] for b in answered.json()["replies"][0]["buttons"]]


async def test_a_nicking_in_an_stc_is_not_answered_with_prison_rules(
    client: httpx.AsyncClient,
) -> None:
    session_id = (await client.post("/api/chat/sessions")).json()["session_id"]
    url = f"/api/chat/sessions/{session_id}/messages"
    placed = await client.post(url, json={"text": "im in oakhill"})
    assert "STC" in placed.json()["replies"][0]["text"]
    asked = await client.post(url, json={"text": "i got nicked, is there a hearing"})
    said = " ".join(reply["text"] for reply in asked.json()["replies"])
    assert "In an STC" in said
    assert "adjudication" not in said.lower() and "Independent Adjudicator" not in said
