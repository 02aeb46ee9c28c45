"""Finding a font with Chinese glyphs for the chart picture (Noto CJK, WenQuanYi, Microsoft YaHei,
SimHei, PingFang …) and the font names the document declares for Word, WPS and LibreOffice."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from PIL import ImageFont

BODY_FONT = "宋体"  # w:eastAsia of body text: every Chinese Word/WPS has it; LibreOffice substitutes
HEADING_FONT = "黑体"
LATIN_FONT = "Times New Roman"
CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",  # fonts-noto-cjk (Debian, Ubuntu)
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",  # Fedora, Arch
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",  # fonts-wqy-microhei
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "C:/Windows/Fonts/msyh.ttc",  # Microsoft YaHei
    "C:/Windows/Fonts/simhei.ttf",
    "/System/Library/Fonts/PingFang.ttc",
    "/System/Library/Fonts/STHeiti Medium.ttc",
)
MISSING = ("未找到含中文字形的字体，通报中的四色分布图未生成（其余内容照常）。"
           "请安装中文字体后重试：Debian/Ubuntu 执行 sudo apt install fonts-noto-cjk；Windows、macOS 自带的雅黑、苹方即可")


def cjk_font() -> Path | None:
    """A font file with CJK glyphs: a known location, else what fontconfig offers for Chinese."""
    for candidate in CANDIDATES:
        if Path(candidate).is_file():
            return Path(candidate)
    if shutil.which("fc-match"):
        found = subprocess.run(["fc-match", "-f", "%{file}", ":lang=zh-cn"], capture_output=True, text=True,
                               timeout=30, check=False).stdout.strip()
        if found and Path(found).is_file() and _has_cjk(Path(found)):
            return Path(found)
    return None


def _has_cjk(path: Path) -> bool:
    """fc-match always answers; only a font that draws 党 and 建 differently (not as the same
    missing-glyph box) counts."""
    try:
        font = ImageFont.truetype(str(path), 20)
    except OSError:
        return False
    return bytes(font.getmask("党")) != bytes(font.getmask("建"))
