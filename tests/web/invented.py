"""A month of invented conversations for the figures pictures: none real, no personal details.

Chats, messages and referrals go through the storage and referral functions the service uses
(`storage.get_or_create_chat`, `add_event`, `create_referral`, `referrals.claim`, `close`);
only their times are then moved back, spread over the last four weeks, since those functions
stamp everything with the present moment. A fixed seed makes the same month every time.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from content.schema import PLACE_KINDS, REPORTED_TOPICS, ROLES
from service import referrals, storage
from service.models import Advocate, Event, Referral, utcnow

# Invented words only: what a chat's redacted text could look like, naming no one.
WORDS = {
    "visits": "when can my family visit",
    "separation": "how long can they keep me on my own",
    "complaints": "how do I make a complaint",
    "advocate": "can I talk to someone",
}
# Outcomes, most often advice; a few of each other kind.
OUTCOME_WEIGHTS = {
    "advice_given": 10,
    "complaint_made": 4,
    "passed_to_legal_help": 3,
    "safeguarding_referral_made": 2,
    "no_reply_from_child": 2,
    "child_withdrew": 1,
    "other": 1,
}


def _moved(session: Session, row: Any, **times: datetime) -> None:
    for name, moment in times.items():
        setattr(row, name, moment)
    session.add(row)


def invent_month(
    runtime: Any,
    advocate: Advocate,
    *,
    chats: int = 120,
    now: datetime | None = None,
    seed: int = 15,
) -> dict[str, int]:
    """About `chats` invented conversations over the last 28 days; how many of each were made."""
    pick = random.Random(seed)
    now = now or utcnow()
    made = {"chats": 0, "messages": 0, "referrals": 0, "claimed": 0, "closed": 0}
    topics = [*REPORTED_TOPICS, "greeting", "other"]
    # Young offender institutions hold the most children, hospitals the fewest.
    place_weights = dict(zip(PLACE_KINDS, (8, 3, 2, 4, 1), strict=False))
    with Session(runtime.database) as session:
        for number in range(chats):
            started = now - timedelta(days=pick.uniform(0.5, 28), minutes=pick.randint(0, 600))
            chat = storage.get_or_create_chat(
                session=session, key=f"invented-{seed}-{number}", channel="web"
            )
            chat.role = pick.choices(ROLES, weights=(7, 2, 1))[0]
            chat.setting = pick.choices(
                [*place_weights, None], weights=[*place_weights.values(), 1]
            )[0]
            made["chats"] += 1
            events: list[Event] = []
            for _ in range(pick.randint(1, 6)):
                topic = pick.choice(topics)
                chat.topic = topic if topic in REPORTED_TOPICS else chat.topic
                events.append(
                    storage.add_event(
                        session=session,
                        chat=chat,
                        redacted=WORDS.get(topic, "hello"),
                        topic=topic,
                        risks=(),
                        check_in=pick.random() < 0.05,
                    )
                )
            for step, event in enumerate(events):
                _moved(session, event, created_at=started + timedelta(minutes=2 * step))
            made["messages"] += len(events)
            _moved(session, chat, created_at=started, last_seen_at=started)
            session.commit()
            if pick.random() > 0.4:
                continue
            urgent = pick.random() < 0.3
            referral = storage.create_referral(
                session=session,
                chat=chat,
                urgency="urgent" if urgent else "normal",
                risks=("self_harm",) if urgent else (),
                summary="An invented request for an advocate.",
            )
            asked = started + timedelta(minutes=2 * len(events))
            _moved(session, referral, created_at=asked, updated_at=asked)
            session.commit()
            made["referrals"] += 1
            assert referral.id is not None
            if pick.random() < 0.08 and now - asked < timedelta(days=3):
                continue  # still waiting
            referrals.claim(session=session, referral_id=referral.id, by=advocate, via="dashboard")
            # Urgent ones mostly within the hour, others mostly within a day; some late.
            if urgent:
                waited = timedelta(minutes=pick.choice([3, 8, 12, 20, 35, 50, 75, 140]))
            else:
                waited = timedelta(hours=pick.choice([1, 2, 4, 6, 9, 15, 20, 30, 50]))
            claimed = min(asked + waited, now - timedelta(minutes=5))
            made["claimed"] += 1
            if pick.random() < 0.15 and now - claimed < timedelta(days=7):
                _moved(session, referral, claimed_at=claimed, updated_at=claimed)
                session.commit()
                continue  # an advocate is still working on it
            outcome = pick.choices(list(OUTCOME_WEIGHTS), weights=list(OUTCOME_WEIGHTS.values()))[0]
            referrals.close(
                session=session,
                referral_id=referral.id,
                by=advocate,
                outcome=outcome,
                via="dashboard",
            )
            closed = min(claimed + timedelta(hours=pick.randint(1, 72)), now)
            _moved(
                session,
                session.get(Referral, referral.id),
                claimed_at=claimed,
                closed_at=closed,
                updated_at=closed,
            )
            session.commit()
            made["closed"] += 1
    return made
