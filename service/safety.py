"""The last-resort risk screen: plain patterns that need no model, content file or database.

The spaCy pipeline in nlp/ is the main net; this screen runs first on every message so that
the clearest signs of risk are caught even when the model or the content cannot be loaded.
It lives in code on purpose: it must work when nothing else does.

It knows two kinds of sign. A risk *stated* ("i want to kill myself", "staff hit me") is always
urgent. A risk only *named* ("suicide", "self harm", "abuse") is often a calm question about it
("what support is there for kids who self harm"): it is urgent when the model also reads risk
in the message, or cannot read it at all; a check-in ("Are you safe right now?") when the model
is uneasy; and otherwise the ordinary answer with Childline's number before it, never the
ordinary answer alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from nlp.over import abuse_dealt_with, told_as_over
from nlp.pictures import is_picture

CHILDLINE = "0800 1111"

_SELF = r"(?:my ?self|my life|it all)"
_TREATS = (
    r"(?:chocolate|choc|sweets|haribo|sugar|caffeine|coffee|energy\s+drinks?|red\s*bull|monster"
    r"|crisps|cake|biscuits|pizza|junk\s+food|canteen|tv|telly|netflix|fifa|xbox|revision"
    r"|homework|maths)\b"
)
_BARE_WAY = (
    r"\b(?:painless|quickest|easiest|fastest|surest)\s+way(?:\s+to\s+(?:go|do\s+it|end\s+it))?"
    r"\s*[?.!]*\s*$"
)
_SELF_HARM = [
    r"\bkms\b",
    r"\bkys\b",
    r"\bun ?alive\b",
    # ("kill myself laughing" is a way of speaking.)
    r"\b(?:kill|killing|hang|hanging|end|ending|cut|cutting|hurt|hurting|harm|harming|strangle)\s+"
    + _SELF
    + r"(?!\s+laugh)",
    r"\b(?:kill|hang|cut|hurt|harm)(?:ing|s)?\s+(?:him|her|them)sel(?:f|ves)\b",
    r"\bcut(?:ting)?\s+(?:my|me|his|her)\s+(?:arms?|wrists?|legs?|thighs?|skin)\b",
    # ("been cutting back on sugar", "cutting my hair" are not.)
    r"\b(?:been|started|start|keep)\s+cutting\b(?!\s+(?:off|back|down|out|up|corners|my\s+hair"
    r"|hair|the\s+grass|grass|wood|paper|veg)\b)",
    # Something sharp used on one's own body: "used the glass on my arm", "took a blade to my
    # wrist", not by someone else ("someone put a blade to my neck" is abuse, for the abuse
    # words and the model). A razor is left to the model: "used a razor on my legs" is shaving.
    # (It starts by looking at the word's first letter: lookbehinds tried at every word of a
    # 100 KB message made the whole screen twice as slow.)
    r"\b(?=[utpdr])(?<!someone )(?<!somebody )(?<!he )(?<!she )(?<!they )(?<!staff )"
    r"(?<!lads )(?<!lad )"
    r"(?:used|use|using|took|take|taking|put|putting|dragged|drag|ran|run)\s+"
    r"(?:(?:the|a|some|that|this|my|a bit of|a piece of|bits of)\s+)?(?:broken\s+)?"
    r"(?:glass|blade|blades|shard|shards|sharpener)\s+(?:on|to|across|into|along|against)\s+"
    r"(?:my|me)\s+(?:arms?|wrists?|legs?|thighs?|skin|stomach|neck|face|body|self)\b",
    r"\b(?:want|wanna)\s+(?:to\s+)?die\b",
    # ("dont want to live in the same area" is about a place.)
    r"\bdon'?t\s+want\s+to\s+(?:live\b(?!\s+(?:with|at|there|near|back|round|around|somewhere"
    r"|anywhere|where|by)\b|\s+(?:in|on)\s+(?:the\s+same|that|a|an|my\s+old|the)\s+(?:area|town"
    r"|city|house|place|flat|estate|street|road|hostel|country|village|unit|wing)\b)|be alive"
    r"|be here)\b",
    # ("gonna end it with his girlfriend" is a break-up.)
    r"\b(?:want|wanna|going|gonna|just)\s+(?:to\s+)?end\s+it\b(?!\s+with\s+(?:(?:him|her|them)\b"
    r"|(?:my|his|her|their)\s+(?:girlfriend|boyfriend|gf|bf|missus|partner|ex|girl|man|fella"
    r"|bird)\b))",
    # ("took my tablets like the doctor said" is a dose as prescribed.)
    r"\btook\s+(?!(?:my|me)\s+(?:pills|tablets)\b(?!\s+(?:all|at\s+once|together|in\s+one)))"
    r"(?:\w+\s+)?(?:pills|tablets)\b",
    # Many taken at once: "swallowed like 15 of my painkillers", "took a whole strip of the
    # paracetamol". A dose as prescribed has no count ("took my meds", "take 2 paracetamol").
    r"\b(?:took|taken|take|swallowed|swallow|necked|downed|done)\s+"
    r"(?:(?:like|about|around|over|nearly|almost|at\s+least)\s+)?"
    r"(?:\d{2,}|a\s+(?:whole\s+)?(?:handful|load|box|packet|pack|strip|bottle|tub)|loads|a\s+lot"
    r"|the\s+(?:whole|full)\s+(?:box|packet|pack|strip|bottle|tub))\s+(?:of\s+)?"
    r"(?:(?:the|my|them|those|me|his|her)\s+)?(?:\w+\s+)?"
    r"(?:pills|tablets|meds|paracetamol|ibuprofen|painkillers|co-?codamol|antidepressants)\b",
    # Tablets kept back or hidden: a plan, whatever else the message is about.
    r"\b(?:sav|stash|hoard|hid|hidd|collect|stockpil)\w*\s+(?:up\s+)?(?:\w+\s+){0,2}"
    r"(?:pills|tablets|meds|paracetamol)\b",
    # The named words below, said of oneself.
    r"\b(?:i'?m|i am|feel|feeling|felt|been|getting|so)\s+(?:so\s+|really\s+|proper\s+)?"
    r"su[iy]?c[iy]?d[ae]l\b",
    r"\b(?:i|ive|i've|been|started|keep|still)\s+self[\s-]?harm",
    r"\b(?:i'?m|i am|am)\s+self[\s-]?harming\b",
    r"\b(?:want|wanna|going|gonna)\s+(?:to\s+)?self[\s-]?harm",
    # A method asked for: "whats the lethal dose", "the most painless way", "quickest way to go"
    # with nothing after it ("the quickest way to get to sleep" is another question).
    r"\blethal\s+dose\b",
    r"\b(?:painless|quickest|quick|easiest|fastest|surest)\s+way\s+to\s+(?:die|end\s+(?:it|things"
    r"|my\s+life)|stop\s+breathing|(?:not|never)\s+wake\s+up)\b",
    # Alone at the end, unless the message asks how to get or do something else (_ASKS_HOW).
    _BARE_WAY,
    r"\b(?:took|taken|take|done|did|gonna|going to)\s+(?:an?\s+)?overdose\b",
    # ("overdosed on chocolate" is a way of speaking: it only names it.)
    r"\b(?:overdosed|od'd)\b(?!\s+on\s+(?:the\s+|too\s+much\s+|so\s+much\s+)?" + _TREATS + ")",
    # Without its apostrophe, "odd" is a word ("thats odd"): only with what was taken.
    r"\bodd?\s+on\s+(?:\w+\s+)?(?:pills|tablets|meds|paracetamol|painkillers)\b",
    r"\b(?:i'?m|i am|(?<!\bu )(?<!you )(?<!he )(?<!she )(?<!they )been|me)\s+on\s+(?:an\s+)?acct\b",
    r"\b(?:tied|tie|tying|made|make|making|used)\s+(?:a\s+|my\s+)?(?:ligature|noose)",
]
_GAME = (
    r"(?:pool|snooker|chess|draughts|cards|uno|fifa|football|footy|ping ?pong|table tennis|darts"
    r"|monopoly|scrabble|dominoes|connect ?4|basketball|badminton|tennis|cricket|rounders|the quiz"
    r"|a race|arm wrestl\w*|xbox|ps\d|games?)\b"
)
_SANCTION = r"(?:nicking|report|warning|ban|sanction|charge)\b"
_LESSON = r"(?:the\s+)?(?:class|classroom|lessons?|education|school|gym|group|team)\b"
# Not a game won ("beat me at pool", "beat me 21-3"), a sanction ("hit me with a nicking") or
# being sent out ("kicking me out of class"): those only name it.
_NOT_AN_ATTACK = (
    rf"(?!\s+at\s+{_GAME}|\s+with\s+(?:an?\s+)?{_SANCTION}|\s+out\s+of\s+{_LESSON}"
    r"|\s+\d+\s*[-–:]\s*\d+\b|\s+\d+\s+nil\b)"
)
# "Hit me up" is asking to be sent something or messaged ("hit me up with the visit times",
# "hit me up if u hear owt"); "hit me up the side of the head" is still an attack.
_HIT_ME_UP = (
    r"(?!\s+up(?:\s+(?:with|on|if|when|whenever|later|after|about|tomorrow)\b"
    r"|\s*[.!?]*\s*$))"
)
_ATTACK = (
    r"\b(?:(?:hit|hits|hitting)\s+(?:me|us)\b"
    + _HIT_ME_UP
    + r"|(?:punch\w*|kick\w*|slap\w*|beat\w*|strangl\w*|chok\w*)\s+(?:me|us)\b)"
)
# The clearest signs in Welsh (Rightsline serves Wales) and Polish (a language many children
# and families here speak), so that a child who writes in them is still put through at once.
# Welsh: lladd fy hun (kill myself), eisiau marw (want to die), niweidio/brifo fy hun (harm/hurt
# myself); fy nharo / fy mrifo / fy nghyffwrdd (hit / hurt / touch me). Polish: zabić się (kill
# myself), nie chcę żyć (don't want to live), chcę umrzeć (want to die), pociąć się (cut
# myself); bije/pobił mnie (hits/beat me), dotyka mnie (touches me), krzywdzi mnie (hurts me).
_OTHER_LANGUAGES_SELF_HARM = [
    r"\blladd\s+fy\s+hun\b",
    r"\beisiau\s+marw\b",
    r"\b(?:niweidio|brifo|torri)\s+fy\s+hun\b",
    r"\bzabi[cć]\s+si[eę]\b",
    r"\bsi[eę]\s+zabi[cć]\b",
    r"\bnie\s+chc[eę]\s+(?:ju[zż]\s+)?[zż]y[cć]\b",
    r"\bchc[eę]\s+umrze[cć]\b",
    r"\bpoci[aą][cć]\s+si[eę]\b",
    r"\bsi[eę]\s+poci[aą][cć]\b",
]
_OTHER_LANGUAGES_ABUSE = [
    r"\bfy\s+(?:nharo|mrifo|nghyffwrdd|nghuro)\b",
    r"\b(?:bije|pobi[lł]a?|uderzy[lł]a?|dotyka|krzywdzi|skrzywdzi[lł]a?)\s+mnie\b",
    r"\bmnie\s+(?:bije|pobi[lł]a?|uderzy[lł]a?|dotyka|krzywdzi|skrzywdzi[lł]a?)\b",
]
# Abuse told as done to someone ("got abused"); `_says` also reads it apart.
_GOT_ABUSED = r"(?:was|been|being|get|getting|got)\s+(?:\w+\s+)?abused\b"
_ABUSE = [
    *_OTHER_LANGUAGES_ABUSE,
    _ATTACK + _NOT_AN_ATTACK,
    r"\b(?:touch\w*|grop\w*)\s+(?:me|us)\b",
    r"\b(?:rape|raped|raping)\b",
    r"\bthreaten\w*\s+(?:me|us|to)\b",
    r"\bhurt(?:ing|s)?\s+me\b",
    r"\bmake\s+me\s+do\s+(?:sex|stuff|things)",
    r"\babus\w*\s+(?:me|us)\b",
    r"\b" + _GOT_ABUSED,
]

# Risk named, not stated: a word that a calm question about the subject uses too.
_SELF_HARM_NAMED = [
    r"\bsu[iy]?c[iy]?d[ae]l?\b",
    r"\bsuicid\w*",
    r"\bself[\s-]?harm\w*",
    r"\boverdos\w*",
    r"\bligature\w*",
    r"\bon\s+(?:an\s+)?acct\b",
    r"\bnoose\b",
    # Mostly a way of speaking ("im gonna die of boredom"); "want to die" above states it.
    r"\b(?:going|gonna)\s+(?:to\s+)?die\b",
    r"\b(?:kill|hang|cut|hurt|harm)(?:ing|s)?\s+(?:my ?self|my life|it all)\s+laugh",
]
_ABUSE_NAMED = [
    r"\bsexual\w*\b",
    r"\babus\w*",
    _ATTACK,
]

PATTERNS = {
    "self_harm": re.compile("|".join(_SELF_HARM + _OTHER_LANGUAGES_SELF_HARM), re.IGNORECASE),
    "abuse": re.compile("|".join(_ABUSE), re.IGNORECASE),
}
NAMED = {
    "self_harm": re.compile("|".join(_SELF_HARM_NAMED), re.IGNORECASE),
    "abuse": re.compile("|".join(_ABUSE_NAMED), re.IGNORECASE),
}


# A statement said not to be so, just before it: "hes not hurting himself", "no one is hurting
# me", "i dont wanna hurt myself", "i havent cut myself since summer", "not gonna hurt myself",
# "no plans to kill myself". It still names the risk. ("cant stop cutting myself" is no denial,
# so only a verb such as "gonna" or "tried to" may come between.) nlp/rules.py reads the same.
_DENIED = re.compile(
    r"\b(?:(?:not|never|(?:no ?one|nobody)(?:'?s|\s+is)?|is ?n'?t|was ?n'?t|ai ?n'?t"
    r"|did ?n'?t|does ?n'?t|do ?n'?t|have ?n'?t|has ?n'?t"
    r"|no\s+(?:plans?|thoughts?|urges?)\s+(?:to|of))"
    r"(?:\s+(?:want|wanna|gonna|going|trying|planning|thinking|feeling|felt|tried)"
    r"(?:\s+(?:to|of|about|like))?)?)\s+$",
    re.IGNORECASE,
)


def _plain(text: str) -> str:
    """Phones type a curly apostrophe ("I’m", "don’t"); the patterns are written with a straight
    one. Emoji become spaces: "whats the quickest way to go 😂" ends where the words end."""
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    if text.isascii():
        return text
    return "".join(" " if is_picture(ch) else ch for ch in text)


# "whats the quickest way" at the end of a message that asks how to get or do something else
# ("how do i get moved wing, whats the easiest way"): no "painless", nothing after "way", and
# not "how do i do it" or "how do i go".
_EVERYDAY_WAY = re.compile(r"(?:quickest|easiest|fastest)\s+way\s*[?.!]*\s*", re.IGNORECASE)
_ASKS_HOW = re.compile(
    r"\bhow\s+(?:do|can|would|could|should)\s+(?:i|u|you|we)\s+(?!do\s+it\b|end\b|die\b|go\b)\w",
    re.IGNORECASE,
)


def _found(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """The pattern's matches, but for a bare "quickest way" in an everyday question."""
    for found in pattern.finditer(text):
        if _ASKS_HOW.search(text, 0, found.start()) and _EVERYDAY_WAY.fullmatch(
            text, found.start(), found.end()
        ):
            continue
        yield found


