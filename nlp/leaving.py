"""Whether a message is a goodbye because the writer is being released or moved.

"getting released friday so this is goodbye, thanks for everything" and "im getting moved to
another unit next week so i wont be on here no more, bye" give their own, ordinary reason for
leaving. The encoder reads many goodbyes as the goodbye before dying, so in these its
self-harm score asks "Are you safe right now?", with Childline's number, and raises no alarm of
itself (nlp/pipeline.py); a "No" is urgent. The check-in stays: a goodbye read wrongly here is
still asked.

A goodbye is not read so when anything in it says the release or move is not the reason ("they
think im getting moved but im not", "and i dont mean released"), when it says the writer will not
be anywhere ("wont be here", "for good", "somewhere better"), or when it holds words of harm,
dying, fear, sorrow or things given away. A risk phrase in it (a hint such as "when im gone", or a
risk stated, or named outside a way of speaking) also keeps the usual grading: the pipeline checks
that before asking here.

Plain regular expressions, as nlp/over.py is.
"""

from __future__ import annotations

import re

# The writer's own release or move, in words that say so.
_RELEASED = re.compile(
    r"\b(?:(?:getting|gettin|get|being|bein|got|i'?m|im|i\s+am|am)\s+(?:\w+\s+)?(?:released"
    r"|let\s+out|moved|transferred|shipped|discharged|bailed)"
    r"|(?:release|discharge|transfer|leaving|moving)\s+(?:date|day)"
    r"|transfer(?:'?s)?\s+(?:is\s+|has\s+been\s+|got\s+)?(?:confirmed|booked|approved|sorted)"
    r"|(?:moving|movin|transferring)\s+(?:to|units?|wings?|sites?|on)"
    r"|bail\s+(?:granted|approved)|got\s+(?:my\s+)?bail|^\W*bailed|open\s+conditions"
    r"|bail\s+hearing\s+went\s+(?:well|good|great|my\s+way))\b",
    re.IGNORECASE,
)
# Going home, getting out, leaving, a last day: the words a goodbye before dying can use too, so
# only with a day ("going home tomorrow", "last day friday"), never "tonight" or "soon".
_HOME = re.compile(
    r"\b(?:(?:go|going|goin|heading|off)\s+home|(?:getting|gettin)\s+out|leaving|(?:last|final)"
    r"\s+(?:day|night|nite)|released|out)\b",
    re.IGNORECASE,
)
_DAY = re.compile(
    r"\b(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?|today|tomorrow|tmrw|tmr"
    r"|tmoz|2moro|tomoz|next\s+(?:week|month)|this\s+(?:week|weekend|morning|afternoon)"
    r"|at\s+\d{1,2}(?::\d\d)?\s*(?:am|pm)?|at\s+(?:dinner|lunch|tea|breakfast)(?:\s*time)?)\b",
    re.IGNORECASE,
)
# Saying goodbye, or that they will not be on the chat any more.
_GOODBYE = re.compile(
    r"\b(?:bye+|goodbye|good\s+bye|bye\s+bye|cya|see\s+(?:ya|you|u)|laters|ta-?ra|peace\s+out"
    r"|peace(?=\s*\u270c)"
    r"|(?:wo\s*n'?t|wont|will\s+not|not\s+gonna|ca\s*n'?t|cant|cannot)\s+(?:be\s+)?(?:able\s+to\s+)?"
    r"(?:be\s+)?(?:on|using|use|chatting|talking|typing)\s+(?:to\s+)?(?:\w+\s+){0,2}?"
    r"(?:here|this|on\s+here|u|you|it)"
    r"|last\s+(?:msg|message|chat|time\s+on\s+here)"
    r"|take\s+care\s+(?:every(?:one|1|body)|all|y'?all|guys|lot)"
    r"|thanks?\s+(?:u\s+|you\s+)?(?:for\s+)?(?:everything|all\s+(?:the|your|ur)\s+help|for\s+all))\b",
    re.IGNORECASE,
)
# Anything that says otherwise, or speaks of harm, dying, fear or sorrow: the usual grading then.
_OTHERWISE = re.compile(
    r"\b(?:(?:not|is\s*n'?t|isnt|ai\s*n'?t|aint|never|no|wasnt|was\s*n'?t)\s+(?:\w+\s+){0,2}?"
    r"(?:released|moved|moving|getting\s+out|gettin\s+out|going|goin|leaving|transferred|release"
    r"|being\s+moved)"
    r"|not\s+(?:cos|because|cause|coz|cuz|bc|cus|really|actually|planning)"
    r"|(?:do\s*n'?t|dont)\s+mean|they\s+(?:think|reckon)|(?:think|thinks|reckon|reckons)\s+"
    r"(?:i'?m|im|its|it'?s)|pretend\w*|but\s+(?:i'?m|im)\s+not|(?:it'?s|its|it\s+is)\s+not"
    r"|for\s+good|for\s*ever|somewhere\s+(?:better|else|nicer)|other\s+side|better\s+place"
    r"|(?:wo\s*n'?t|wont|not|never)\s+(?:be\s+)?(?:here|around|alive|see|make\s+it|get\s+there)"
    r"|sorry|forgive|end\s+(?:it|things|my)|ending|alive|dead|die|dying|kill\w*|hurt\w*|harm\w*"
    r"|cut\w*|burden|better\s+off|scared|afraid|dread\w*|terrified|ca\s*n'?t\s+(?:go|face|do|cope)"
    r"|cant\s+(?:go|face|do|cope)|before\s+(?:i|the)\s+(?:go|move|leave|release|get)"
    r"|letters?|notes?|gave|give\s+(?:away|my|all)|(?:have|keep)\s+my|pills|tablets|rope|cord"
    r"|last\s+time\s+(?:you|u|youll|ull|we|i)|miss\s+me|remember\s+me|love\s+(?:you|u)\s+all"
    r"|while\s+i\s+(?:still\s+)?(?:can|could)|one\s+last|never\s+(?:hear|see|talk|speak)"
    r"|(?:do\s*n'?t|dont)\s+(?:want|wanna)|tell\s+(?:my|him|her|them|every\w*)|no\s*(?:one|body)\w*"
    # Told others a move to be left alone: "told staff im being moved so theyd stop checking".
    r"|(?:told|telling|tellin|said\s+to)\s+(?:\w+\s+){0,2}?(?:i'?m|im|i\s+was|that\s+i)"
    r"|checking|watching|obs"
    r"|anyone\s+(?:will|would)|(?<!take\s)cares?|tonight|soon)\b"
    # Pictures of death or harm: a dove, a coffin, a headstone, a skull, a knife, blood, a pill.
    r"|[\U0001F54A\u26B0\U0001FAA6\U0001F480\u2620\U0001F52A\U0001FA78\U0001F48A\U0001FAA2]",
    re.IGNORECASE,
)


# Thanks for help with letters for a case ("thanks for helping me with my letters n that", "the
# letter to my solicitor"): not the letters a goodbye before dying leaves.
_CASE_LETTERS = re.compile(
    r"\bhelp\w*\s+(?:me\s+)?(?:with\s+)?(?:all\s+)?(?:my|the|a|ur|your)\s+"
    r"(?:complaint\s+|appeal\s+)?letters?(?:\s+(?:n|and)\s+(?:that|stuff)\b|\s+(?:to|for)\s+"
    r"(?:my\s+|the\s+)?(?:solicitor|brief|lawyer|appeal|complaint|court|judge|yot)\b)",
    re.IGNORECASE,
)


def goodbye_for_leaving(text: str) -> bool:
    """A goodbye that gives a release or a move as its reason, and nothing that says otherwise."""
    text = text.replace("\u2019", "'")  # phones type a curly apostrophe
    leaving = _RELEASED.search(text) or (_HOME.search(text) and _DAY.search(text))
    otherwise = _OTHERWISE.search(_CASE_LETTERS.sub(" ", text))
    return bool(leaving and _GOODBYE.search(text) and not otherwise)
