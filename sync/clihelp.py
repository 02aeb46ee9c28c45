"""argparse in Chinese: its own words ("usage:", "options:", error messages) through its gettext hook.

argparse passes every text of its own through the module's ``_`` (``gettext.gettext``). While
:func:`chinese_argparse` is active, that hook answers from :data:`MESSAGES`; texts it does not
know (argparse's internal programming errors) stay in English. Command and option names, and
the help the commands give themselves, are ours and already Chinese.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager

MESSAGES = {
    "usage: ": "用法: ",
    "positional arguments": "位置参数",
    "options": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "one of the arguments %s is required": "参数 %s 必须给出一个",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "expected one argument": "需要一个值",
    "expected at least one argument": "至少需要一个值",
    "expected at most one argument": "最多只能有一个值",
    "ignored explicit argument %r": "多余的值 %r",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 有歧义，可能是 %(matches)s",
    "invalid %(type)s value: %(value)r": "值 %(value)r 不符合 %(type)s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选择 %(value)r（可选：%(choices)s）",
    "can't open '%(filename)s': %(error)s": "无法打开“%(filename)s”：%(error)s",
}
_NGETTEXT = {"expected %s argument": "需要 %s 个值", "expected %s arguments": "需要 %s 个值"}


def _gettext(message: str) -> str:
    return MESSAGES.get(message, message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    message = singular if n == 1 else plural
    return _NGETTEXT.get(message, message)


@contextmanager
def chinese_argparse() -> Iterator[None]:
    """Build parsers, print help and parse arguments with argparse's own texts in Chinese."""
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._, argparse.ngettext = _gettext, _ngettext  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]
