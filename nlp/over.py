"""Whether a message tells of self-harm as past and over, and not as coming back.

"took an overdose last year, glad it didnt work", "used to cut but been clean 8 months" and
"tried to hang myself at my last place, thats long gone now" are told as over: a risk phrase in
them only names the risk, and the self-harm score, which reads those words as it reads a risk
told now, makes no alarm of itself (nlp/pipeline.py); the answer carries Childline's number.
"clean for 6 months and i cut again", "the urges are back" and "im feeling like that now" are
not.

Abuse told as past is softened only when the words also say it was dealt with ("my stepdad
used to hit me but the police dealt with it", "when i was little ... hes in prison now"): it is
still a child's disclosure, so it asks "Are you safe right now?" with Childline's number, and
a "No" is urgent, but it raises no alarm of itself (`abuse_dealt_with`). Abuse told as past
and nothing more ("he used to hit me") stays urgent.

Plain regular expressions, so that both the pipeline's rules (nlp/rules.py) and the service's
last-resort screen, which must work with no model loaded, read a message the same way.
"""

from __future__ import annotations

import re

_PAST = re.compile(
    r"\b(?:used\s+to|(?:years?|months?|ages|long)\s+ago"
    r"|last\s+(?:year|spring|summer|autumn|winter|christmas|time|month)"
    r"|when\s+i\s+(?:was\s+(?:(?:like|about|around|only|just|bout)\s+)?(?:younger|little|a\s+kid"
    r"|small|\d+|in\s+care|at\s+home|on)"
    r"|first\s+(?:came|got)\s+(?:in|here))"
    r"|(?:at|in|on)\s+(?:my|the)\s+(?:last|old|other|first)\s+(?:place|placement|unit|home|ward|jail"
    r"|school|yoi|stc)"
    r"|back\s+(?:then|when|in\s+(?:the\s+day|my))|the\s+old\s+me"
    r"|before\s+i\s+(?:came|got)\s+(?:in|here|nicked|sent))\b",
    re.IGNORECASE,
)
# Said to be over, with the past plain in the words themselves ("8 months clean").
_OVER_ALONE = (
    r"(?:clean|free)\s+(?:for\s+)?(?:over\s+|nearly\s+|about\s+)?(?:a|one|two|three|\d+|a\s+few"
    r"|ages)\s+(?:days?|weeks?|months?|years?|yrs?)"
    r"|\d+\s*(?:days?|weeks?|months?|years?|yrs?)\s+clean"
    r"|glad\s+(?:it\s+did\s*n'?t\s+work|i'?m\s+(?:still\s+)?(?:here|alive)|i\s+survived)"
    r"|(?:that'?s|thats|it'?s|its|that\s+was)\s+(?:all\s+)?(?:long\s+gone|behind\s+me"
    r"|in\s+the\s+past)"
    r"|(?:have\s*n'?t|has\s*n'?t)\s+(?:done\s+(?:it|that)\s+|felt\s+like\s+that\s+)?(?:since|for\s+"
    r"(?:ages|years|months|a\s+(?:year|while)|\d+))"
    r"|(?:\d+|a|one|two|three|a\s+few)\s+(?:weeks?|months?|years?)\s+since\s+i\s+last"
    r"|wo\s*n'?t\s+(?:ever\s+)?do\s+(?:that|it)\s+again"
)
_OVER = re.compile(
    r"\b(?:"
    + _OVER_ALONE
    + r"|(?:i'?m|i\s+am|things\s+(?:are|r)|i'?ve\s+been|i\s+(?:have\s+)?been)\s+"
    r"(?:(?!not\b|never\b|no\b)\w+\s+)?(?:fine|good|ok"
    r"|okay|better|safe|alright|doing\s+(?:(?!not\b)\w+\s+)?(?:well|good|better|ok|fine)"
    r"|in\s+a\s+(?:\w+\s+)?(?:good|better)\s+place)"
    r"|(?:feel|feeling|doing)\s+(?:(?!not\b|no\b|never\b)\w+\s+)?(?:better|ok|okay|good|fine)"
    r"|(?:that'?s|thats|it'?s|its|that\s+was)\s+(?:all\s+)?(?:done|over"
    r"|(?:ages|years|months|long)\s+ago)"
    r"|(?:it'?s|its|things\s+(?:are|r))\s+different\s+now"
    r"|not\s+like\s+that\s+(?:now|any\s*more|no\s+more)"
    r"|(?:but\s+)?not\s+(?:now|any\s*more)|(?:i\s+)?do\s*n'?t\s+(?:now|any\s*more|no\s+more"
    r"|feel\s+like\s+that(?:\s+now|\s+any\s*more)?|do\s+(?:that|it)\s+(?:any\s*more|no\s+more))"
    r"|(?:i\s+|i'?ve\s+)?stopped\s+(?:now|for\s+good|ages\s+ago)"
    r"|proud\s+of\s+(?:myself|me))\b",
    re.IGNORECASE,
)
_BACK = re.compile(
    r"\b(?:again|relaps\w*|back\s+(?:now|again|bad|proper|real|really)|(?:are|is|it'?s|its"
    r"|they'?re)\s+back|(?:coming|creeping|came|come)\s+back|started\s+(?:again|up)"
    r"|(?:feel|feeling|felt)\s+(?:like\s+)?(?:that|the\s+same|it)\s+(?:now|again|today|tonight)"
    r"|(?:them|those|the)\s+(?:thoughts|feelings)|urges?|tonight|right\s+now|this\s+time"
    r"|gonna|going\s+to|(?<!used to )(?:wanna|want\s+to)"
    # Clean only until lately, or a goodbye: "been 2 months clean til then", "rang to say ta-ra".
    r"|til+\s+(?:then|now|last|yesterday|today)|until\s+(?:then|now|last|yesterday|today)"
    r"|ta-?ra|goodbye|good\s*bye|bye\s+(?:to|for)|the\s+last\s+time\s+(?:i|you|u|we|she|he)\b"
    r"|(?:is|its|it's|be)\s+the\s+last\s+time"
    r"|still\s+(?:cut|hurt|harm|do|doing|want|feel|got|have)"
    # Going on now: "started cutting", "been burning myself", "im cutting".
    # ("if they keep that on my file" is a question about records.)
    r"|start(?:ed|ing)?|keep(?:s|ing)?(?!\s+(?:(?:that|it|this|them|those)\s+(?:on|in)\s+(?:\w+\s+)?)?"
    r"(?:files?|records?|notes|system)\b)"
    r"|(?:been|i'?m|i\s+am)\s+(?:cutting|burning|hurting|harming"
    r"|self\s*harming|starving|saving|hiding|stashing))\b",
    re.IGNORECASE,
)


