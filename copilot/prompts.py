"""Prompt templates as files: one folder per prompt under `prompts/`, rendered with named variables.

A folder holds `meta.toml` and the Jinja2 templates it names. Rendering is strict both ways: a
variable the template uses but the caller did not give fails, and so does one the caller gave
that no template uses (a typo would otherwise be sent silently). The digest is the SHA-256 of the
folder's files, recorded with every result and every request so an answer can be traced to the
exact wording that produced it.

Where the folder is found: `prompts/` beside the package (a source checkout or an editable
install), else `copilot/prompt_templates/`, where a wheel build has to copy it.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta

from copilot.errors import CopilotError

META = "meta.toml"


class PromptError(CopilotError):
    """A prompt that is missing, malformed, or rendered with the wrong variables."""


def prompts_dir() -> Path:
    beside = Path(__file__).resolve().parents[1] / "prompts"
    if beside.is_dir():
        return beside
    packaged = Path(__file__).resolve().parent / "prompt_templates"
    if packaged.is_dir():
        return packaged
    raise PromptError(f"no prompt templates found (looked in {beside} and {packaged})")


def names() -> list[str]:
    return sorted(p.name for p in prompts_dir().iterdir() if (p / META).is_file())


@dataclass(frozen=True)
class Prompt:
    name: str
    folder: Path
    meta: dict[str, Any]
    sources: dict[str, str]  # template file name -> its text
    digest: str
    _env: jinja2.Environment = field(repr=False, compare=False)

    @property
    def templates(self) -> list[str]:
        return sorted(self.sources)

    @property
    def examples(self) -> dict[str, Any]:
        """Example values for every variable, from meta.toml: what the tests render with."""
        return dict(self.meta.get("examples", {}))

    def variables(self, template: str) -> set[str]:
        return jinja2.meta.find_undeclared_variables(self._env.parse(self.sources[template]))

    def render(self, template: str, **variables: Any) -> str:
        if template not in self.sources:
            raise PromptError(f"prompt {self.name} has no template {template!r}")
        unused = set(variables) - self.variables(template)
        if unused:
            raise PromptError(
                f"prompt {self.name}/{template} does not use {', '.join(sorted(unused))}"
            )
        try:
            return self._env.get_template(template).render(**variables)
        except jinja2.UndefinedError as exc:
            raise PromptError(f"prompt {self.name}/{template}: {exc.message}") from exc


def digest_of(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


@cache
def load(name: str) -> Prompt:
    folder = prompts_dir() / name
    if not (folder / META).is_file():
        raise PromptError(f"no prompt named {name!r} (known: {', '.join(names()) or 'none'})")
    try:
        meta = tomllib.loads((folder / META).read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise PromptError(f"prompt {name}: {META} is not valid TOML: {exc}") from exc
    listed = [*meta.get("system", []), *([meta["user"]] if "user" in meta else [])]
    missing = [t for t in listed if not (folder / t).is_file()]
    if not listed or missing:
        raise PromptError(f"prompt {name}: templates missing: {', '.join(missing) or 'none named'}")
    sources = {t: (folder / t).read_text(encoding="utf-8") for t in listed}
    env = jinja2.Environment(
        loader=jinja2.DictLoader(sources),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # plain text for a model, never HTML
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return Prompt(name, folder, meta, sources, digest_of(folder), env)