# Boredom said the way people say it ("this lesson is so boring i wanna die", "so bored i want
# to die"): a way of speaking that only names the risk, so the model decides, as for "gonna die of
# boredom"; "bored of everything, i want to die" states it. nlp/rules.py reads the same (a
# not_risk phrase in content/training/patterns.jsonl).
_BORED = re.compile(r"\bbor(?:ing|in|ed|edom)\b(?:\s+\w+){0,3}\s+$", re.IGNORECASE)
_DIE = re.compile(r"(?:want|wanna)\s+(?:to\s+)?die\b", re.IGNORECASE)


# A boast ("nobody on the unit can beat me", "no one can ever beat us") is a game won, not an
# attack; "nobody can beat me up" is not a boast.
_BOAST = re.compile(
    r"\b(?:nobody|nobdy|no\s*one|no1|none\s+of\s+(?:them|em|u|you))\b(?:\s+\w+){0,4}?"
    r"\s+(?:can|could|will|gonna|is\s+gonna)\s+(?:ever\s+)?$",
    re.IGNORECASE,
)
_BEAT = re.compile(r"beat\w*\s+(?:me|us)\b(?!\s+up\b)", re.IGNORECASE)
# Abuse in a question about someone else, if it happened ("what happens if someone tells staff
# they got abused"): it names the risk, and the model decides. "if i ..." and "they abused me"
# are not read here.
_IF_SOMEONE = re.compile(
    r"\bif\s+(?:someone|somebody|some1|anyone|anybody|a\s+(?:kid|child|young\s+person|person))\b"
    r"[^.!?,;]*\b(?:someone|somebody|anyone|anybody|they|he|she)\s+$",
    re.IGNORECASE,
)
_ABUSED = re.compile(_GOT_ABUSED, re.IGNORECASE)