_OVER_ALONE_IN = re.compile(_OVER_ALONE, re.IGNORECASE)


def told_as_over(text: str) -> bool:
    """Self-harm told as past and over, and not as coming back."""
    text = text.replace("\u2019", "'")  # phones type a curly apostrophe
    if not _OVER.search(text):
        return False
    past = _OVER_ALONE_IN.search(text) or _PAST.search(text)
    # What says it is over ("i wont do that again") is not read as coming back.
    return bool(past and not _BACK.search(_OVER.sub(" ", text)))


# Told to someone who acted on it, or the person gone: "the police dealt with it", "its been
# reported", "hes in prison now", "my social worker sorted it", "it doesnt bother me no more".
_DEALT_WITH = re.compile(
    r"\b(?:(?:police|social\s+services|social\s+workers?|sw|courts?)\s+(?:\w+\s+)?"
    r"(?:dealt|sorted|handled|took\s+(?:it|him|her|them)|got\s+(?:him|her|them)|arrested|charged)"
    r"|(?:been|was|got|were|all)\s+(?:\w+\s+)?(?:reported|dealt\s+with|sorted\s+(?:out|it)?"
    r"|investigated)"
    r"|(?:i|we|mum|my\s+mum|my\s+nan)\s+(?:\w+\s+)?reported\s+(?:it|him|her|them)"
    r"|(?:he|she|they)\s*(?:'?s|is|are|was|were|got)\s+(?:\w+\s+)?(?:in\s+(?:prison|jail)"
    r"|locked\s+up|sent\s+down|arrested|charged|convicted|sacked|gone|dead)"
    r"|(?:not|no\s+longer|nowhere)\s+(?:\w+\s+)?(?:around|near\s+(?:me|us)|in\s+my\s+life)"
    r"|(?:does\s*n'?t|do\s*n'?t|dont|doesnt)\s+bother\s+me"
    r"|(?:it'?s|its|that'?s|thats|it\s+was|that\s+was|it\s+got|that\s+got)\s+(?:all\s+)?"
    r"(?:been\s+)?(?:sorted|dealt\s+with|reported))\b",
    re.IGNORECASE,
)
# Still going on, or could be again: any of these keeps abuse told as past urgent.
_STILL = re.compile(
    r"\b(?:(?<!can i )(?<!could i )(?<!will i )(?<!do i )(?<!would i )still|again|keeps?|keeping"
    r"|every\s+(?:day|night|time|week)|now\s+(?:he|she|they)\w*"
    r"|(?:he|she|they)\s+(?:is|are|'?s|'?re)\s+(?:back|out|coming|getting\s+out|allowed)"
    r"|back\s+(?:now|home|out)|get(?:s|ting)?\s+out|released|let\s+out|tonight|today"
    r"|yesterday|last\s+night|this\s+(?:morning|week|weekend)|on\s+(?:home\s+)?leave"
    r"|when\s+i\s+(?:go|get|am\s+going)\s+(?:home|out)|scared|frightened|threaten\w*|start\w*"
    r"|(?:gonna|going\s+to)\s+(?:have\s+to\s+)?(?:go|live|see)|here"
    # Told, and nothing came of it.
    r"|nobody\s+(?:did|believed|listened|cared)|nothing\s+(?:happened|was\s+done|got\s+done)"
    r"|(?:did\s*n'?t|didnt|never|would\s*n'?t)\s+(?:do|believe|listen|care)"
    r"|never\s+(?:got|was|were|been|reported|told)|(?:was|has|have|were)\s*n'?t|wasnt|hasnt"
    r"|havent|werent|not\s+(?:been\s+|yet\s+|even\s+)?(?:reported|dealt|sorted|told))\b",
    re.IGNORECASE,
)


