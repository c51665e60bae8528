"""A changed phrase rule reaches the model without training the encoder again."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Any

import pytest

from nlp import data, pipeline
from nlp.pipeline import MODEL_DIR, Pipeline

# An invented phrase that no message, rule or training example uses.
PHRASE = "zorblax the quillwall"


@pytest.fixture
def model_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "model"
    shutil.copytree(MODEL_DIR, copy)
    return copy


@pytest.fixture
def new_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """An editor adds a phrase that states self-harm to patterns.jsonl."""
    patterns = pipeline._patterns()
    extra = {"kind": "risk", "label": "self_harm", "phrase": PHRASE}
    monkeypatch.setattr(pipeline, "_patterns", lambda: [*patterns, extra])


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_model_in_use_is_current() -> None:
    assert pipeline.state() == "current"


def test_a_new_rule_is_rebuilt_into_the_model_without_training(
    model_copy: Path, new_rule: Any
) -> None:
    encoder_before = _sha(model_copy / "rightsline_encoder" / "model.onnx")
    message = f"im going to {PHRASE} tonight"
    assert "self_harm" not in Pipeline(model_copy).analyse_many([message])[0].rule_risks

    assert pipeline.state(model_copy) == "checks"
    pipeline.refresh(model_copy)

    assert pipeline.state(model_copy) == "current"
    analysis = Pipeline(model_copy).analyse_many([message])[0]
    assert "self_harm" in analysis.rule_risks
    assert "self_harm" in analysis.risks  # a stated risk is urgent
    assert _sha(model_copy / "rightsline_encoder" / "model.onnx") == encoder_before
    assert (model_copy / "card.json").exists()


def test_a_card_beside_no_pipeline_is_put_together_again(model_copy: Path) -> None:
    """A model directory half emptied (the card left, spaCy's part gone) is not current."""
    (model_copy / "meta.json").unlink()
    assert pipeline.state(model_copy) == "checks"


def test_changed_training_examples_still_ask_for_training(
    model_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(data, "fingerprint", lambda: "0" * 64)
    assert pipeline.state(model_copy) == "train"
    with pytest.raises(pipeline.ModelUnavailable, match="make model"):
        pipeline.refresh(model_copy)


def test_a_change_to_spacys_part_is_put_together_without_training(
    model_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An editor stops excluding one of spaCy's components in config.cfg's [base]."""
    assert "lemmatizer" not in Pipeline(model_copy).nlp.pipe_names
    config = tmp_path / "config.cfg"
    config.write_text(data.CONFIG.read_text().replace('"lemmatizer", ', ""))
    monkeypatch.setattr(data, "CONFIG", config)
    encoder_before = _sha(model_copy / "rightsline_encoder" / "model.onnx")

    assert pipeline.state(model_copy) == "checks"
    pipeline.refresh(model_copy)

    assert pipeline.state(model_copy) == "current"
    assert "lemmatizer" in Pipeline(model_copy).nlp.pipe_names
    assert _sha(model_copy / "rightsline_encoder" / "model.onnx") == encoder_before
