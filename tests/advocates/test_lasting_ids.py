"""Ids are never handed out twice, so the audit log never mixes two referrals up."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from alembic import command
from sqlalchemy import text
from sqlmodel import Session

from service import storage
from service.db import alembic_config, make_engine, migrate
from service.models import utcnow
from tests.advocates.conftest import ADMIN, ADVOCATE
from tests.advocates.helpers import bearer, child_asks_for_advocate, only_referral


async def test_a_purged_referrals_id_is_never_given_to_a_new_one(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    headers = await bearer(client, ADVOCATE)
    await child_asks_for_advocate(client, "can I see an advocate about my complaint")
    first = (await only_referral(client, headers))["id"]
    await client.post(f"/api/referrals/{first}/claim", headers=headers)
    await client.post(
        f"/api/referrals/{first}/close", headers=headers, json={"outcome": "advice_given"}
    )
    # Retention runs out for the closed referral, and it goes.
    with Session(runtime.database) as session:
        later = utcnow() + timedelta(days=runtime.settings.retention_days + 1)
        storage.purge(session=session, retention_days=runtime.settings.retention_days, now=later)
        session.commit()
    await child_asks_for_advocate(client, "I want to talk to an advocate")
    second = (await only_referral(client, headers))["id"]
    assert second > first
    admin = await bearer(client, ADMIN)
    history = (await client.get(f"/api/audit?referral_id={second}", headers=admin)).json()
    assert history == []
    old = (await client.get(f"/api/audit?referral_id={first}", headers=admin)).json()
    assert [entry["action"] for entry in old] == ["close", "claim"]


def test_upgrading_keeps_every_row_and_id_and_stops_reuse(database_url: str) -> None:
    url = database_url.replace("postgresql://", "postgresql+psycopg://", 1)
    database = make_engine(url)
    command.upgrade(alembic_config(database), "0002")
    when = utcnow()
    with database.begin() as connection:

        def insert(sql: str) -> None:
            connection.execute(text(sql), {"when": when})

        insert(
            "INSERT INTO chat_session (key, channel, step, created_at, last_seen_at)"
            " VALUES ('chat-1', 'web', 0, :when, :when)"
        )
        insert(
            "INSERT INTO advocate (email, name, password_hash, is_admin, active, created_at)"
            " VALUES ('advocate.one@example.org', '', 'not a hash', false, true, :when)"
        )
        for _ in range(3):
            insert(
                "INSERT INTO referral (session_id, status, urgency, risks, summary, claimed_by,"
                " created_at, updated_at)"
                " VALUES (1, 'claimed', 'urgent', 'abuse', '(redacted)', 1, :when, :when)"
            )
        insert(
            "INSERT INTO relay_message (referral_id, session_id, sender, advocate_id, text,"
            " created_at) VALUES (3, 1, 'advocate', 1, 'Hello, I am your advocate.', :when)"
        )
        insert(
            "INSERT INTO audit_entry (advocate_id, action, referral_id, detail, created_at)"
            " VALUES (1, 'claim', 3, '', :when)"
        )
        connection.execute(text("DELETE FROM referral WHERE id = 2"))
    migrate(database)
    with database.connect() as connection:
        ids = connection.execute(text("SELECT id FROM referral ORDER BY id")).scalars().all()
        relayed = connection.execute(text("SELECT referral_id FROM relay_message")).scalars()
        assert ids == [1, 3] and relayed.all() == [3]
        version = connection.execute(text("SELECT token_version FROM advocate")).scalar()
        assert version == 0
    with Session(database) as session:
        # The newest referral goes (retention, say); the next one still gets a new id.
        session.execute(text("DELETE FROM relay_message"))
        session.execute(text("DELETE FROM referral WHERE id = 3"))
        chat = storage.get_or_create_chat(session=session, key="chat-2", channel="web")
        referral = storage.create_referral(
            session=session, chat=chat, urgency="normal", summary="(redacted)"
        )
        session.commit()
        assert referral.id == 4
    if database.dialect.name == "sqlite":
        with database.connect() as connection:
            # Foreign keys are on again after the tables were rebuilt.
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    database.dispose()