def _says(pattern: re.Pattern[str], text: str) -> bool:
    # A denial is a few words long: only the characters just before each match are read.
    for found in _found(pattern, text):
        before = text[max(0, found.start() - 24) : found.start()]
        if _DENIED.search(before):
            continue
        further = text[max(0, found.start() - 60) : found.start()]
        if _DIE.match(found.group(0)) and _BORED.search(further[-40:]):
            continue
        if _BEAT.match(found.group(0)) and _BOAST.search(further):
            continue
        if _ABUSED.match(found.group(0)) and _IF_SOMEONE.search(further):
            continue
        return True
    return False


def screen(text: str) -> set[str]:
    """The risk labels the text states: always urgent."""
    text = _plain(text)
    stated = {label for label, pattern in PATTERNS.items() if _says(pattern, text)}
    # Self-harm told as over ("took an overdose last year, glad it didnt work") only names it.
    if "self_harm" in stated and told_as_over(text):
        stated.discard("self_harm")
    # Abuse told as past and dealt with ("the police dealt with it") only names it: the model
    # decides, and it asks "are you safe?" at most (nlp/over.py).
    if "abuse" in stated and abuse_dealt_with(text):
        stated.discard("abuse")
    return stated


def named(text: str) -> set[str]:
    """The risk labels the text names without stating them, or states only to deny ("hes not
    hurting himself"): urgent only with the model's agreement (see the module's note)."""
    text = _plain(text)
    stated = screen(text)
    return {
        label
        for label in PATTERNS
        if NAMED[label].search(text) or (label not in stated and any(_found(PATTERNS[label], text)))
    }