# Where the child lives now, and who looks after them there: abuse told with these is read as
# happening here, unless it was at an old place ("at my old unit") or the one who did it has
# moved away; for staff, at an old place with the one who did it gone too ("back in my old care
# home a staff hurt me ... hes in prison now"), or sacked, or no longer working here.
_AROUND = re.compile(r"\b(?:unit|wing|cell|room)\b", re.IGNORECASE)
_STAFF = re.compile(r"\b(?:staff|officers?|guards?)\b", re.IGNORECASE)
_OLD_PLACE = re.compile(
    r"\b(?:at|in|on)\s+(?:my|the)\s+(?:last|old|other|previous|first)\s+(?:[\w']+\s+)?"
    r"(?:place|placement|unit|home|ward|jail|school|yoi|stc|wing)\b",
    re.IGNORECASE,
)
# Moved away from here, not moved in: "they moved him", "she got transferred" (not "moved to
# my unit", "moved back").
_NOT_MOVED_IN = r"(?!\s+(?:back|in\b|here|onto|on\s+to|next|to\s+(?:my|our|this|the\s+same)))"
_GONE = re.compile(
    r"\b(?:(?:he|she|they)\s*(?:'?s|is|are|was|were|got)\s+(?:\w+\s+)?(?:in\s+(?:prison|jail)"
    r"|locked\s+up|sent\s+down|arrested|charged|convicted|sacked|fired|dismissed|struck\s+off"
    r"|(?:moved|transferred|shipped\s+out)" + _NOT_MOVED_IN + r")"
    r"|(?:moved|transferred|shipped)\s+(?:him|her|them)(?:\s+out)?" + _NOT_MOVED_IN + r")",
    re.IGNORECASE,
)
# "Here" in a question of its own ("can she visit me here?", "how many GCSEs can i sit in
# here?") asks about this place, and does not say the abuse goes on here; a question that puts
# someone here ("what if hes in here?") or names harm ("why do they hit me in here?") still does.
_QUESTION = re.compile(r"(?:^|(?<=[.!?\n]))[^.!?\n]*\?")
_SOMEONE_HERE = re.compile(
    r"\b(?:he|she|they)\s*(?:'?s|is|are|'?re|was|were|comes?|works?)\s+(?:\w+\s+)?(?:in\s+)?here\b",
    re.IGNORECASE,
)
_HERE = re.compile(r"\bhere\b", re.IGNORECASE)
# Not here: "he doesnt work here any more", "shes not here now".
_NOT_HERE = re.compile(
    r"(?:n'?t|\bnot|\bno\s+longer|\bnever)\s+(?:\w+\s+){0,2}?here\b(?=\s+(?:any\s*more|no\s+more|now))",
    re.IGNORECASE,
)
# Only staff are sacked, or stop working here: said with staff, it is the one who did it gone.
_STAFF_GONE = re.compile(
    r"\b(?:sacked|fired|dismissed|struck\s+off)\b|(?:n'?t|\bnot|\bno\s+longer)\s+work(?:s|ing)?\s+here\b",
    re.IGNORECASE,
)
_HARM = re.compile(
    r"\b(?:hit\w*|punch\w*|kick\w*|slap\w*|smack\w*|hurt\w*|beat\w*|batter\w*|touch\w*|grab\w*"
    r"|chok\w*|strangl\w*|bull(?:y|ies|ied|ying)|threat\w*|attack\w*|abus\w*|rap(?:e|ed|ing)"
    r"|restrain\w*|pin\w*|jump\w*|push\w*|shov\w*|starv\w*|lock\w*)\b",
    re.IGNORECASE,
)


