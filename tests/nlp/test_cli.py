"""`python -m nlp analyse`: the JSON lines contract."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_json_lines_in_and_out() -> None:
    lines = [
        json.dumps({"text": "they keep me banged up in my cell nearly all day, can they do that"}),
        json.dumps({"text": "honestly might just kms tonight"}),
        "this is not json",
        json.dumps({"text": "my name is Zebedee Quillfeather, ring 07700 900123"}),
    ]
    result = subprocess.run(
        [sys.executable, "-m", "nlp", "analyse"],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 4
    for row in (rows[0], rows[1], rows[3]):
        assert {"topic", "risks", "risk_scores", "role", "setting", "redacted"} <= set(row)
    assert rows[0]["topic"] == "separation"
    assert rows[1]["risks"] == ["self_harm"]
    assert "error" in rows[2]
    assert "Zebedee" not in rows[3]["redacted"] and "900123" not in rows[3]["redacted"]
