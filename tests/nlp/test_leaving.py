"""A goodbye because the writer is released or moved (nlp/leaving.py), and the goodbyes that only
look like one."""

from __future__ import annotations

import pytest

from nlp.leaving import goodbye_for_leaving


@pytest.mark.parametrize(
    "text",
    [
        "released on thursday!! so this is bye, thanks for everything 🙌",
        "im being transferred to a secure school monday so i wont be on here after, cya",
        "bail granted!!! going home, bye everyone",
        "last day tmrw, goin home to my nan. thanks for all ur help x",
        "moving units on wednesday so wont be using this tablet no more, laters",
        "My release date is Friday! Just saying bye and thank you for everything",
        "im out on saturday 🎉 see ya",
        "getting transferred on monday, will miss this place a bit, take care all",
        # Bail, a release at a mealtime, and thanks for help with letters for a case.
        "bail hearing went well, off to my uncles. goodbye unit 4",
        "bailed!!! brief was class. cya",
        "getting out at lunch time 🥳 see ya",
        "released thursday so bye, thanks for helping me with my appeal letters n that",
        "moving to another unit friday, thanks for the help with the letter to my solicitor, bye",
        "release date is weds. peace ✌️",
    ],
)
def test_a_goodbye_for_a_release_or_a_move_is_read_as_one(text: str) -> None:
    assert goodbye_for_leaving(text)


@pytest.mark.parametrize(
    "text",
    [
        # The move is not the reason.
        "said bye to my mates, they think im getting transferred monday but im not",
        "bye everyone, and no im not being released",
        "this is goodbye and i dont mean cos im moving units",
        # Not going to be anywhere.
        "getting moved friday but i wont be here by then, bye",
        "going home tomorrow for good, bye everyone 🕊️",
        "released next week, bye, tell my mum i love her",
        "moving to another yoi monday. bye. nobody will miss me anyway",
        "release date is friday, want to say bye to my brother while i still can",
        "bye. getting moved tomorrow and im scared of the new place",
        "released friday but i wont be around long after, take care everyone",
        # A letter to family is still a letter a goodbye before dying can leave.
        "released friday, thanks for helping me with the letter to my mum. bye",
        "peace ✌️ and no im not being released",
        # "Going home" with no day, or tonight: the words a goodbye before dying can use.
        "going home tonight, bye everyone",
        "im going home soon, bye",
        "bye everyone im going home",
        # Leaving with no goodbye is not a goodbye.
        "getting released friday, what do i need for probation",
    ],
)
def test_a_goodbye_that_says_otherwise_is_not(text: str) -> None:
    assert not goodbye_for_leaving(text)
