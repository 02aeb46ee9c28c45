"""Secrets named in dispatchbook.toml: ``env:NAME`` (an environment variable) or ``key:NAME`` (an entry of
the key file ``[notify] secrets = "…"``). A secret is never written into the config itself, never printed
and never logged: :class:`Secret` hides its value from ``str``/``repr`` and :func:`redact` removes it from
any text (an error message that quotes a URL, say)."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DispatchError

HIDDEN = "***"


@dataclass(frozen=True)
class Secret:
    """A value that must not appear in output; ``source`` says where it came from (shown instead)."""

    source: str
    value: str = field(repr=False)

    def __str__(self) -> str:
        return f"<{self.source}>"


class Secrets:
    """Resolves ``env:NAME`` and ``key:NAME`` references; ``fail(where, message, fix)`` makes the error."""

    def __init__(self, key_file: Path | None, fail: Callable[[str, str, str], DispatchError],
                 environ: dict[str, str] | None = None) -> None:
        self.key_file, self.fail = key_file, fail
        self.environ = os.environ if environ is None else environ
        self._keys: dict[str, object] | None = None

    def resolve(self, reference: object, where: str) -> Secret:
        if not isinstance(reference, str) or ":" not in reference:
            raise self.fail(where, "密钥、密码和 webhook 地址不能直接写在配置文件中",
                            '请写 "env:环境变量名"（从环境变量读取）或 "key:名称"（从 secrets 指定的密钥文件读取）')
        scheme, name = reference.split(":", 1)
        if scheme == "env":
            value = self.environ.get(name)
            if not value:
                raise self.fail(where, f"环境变量 {name} 没有设置", f"请在运行 dispatchbook 的环境中设置 {name}")
            return Secret(reference, value)
        if scheme == "key":
            stored = self._file().get(name)
            if not isinstance(stored, str) or not stored:
                raise self.fail(where, f"密钥文件中没有“{name}”", f'请在密钥文件中写一行 {name} = "…"')
            return Secret(reference, stored)
        raise self.fail(where, f"不认识的密钥来源“{scheme}”", '请写 "env:环境变量名" 或 "key:名称"')

    def _file(self) -> dict[str, object]:
        if self._keys is None:
            if self.key_file is None:
                raise self.fail("notify.secrets", "用了 key:… 却没有指定密钥文件",
                                '请在 [notify] 中写 secrets = "密钥文件.toml"（权限设为仅本人可读）')
            try:
                self._keys = tomllib.loads(self.key_file.read_text(encoding="utf-8"))
            except FileNotFoundError:
                raise self.fail("notify.secrets", f"找不到密钥文件 {self.key_file.name}", "请检查路径") from None
            except tomllib.TOMLDecodeError:  # the parser's message may quote a secret: do not repeat it
                raise self.fail("notify.secrets", f"密钥文件 {self.key_file.name} 不是有效的 TOML",
                                '每行写作 名称 = "值"') from None
        return self._keys


def redact(text: str, secrets: Iterable[Secret]) -> str:
    """``text`` with every secret value (and every secret that is part of a URL) replaced by ***."""
    for secret in secrets:
        if secret.value:
            text = text.replace(secret.value, HIDDEN)
    return text
