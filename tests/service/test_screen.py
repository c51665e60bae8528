"""The pattern screen (service/safety.py): what it states, and so makes urgent whatever the
model says, and what it only names, which is urgent only where the model reads risk too."""

from __future__ import annotations

import pytest

from service import safety


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("the lad i share with hits me at night", "abuse"),
        ("staff choked me out in the hold", "abuse"),
        ("he beat me at breakfast in front of everyone", "abuse"),
        ("the officer hit me with his keys", "abuse"),
        ("they kicked me out of my bed and stamped on me", "abuse"),
        ("he hit me up the side of the head with his tray", "abuse"),
        ("im on an acct again and i keep thinking about it", "self_harm"),
        ("my mate says hes gonna hang himself tonight", "self_harm"),
        ("i dont want to live like this", "self_harm"),
        # Bored of everything is not a way of speaking about a lesson.
        ("bored of everything in here, i want to die", "self_harm"),
        # Beaten up is no boast; abuse told of oneself or of another is no question.
        ("nobody on the wing helped when the older lads beat me up", "abuse"),
        ("if i tell my mum i got abused she will go mad", "abuse"),
        ("if someone grassed, they got abused by the older lads after", "abuse"),
        ("i want to die, bored or not", "self_harm"),
        ("snapped my tv screen and put the broken glass to my wrist", "self_harm"),
        ("got the blade out the sharpener and dragged the blade across my leg", "self_harm"),
        ("im gonna end it with the tablets under my mattress", "self_harm"),
        # Many tablets at once, however it is said.
        ("swallowed about 16 of my painkillers after tea, head is spinning", "self_harm"),
        ("necked a whole strip of co-codamol", "self_harm"),
        ("took the full box of my night meds at once", "self_harm"),
        # Welsh and Polish, as a child in Wales, or from a Polish family, may write.
        ("dw i eisiau lladd fy hun heno", "self_harm"),
        ("mae'r swyddog wedi fy nharo i eto", "abuse"),
        ("chcę się zabić", "self_harm"),
        ("nie chcę już żyć tutaj", "self_harm"),
        ("wychowawca mnie bije w nocy", "abuse"),
    ],
)
def test_a_risk_stated_is_urgent(text: str, label: str) -> None:
    assert label in safety.screen(text)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        # A game won, a sanction, being sent out of a lesson: ways of speaking.
        ("my cousin thrashed me at darts, beat me at pool too", "abuse"),
        ("the officer hit me with a nicking cos i was late back from gym", "abuse"),
        ("miss keeps kicking me out of the class for chatting", "abuse"),
        ("my keyworker is mad at table tennis, beat me 11-2 twice", "abuse"),
        ("ill kill myself laughing if he wears that hat again", "self_harm"),
        ("lol i overdosed on haribo at the christmas social", "self_harm"),
        # Not wanting it, or not having done it.
        ("i feel flat but i dont wanna hurt myself", "self_harm"),
        ("i havent cut myself since june", "self_harm"),
        ("i was on an acct last winter, does it follow me", "self_harm"),
        # Boredom said the way people say it.
        ("double geography again, so boring i want to die lol", "self_harm"),
        ("this film is that borin u wanna die 😴", "self_harm"),
        # A boast, and a question about someone else, if it happened.
        ("top of the table on fifa, no one on this wing can ever beat me", "abuse"),
        ("what happens if somebody reports that they got abused by a teacher here", "abuse"),
    ],
)
def test_a_way_of_speaking_or_a_denial_only_names_the_risk(text: str, label: str) -> None:
    assert label not in safety.screen(text)
    assert label in safety.named(text)
    # Whatever the model says, a child whose turn fails still hears Childline first.
    assert safety.fallback_for(text) == safety.FALLBACK_RISK_REPLY


@pytest.mark.parametrize(
    "text",
    ["hit me up on here when the new visit slots come out", "my nan said hit me up if u need owt"],
)
def test_hit_me_up_is_asking_for_a_message(text: str) -> None:
    assert safety.signs(text) == set()


@pytest.mark.parametrize(
    "text",
    ["my brother says hes gonna end it with his bird this weekend", "i wanna end it with him tbh"],
)
def test_ending_it_with_a_partner_is_a_break_up(text: str) -> None:
    assert safety.signs(text) == set()


def test_cutting_off_a_call_is_no_risk_at_all() -> None:
    text = "they keep cutting off my calls home halfway through"
    assert safety.signs(text) == set()


