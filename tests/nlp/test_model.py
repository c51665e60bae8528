"""The trained model at run time: no PyTorch, a card, and a safe answer when it is broken."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from nlp.pipeline import MODEL_DIR, ModelUnavailable, Pipeline

ROOT = Path(__file__).resolve().parents[2]
RIGHTSLINE = Path(sys.executable).with_name("rightsline")
CHILDLINE = "0800 1111"

# Any attempt to import torch fails loudly; the script then checks nothing imported it.
NO_TORCH = """
import sys, tempfile
class Refuse:
    def find_spec(self, name, path=None, target=None):
        if name == "torch" or name.startswith("torch."):
            raise ImportError("torch is for training only")
sys.meta_path.insert(0, Refuse())
import nlp
nlp.load()
nlp.analyse("i am going to kill myself tonight")
from service.app import create_app
from service.settings import Settings
import bot
settings = Settings(env="test", data_dir=tempfile.mkdtemp(), secret_key="test-key-not-real")
app = create_app(settings)
bot.build_dispatcher(runtime=app.state.runtime)
heavy = sorted(m for m in sys.modules if m.split(".")[0] in {"torch", "transformers"})
print("imported:", heavy)
"""


def test_the_runtime_never_imports_torch() -> None:
    result = subprocess.run(
        [sys.executable, "-c", NO_TORCH], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "imported: []" in result.stdout


def test_the_model_card_says_what_the_model_is() -> None:
    card = json.loads((MODEL_DIR / "card.json").read_text())
    assert len(card["fingerprint"]) == 64
    assert card["seed"] == 0
    assert {"risk_urgent", "self_harm_concern", "abuse_concern"} <= set(card["thresholds"])
    assert card["training_rows"]["with_risks"] >= 4000
    assert 0 <= card["validation"]["self_harm_recall"] <= 1
    assert card["threshold_sweep"]


@pytest.fixture
def broken_model(tmp_path: Path) -> Path:
    """A copy of the trained model whose ONNX file is not a model."""
    copy = tmp_path / "model"
    shutil.copytree(MODEL_DIR, copy)
    (copy / "rightsline_encoder" / "model.onnx").write_bytes(b"not a model")
    return copy


@pytest.fixture
def missing_model(tmp_path: Path) -> Path:
    copy = tmp_path / "model"
    shutil.copytree(MODEL_DIR, copy)
    (copy / "rightsline_encoder" / "model.onnx").unlink()
    return copy


def test_a_broken_model_is_refused_with_a_reason(broken_model: Path) -> None:
    with pytest.raises(ModelUnavailable, match="cannot be read"):
        Pipeline(broken_model)


def test_a_missing_model_still_answers_with_childline(missing_model: Path, tmp_path: Any) -> None:
    calm, risky = "hello is anyone reading this", "i am going to kill myself tonight"
    env = {
        **os.environ,
        "RIGHTSLINE_MODEL_DIR": str(missing_model),
        "RIGHTSLINE_DATA_DIR": str(tmp_path / "data"),
        "RIGHTSLINE_ENV": "test",
    }
    result = subprocess.run(
        [str(RIGHTSLINE), "chat"],
        input=f"{calm}\n{risky}\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    after_calm, after_risk = result.stdout.split(risky)[0], result.stdout
    assert CHILDLINE in after_calm.split(calm, 1)[-1] or CHILDLINE in after_calm
    assert "Please talk to Childline now" in after_risk
    assert "understanding model is unavailable" in result.stderr  # never silent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_readyz_says_when_the_model_is_broken(broken_model: Path, tmp_path: Any) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "RIGHTSLINE_MODEL_DIR": str(broken_model),
        "RIGHTSLINE_DATA_DIR": str(tmp_path / "data"),
        "RIGHTSLINE_ENV": "test",
    }
    server = subprocess.Popen(
        [str(RIGHTSLINE), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        ready = None
        for _ in range(240):
            try:
                ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.5)
        assert ready is not None, "the service did not start"
        assert ready.status_code == 503
        assert ready.json()["database"] == "up"
        assert "cannot be read" in ready.json()["model"]
        chat = httpx.post(f"http://127.0.0.1:{port}/api/chat/sessions", timeout=10)
        session_id = chat.json()["session_id"]
        for text in ("staff punched me", "what time is lunch on the wing today"):
            reply = httpx.post(
                f"http://127.0.0.1:{port}/api/chat/sessions/{session_id}/messages",
                json={"text": text},
                timeout=60,
            )
            assert reply.status_code == 200
            assert CHILDLINE in reply.json()["replies"][0]["text"]
        # Trying again loads the model the service was given, not another one.
        time.sleep(1)
        again = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=10)
        assert again.status_code == 503
        assert "cannot be read" in again.json()["model"]
    finally:
        server.terminate()
        _out, errors = server.communicate(timeout=30)
    assert "understanding model is unavailable" in errors


def test_a_broken_model_is_tried_again_in_the_background_not_for_each_message(
    broken_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import nlp
    import nlp.pipeline

    for name, value in (("_pipeline", None), ("_problem", None), ("_model_dir", None)):
        monkeypatch.setattr(nlp, name, value)
    tried: list[Path] = []

    def counted(model_dir: Path) -> Pipeline:
        tried.append(model_dir)
        return Pipeline(model_dir)

    monkeypatch.setattr(nlp.pipeline, "Pipeline", counted)
    with pytest.raises(ModelUnavailable):
        nlp.load(broken_model)
    for _ in range(5):  # each fails at once: the screen answers, nobody waits for a rebuild
        with pytest.raises(ModelUnavailable, match="cannot be read"):
            nlp.analyse("what time is lunch on the wing today")
    assert tried == [broken_model]

    monkeypatch.setattr(nlp, "_next_try", 0.0)  # the retry is due
    with pytest.raises(ModelUnavailable):
        nlp.analyse("what time is lunch on the wing today")
    for thread in threading.enumerate():
        if thread.name == "model-retry":
            thread.join(timeout=120)
    assert tried == [broken_model, broken_model]  # the same model, once, in the background
    assert "cannot be read" in nlp.status()
