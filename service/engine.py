"""The conversation engine: one inbound message for a session in, replies out, any channel."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from sqlalchemy import Engine as Database
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from content import Answer, Library
from content.schema import (
    OFFERS,
    PLACE_KINDS,
    REPORTED_TOPICS,
    ROLES,
    Establishment,
    PlaceNamed,
    reported_topic,
)
from nlp.analysis import Analysis
from service import db, payloads, safety, storage
from service.check_ins import CheckIns
from service.models import Chat, Referral
from service.outbox import Outbox
from service.payloads import Payload
from service.replies import Button, Inbound, Reply
from service.settings import Settings

log = logging.getLogger(__name__)

# Only this much of a very long message is read closely; the risk screen reads all of it.
ANALYSE_CHARS = 2000
LONG_MESSAGE = 1000
# The most any message is read for risk, and the most any request may send (service/edge.py):
# a character takes at least a byte, so every message a request can carry is read whole, and
# answered and referred like any other. Past it, the request is refused unread.
MAX_READ = 200_000
YES = {"yes", "y", "yeah", "yep", "yes please", "ok", "okay", "please", "sure"}
NO = {"no", "n", "nah", "nope", "no thanks", "not now"}
# While an advocate is talking with the child, a rights answer is added only when the model
# is this sure the child asked for one; otherwise their words are simply for the advocate.
SURE_OF_TOPIC = 0.8
# chat.awaiting while "Are you safe right now?" is on screen.
CHECK_IN = "safe"
# chat.awaiting after an urgent referral was kept: words that are not a question get "I am
# still here" with Childline, not the greeting or "I did not understand".
AFTER_CRISIS = "crisis"
# chat.awaiting while "Do you want an advocate to reply to you here?" is on screen.
CONSENT = "consent"
# chat.awaiting while "Do you want me to delete what you wrote?" is on screen.
FORGET_ASKED = "forget"
# After a reply that offers something, chat.awaiting is the offer (content.schema.Offer:
# "talk", "more", "actions", "setting"), and a typed "yes" takes it.
# Typed words that mean a button (content/data/intents.yaml) become that button.
TYPED_BUTTONS = {
    "talk": payloads.TALK,
    "forget": payloads.FORGET,
    "menu": payloads.MENU,
    "start": payloads.START,
    "help": payloads.HELP,
    "privacy": payloads.PRIVACY,
    "more": payloads.MORE,
    "actions": payloads.ACTIONS,
}
# Typed words that answer "Are you safe right now?" while the database is away: not sure they
# are safe is not safe.
TYPED_ANSWERS = {"yes": payloads.SAFE_YES, "no": payloads.SAFE_NO, "unsure": payloads.SAFE_NO}


@dataclass(frozen=True)
class Situation:
    """What a risk message says about who and what, which changes what the writer is told."""

    staff_named: bool = False  # "an officer punched me": help that does not go through staff
    restraint: bool = False  # "they held me down": restraint must never be used to hurt
    place: Establishment | None = None  # "...at wetherby": remembered, and the IMB named


# Who gets the adult's crisis replies: someone worried about a child, not the child.
ADULTS = ("family", "professional")


class ChatGone(Exception):
    """A message to a chat that was forgotten or never started."""


class MessageMissing(KeyError):
    """A line the engine says is not in messages.yaml; raised only when strict (under tests)."""


@dataclass
class Urgent:
    """A turn that must end in an urgent referral and the crisis reply."""

    risks: set[str]
    redacted: str | None
    analysis: Analysis | None
    not_safe: bool = False
    situation: Situation = field(default_factory=Situation)
    # Who is writing, as the chat said before the database went away (service/check_ins.py).
    role: str | None = None


class Keeper:
    """Who keeps one urgent referral: the database write, or the outbox if that is slow.

    Whichever claims it first is responsible for it; the other lets it go, so it is kept
    exactly once.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.by: str | None = None
        # Who is writing and where, as the chat says, once the write has read it.
        self.role: str | None = None
        self.setting: str | None = None
        self.nation: str | None = None
        # An earlier risk message of this chat named staff ("an officer punched me"), so
        # "they bent my thumb back" is not answered "tell a member of staff".
        self.staff_named = False

    def claim(self, by: str) -> bool:
        with self._lock:
            if self.by is None:
                self.by = by
            return self.by == by


