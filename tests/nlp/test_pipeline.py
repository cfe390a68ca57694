from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
import spacy

from annotator.domain.errors import UserError
from annotator.nlp.pipeline import PREFERRED_MODELS, available_model, load_pipeline, model_identity

ROOT = Path(__file__).resolve().parents[2]

needs_model = pytest.mark.skipif(available_model() is None, reason="no spaCy model installed")


def _model_data_dir(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    assert spec is not None and spec.origin is not None
    package_dir = Path(spec.origin).parent
    meta = json.loads((package_dir / "meta.json").read_text(encoding="utf-8"))
    return package_dir / f"{meta['lang']}_{meta['name']}-{meta['version']}"


@pytest.mark.parametrize("module", ["annotator.nlp", "annotator.nlp.pipeline", "annotator.nlp.preannotate"])
def test_importing_does_not_import_spacy(module: str) -> None:
    code = f"import {module}, sys; assert 'spacy' not in sys.modules, sorted(m for m in sys.modules if 'spacy' in m)"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True, text=True)


def test_available_model_does_not_import_spacy() -> None:
    code = (
        "from annotator.nlp.pipeline import available_model; import sys; "
        "print(available_model()); assert 'spacy' not in sys.modules"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True, text=True)
    assert result.stdout.strip() == str(available_model())


def test_available_model_follows_preference_order() -> None:
    installed = [name for name in PREFERRED_MODELS if importlib.util.find_spec(name) is not None]
    assert available_model() == (installed[0] if installed else None)


@needs_model
def test_loads_only_ner() -> None:
    nlp = load_pipeline()
    assert nlp is not None
    assert nlp.pipe_names == ["ner"]
    for pipe in ("parser", "tagger", "lemmatizer", "attribute_ruler", "tok2vec", "senter"):
        assert pipe not in nlp.component_names
    assert [ent.text for ent in nlp("Angela Merkel visited Paris.").ents] == ["Angela Merkel", "Paris"]


@needs_model
def test_loading_twice_returns_the_cached_object() -> None:
    first = load_pipeline()
    assert first is not None
    assert load_pipeline() is first
    assert load_pipeline(available_model()) is first
    assert load_pipeline(available_model(), ("ner",)) is first


@needs_model
def test_listener_components_bring_their_upstream() -> None:
    # In en_core_web_sm the tagger listens to the shared tok2vec; ner does not.
    nlp = load_pipeline(components=("tagger",))
    assert nlp is not None
    assert nlp.pipe_names == ["tok2vec", "tagger"]
    assert [token.tag_ for token in nlp("She runs.")] == ["PRP", "VBZ", "."]


@needs_model
def test_disabled_component_is_enabled_when_asked_for() -> None:
    nlp = load_pipeline(components=("senter",))  # disabled by default in the package
    assert nlp is not None
    assert nlp.pipe_names == ["senter"]
    assert [sent.text for sent in nlp("It rained. We stayed home.").sents] == ["It rained.", "We stayed home."]


@needs_model
def test_loads_from_a_model_directory() -> None:
    package = available_model()
    assert package is not None
    data_dir = _model_data_dir(package)
    nlp = load_pipeline(str(data_dir))
    assert nlp is not None
    assert nlp.pipe_names == ["ner"]
    assert load_pipeline(str(data_dir)) is nlp
    packaged = load_pipeline(package)
    assert packaged is not None and packaged is not nlp
    assert model_identity(nlp) == model_identity(packaged)


@needs_model
def test_model_identity() -> None:
    nlp = load_pipeline()
    assert nlp is not None
    assert model_identity(nlp) == (available_model(), "3.8.0")


def test_model_identity_of_blank_pipeline() -> None:
    assert model_identity(spacy.blank("en")) == ("en_pipeline", "0.0.0")


@pytest.mark.parametrize("name", ["xx", "en_core_web_xl_missing", "en-core-web-sm", "no.such.module", "/no/such/model"])
def test_unknown_model_is_a_user_error(name: str) -> None:
    with pytest.raises(UserError) as info:
        load_pipeline(name)
    message = str(info.value)
    assert message == f"spaCy model {name!r} is not installed; install it with pip or choose another --model"
    assert "\n" not in message


def test_directory_without_config_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"no config\.cfg"):
        load_pipeline(str(tmp_path))


@needs_model
def test_missing_component_is_a_user_error() -> None:
    with pytest.raises(UserError, match="has no component 'textcat'"):
        load_pipeline(components=("textcat",))
