"""`annotator import seeds/` with the real spaCy model: the sample article a new user sees."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def test_seed_import_with_the_real_model(cli: Callable[..., Any], db_path: Path, real_model: Any) -> None:
    assert real_model is not None
    result = cli("import", f"{SEEDS}/", "--db", db_path)
    assert result.code == 0, result.err
    assert "imported 1 document from 1 file" in result.out
    assert "entities by en_core_web_sm" in result.out

    exported = cli("export", "-o", "-", "--db", db_path)
    assert exported.code == 0, exported.err
    (line,) = exported.json_lines()
    text = line["text"]
    assert line["meta"]["date"] == "2025-12-01"
    assert line["meta"]["source"] == "000_ba5382ffd786d442.txt"
    assert line["id"] == "000_ba5382ffd786d442"
    assert text.startswith("Russian President Vladimir Putin")
    assert "date 2025" not in text[:40]
    assert line["annotator"] is None and line["status"] == "new"

    entities = {(e["text"], e["label"]) for e in line["entities"]}
    assert {("Vladimir Putin", "PERSON"), ("Ajai Malhotra", "PERSON"), ("India", "GPE")} <= entities
    for entity in line["entities"]:
        assert text[entity["start"] : entity["end"]] == entity["text"]
        assert entity["source"] == "model"
    putin = next(e for e in line["entities"] if e["text"] == "Vladimir Putin")
    assert (putin["start"], putin["end"]) == (18, 32)
    malhotra = next(e for e in line["entities"] if e["text"] == "Ajai Malhotra")
    assert text[malhotra["start"] : malhotra["end"]] == "Ajai Malhotra"
    india = next(e for e in line["entities"] if e["text"] == "India")
    assert text.index("India") == india["start"]

    again = cli("import", f"{SEEDS}/", "--db", db_path)
    assert again.code == 0
    assert "imported 0 documents" in again.out and "skipped 1 document already in the database" in again.out
