"""A risk stated is urgent; a risk only named is urgent when the model reads risk in the
message too, a check-in when it is uneasy, and otherwise the ordinary answer with Childline's
number (Analysis.screened, which the pipeline and the engine both use)."""

from __future__ import annotations

from nlp.analysis import Analysis


def test_a_stated_risk_is_urgent_whatever_the_model_says() -> None:
    graded = Analysis().screened(stated={"abuse"}, named=set())
    assert graded.risks == ["abuse"] and not graded.concern


def test_a_named_risk_in_a_message_the_model_reads_as_calm_gets_childline_not_a_check_in() -> None:
    graded = Analysis(uneasy=False).screened(stated=set(), named={"self_harm"})
    assert graded.risks == [] and not graded.concern and graded.names_risk


def test_a_named_risk_the_model_reads_risk_in_is_urgent() -> None:
    reading = Analysis(uneasy=True, reads_risk=True, concern=True)
    graded = reading.screened(stated=set(), named={"self_harm"})
    assert graded.risks == ["self_harm"] and not graded.concern and not graded.names_risk


def test_a_named_risk_with_only_a_little_unease_is_a_check_in() -> None:
    graded = Analysis(uneasy=True, concern=True).screened(stated=set(), named={"self_harm"})
    assert graded.risks == [] and graded.concern and not graded.names_risk


def test_nothing_named_leaves_the_grade_as_it_was() -> None:
    assert not Analysis().screened(stated=set(), named=set()).concern
    assert Analysis(uneasy=True, concern=True).screened(stated=set(), named=set()).concern


def test_a_check_in_found_earlier_is_kept() -> None:
    # The pipeline's own phrases named a risk the engine's screen does not know.
    earlier = Analysis(concern=True)
    assert earlier.screened(stated=set(), named=set()).concern


def test_a_named_risk_found_earlier_is_kept() -> None:
    # The pipeline's own phrases named it; the engine's screen, run after, names nothing.
    earlier = Analysis().screened(stated=set(), named={"abuse"})
    assert earlier.screened(stated=set(), named=set()).names_risk
