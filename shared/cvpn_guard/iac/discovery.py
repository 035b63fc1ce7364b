"""From the paths given to ``cvpn-guard check`` to the endpoints their files declare.

Files and folders (walked recursively) are sorted into formats: ``.tf`` files by their
extension (one Terraform module per folder), ``.json``, ``.yaml``, ``.yml`` and ``.template``
files by their content (a saved estate, a Terraform plan, a CloudFormation template). In a
folder, a file of no known format is passed over; a file named on the command line must be one
(a named ``.tf`` file brings its module: the other ``.tf`` files of its folder).
Each format's reader is imported only when a file needs it.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path
from typing import Any, cast

from cvpn_guard.iac.declared import DeclaredEndpoint, SourceError
from cvpn_guard.iac.documents import load_documents
from cvpn_guard.iac.estate import is_estate, read_estate

CONTENT_SUFFIXES = frozenset({".json", ".yaml", ".yml", ".template"})
TERRAFORM_SUFFIX = ".tf"
SKIPPED_FOLDERS = frozenset({".git", "node_modules", ".terraform"})
# CDK's cloud assembly holds the templates (*.template.json) beside files that describe the
# assembly itself; none declares a resource.
SKIPPED_FILES = ("manifest.json", "tree.json")
SKIPPED_CDK_FILES = "*.assets.json"

_CLOUDFORMATION = "cvpn_guard.iac.cloudformation"
_TERRAFORM_PLAN = "cvpn_guard.iac.terraform_plan"
_TERRAFORM_HCL = "cvpn_guard.iac.terraform_hcl"


@dataclass
class Sources:
    """The files found, by format, in the order they were found."""

    templates: list[tuple[str, str]] = field(default_factory=list)
    """CloudFormation (SAM, CDK output): (file, text)."""
    plans: list[tuple[str, Mapping[str, Any]]] = field(default_factory=list)
    """Terraform plans (``terraform show -json``): (file, document)."""
    estate: list[tuple[str, Mapping[str, Any]]] = field(default_factory=list)
    """Saved Describe answers: (file, document), a file once per document."""
    modules: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    """Terraform modules: folder -> its ``.tf`` files (file, text)."""

    @property
    def files(self) -> list[str]:
        """Every file found, each once, in the order found."""
        names = [name for name, _ in (*self.templates, *self.plans, *self.estate)]
        names += [name for files in self.modules.values() for name, _ in files]
        return list(dict.fromkeys(names))


def discover(paths: Sequence[str]) -> Sources:
    """Sort the files of ``paths`` into formats.

    Parameters
    ----------
    paths : Sequence[str]
        Files and folders, as the user wrote them (the names found keep that form, so relative
        paths stay relative).

    Raises
    ------
    SourceError
        A path that does not exist, a file that cannot be read or parsed, or a file named
        on the command line that is none of the formats.
    """
    sources = Sources()
    for path in paths:
        if os.path.isdir(path):
            for file in _walk(path):
                _sort(sources, file, named=False)
        elif os.path.isfile(path):
            _sort(sources, path, named=True)
        else:
            raise SourceError(path, "no such file or folder")
    return sources


def read_sources(sources: Sources) -> list[DeclaredEndpoint]:
    """Every endpoint the sources declare: templates, plans, modules, then the estate."""
    endpoints: list[DeclaredEndpoint] = []
    for file, text in sources.templates:
        endpoints += _read(_CLOUDFORMATION, "read_template", file, text)
    for file, data in sources.plans:
        endpoints += _read(_TERRAFORM_PLAN, "read_plan", file, data)
    for files in sources.modules.values():
        endpoints += _read(_TERRAFORM_HCL, "read_module", files)
    if sources.estate:
        endpoints += read_estate(sources.estate)
    return endpoints


def declared_endpoints(paths: Sequence[str]) -> tuple[Sources, list[DeclaredEndpoint]]:
    """:func:`discover`, then :func:`read_sources`."""
    sources = discover(paths)
    return sources, read_sources(sources)


def _walk(folder: str) -> Iterator[str]:
    for root, folders, files in os.walk(folder):
        folders[:] = sorted(name for name in folders if name not in SKIPPED_FOLDERS)
        # Nested assemblies (a CDK stage) sit in folders below cdk.out, with their own assets.
        in_cdk_out = "cdk.out" in Path(root).parts
        for name in sorted(files):
            if name in SKIPPED_FILES or (in_cdk_out and fnmatch(name, SKIPPED_CDK_FILES)):
                continue
            yield os.path.join(root, name)


def _sort(sources: Sources, file: str, *, named: bool) -> None:
    suffix = Path(file).suffix.lower()
    if suffix == TERRAFORM_SUFFIX:
        _add_module_file(sources, file, named=named)
        return
    if suffix not in CONTENT_SUFFIXES:
        if named:
            raise _unknown_format(file)
        return
    text = _text(file)
    documents = load_documents(file, text)
    if documents and all(is_estate(document) for document in documents):
        sources.estate += [(file, document) for document in documents]
    elif len(documents) == 1 and _detect(_CLOUDFORMATION, "is_template", documents[0]):
        sources.templates.append((file, text))
    elif len(documents) == 1 and _detect(_TERRAFORM_PLAN, "is_plan", documents[0]):
        sources.plans.append((file, documents[0]))
    elif named:
        raise _unknown_format(file)


def _add_module_file(sources: Sources, file: str, *, named: bool) -> None:
    """Add a ``.tf`` file to its folder's module. A named one brings the folder's other
    ``.tf`` files too: Terraform reads a module whole (a variable's default, a security group
    the endpoint refers to, may be in another file), and a pre-commit hook names only the
    files that changed."""
    folder = os.path.dirname(file)
    module = sources.modules.setdefault(folder, [])
    known = {os.path.normpath(name) for name, _ in module}
    siblings = sorted(Path(folder or ".").glob(f"*{TERRAFORM_SUFFIX}")) if named else []
    for name in [file, *(os.path.join(folder, sibling.name) for sibling in siblings)]:
        if os.path.normpath(name) not in known:
            known.add(os.path.normpath(name))
            module.append((name, _text(name)))


def _text(file: str) -> str:
    try:
        return Path(file).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise SourceError(file, f"not UTF-8 text: {error.reason} at byte {error.start}") from error
    except OSError as error:
        raise SourceError(file, f"cannot read it: {error.strerror or error}") from error


def _unknown_format(file: str) -> SourceError:
    return SourceError(
        file,
        "none of the formats cvpn-guard check reads: a CloudFormation, SAM or CDK template "
        "(YAML or JSON), a Terraform plan (terraform show -json), .tf files, or a saved "
        "aws ec2 describe-client-vpn-* answer (JSON)",
    )


def _reader(module: str, name: str) -> Callable[..., object]:
    # Imported when a file of the format is found: checking an estate loads no template parser.
    return cast("Callable[..., object]", getattr(importlib.import_module(module), name))


def _read(module: str, name: str, *source: object) -> list[DeclaredEndpoint]:
    return cast("list[DeclaredEndpoint]", _reader(module, name)(*source))


def _detect(module: str, name: str, document: object) -> bool:
    return bool(_reader(module, name)(document))
