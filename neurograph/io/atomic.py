"""Writing a file atomically: to a temporary file in the same folder, then ``os.replace``.

An interrupted or failed write (a full disk, Ctrl-C) never damages the file already there; the
rename itself is made durable where the system allows (``fsync`` of the folder).
"""
from __future__ import annotations

import os
import secrets
import stat

__all__ = ["write_atomically"]


def write_atomically(path: str, pieces) -> None:
    """Write the text ``pieces`` (an iterable of str) to a new file beside ``path``, then
    rename it over ``path``: ``path`` holds either its old content or all of the new, never a
    mix, and keeps its permissions; the temporary file is removed if anything fails."""
    folder, name = os.path.split(os.path.abspath(path))
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        mode = None  # a new file; any real problem with `path` shows at os.replace
    for _ in range(100):
        temporary = os.path.join(folder, f".{name}.{secrets.token_hex(4)}.tmp")
        try:
            # 0o666 and the umask, as for any new file (mkstemp would make it 0o600)
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            break
        except FileExistsError:
            continue
        except OSError as error:  # name the file asked for, not the temporary one
            raise type(error)(error.errno, error.strerror, path) from None
    else:  # pragma: no cover - 100 collisions of 32 random bits
        raise FileExistsError(f"could not create a temporary file beside {path}")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as out:
            for piece in pieces:
                out.write(piece)
            out.flush()
            os.fsync(out.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise
    try:  # make the rename itself durable (POSIX); not possible everywhere, and not vital
        directory = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(directory)
    except OSError:
        pass
    finally:
        os.close(directory)