def _here_asked_about(text: str) -> str:
    """The text with "here" taken out of questions that only ask about this place."""

    def plain(question: re.Match[str]) -> str:
        words = question.group(0)
        if _SOMEONE_HERE.search(words) or _HARM.search(words):
            return words
        return _HERE.sub(" ", words)

    return _QUESTION.sub(plain, text)


# "Here" asked about for help or records at the end of a question ("does it go on my file in
# here", "can i get counselling in here") is not the abuse happening here. Only small words may
# come between, so "someone hits me in here" keeps its "here".
_HELP_HERE = re.compile(
    r"\b(?:files?|records?|notes|counsell\w*|therap\w*|psych\w*|help|support|talk|speak)"
    r"(?:\s+(?:i|me|u|you|to|can|could|get|see|a|an|the|any|some|my|on|in|at|for|with|is|it"
    r"|be|go|goes|will|there|someone|anyone|about))*?\s+here\b"
    r"(?=\s*(?:too|as\s+well|please|pls|or\s+not)?\s*(?:[?.!]|$))",
    re.IGNORECASE,
)


def abuse_dealt_with(text: str) -> bool:
    """Abuse told as past and dealt with, and nothing in the words of it now or here."""
    text = text.replace("\u2019", "'")
    if not (_PAST.search(text) and _DEALT_WITH.search(text)):
        return False
    staff_gone = bool(_STAFF_GONE.search(text))
    text = _here_asked_about(_HELP_HERE.sub(" ", text))
    text = _NOT_HERE.sub(lambda said: said.group(0)[: -len("here")], text)
    if _STILL.search(text):
        return False
    old_place, gone = bool(_OLD_PLACE.search(text)), bool(_GONE.search(text))
    # On the unit, by someone since moved away ("they moved him"), or at an old place.
    if _AROUND.search(text) and not (old_place or gone):
        return False
    return not (_STAFF.search(text) and not (old_place and gone) and not staff_gone)