# A child saying they are not safe ("im not safe right now", "i dont feel safe"): urgent, as a
# "No" to "Are you safe right now?" is, whatever the model reads and with no risk named.
_NOT_SAFE = re.compile(
    r"\b(?:i'?m|i am)\s+(?:not|never)\s+(?:feeling\s+)?safe\b"
    r"|\bi\s+(?:do ?n'?t|do not|never)\s+feel\s+safe\b"
    r"|\b(?:i'?m|i am)\s+(?:feeling\s+)?unsafe\b",
    re.IGNORECASE,
)


def says_not_safe(text: str) -> bool:
    return bool(_NOT_SAFE.search(_plain(text)))


def signs(text: str) -> set[str]:
    """Every risk label the text states or names: what counts when no model reads it."""
    return screen(text) | named(text)


def shows_risk(text: str) -> bool:
    """A risk stated or named, or "i'm not safe" said: what may never wait (a flood limit) or
    be answered without Childline first (a failed turn, a refused request)."""
    return bool(signs(text)) or says_not_safe(text)


FALLBACK_REPLY = (
    "Sorry, something went wrong on my side. "
    f"You can talk to Childline any time on {CHILDLINE}. It is free."
)
FALLBACK_RISK_REPLY = (
    f"Please talk to Childline now on {CHILDLINE}. It is free, any time. "
    "If you are in danger right now, tell a member of staff or press your call bell."
)


def fallback_for(text: str | None) -> str:
    """What a child hears when their turn failed: Childline first when their words show risk."""
    return FALLBACK_RISK_REPLY if text and shows_risk(text) else FALLBACK_REPLY