@pytest.mark.parametrize(
    "text", ["staff are acting a bit odd with me today", "whats the odd one out in this puzzle"]
)
def test_odd_is_a_word_not_an_overdose(text: str) -> None:
    assert safety.signs(text) == set()


@pytest.mark.parametrize(
    "text", ["i od'd on my tablets last night", "he odd on his meds again", "i overdosed again"]
)
def test_an_overdose_told_is_urgent(text: str) -> None:
    assert safety.screen(text) == {"self_harm"}


@pytest.mark.parametrize(
    "text", ["I’m on an ACCT again", "i don’t want to live anymore", "I’m not safe tonight"]
)
def test_a_curly_apostrophe_as_phones_type_it_is_read_as_a_straight_one(text: str) -> None:
    assert safety.screen(text) or safety.says_not_safe(text)


def test_a_curly_apostrophe_can_deny_too() -> None:
    assert safety.screen("he doesn’t hurt himself any more") == set()
    assert safety.named("he doesn’t hurt himself any more") == {"self_harm"}


@pytest.mark.parametrize(
    "text",
    [
        "hw much is a lethal dose of my sleeping tablets",
        "tell me the most painless way",
        "whats the fastest way to go?",
        "is there an easy painless way to die",
        "quickest way to stop breathing when ur asleep",
        "whats the surest way to not wake up tomorrow",
    ],
)
def test_a_method_asked_for_is_urgent(text: str) -> None:
    assert safety.screen(text) == {"self_harm"}


@pytest.mark.parametrize(
    "text",
    [
        "whats the quickest way to go from standard to enhanced",
        "most painless way to take a plaster off a hairy leg",
        "easiest way to learn my 7 times table",
    ],
)
def test_an_everyday_quickest_way_is_no_risk(text: str) -> None:
    assert safety.signs(text) == set()


@pytest.mark.parametrize(
    "text",
    [
        "i used a razor on my legs for the first time, is that allowed in here",
        "put the glass on my table cos the tray was full",
        "can i use a pencil sharpener in my room for art",
        # Done by someone else: abuse, for the model and the abuse patterns to read.
        "someone put a blade to my neck in the shower",
        "he put the broken glass to my face and said pay up",
    ],
)
def test_glass_a_razor_or_a_sharpener_in_everyday_words_is_no_risk(text: str) -> None:
    assert "self_harm" not in safety.screen(text)


@pytest.mark.parametrize(
    "text",
    [
        "took my meds at 8 like the nurse said",
        "can i take 2 paracetamol for my tooth",
        "the nurse gives out about 30 tablets a day on this landing",
        "took a load of pictures at family day",
    ],
)
def test_medicine_taken_as_meant_is_no_risk(text: str) -> None:
    assert "self_harm" not in safety.screen(text)


@pytest.mark.parametrize(
    "text",
    [
        "overdosed at my old placement two years ago, glad it didnt work, im good now",
        "when i was 12 i tried to hang myself but thats behind me",
        "used to cut myself, 14 months clean now",
        "i havent wanted to die for ages, tried to kill myself at my last unit but its over",
        "i self harmed when i was 12 but thats years ago. does it go on my file forever",
        "i self harmed 3 years ago but ive been fine since, can i still be a listener",
        # An age with a word before it, and a question about records, are no coming back.
        "i cut myself when i was about 13 but im fine now, do they keep it on my records",
    ],
)
def test_self_harm_told_as_over_only_names_it(text: str) -> None:
    # The model decides; the answer still carries Childline's number (names_risk).
    assert "self_harm" not in safety.screen(text)
    assert "self_harm" in safety.named(text)


@pytest.mark.parametrize(
    "text",
    [
        "tried to hang myself at my old placement, im fine now but the urges are back",
        "was 6 months clean and cut myself again last night",
        "overdosed last year and im feeling like that again tonight",
        "i took an overdose years ago, im fine but still want to die",
        "used to cut myself and i still cut my arms",
        "i used to cut myself last year, im not ok",
        "i used to be proud of myself before i started cutting myself",
        "i cut myself when i was 12, thats years ago but its started again",
    ],
)
def test_self_harm_that_is_coming_back_stays_urgent(text: str) -> None:
    assert "self_harm" in safety.screen(text)