class Conversation:
    """The engine. Channels call `start`, `handle`, `forget` and `pending` with a session key.

    The session key is already a keyed hash: the engine never sees a chat id or a token.
    """

    def __init__(
        self,
        *,
        database: Database,
        library: Library,
        analyse: Callable[[str], Analysis],
        outbox: Outbox | None = None,
        strict: bool = False,
        settings: Settings | None = None,
    ) -> None:
        self.database = database
        # How long a web chat is kept, and whether its screen clears itself (a kiosk): the
        # child asking for an advocate is told these, so the promise matches what happens.
        self.settings = settings or Settings()
        # Under tests a message missing from content raises; in service it is logged.
        self.strict = strict
        self.outbox = outbox
        self.library = library
        self.analyse = analyse
        self.urgent_wait = self.settings.urgent_wait_seconds
        # Reading a message and writing to the outbox have threads of their own, so a
        # database that is locked or slow (which holds the shared threads) never delays them.
        # Enough reading threads for the messages that arrive together to wait together: the
        # model reads them in one batch (nlp.Together).
        self._reading = ThreadPoolExecutor(max_workers=16, thread_name_prefix="read")
        self._keeping = ThreadPoolExecutor(max_workers=1, thread_name_prefix="outbox")
        # Urgent referrals still being written after the child was answered.
        self._writing: set[asyncio.Future[bool]] = set()
        # "Are you safe right now?" on screen, remembered for when the database is away.
        self.check_ins = CheckIns(redis_url=self.settings.redis_url)
        self.topics = tuple(library.topic_names)
        # What each button does, by the name of its payload.
        self._payload_handlers: dict[str, Callable[[Chat, str], list[Reply] | None]] = {
            payloads.START.name: self._on_start,
            payloads.MENU.name: self._on_menu,
            payloads.ROLE: self._on_role,
            payloads.SETTING: self._on_setting,
            payloads.TOPIC: self._on_topic,
            payloads.MORE.name: self._on_more,
            payloads.ACTIONS.name: self._on_actions,
            payloads.ACTION: self._on_action,
            payloads.TALK.name: self._on_talk,
            payloads.SAFE_YES.name: self._on_safe,
            payloads.ADVOCATE_NO.name: self._on_advocate,
            payloads.PRIVACY.name: self._on_privacy,
            payloads.FORGET.name: self._on_forget,
            payloads.HELP.name: self._on_help,
            payloads.DECLINE.name: self._on_decline,
        }

    # ---- the public surface -------------------------------------------------------------

    def use_database(self, database: Database) -> None:
        """Point every turn at another database (a test's broken one, or the real one back)."""
        self.database = database

    async def start(
        self, key: str, channel: str, *, role: str | None = None, route: str | None = None
    ) -> list[Reply]:
        """The greeting. With `role` (the page opened says who is writing: /family), the
        greeting's first words and then what choosing that role says. `route` as in handle."""
        replies = await self.handle(key, channel, Inbound(payload=str(payloads.START)), route=route)
        if role is None or self.start_failed(replies):
            return replies  # (failed, it has said so, with Childline, once)
        chosen = await self.handle(
            key, channel, Inbound(payload=str(payloads.role(role))), route=route
        )
        if role in ADULTS:  # the family page greets a parent, not a child
            replies = [Reply(text=self._say("adult_greeting"))]
        return replies[:1] + chosen

    async def handle(
        self,
        key: str,
        channel: str,
        inbound: Inbound,
        *,
        must_exist: bool = False,
        route: str | None = None,
    ) -> list[Reply]:
        """Every message goes through here; whatever fails, the child gets Childline.

        With `must_exist`, a calm message to a chat that is gone raises ChatGone; a message
        that shows risk is always answered, and referred, whatever became of the chat.
        `route` is the (already encrypted) way back to the chat for a channel that pushes an
        advocate's replies; it is kept when the chat has none yet.
        """
        text = (inbound.text or "").strip()
        analysis: Analysis | None = None
        try:
            loop = asyncio.get_running_loop()
            risks, analysis = await loop.run_in_executor(self._reading, self._understand, text)
            # A child saying they are not safe ("im not safe right now") is urgent as a "No" to
            # "are you safe?" is, whatever the model read, and before the database is asked.
            not_safe = not risks and inbound.payload is None and safety.says_not_safe(text)
            if risks or not_safe:
                redacted = analysis.redacted if analysis is not None else None
                urgent = Urgent(
                    risks, redacted, analysis, not_safe=not_safe, situation=self._situation(text)
                )
                return await self._urgent(key, channel, urgent, route)
            turn = await asyncio.to_thread(
                self._turn, key, channel, inbound, analysis, must_exist, route
            )
            if isinstance(turn, Urgent):
                return await self._urgent(key, channel, turn, route)
            return turn
        except (ChatGone, MessageMissing):
            raise
        except Exception as error:  # noqa: BLE001 - the child must always get an answer
            log.error("conversation turn failed: %s", type(error).__name__)
            return await self._turn_failed(key, channel, inbound, analysis, route)

    async def _turn_failed(
        self,
        key: str,
        channel: str,
        inbound: Inbound,
        analysis: Analysis | None,
        route: str | None,
    ) -> list[Reply]:
        """The turn failed (the database away, most often): risk is still referred, worrying
        words still asked "are you safe?", and a "No" to that still made urgent."""
        text = (inbound.text or "").strip()
        # The screen reads up to MAX_READ characters (a third of a second over 200,000):
        # on a thread, so one failed turn does not hold every other request.
        risks, not_safe = await asyncio.to_thread(self._screen_only, text)
        payload = Payload.parse(inbound.payload)
        concern = payload is None and self._concern(text, analysis)
        # "No" to "are you safe?" (or more worrying words) is urgent with or without the
        # database; the question on screen is remembered in memory (service/check_ins.py).
        asked = await asyncio.to_thread(self.check_ins.waiting, key)  # Redis, off the loop
        if asked is not None and payload is None and text:
            # Typed words that answer it ("no im not", "not sure", "im safe now"), read as
            # with the database (intents.yaml): like the buttons, nothing of them is kept.
            # Worrying words are kept, and are urgent as a No is, unless they say yes.
            intent = self.library.intent(text)
            if intent == "yes" or not concern:
                payload = TYPED_ANSWERS.get(intent or "")
            typed = payload is not None
        else:
            typed = False
        answered_no = payload == payloads.SAFE_NO or (
            asked is not None and self._not_safe(payload, text, concern)
        )
        if risks or not_safe or answered_no:
            # The words are kept (redacted) if the model read them before the turn failed,
            # unless they only answered the question. Words that were asked about while the
            # database was away are kept with the answer.
            said = analysis.redacted if analysis is not None and not typed else None
            before = asked.words if asked is not None else None
            redacted = "\n".join(words for words in (before, said) if words) or None
            # A "No" with no risk in its own words is referred with those it was asked about.
            worries = set(asked.worries) if asked is not None else set()
            if analysis is not None and not typed:
                worries |= set(analysis.worries)
            urgent = Urgent(
                risks or worries,
                redacted,
                analysis,
                not_safe=not_safe or (answered_no and not risks),
                situation=self._situation(text),
                role=asked.role if asked is not None else None,
            )
            return await self._urgent(key, channel, urgent, route)
        if asked is not None and payload == payloads.SAFE_YES:
            await asyncio.to_thread(self.check_ins.answered, key)
            glad = self._say("adult_safe_yes" if asked.role in ADULTS else "safe_yes")
            return [Reply(text=glad), Reply(text=safety.FALLBACK_REPLY)]
        if concern and analysis is not None:  # (concern comes from an analysis)
            # Worrying words, and nothing yet kept: ask, as the chat would have, and count it.
            await asyncio.to_thread(
                self.check_ins.ask, key, analysis.role, analysis.redacted, set(analysis.worries)
            )
            await asyncio.to_thread(self._check_in_to_outbox, key, channel, analysis)
            return self._check_in_replies(analysis.role in ADULTS, analysis)
        return [Reply(text=safety.FALLBACK_REPLY)]

    @staticmethod
    def _screen_only(text: str) -> tuple[set[str], bool]:
        """What the pattern screen alone finds: the risks named, and "i'm not safe" said."""
        risks = safety.signs(text)
        return risks, not risks and safety.says_not_safe(text)

    @property
    def writing(self) -> int:
        """How many urgent referrals are still being written to the database."""
        return len(self._writing)

    async def settle(self) -> None:
        """Wait for every urgent referral still being written (before the service stops)."""
        if self._writing:
            log.warning("waiting for %d urgent referral(s) to be written", self.writing)
        while self._writing:
            await asyncio.wait(set(self._writing))

    def close(self) -> None:
        """Let the engine's own threads go."""
        self._reading.shutdown(wait=False)
        self._keeping.shutdown(wait=True)
        self.check_ins.close()

    async def forget(self, key: str) -> bool:
        return await asyncio.to_thread(self._forget, key)

    def start_failed(self, replies: list[Reply]) -> bool:
        """Whether the start that gave these replies failed (the database away or locked), so
        the chat is not kept yet: its first message that can be kept starts it."""
        return bool(replies) and replies[0].text == safety.FALLBACK_REPLY

    def forgot(self, replies: list[Reply]) -> bool:
        """Whether the turn that gave these replies deleted the chat ("forget me", confirmed by
        a button or typed), so a channel clears what it shows. A turn that failed did not."""
        return bool(replies) and replies[0].text == self._say("forget_done")

    async def pending(self, key: str) -> list[Reply] | None:
        """Advocate replies not yet shown to this session; None when there is no such session."""
        return await asyncio.to_thread(self._pending, key)

    def advocate_says(self, text: str) -> str:
        """An advocate's words as the child sees them, on every channel (the relay's too)."""
        return f"{self._say('advocate_said')} {text}".strip()

    def advocate_finished(self, *, answered: bool = True) -> str:
        """What the child is told when their advocate closes the referral: it has ended, and
        how to ask again (the button it names is the one under Rightsline's words). Closed
        before any advocate wrote back (`answered` False), it says so, and gives Childline."""
        key = "advocate_finished" if answered else "advocate_closed_unanswered"
        return self._say(key, talk=self._say("button_talk"))

    def advocate_changed(self) -> str:
        """What the child is told when their referral passes to another advocate: that
        someone else is helping now, never who."""
        return self._say("advocate_changed")

    async def claim_update(self, key: str) -> bool:
        """True the first time a channel's update (`key`) is seen, False for a copy sent again."""
        return await asyncio.to_thread(self._claim_update, key)

    async def set_route(self, key: str, channel: str, route: str) -> None:
        """Keep the (already encrypted) address needed to reach this session's channel later."""
        await asyncio.to_thread(self._set_route, key, channel, route)

    # ---- one turn -----------------------------------------------------------------------

    def _understand(self, text: str) -> tuple[set[str], Analysis | None]:
        """The risks in a message, and the model's analysis of it (None when that failed).

        Nothing here touches the database: the risk is known before any write.
        """
        if not text:
            return set(), None
        # The risk screen comes before anything else, reads every word, and cannot fail.
        stated, named = safety.screen(text), safety.named(text)
        try:
            analysis = self.analyse(text[:ANALYSE_CHARS])
            # A long message is read closely at its start, and the model reads its end for
            # risk too (the pattern screen above has read every word). Reading every part
            # with the model took 11 s for 100 KB.
            if len(text) > ANALYSE_CHARS:
                # A risk named where the model did not read is urgent, as with no model at all.
                read = safety.named(text[:ANALYSE_CHARS]) | safety.named(text[-ANALYSE_CHARS:])
                stated |= named - read
                rest = self.analyse(text[-ANALYSE_CHARS:])
                analysis = analysis.model_copy(
                    update={
                        # What is kept is what was read and redacted: the start and the end,
                        # so an advocate sees the words at the end that made it a referral.
                        "redacted": f"{analysis.redacted} [...] {rest.redacted}",
                        "risks": sorted({*analysis.risks, *rest.risks}),
                        "uneasy": analysis.uneasy or rest.uneasy,
                        "reads_risk": analysis.reads_risk or rest.reads_risk,
                        "concern": analysis.concern or rest.concern,
                        "worries": sorted({*analysis.worries, *rest.worries}),
                        "names_risk": analysis.names_risk or rest.names_risk,
                        # Told as over only where each part that names a risk says so.
                        "over": (analysis.over or rest.over)
                        and all(part.over or not part.names_risk for part in (analysis, rest)),
                        # A goodbye for a release only where each part that worries says so.
                        "leaving": (analysis.leaving or rest.leaving)
                        and all(part.leaving or not part.worries for part in (analysis, rest)),
                    }
                )
            # A risk only named ("self harm") is urgent if the model reads risk in it too.
            analysis = analysis.screened(stated=stated, named=named)
        except Exception as error:  # noqa: BLE001
            log.error("analysis failed: %s", type(error).__name__)
            return stated | named, None  # with no model to read it, every sign is urgent
        return set(analysis.risks), analysis

    def _turn(
        self,
        key: str,
        channel: str,
        inbound: Inbound,
        analysis: Analysis | None,
        must_exist: bool,
        route: str | None,
    ) -> list[Reply] | Urgent:
        """A message with no named risk: the answer, and what is kept of it (or, when the
        child says they are not safe, the urgent turn that must follow)."""
        text = (inbound.text or "").strip()
        payload = Payload.parse(inbound.payload)
        redacted = analysis.redacted if analysis is not None else None
        concern = self._concern(text, analysis)
        # Read first, write last: the chat's changes and the event go to the database at the
        # commit, so a turn holds SQLite's one write lock for its writes alone, and does not
        # wait for the disk while it holds it (db.unsynced), unless an advocate is promised.
        with Session(self.database, autoflush=False) as session:
            db.unsynced(session)
            found, referral = storage.find_chat_and_referral(session=session, key=key)
            if must_exist and found is None:
                raise ChatGone
            chat = storage.get_or_create_chat(
                session=session, key=key, channel=channel, route=route, found=found
            )
            # "Are you safe?" asked while the database was away, and not answered yet: what
            # they say now answers it, and the words it was asked about go with a "No".
            before = self.check_ins.waiting(key) if chat.awaiting != CHECK_IN else None
            if before is not None:
                chat.awaiting, chat.worries = CHECK_IN, ",".join(before.worries)
            # Only a chat asked "are you safe?" has anything in the store to clear afterwards.
            was_asked = chat.awaiting == CHECK_IN
            if payload is None and (typed := self._typed_button(chat, referral, text, concern)):
                # The words only pressed a button: like a press, nothing of them is kept.
                payload, redacted = typed, None
            if payload == payloads.SAFE_NO or (
                chat.awaiting == CHECK_IN and self._not_safe(payload, text, concern)
            ):
                # "No" to "are you safe?", or more worrying words: it is urgent now, and referred
                # with the risks the question was asked about.
                worries = _labels(chat.worries) | set(analysis.worries if analysis else ())
                asked_about = before.words if before is not None else None
                said = "\n".join(words for words in (asked_about, redacted) if words) or None
                session.rollback()
                return Urgent(
                    worries, said, analysis, not_safe=True, situation=self._situation(text)
                )
            if payload == payloads.FORGET_YES:
                session.rollback()
                self._forget(key)
                return [Reply(text=self._say("forget_done"))]
            passed = bool(redacted) and storage.pass_to(
                session=session, chat=chat, referral=referral, redacted=redacted or ""
            )
            consenting = chat.awaiting == "consent" and text.lower().strip(" .!") in YES
            referring = payload == payloads.ADVOCATE_YES or consenting
            if referring:
                replies = self._refer(session, chat)
            # (concern and a redacted copy to pass on both come from an analysis)
            elif concern and analysis is not None and payload is None:
                replies = self._check_in(chat, analysis)
            elif chat.awaiting == CHECK_IN and (
                payload == payloads.SAFE_YES or text.lower().strip(" .!") in YES
            ):
                replies = self._safe(chat)
            elif passed and analysis is not None and payload is None:
                replies = self._to_advocate(chat, text, analysis)
            else:
                replies = self._respond(chat, text, payload, analysis)
            if analysis is not None and analysis.names_risk and payload is None:
                replies = self._childline_first(chat, replies, over=analysis.over)
            storage.add_event(
                session=session,
                chat=chat,
                redacted=redacted,
                topic=self._event_topic(payload, analysis),
                risks=(),
                check_in=concern and payload is None,
            )
            asking, role, worries = chat.awaiting == CHECK_IN, chat.role, _labels(chat.worries)
            # Told an advocate will see this, the child must be able to count on it.
            db.commit(session, promised=referring or passed)
        if asking:
            self.check_ins.ask(key, role, worries=worries)
        elif was_asked:
            self.check_ins.answered(key)
        return replies

    async def _urgent(
        self, key: str, channel: str, urgent: Urgent, route: str | None
    ) -> list[Reply]:
        """Childline first, and an urgent referral kept before an advocate is promised.

        The database has `urgent_wait` seconds to take the referral; if it is locked or slow,
        the outbox on disk keeps it and the reply goes out without waiting any longer.
        """
        self.check_ins.answered(key)
        keeper = Keeper()
        write = asyncio.ensure_future(
            asyncio.to_thread(self._save_urgent, key, channel, urgent, route, keeper)
        )
        self._writing.add(write)
        write.add_done_callback(self._writing.discard)
        done, _ = await asyncio.wait({write}, timeout=self.urgent_wait)
        if write not in done and keeper.claim("outbox"):
            log.warning("the database is slow: an urgent referral goes to the outbox")
            loop = asyncio.get_running_loop()
            saved = await loop.run_in_executor(
                self._keeping,
                self._to_outbox,
                key,
                channel,
                urgent,
                keeper.role or urgent.role,
                route,
            )
        else:
            saved = await write  # done, or committing now
        analysis = urgent.analysis
        topic = self._asked(analysis) if analysis is not None else None
        # Who is writing, and where: the chat's, or the model's guess if the chat was out of reach.
        role = keeper.role or urgent.role or (analysis.role if analysis is not None else None)
        place = urgent.situation.place
        setting = (
            keeper.setting
            or (place.kind if place is not None else None)
            or (analysis.setting if analysis is not None else None)
        )
        nation = place.nation if place is not None else keeper.nation
        return self._crisis_replies(
            urgent.risks,
            topic,
            saved=saved,
            not_safe=urgent.not_safe,
            role=role,
            setting=setting,
            nation=nation,
            situation=urgent.situation,
            staff_named_before=keeper.staff_named,
        )

    def _save_urgent(
        self, key: str, channel: str, urgent: Urgent, route: str | None, keeper: Keeper
    ) -> bool:
        """Write the urgent referral, unless the outbox has claimed it; never raises."""
        try:
            if keeper.by is not None:
                return True  # the outbox has it already
            with Session(self.database) as session:
                # Flushed to disk after the commit, not during it, so the one write lock other
                # turns wait for is not held through the flush; the reply waits for it all.
                db.unsynced(session)
                chat = storage.get_or_create_chat(
                    session=session, key=key, channel=channel, route=route
                )
                self._learn(chat, urgent.analysis)
                place = urgent.situation.place
                if place is not None:
                    chat.place, chat.setting = place.id, place.kind
                keeper.role, keeper.setting = chat.role, chat.setting
                keeper.nation = self._nation(chat)
                earlier = storage.earlier_risk_words(session=session, chat=chat)
                keeper.staff_named = any(self.library.names_staff(words) for words in earlier)
                # What they say next ("yes", "i really mean it") is heard as said after telling.
                chat.awaiting, chat.worries = AFTER_CRISIS, ""
                storage.add_event(
                    session=session,
                    chat=chat,
                    redacted=urgent.redacted,
                    topic=None,
                    risks=urgent.risks,
                )
                lines = storage.recent_redacted(session=session, chat=chat)
                if urgent.not_safe:
                    lines.append(self._say("not_safe_note"))
                # A restraint that hurt is found under restraint in the queue's topic filter.
                analysis = urgent.analysis
                storage.create_referral(
                    session=session,
                    chat=chat,
                    urgency="urgent",
                    risks=urgent.risks,
                    # (words asked about while the database was away may be there twice)
                    summary="\n".join(dict.fromkeys(lines)),
                    no_words=self._say("risk_words_not_kept"),
                    topic=self._asked(analysis)
                    if analysis is not None and analysis.topic_score >= SURE_OF_TOPIC
                    else None,
                )
                # An advocate already talking with this child must see these words too.
                if urgent.redacted:
                    storage.pass_to_advocate(session=session, chat=chat, redacted=urgent.redacted)
                session.flush()
                if not keeper.claim("database"):
                    return True  # the outbox took it while the database kept us waiting
                db.commit(session, promised=True)
                return True
        except Exception as error:  # noqa: BLE001 - the crisis reply must still go out
            log.error("could not save an urgent referral: %s", type(error).__name__)
            if keeper.claim("database"):
                return self._to_outbox(key, channel, urgent, keeper.role or urgent.role, route)
            return True

    def _crisis_replies(
        self,
        risks: set[str],
        topic: str | None,
        *,
        saved: bool,
        not_safe: bool,
        role: str | None = None,
        setting: str | None = None,
        nation: str | None = None,
        situation: Situation | None = None,
        staff_named_before: bool = False,
    ) -> list[Reply]:
        """What someone at risk is told: Childline first, and an advocate only if promised.

        A child hears ways to be safe now; when they name staff, in this message or an earlier
        risk message of the chat, ways that do not go through staff. A family member or
        professional hears what an adult can do for the child.
        """
        situation = situation or Situation()
        restraint = situation.restraint or topic == "restraint"
        if role in ADULTS:
            return self._adult_crisis_replies(role, saved=saved, restraint=restraint)
        if not_safe:
            first = self._say("crisis_not_safe")
        else:
            first = self._say("crisis_abuse" if risks == {"abuse"} else "crisis_self_harm")
        replies = [Reply(text=first or safety.FALLBACK_RISK_REPLY)]
        # Staff named in a self-harm message alone ("told the nurse im fine but ...") are not
        # the ones hurting the child: staff and the call bell are the quickest help there is.
        staff_named = situation.staff_named or staff_named_before
        staff_hurt = staff_named and risks != {"self_harm"}
        if staff_hurt:
            # Staff are the problem: "tell a member of staff" is no help. The IMB is in YOIs;
            # Help at Hand is for England only.
            if setting == "yoi":
                staff_free = self._say("crisis_staff_yoi")
            elif nation == "wales":
                staff_free = self._say("crisis_staff_wales")
            else:
                staff_free = self._say("crisis_staff")
            replies.append(Reply(text=staff_free))
            last = self._say("crisis_advocate" if saved else "crisis_staff_no_advocate")
        else:
            replies.append(Reply(text=self._say("crisis_danger")))
            last = self._say("crisis_advocate" if saved else "crisis_no_advocate")
        # A risk tied to a topic (a restraint that hurt) also hears that topic's one right.
        right = self.library.crisis_line("restraint" if restraint else topic)
        if right:
            replies.append(Reply(text=right))
        if staff_hurt and not restraint:  # the restraint right names a nurse
            replies.append(Reply(text=self._say("crisis_staff_nurse")))
        replies.append(Reply(text=last, buttons=self._after_buttons()))
        return replies

    def _adult_crisis_replies(self, role: str, *, saved: bool, restraint: bool) -> list[Reply]:
        """An adult worried about a child: Childline and 999, the place, advice, an advocate."""
        said = [
            self._say("adult_crisis") or safety.FALLBACK_REPLY,
            self._say("adult_crisis_place"),
            self._say("adult_crisis_nspcc"),
            self._say("adult_crisis_advocate"),
        ]
        if restraint:
            said.append(self._say("adult_crisis_restraint"))
        if role == "professional":
            said.append(self._say("adult_crisis_professional"))
        last = self._say("crisis_advocate" if saved else "adult_crisis_no_advocate")
        return [Reply(text=text) for text in said] + [
            Reply(text=last, buttons=self._after_buttons())
        ]

    def _to_outbox(
        self, key: str, channel: str, urgent: Urgent, role: str | None, route: str | None
    ) -> bool:
        """The database is away or slow: keep the referral on disk until it is back."""
        if self.outbox is None:
            return False
        if role is None and urgent.analysis is not None:
            role = urgent.analysis.role  # the chat was out of reach: the model's guess
        try:
            self.outbox.put(
                key=key,
                channel=channel,
                risks=urgent.risks,
                words=urgent.redacted or "",
                note=self._say("not_safe_note") if urgent.not_safe else "",
                no_words=self._say("risk_words_not_kept"),
                role=role,
                route=route,
            )
            return True
        except OSError as failure:
            log.error("could not keep an urgent referral in the outbox: %s", type(failure).__name__)
            return False

    def _check_in_to_outbox(self, key: str, channel: str, analysis: Analysis) -> None:
        """A check-in while the database is away, kept to be counted when it is back."""
        if self.outbox is None:
            return
        try:
            self.outbox.check_in(
                key=key, channel=channel, words=analysis.redacted, role=analysis.role
            )
        except OSError as failure:  # the question is still asked
            log.error("could not keep a check-in in the outbox: %s", type(failure).__name__)

    # ---- the check-in: worrying words, but no named risk ---------------------------------

    def _check_in(self, chat: Chat, analysis: Analysis) -> list[Reply]:
        """Childline's number and "Are you safe right now?"; the answer decides what follows."""
        self._learn(chat, analysis)
        chat.awaiting = CHECK_IN
        chat.worries = ",".join(analysis.worries)
        # What they asked about waits for their "yes".
        chat.topic = self._asked(analysis)
        chat.step = 0
        # A worried parent is asked about the child, not themselves.
        return self._check_in_replies(chat.role in ADULTS, analysis)

    def _check_in_replies(self, adult: bool, analysis: Analysis) -> list[Reply]:
        return [
            Reply(text=self._say(self._check_in_words(adult, analysis))),
            Reply(
                text=self._say("adult_check_in_ask" if adult else "check_in_ask"),
                buttons=[
                    self._button(
                        "adult_button_safe_yes" if adult else "button_safe_yes", payloads.SAFE_YES
                    ),
                    self._button("button_safe_no", payloads.SAFE_NO),
                ],
            ),
        ]

    @staticmethod
    def _check_in_words(adult: bool, analysis: Analysis) -> str:
        if adult:
            return "adult_check_in"
        # "getting released friday so this is goodbye": a goodbye that is most likely just that
        # (its "so this is goodbye" may also be a risk phrase said in a way of speaking).
        if analysis.leaving:
            return "check_in_leaving"
        # "no one is hurting me": nothing to be sorry for, but worth a gentle check.
        return "check_in_denied" if analysis.denied else "check_in"

    def _childline_first(self, chat: Chat, replies: list[Reply], *, over: bool) -> list[Reply]:
        """A risk named in a calm message ("what happens if someone self harms in here"), or
        self-harm told as `over`: the answer, with Childline's number before it unless the
        answer already gives it."""
        if over and chat.role not in ADULTS:
            # Thanked first, whatever else the answer says; "did not understand" is dropped,
            # and what they can ask about comes with the thanks instead.
            lost = self._say("not_understood")
            kept = [reply for reply in replies if reply.text != lost]
            thanks = Reply(text=self._say("risk_told_over"))
            if len(kept) < len(replies):
                thanks.buttons = self._menu_buttons(chat)
            return [thanks, *kept]
        number = self.library.helpline("childline").number or safety.CHILDLINE
        if any(number in reply.text for reply in replies):
            return replies
        key = "adult_risk_named" if chat.role in ADULTS else "risk_named"
        return [Reply(text=self._say(key)), *replies]

    def _concern(self, text: str, analysis: Analysis | None) -> bool:
        """Worrying words that name no risk: "are you safe?" is asked. A message that only says
        where the child is has nothing in it to ask about, whatever the model made of an
        unusual place name ("im in medway")."""
        return analysis is not None and analysis.concern and not self._only_where(text)

    def _not_safe(self, payload: Payload | None, text: str, concern: bool) -> bool:
        if payload is not None:
            return payload == payloads.SAFE_NO
        return text.lower().strip(" .!") in NO or concern

    def _safe(self, chat: Chat) -> list[Reply]:
        chat.awaiting, chat.worries = None, ""
        said = Reply(text=self._say("adult_safe_yes" if chat.role in ADULTS else "safe_yes"))
        if chat.topic in self.topics:
            return [said, *self._answer(chat, chat.topic or "")]
        said.buttons = self._menu_buttons(chat)
        return [said]

    # ---- choosing the reply -------------------------------------------------------------

    def _respond(
        self, chat: Chat, text: str, payload: Payload | None, analysis: Analysis | None
    ) -> list[Reply]:
        if payload is not None:
            return self._on_payload(chat, payload)
        if not text:
            return [Reply(text=self._say("empty"), buttons=self._menu_buttons(chat))]
        if analysis is None:
            return [Reply(text=self._say("error"), buttons=self._menu_buttons(chat))]
        known = (chat.place, chat.setting)
        found = self.library.find_place(text)
        self._learn(chat, analysis, found, text)
        before = [Reply(text=self._say("long_message"))] if len(text) > LONG_MESSAGE else []
        after_crisis = chat.awaiting == AFTER_CRISIS
        if self.library.intent(text) in ("yes", "no"):
            if after_crisis:  # "yes" to "Is someone in danger right now?"
                return before + self._still_here(chat)
            # "yes" or "no" with no question on screen: what they can choose from.
            chat.awaiting = None
            return before + [Reply(text=self._menu_text(chat), buttons=self._menu_buttons(chat))]
        lowered = text.lower().strip(" .!")
        if chat.awaiting == "consent" and lowered in NO:
            chat.awaiting = None
            return before + [Reply(text=self._say("advocate_no"), buttons=self._after_buttons())]
        chat.awaiting = None
        # "what is a yoi": what that kind of place is, then what they can ask about.
        kinds = self.library.kinds_asked(text)
        if kinds:
            menu = Reply(text=self._menu_text(chat), buttons=self._menu_buttons(chat))
            return [*before, *(Reply(text=kind.explained) for kind in kinds), menu]
        named = self._place_named(chat, text, known, found)
        if named is not None:
            return before + self._after_place(chat, analysis, *named)
        asked = self._asked(analysis)
        if asked is not None:
            return before + self._answer(chat, asked)
        if after_crisis:
            return before + self._still_here(chat)
        if analysis.topic == "greeting":
            return before + self._greeting(chat)
        # A family member is pointed to families' own helpline; Childline is for children.
        lost = "adult_not_understood" if chat.role in ADULTS else "not_understood"
        return before + [Reply(text=self._say(lost), buttons=self._menu_buttons(chat))]

    def _still_here(self, chat: Chat) -> list[Reply]:
        """After telling: Childline again, and that an advocate sees these words too."""
        chat.awaiting = AFTER_CRISIS
        said = self._say("adult_crisis_still_here" if chat.role in ADULTS else "crisis_still_here")
        return [Reply(text=said, buttons=self._after_buttons())]

    def _to_advocate(self, chat: Chat, text: str, analysis: Analysis) -> list[Reply]:
        """The child is talking with an advocate: say the words went to them."""
        self._learn(chat, analysis, self.library.find_place(text), text)
        chat.awaiting = None
        sent = Reply(text=self._say("passed_to_advocate"))
        asked = self._asked(analysis)
        if asked is not None and analysis.topic_score >= SURE_OF_TOPIC:
            return [sent, *self._answer(chat, asked)]
        sent.buttons = self._menu_buttons(chat)
        return [sent]

    def _on_payload(self, chat: Chat, payload: Payload) -> list[Reply]:
        """A pressed button: its name picks the handler, which may refuse its value (None)."""
        chat.awaiting = None
        handler = self._payload_handlers.get(payload.name)
        replies = handler(chat, payload.value) if handler is not None else None
        if replies is None:
            return [Reply(text=self._say("bad_button"), buttons=self._menu_buttons(chat))]
        return replies

    def _on_start(self, chat: Chat, value: str) -> list[Reply] | None:
        return self._greeting(chat)

    def _on_menu(self, chat: Chat, value: str) -> list[Reply] | None:
        return [Reply(text=self._menu_text(chat), buttons=self._menu_buttons(chat))]

    def _on_role(self, chat: Chat, value: str) -> list[Reply] | None:
        if value not in ROLES:
            return None
        chat.role = value
        return [
            Reply(
                text=self._say(f"ask_setting_{value}"),
                buttons=[self._button(f"place_{k}", payloads.setting(k)) for k in PLACE_KINDS]
                + [self._button("button_unsure", payloads.setting(payloads.UNSURE))],
            )
        ]

    def _on_setting(self, chat: Chat, value: str) -> list[Reply] | None:
        if not (value in PLACE_KINDS or value == payloads.UNSURE):
            return None
        chat.setting = value if value in PLACE_KINDS else None
        self._forget_other_place(chat)
        said = (
            self._say("setting_set", place=self.library.kinds[value].child_name)
            if value in PLACE_KINDS
            else self._say("setting_unsure")
        )
        return [
            Reply(text=said),
            Reply(text=self._menu_text(chat), buttons=self._menu_buttons(chat)),
        ]

    # ---- a place named in words ---------------------------------------------------------

    def _place_named(
        self,
        chat: Chat,
        text: str,
        known: tuple[str | None, str | None],
        found: PlaceNamed | None,
    ) -> tuple[list[Reply], bool] | None:
        """A place named in words ("im in wetherby", "im on a ward"): remember it and say
        what kind it is; True with it when the message said no more than that.

        None when no place is named, or when a question names the place the chat already
        had (`known`: its place and kind before this message): a child on a ward is not
        told so every time they say "ward". `found`: the establishment `text` names.
        """
        if found is not None:
            only = not self.library.other_words(text, found.start, found.end)
            if (found.place.id, found.place.kind) == known and not only:
                return None
            return self._name_place(chat, found), only
        named = self.library.find_kind(text)
        if named is None:
            return None
        kind, start, end = named
        only = not self.library.other_words(text, start, end)
        if (None, kind) == known and not only:
            return None
        if known[1] not in (None, kind) and not only and not self.library.says_here(text, start):
            # A child in a YOI who "ended up in hospital" after a restraint is still in a YOI.
            return None
        chat.setting = kind
        self._forget_other_place(chat)
        said = self._say("setting_set", place=self.library.kinds[kind].child_name)
        return [Reply(text=said)], only

    def _only_where(self, text: str) -> bool:
        """Whether the message names a place (or a kind of place) and says nothing more."""
        found = self.library.find_place(text)
        if found is not None:
            return not self.library.other_words(text, found.start, found.end)
        named = self.library.find_kind(text)
        return named is not None and not self.library.other_words(text, named[1], named[2])

    def _name_place(self, chat: Chat, found: PlaceNamed) -> list[Reply]:
        """Remember an establishment and say what kind it is, its new name, and that it is in
        Wales; of one that holds no children now, say so and ask where they are."""
        place = found.place
        if not place.holds_children:
            chat.place = None
            key = "adult_place_closed" if chat.role in ADULTS else "place_closed"
            closed = self._say(key, place=place.name)
            return [Reply(text=closed, buttons=self._kind_buttons())]
        chat.place, chat.setting = place.id, place.kind
        kind = self.library.kinds[place.kind].child_name
        if found.former:
            line = self._say("place_renamed", said=found.said, place=place.name, kind=kind)
        else:
            line = self._say("place_known", place=place.name, kind=kind)
        if place.nation == "wales":
            line = f"{line} {self._say('place_in_wales', place=place.name)}"
        return [Reply(text=line)]

    def _after_place(
        self, chat: Chat, analysis: Analysis, said: list[Reply], only: bool
    ) -> list[Reply]:
        """What the place was said with: the answer for that place, or else the menu."""
        asked = self._asked(analysis)
        if not only and asked is not None:
            return said + self._answer(chat, asked)
        if said[-1].buttons:  # a place that holds no children asks where they are now
            return said
        return said + [Reply(text=self._menu_text(chat), buttons=self._menu_buttons(chat))]

    def _forget_other_place(self, chat: Chat) -> None:
        """A kind of place chosen that is not the remembered establishment's: forget it."""
        place = self.library.place(chat.place)
        if place is not None and place.kind != chat.setting:
            chat.place = None

    def _nation(self, chat: Chat) -> str | None:
        place = self.library.place(chat.place)
        return place.nation if place is not None else None

    def _kind_buttons(self) -> list[Button]:
        return [self._button(f"place_{k}", payloads.setting(k)) for k in PLACE_KINDS] + [
            self._button("button_unsure", payloads.setting(payloads.UNSURE))
        ]

    def _on_topic(self, chat: Chat, value: str) -> list[Reply] | None:
        return self._answer(chat, value) if value in self.topics else None

    def _on_more(self, chat: Chat, value: str) -> list[Reply] | None:
        return self._more(chat) if chat.topic else None

    def _on_actions(self, chat: Chat, value: str) -> list[Reply] | None:
        return self._actions(chat) if chat.topic else None

    def _on_action(self, chat: Chat, value: str) -> list[Reply] | None:
        return self._action(chat, value) if chat.topic else None

    def _on_talk(self, chat: Chat, value: str) -> list[Reply] | None:
        chat.awaiting = "consent"
        return [
            Reply(text=self._say("talk")),
            Reply(text=self._say("talk_childline")),
            Reply(
                text=self._say("talk_consent"),
                buttons=[
                    self._button("button_yes", payloads.ADVOCATE_YES),
                    self._button("button_no", payloads.ADVOCATE_NO),
                ],
            ),
        ]

    def _on_safe(self, chat: Chat, value: str) -> list[Reply] | None:
        return self._safe(chat) if value == payloads.SAFE_YES.value else None

    def _on_advocate(self, chat: Chat, value: str) -> list[Reply] | None:
        if value != payloads.ADVOCATE_NO.value:
            return None
        return [Reply(text=self._say("advocate_no"), buttons=self._after_buttons())]

    def _on_privacy(self, chat: Chat, value: str) -> list[Reply] | None:
        return self._answer(chat, "privacy")

    def _on_forget(self, chat: Chat, value: str) -> list[Reply] | None:
        if not value:
            chat.awaiting = FORGET_ASKED
            return [
                Reply(
                    text=self._say("forget_ask"),
                    buttons=[
                        self._button("button_forget", payloads.FORGET_YES),
                        self._button("button_keep", payloads.FORGET_NO),
                    ],
                )
            ]
        if value == payloads.FORGET_NO.value:
            return [Reply(text=self._say("forget_no"), buttons=self._menu_buttons(chat))]
        return None

    def _on_help(self, chat: Chat, value: str) -> list[Reply] | None:
        return [
            Reply(text=self._say("help")),
            Reply(text=self._menu_text(chat), buttons=self._menu_buttons(chat)),
        ]

    def _on_decline(self, chat: Chat, value: str) -> list[Reply] | None:
        return [Reply(text=self._say("offer_no"), buttons=self._menu_buttons(chat))]

    # ---- typed words that mean a button ---------------------------------------------------

    def _typed_button(
        self, chat: Chat, referral: Referral | None, text: str, concern: bool
    ) -> Payload | None:
        """The button typed words mean (intents.yaml), or None: the words are read as usual.

        Only a message with no named risk gets here: a risk always takes the risk path first.
        Worrying words (`concern`) still get the check-in ("just forget me" may be a goodbye),
        unless they ask for a person, or answer the question on screen: "im safe now" to "Are
        you safe right now?" is a yes, whatever the model made of so few words.
        """
        intent = self.library.intent(text) if text else None
        if intent is None or (chat.awaiting == CHECK_IN and concern and intent != "yes"):
            return None
        if intent == "unsure":
            # Not sure they are safe is not safe: put through at once. Elsewhere, read as usual.
            return payloads.SAFE_NO if chat.awaiting == CHECK_IN else None
        if intent in ("yes", "no"):
            return self._answer_to(chat, referral, yes=intent == "yes")
        if concern and intent != "talk":
            return None
        if intent in ("more", "actions") and (
            not chat.topic or chat.awaiting == AFTER_CRISIS or _talking(referral)
        ):
            # "then what" gets the next part of the answer last given, and "what if they say
            # no" what they can do about it; with no answer yet, or an advocate talking with
            # them (the words are for the advocate), the words are read as usual.
            return None
        return TYPED_BUTTONS.get(intent)

    def _answer_to(self, chat: Chat, referral: Referral | None, *, yes: bool) -> Payload | None:
        """A typed "yes" or "no" as the answer to what is on screen; None when nothing is."""
        asked = chat.awaiting
        if asked == CONSENT:
            return payloads.ADVOCATE_YES if yes else payloads.ADVOCATE_NO
        if asked == CHECK_IN:
            return payloads.SAFE_YES if yes else payloads.SAFE_NO
        if asked == FORGET_ASKED:
            return payloads.FORGET_YES if yes else payloads.FORGET_NO
        if asked not in OFFERS:
            return None
        if _talking(referral):
            return None  # an advocate is talking with them: their "yes" is for the advocate
        if not yes:
            return payloads.DECLINE
        return payloads.role(chat.role or "child") if asked == "setting" else Payload(asked)

    def _greeting(self, chat: Chat) -> list[Reply]:
        replies = [Reply(text=self._say("adult_greeting" if chat.role in ADULTS else "greeting"))]
        if chat.role is None:
            replies.append(
                Reply(
                    text=self._say("ask_role"),
                    buttons=[self._button(f"button_{r}", payloads.role(r)) for r in ROLES],
                )
            )
        else:
            replies.append(Reply(text=self._menu_text(chat), buttons=self._menu_buttons(chat)))
        return replies

    # ---- answers from content -----------------------------------------------------------

    def _content(self, chat: Chat, topic: str) -> Answer | None:
        audience = chat.role or "child"
        return self.library.answer(topic, audience, chat.setting, self._nation(chat))

    def _answer(self, chat: Chat, topic: str) -> list[Reply]:
        chat.topic, chat.step = topic, 0
        answer = self._content(chat, topic)
        if answer is None:
            return [Reply(text=self._say("no_answer"), buttons=self._after_buttons())]
        buttons = [self._button("button_more", payloads.MORE)] if answer.more else []
        buttons += [self._button("button_actions", payloads.ACTIONS)] if answer.actions else []
        if topic == "privacy":
            buttons.append(self._button("button_forget", payloads.FORGET))
        buttons.append(self._button("button_talk", payloads.TALK))
        # Every child answer offers a way to a person today: "yes" takes it, unless the
        # answer offers something else.
        chat.awaiting = answer.first_offer or ("talk" if answer.audience == "child" else None)
        return [Reply(text=" ".join(answer.first), buttons=buttons)]

    def _more(self, chat: Chat) -> list[Reply]:
        answer = self._content(chat, chat.topic or "")
        if answer is None or chat.step >= len(answer.more):
            return [Reply(text=self._say("more_done"))] + self._actions(chat)
        text = answer.more[chat.step]
        offer = answer.more_offers[chat.step] if chat.step < len(answer.more_offers) else None
        chat.step += 1
        chat.awaiting = offer or ("more" if chat.step < len(answer.more) else "actions")
        buttons = (
            [self._button("button_more", payloads.MORE)] if chat.step < len(answer.more) else []
        )
        buttons += [
            self._button("button_actions", payloads.ACTIONS),
            self._button("button_talk", payloads.TALK),
        ]
        return [Reply(text=text, buttons=buttons)]

    def _actions(self, chat: Chat) -> list[Reply]:
        answer = self._content(chat, chat.topic or "")
        if answer is None or not answer.actions:
            return [Reply(text=self._say("no_answer"), buttons=self._after_buttons())]
        buttons = [
            Button(label=a.label, payload=str(payloads.action(a.route))) for a in answer.actions
        ]
        buttons.append(self._button("button_talk", payloads.TALK))
        return [Reply(text=self._say("actions_intro"), buttons=buttons)]

    def _action(self, chat: Chat, route: str) -> list[Reply]:
        answer = self._content(chat, chat.topic or "")
        action = next((a for a in answer.actions if a.route == route), None) if answer else None
        if action is None:
            return [Reply(text=self._say("bad_button"), buttons=self._menu_buttons(chat))]
        if route == "advocate":
            return self._on_payload(chat, payloads.TALK)
        if route == "forget_me":
            return self._on_payload(chat, payloads.FORGET)
        return [Reply(text=action.text, buttons=self._after_buttons())]

    # ---- referrals ----------------------------------------------------------------------

    def _refer(self, session: Session, chat: Chat) -> list[Reply]:
        """The child said yes: a referral, saved before we tell them it is on its way."""
        chat.awaiting = None
        summary = "\n".join(storage.recent_redacted(session=session, chat=chat))
        summary = summary or self._say("asked_to_talk_note")
        storage.create_referral(session=session, chat=chat, urgency="normal", summary=summary)
        channel = chat.channel if chat.channel in ("web", "telegram") else "console"
        return [
            *self._where_replies_wait(channel),
            Reply(text=self._say("advocate_yes_note"), buttons=self._after_buttons()),
        ]

    def _where_replies_wait(self, channel: str) -> list[Reply]:
        """Where the advocate's reply will come, and, on the web, what the child must keep
        for it to reach them and for how long (the page's tab: service/static/chat.js)."""
        if channel != "web":
            return [Reply(text=self._say(f"advocate_yes_{channel}"))]
        if self.settings.kiosk_mode:
            minutes = _how_many(self.settings.kiosk_idle_minutes, "minute")
            return [
                Reply(text=self._say("advocate_yes_kiosk")),
                Reply(text=self._say("advocate_wait_kiosk", minutes=minutes)),
            ]
        days = _how_many(self.settings.retention_days, "day")
        return [
            Reply(text=self._say("advocate_yes_web")),
            Reply(text=self._say("advocate_wait_web", days=days)),
        ]

    # ---- other operations ---------------------------------------------------------------

    def _forget(self, key: str) -> bool:
        self.check_ins.answered(key)
        if self.outbox is not None and any(row["key"] == key for row in self.outbox.waiting()):
            # An urgent referral of this chat still on disk is written first, so it is kept
            # with no words like any other, and a later drain cannot bring the words back.
            self.outbox.drain(self.database)
        with Session(self.database) as session:
            note = self._say("referral_forgotten")
            done = storage.forget_chat(session=session, key=key, note=note)
            session.commit()
        db.scrub(self.database)  # the deleted words leave the disk too
        return done

    def _pending(self, key: str) -> list[Reply] | None:
        with Session(self.database) as session:
            chat = storage.find_chat(session=session, key=key)
            if chat is None:
                return None
            messages = storage.take_advocate_messages(session=session, chat=chat)
            session.commit()
            return [self.to_child(message.sender, message.text) for message in messages]

    def to_child(self, sender: str, text: str) -> Reply:
        """A relayed message as every channel shows it: an advocate's words, introduced; or
        Rightsline's own (the advocate has finished), with the buttons they name."""
        if sender == "rightsline":
            return Reply(text=text, buttons=self._after_buttons())
        return Reply(text=self.advocate_says(text))

    def _claim_update(self, key: str) -> bool:
        with Session(self.database) as session:
            storage.claim_update(session=session, key=key)
            try:
                session.commit()
            except IntegrityError:
                return False
        return True

    def _set_route(self, key: str, channel: str, route: str) -> None:
        with Session(self.database) as session:
            chat = storage.get_or_create_chat(session=session, key=key, channel=channel)
            chat.route = route
            session.commit()

    # ---- small helpers ------------------------------------------------------------------

    def _learn(
        self,
        chat: Chat,
        analysis: Analysis | None,
        found: PlaceNamed | None = None,
        text: str = "",
    ) -> None:
        """Take who is talking and where from the message, when it says; never insist.
        `found`: the establishment the message names, if any; `text`, the message."""
        if analysis is None:
            return
        # The model's guess fills in a role nobody has given; once given, only the words
        # themselves ("my son is in wetherby") change it, and never back to "child": a child
        # who says "i dont want to get him in trouble" is still a child.
        if chat.role is None and analysis.role in ROLES:
            chat.role = analysis.role
        elif (
            analysis.role_said in ROLES
            and analysis.role_said not in (chat.role, "child")
            # A child at risk keeps a child's answers: "letters for my nan" is no parent.
            and not (chat.role == "child" and analysis.risks)
        ):
            chat.role = analysis.role_said
        named = found.place.kind if found is not None and found.place.holds_children else None
        setting = analysis.setting or named
        if setting not in PLACE_KINDS or setting == chat.setting:
            return
        # Once known, the kind of place changes only when the words say the child is there now
        # ("theyve moved me to a ward"), or name the place: a child in a YOI who "ended up in
        # hospital" after a restraint is still in a YOI.
        if chat.setting is None or named == setting or self.library.says_there(text, setting):
            chat.setting = setting

    def _situation(self, text: str) -> Situation:
        """Whether a risk message names staff or restraint (content's crisis_words.yaml)."""
        try:
            found = self.library.find_place(text)
            return Situation(
                staff_named=self.library.names_staff(text),
                restraint=self.library.mentions_restraint(text),
                place=found.place if found is not None and found.place.holds_children else None,
            )
        except Exception as error:  # noqa: BLE001 - the crisis reply goes out whatever happens
            log.error("could not read the situation: %s", type(error).__name__)
            return Situation()

    def _event_topic(self, payload: Payload | None, analysis: Analysis | None) -> str | None:
        """The topic counted: a topic button's, none for another button (typed words that
        mean one, "then what", count as the press), else what the words were read as."""
        if payload is not None:
            topic = payload.name == payloads.TOPIC and payload.value
            return reported_topic(payload.value) if topic else None
        return analysis.topic if analysis is not None else None

    def _asked(self, analysis: Analysis) -> str | None:
        """What a message asks about that content answers: its subject, else its topic."""
        for label in (analysis.subject, analysis.topic):
            if label in self.topics:
                return label
        return None

    def _say(self, key: str, **values: str) -> str:
        """A line from messages.yaml; `content check` proves every key said here is there."""
        try:
            return self.library.message(key, **values)
        except KeyError as error:
            if self.strict:
                raise MessageMissing(key) from error
            log.error("a message is missing from content: %s", key)
            return ""

    def _button(self, key: str, payload: Payload) -> Button:
        return Button(label=self._say(key), payload=str(payload))

    def _menu_text(self, chat: Chat) -> str:
        return self._say("menu_family" if chat.role == "family" else "menu_child")

    def _menu_buttons(self, chat: Chat) -> list[Button]:
        # The menu keeps to the contract's topics; finer subjects are found by asking.
        order = [topic for topic in self.topics if topic in REPORTED_TOPICS]
        if chat.role == "family" and "visits" in order:
            order.remove("visits")
            order.insert(0, "visits")
        return [self._button(f"topic_{t}", payloads.topic(t)) for t in order] + [
            self._button("button_talk", payloads.TALK)
        ]

    def _after_buttons(self) -> list[Button]:
        return [
            self._button("button_talk", payloads.TALK),
            self._button("button_menu", payloads.MENU),
        ]


def _talking(referral: Referral | None) -> bool:
    """An advocate has taken up the chat's open referral, so what the child writes is for them."""
    return referral is not None and referral.status in ("claimed", "waiting")


def _how_many(count: int, unit: str) -> str:
    """A count in words: 1 day, 90 days."""
    return f"{count} {unit}{'' if count == 1 else 's'}"


def _labels(stored: str) -> set[str]:
    """Risk labels stored comma-separated ("abuse,self_harm") as a set."""
    return {label for label in stored.split(",") if label}
