"""Writing a file atomically: to a temporary file in the same folder, then ``os.replace``.

An interrupted or failed write (a full disk, Ctrl-C) never damages the file already there; the
rename itself is made durable where the system allows (``fsync`` of the folder). A temporary
file left by a killed writer (``kill -9`` cannot be cleaned up after) is removed by the next
write of the same file. Writing to a symbolic link writes through it, to the file it names.
"""
from __future__ import annotations

import os
import re
import secrets
import stat

try:  # POSIX: a writer holds a lock on its temporary file, so others can tell it is alive
    import fcntl
except ImportError:  # pragma: no cover - Windows: stale temporary files are left alone
    fcntl = None

__all__ = ["write_atomically"]


def write_atomically(path: str, pieces, *, binary: bool = False) -> None:
    """Write the text ``pieces`` (an iterable of str; of bytes if ``binary``) to a new file
    beside ``path``, then rename it over ``path``: ``path`` holds either its old content or
    all of the new, never a mix, and keeps its permissions; the temporary file is removed if
    anything fails.

    When ``path`` is a symbolic link, the file it points to is written (the link stays a
    link). Temporary files of ``path`` left behind by a writer that was killed (their names
    are ``.NAME.XXXXXXXX.tmp``) are removed first; those of a writer still at work are not.
    An ``OSError`` names ``path`` (not the temporary file).
    """
    path = os.path.realpath(path)  # through symbolic links: the link is kept, its target written
    folder, name = os.path.split(path)
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        mode = None  # a new file; any real problem with `path` shows at os.replace
    _remove_stale_temporaries(folder, name)
    temporary, descriptor = _create_temporary(folder, name, path)
    lock = os.dup(descriptor)  # keeps the lock held until the rename is done
    try:
        opened = (os.fdopen(descriptor, "wb") if binary else
                  os.fdopen(descriptor, "w", encoding="utf-8", newline="\n"))
        with opened as out:
            for piece in pieces:
                out.write(piece)
            out.flush()
            os.fsync(out.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException as error:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        if isinstance(error, OSError) and error.errno is not None:  # name the file asked for
            raise type(error)(error.errno, error.strerror, path) from None
        raise
    finally:
        os.close(lock)
    _sync_folder(folder)


def _create_temporary(folder: str, name: str, path: str) -> tuple[str, int]:
    """A new, locked temporary file beside ``path``: its name and descriptor."""
    for _ in range(100):
        temporary = os.path.join(folder, f".{name}.{secrets.token_hex(4)}.tmp")
        try:
            # 0o666 and the umask, as for any new file (mkstemp would make it 0o600)
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        except OSError as error:  # name the file asked for, not the temporary one
            raise type(error)(error.errno, error.strerror, path) from None
        if fcntl is None:
            return temporary, descriptor
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        if os.fstat(descriptor).st_nlink > 0:  # not taken for stale before we locked it
            return temporary, descriptor
        os.close(descriptor)
    raise FileExistsError(f"could not create a temporary file beside {path}")  # pragma: no cover


def _remove_stale_temporaries(folder: str, name: str) -> None:
    """Remove ``.NAME.XXXXXXXX.tmp`` files in ``folder`` that no living writer holds locked."""
    if fcntl is None:  # pragma: no cover
        return
    pattern = re.compile(rf"\.{re.escape(name)}\.[0-9a-f]{{8}}\.tmp")
    try:
        candidates = [entry for entry in os.listdir(folder) if pattern.fullmatch(entry)]
    except OSError:
        return  # the write itself will say what is wrong with the folder
    for entry in candidates:
        candidate = os.path.join(folder, entry)
        try:
            descriptor = os.open(candidate, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            continue
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)  # fails while a writer lives
            if os.stat(candidate).st_ino == os.fstat(descriptor).st_ino:  # still the same file
                os.unlink(candidate)
        except OSError:
            pass  # held by a writer at work, renamed into place meanwhile, or not ours to remove
        finally:
            os.close(descriptor)


def _sync_folder(folder: str) -> None:
    """Make a rename in ``folder`` durable (POSIX); not possible everywhere, and not vital."""
    try:
        directory = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(directory)
    except OSError:
        pass
    finally:
        os.close(directory)
