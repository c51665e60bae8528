"""service.referrals' actions: change, audit and commit in one call, or undo all and say why."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session, col, select

from service import audit, referrals
from service.models import Advocate, AuditEntry, Referral, RelayMessage
from tests.advocates.conftest import ADMIN, ADVOCATE, OTHER


def new_referral(runtime: Any, *, session_id: int | None = None) -> int:
    with Session(runtime.database) as session:
        referral = Referral(summary="test", session_id=session_id)
        session.add(referral)
        session.commit()
        assert referral.id is not None
        return referral.id


def rows(runtime: Any) -> list[tuple[int | None, str, int | None, str]]:
    with Session(runtime.database) as session:
        entries = session.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all()
        return [(e.advocate_id, e.action, e.referral_id, e.detail) for e in entries]


def test_each_refusal_carries_the_status_both_channels_answer_with() -> None:
    assert referrals.ReferralNotFound("x").status == 404
    assert referrals.ReferralConflict("x").status == 409
    assert referrals.NotAllowed("x").status == 403
    assert referrals.ReferralError("x").status == 409


def test_claim_and_close_are_recorded_and_committed_as_each_channel_says(
    runtime: Any, advocates: dict[str, int]
) -> None:
    number = new_referral(runtime)
    with Session(runtime.database) as session:
        one = session.get(Advocate, advocates[ADVOCATE])
        admin = session.get(Advocate, advocates[ADMIN])
        assert one is not None and admin is not None
        claimed = referrals.claim(session=session, referral_id=number, by=one, via="api")
        assert claimed.status == "claimed" and claimed.claimed_by == one.id
        referrals.close(session=session, referral_id=number, by=admin, outcome="other", via="api")
        public = referrals.public_view(session=session, referral=claimed, settings=runtime.settings)
        assert public.claimed_by_name == "Test Advocate One" and public.outcome == "other"
    # Committed: another session sees it all.
    with Session(runtime.database) as session:
        stored = session.get(Referral, number)
        assert stored is not None and stored.status == "closed" and stored.outcome == "other"
    assert rows(runtime) == [
        (advocates[ADVOCATE], "claim", number, ""),
        (advocates[ADMIN], "close", number, "outcome other"),
    ]


def test_a_refused_action_undoes_the_session_and_records_nothing(
    runtime: Any, advocates: dict[str, int]
) -> None:
    number = new_referral(runtime)
    with Session(runtime.database) as session:
        one = session.get(Advocate, advocates[ADVOCATE])
        other = session.get(Advocate, advocates[OTHER])
        assert one is not None and other is not None
        referrals.claim(session=session, referral_id=number, by=one, via="dashboard")
        # Something left pending in the session is undone with the refused action.
        audit.record(session=session, advocate=other, action="view", referral_id=number)
        with pytest.raises(referrals.ReferralConflict) as taken:
            referrals.claim(session=session, referral_id=number, by=other, via="dashboard")
        assert taken.value.status == 409 and "already claimed" in str(taken.value)
        with pytest.raises(referrals.NotAllowed) as theirs:
            referrals.close(
                session=session, referral_id=number, by=other, outcome="other", via="dashboard"
            )
        assert theirs.value.status == 403
        with pytest.raises(referrals.ReferralConflict, match="Choose one of the outcomes"):
            referrals.close(
                session=session, referral_id=number, by=one, outcome="nonsense", via="dashboard"
            )
        with pytest.raises(referrals.ReferralNotFound) as missing:
            referrals.view(
                session=session,
                referral_id=999,
                settings=runtime.settings,
                by=one,
                via="dashboard",
            )
        assert missing.value.status == 404
        session.commit()
    assert rows(runtime) == [(advocates[ADVOCATE], "claim", number, "dashboard")]


class FakeRelay:
    def __init__(self) -> None:
        self.delivered: list[int] = []

    async def deliver(self, message_id: int) -> bool:
        self.delivered.append(message_id)
        return True


async def test_a_reply_is_stored_recorded_then_handed_to_the_relay(
    runtime: Any, advocates: dict[str, int]
) -> None:
    from service.models import Chat

    with Session(runtime.database) as session:
        chat = Chat(key="k" * 64, channel="web")
        session.add(chat)
        session.commit()
        chat_id = chat.id
    number = new_referral(runtime, session_id=chat_id)
    ended = new_referral(runtime)
    relay: Any = FakeRelay()
    with Session(runtime.database) as session:
        one = session.get(Advocate, advocates[ADVOCATE])
        assert one is not None
        for referral_id in (number, ended):
            referrals.claim(session=session, referral_id=referral_id, by=one, via="api")
        sent = await referrals.send_reply(
            session=session,
            relay=relay,
            referral_id=number,
            by=one,
            text="  Hello\x00 there ",
            via="dashboard",
        )
        assert sent.pushed is True and relay.delivered == [sent.message_id]
        with pytest.raises(referrals.ReferralConflict, match="chat has ended"):
            await referrals.send_reply(
                session=session, relay=relay, referral_id=ended, by=one, text="x", via="api"
            )
        assert relay.delivered == [sent.message_id]
    with Session(runtime.database) as session:
        message = session.get(RelayMessage, sent.message_id)
        assert message is not None and message.text == "Hello there"
        stored = session.get(Referral, number)
        assert stored is not None and stored.status == "waiting"
    assert rows(runtime)[-1] == (advocates[ADVOCATE], "reply", number, "dashboard")
    assert [row[1] for row in rows(runtime)].count("reply") == 1


def test_every_outcome_has_its_words_in_the_content(library: Any) -> None:
    words = referrals.outcome_words(library.messages)
    assert list(words) == list(referrals.OUTCOMES)
    assert all(f"outcome_{key}" in library.messages for key in referrals.OUTCOMES)
    assert words["advice_given"] == "Advice given"
    # A key the content does not name yet is shown as the key, never dropped.
    assert referrals.outcome_words({})["other"] == "other"


def test_the_audit_log_refuses_an_action_it_does_not_know(
    runtime: Any, advocates: dict[str, int]
) -> None:
    with Session(runtime.database) as session:
        with pytest.raises(ValueError, match="not an audit action"):
            audit.record(session=session, advocate=None, action="delete")  # type: ignore[arg-type]
        for action in audit.ACTIONS:
            audit.record(session=session, advocate=None, action=action)
        session.commit()
    assert [row[1] for row in rows(runtime)] == list(audit.ACTIONS)