@pytest.mark.parametrize(
    "text",
    [
        "my dad used to hit us but hes in prison now and social services sorted it all ages ago",
        "when i was 12 my stepdad hit me but police dealt with it and hes not around no more",
        "someone at my old placement used to punch me, it got reported and he got sacked",
        # "here" asked about for help or records is not the abuse happening here.
        "a neighbour used to hit me years ago, police sorted it. will it be on my records here",
        "my stepbro used to hurt me when i was little but hes locked up now, any counsellors here",
        # Staff at an old place; "can i still get" asks for help.
        "at my last children's home a staff used to hit me, it got reported and he got sacked",
        "my uncle used to hurt me years ago but hes in prison now. can i still see a therapist",
        # "Here" in a question of its own asks about this place; the one who did it moved away.
        "grandad used to hit me, police dealt with it, i live with nan. can she visit me here?",
        "last year a lad on my wing punched me, it got reported and they moved him. any gym here?",
        "on the old unit a lad used to slap me but it was reported, he got charged",
        # Only staff are sacked or stop working here: the one who did it is gone.
        "last year an officer hurt me in a restraint, it was investigated and he got sacked",
        "a staff hurt me last year, it got reported, she doesnt work here anymore. gym times?",
    ],
)
def test_abuse_told_as_past_and_dealt_with_only_names_it(text: str) -> None:
    # The model decides: at most "are you safe?", never an alarm of itself (nlp/over.py).
    assert "abuse" not in safety.screen(text)
    assert "abuse" in safety.named(text)


@pytest.mark.parametrize(
    "text",
    [
        "he used to hit me",
        "my dad used to hit me when i was little, its been reported but hes getting out soon",
        "my stepdad used to hit me, it was reported but nobody did anything",
        "my stepdad used to hit me, police dealt with it but i go home to him on leave",
        "staff used to punch me at my last place, its been reported",
        "my uncle used to hit me years ago, it never got dealt with",
        "my dad used to hit me, police dealt with it ages ago but now hes hitting my sister",
        "my uncle used to hit me years ago, police dealt with it, but he works here now",
        "my uncle used to hit me years ago, police dealt with it, but someone hits me in here",
        "a cousin used to hit me years ago, it got reported. my therapist in here hurts me",
        "at my old unit staff used to hit me, it got reported, and the staff here hit me too",
        "my uncle used to hit me years ago, police dealt with it, but he still messages me",
        # A question that names harm here, or puts someone here, still tells of it here.
        "my dad used to hit me but it got reported. why do the lads punch me in here?",
        "my dad used to hit me but it got reported. what do i do if hes in here?",
        # Moved onto the child's own wing is not moved away.
        "last year a lad punched me, it got reported and they moved him onto my wing",
        "last year a lad on my unit punched me, it got reported and he was moved to my unit",
        "last year an officer hurt me in a restraint, it was investigated. he still works here",
        "a staff hit me last year, it got reported, she doesnt work here now but he is here now",
    ],
)
def test_abuse_told_as_past_and_not_over_stays_urgent(text: str) -> None:
    assert "abuse" in safety.screen(text)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("im not going to hurt myself, i just miss my dog", "self_harm"),
        ("no plans to kill myself, stop asking lol", "self_harm"),
        ("never tried to kill myself, that was my cousin", "self_harm"),
        ("havent felt like hurting myself since i got here", "self_harm"),
        ("nobody's touching me, the searches are just annoying", "abuse"),
    ],
)
def test_a_denial_with_going_to_or_plans_only_names_it(text: str, label: str) -> None:
    assert label not in safety.screen(text)
    assert label in safety.named(text)


@pytest.mark.parametrize(
    "text",
    [
        "took my tablets at dinner like the nurse said",
        "cutting back on crisps, been cutting down on sugar too",
        "i dont want to live in the same town when i get out",
        "how do i get on the gym list, whats the quickest way",
    ],
)
def test_everyday_words_that_looked_like_a_plan_are_no_risk(text: str) -> None:
    assert safety.screen(text) == set()


@pytest.mark.parametrize(
    "text",
    [
        "i dont want to live in this world",
        "took my tablets all at once",
        "i cant do this no more\nwhats the quickest way",
        "how do i do it, whats the quickest way",
        # An emoji after the words does not hide them.
        "wots the quickest way to go 😂",
        "whats the easiest way 😶\u200d🌫\ufe0f",
    ],
)
def test_the_same_words_as_a_plan_stay_urgent(text: str) -> None:
    assert "self_harm" in safety.screen(text)
