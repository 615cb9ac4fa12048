"""Atomic file writes: write to temporary files beside the targets, then rename them.

A command that writes several files writes all of them or none (:func:`atomic_paths`,
:func:`write_files`): every file is written to a temporary file first, and only when
all are complete are they renamed onto their targets; a rename that fails puts back
the files already replaced.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from relocate.errors import OutputError

__all__ = ["atomic_path", "atomic_paths", "same_file", "write_files"]


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it onto ``target`` on success.

    If the body raises, the temporary file is removed and ``target`` is left as
    it was: a reader never sees a half-written file.

    Parameters
    ----------
    target
        The file to create or replace. Its folder is created if needed.

    Raises
    ------
    OutputError
        If the file cannot be written (``target`` is intact).

    """
    with atomic_paths([target]) as (tmp,):
        yield tmp


@contextlib.contextmanager
def atomic_paths(targets: Sequence[Path]) -> Iterator[tuple[Path, ...]]:
    """Yield one temporary path beside each target; on success rename them all onto theirs.

    All or none: if the body raises, every temporary file is removed and no target
    changes; if a rename fails, the targets already replaced get their previous
    content back (or are removed if they did not exist), so the set of files is
    never half new, half old.

    Parameters
    ----------
    targets
        The files to create or replace, all different. Their folders are created
        if needed.

    Raises
    ------
    OutputError
        If a file cannot be written (every target is as it was).

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> with atomic_paths([folder / "a.txt", folder / "b.txt"]) as (a, b):
    ...     _ = a.write_text("one")
    ...     _ = b.write_text("two")
    >>> sorted(p.name for p in folder.iterdir())
    ['a.txt', 'b.txt']

    """
    targets = [Path(t) for t in targets]
    if len({os.path.abspath(t) for t in targets}) != len(targets):
        raise ValueError(f"the same file is named twice in {[str(t) for t in targets]}")
    for target in targets:
        if target.is_dir():
            raise OutputError(f"cannot write {str(target)!r}: it is a folder; choose a file name")
    temps: list[Path] = []
    try:
        for target in targets:
            temps.append(_temporary_beside(target, suffix=f".tmp{target.suffix}"))
    except OSError as exc:
        _remove(temps)
        raise _output_error(target, exc) from exc
    umask = os.umask(0)
    os.umask(umask)
    try:
        yield tuple(temps)
        for tmp in temps:
            tmp.chmod(0o666 & ~umask)  # mkstemp makes 0600; give the file the usual mode
    except BaseException as exc:
        _remove(temps)
        if isinstance(exc, OSError) and not isinstance(exc, OutputError):
            raise _output_error(targets[0] if len(targets) == 1 else targets, exc) from exc
        raise
    _replace_all(temps, targets)


def write_files(files: Mapping[Path, bytes | str]) -> list[Path]:
    """Write several files, all or none (see :func:`atomic_paths`); text is written as UTF-8.

    Returns
    -------
    list of Path
        The files written, in the order given.

    Raises
    ------
    OutputError
        If a file cannot be written (every target is as it was).

    """
    paths = list(files)
    with atomic_paths(paths) as temps:
        for tmp, content in zip(temps, files.values(), strict=True):
            tmp.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return paths


def same_file(a: Path, b: Path) -> bool:
    """True if two paths name the same file (through links, ``..`` or a relative path)."""
    try:
        return os.path.samefile(a, b)
    except OSError:  # one does not exist (yet): compare where they point
        return Path(a).resolve() == Path(b).resolve()


def _temporary_beside(target: Path, *, suffix: str) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=suffix, dir=target.parent)
    os.close(fd)
    return Path(name)


def _replace_all(temps: Sequence[Path], targets: Sequence[Path]) -> None:
    """Rename each temporary file onto its target; on a failure, undo the renames done."""
    done: list[tuple[Path, Path | None]] = []  # (target, backup of its previous content)
    try:
        for tmp, target in zip(temps, targets, strict=True):
            backup = _backup(target) if len(targets) > 1 else None
            try:
                os.replace(tmp, target)
            except OSError:
                _remove([backup] if backup is not None else [])
                raise
            done.append((target, backup))
    except OSError as exc:
        for replaced, backup in reversed(done):
            with contextlib.suppress(OSError):
                if backup is None:
                    replaced.unlink()
                else:
                    os.replace(backup, replaced)
        _remove([*temps, *(b for _, b in done if b is not None)])
        raise _output_error(target, exc) from exc
    _remove([b for _, b in done if b is not None])


def _backup(target: Path) -> Path | None:
    """A copy of the target's current content (a hard link where possible), or None if none."""
    if not target.is_file():
        return None
    backup = _temporary_beside(target, suffix=".bak")
    backup.unlink()
    try:
        os.link(target, backup)
    except OSError:
        shutil.copy2(target, backup)
    return backup


def _remove(paths: Sequence[Path]) -> None:
    for path in paths:
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)


def _output_error(target: Path | Sequence[Path], exc: OSError) -> OutputError:
    reason = exc.strerror or str(exc)
    shown = (
        repr(str(target)) if isinstance(target, Path) else ", ".join(repr(str(t)) for t in target)
    )
    return OutputError(
        f"cannot write {shown}: {reason}; choose a folder that exists and is writable"
    )
