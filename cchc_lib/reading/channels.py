"""Channel groups: the directive's catalogue of outlets and the mapping of free-text channels onto it.

A channel (`Kênh đăng tải`, free text) maps to the first group of the catalogue, in catalogue order,
whose code or name equals it, or else which has a keyword occurring in it as whole words, both
compared after matching normalisation (case-fold, no diacritics, `đ` = `d`, punctuation ignored:
text.loose_key). What matches no group falls into the last group, `Khác`. A blank channel belongs to
no group: breakdowns count it as metrics.BLANK_LABEL `(không ghi)`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..common.text import clean_text, loose_key
from .model import CHANNEL_GROUP_COLUMNS
from .schema import OTHER_CHANNEL_GROUP

if TYPE_CHECKING:
    from .model import Workbook

__all__ = [
    "BLANK_LABEL",
    "DEFAULT_CHANNEL_GROUPS",
    "OTHER_GROUP_CODE",
    "OTHER_GROUP_NAME",
    "KEYWORD_SEPARATOR",
    "catalogue_frame",
    "channel_catalogue",
    "channel_group_breakdown",
    "default_catalogue",
    "keyword_keys",
    "map_channels",
    "unmatched_mask",
    "unmapped_channels",
]

OTHER_GROUP_CODE, OTHER_GROUP_NAME = OTHER_CHANNEL_GROUP
BLANK_LABEL = "(không ghi)"  # = metrics.BLANK_LABEL (not imported: metrics is a higher layer)
KEYWORD_SEPARATOR = ";"

# (code, name, keywords as people write them). Order matters: the first group with a matching
# keyword wins, so the provincial portal ("cổng ... tỉnh") comes before the generic "TTĐT" of the
# units' own portals, and "truyền hình" (group 4) before the grassroots radio "truyền thanh" (group 5);
# "phát thanh" alone is no keyword, since "loa phát thanh", "đài phát thanh xã" are grassroots.
DEFAULT_CHANNEL_GROUPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "CONG_TINH",
        "Cổng thông tin điện tử tỉnh",
        (
            "Cổng TTĐT tỉnh",
            "Cổng thông tin điện tử tỉnh",
            "Cổng thông tin tỉnh",
            "Cổng tỉnh",
            "TTĐT tỉnh",
            "thông tin điện tử tỉnh",
            "Cổng TTĐT UBND tỉnh",
            "Cổng thông tin điện tử UBND tỉnh",
        ),
    ),
    (
        "TRANG_DON_VI",
        "Trang thông tin điện tử của cơ quan, đơn vị",
        (
            "Trang TTĐT",
            "TTĐT",
            "Trang thông tin điện tử",
            "thông tin điện tử",
            "Cổng TTĐT",
            "Cổng thông tin điện tử",
            "Cổng thông tin",
            "Trang tin",
            "Trang TT",
            "Trang web",
            "website",
            "web",
        ),
    ),
    (
        "BAO_CHI",
        "Báo chí",
        ("báo", "báo chí", "báo điện tử", "tạp chí", "thông tấn", "TTXVN", "VnExpress", "Dân trí"),
    ),
    (
        "PHAT_THANH_TRUYEN_HINH",
        "Phát thanh, truyền hình",
        (
            "PT-TH",
            "PTTH",
            "TT-TH",
            "phát thanh - truyền hình",
            "truyền hình",
            "Đài phát thanh tỉnh",
            "Đài tiếng nói",
            "VOV",
            "VTV",
        ),
    ),
    (
        "THONG_TIN_CO_SO",
        "Hệ thống thông tin cơ sở",
        (
            "truyền thanh",
            "Đài TT",
            "TT xã",
            "TT huyện",
            "TT thôn",
            "loa",
            "phát thanh xã",
            "phát thanh huyện",
            "phát thanh thôn",
            "Đài xã",
            "Đài huyện",
            "thông tin cơ sở",
            "bảng tin",
            "bản tin",
            "Trung tâm VH-TT",
            "Trung tâm VHTT",
            "Trung tâm Văn hóa - Truyền thông",
            "Trung tâm Truyền thông",
        ),
    ),
    (
        "MANG_XA_HOI",
        "Mạng xã hội",
        (
            "mạng xã hội",
            "MXH",
            "Fanpage",
            "Facebook",
            "FB",
            "Zalo",
            "YouTube",
            "TikTok",
            "Messenger",
            "Instagram",
            "trang cá nhân",
        ),
    ),
    (
        "TRUC_TIEP",
        "Hội nghị, tuyên truyền trực tiếp",
        (
            "trực tiếp",
            "trực tuyến",
            "hội nghị",
            "hội thảo",
            "tọa đàm",
            "tập huấn",
            "cuộc thi",
            "hội thi",
            "đối thoại",
            "họp dân",
            "họp thôn",
            "sinh hoạt",
            "tuyên truyền miệng",
            "diễn đàn",
            "lễ phát động",
        ),
    ),
    (
        OTHER_GROUP_CODE,
        OTHER_GROUP_NAME,
        ("pano", "áp phích", "tờ rơi", "tờ gấp", "băng rôn", "khẩu hiệu", "cẩm nang", "sổ tay"),
    ),
)


def keyword_keys(words: object) -> list[str]:
    """Normalised, non-empty, distinct keywords from a `;`-separated text or an iterable of words."""
    if words is None or (isinstance(words, float) and np.isnan(words)):
        return []
    parts = str(words).split(KEYWORD_SEPARATOR) if isinstance(words, str) else list(words)
    return list(dict.fromkeys(k for k in (loose_key(p) for p in parts) if k))


def catalogue_frame(groups: pd.DataFrame | list[tuple[str, str, object]]) -> pd.DataFrame:
    """A catalogue from (code, name, keywords) rows: keywords normalised and `;`-joined, codes in
    upper case, the `Khác` group (code or name `Khác`) moved last with code OTHER_GROUP_CODE, or
    appended when missing. Columns model.CHANNEL_GROUP_COLUMNS, fresh index."""
    rows = groups.itertuples(index=False, name=None) if isinstance(groups, pd.DataFrame) else groups
    out: list[tuple[str, str, str]] = []
    other: tuple[str, str, str] | None = None
    for code, name, words in rows:
        keyed = (str(code).upper(), str(name), KEYWORD_SEPARATOR.join(keyword_keys(words)))
        if other is None and loose_key(OTHER_GROUP_CODE) in (loose_key(code), loose_key(name)):
            other = (OTHER_GROUP_CODE, keyed[1], keyed[2])
        else:
            out.append(keyed)
    out.append(other or (OTHER_GROUP_CODE, OTHER_GROUP_NAME, ""))
    frame = pd.DataFrame(out, columns=CHANNEL_GROUP_COLUMNS)
    return frame.astype("str")


def default_catalogue() -> pd.DataFrame:
    """The default channel groups (DEFAULT_CHANNEL_GROUPS) as a catalogue frame."""
    return catalogue_frame(list(DEFAULT_CHANNEL_GROUPS))


def channel_catalogue(wb: Workbook | None) -> pd.DataFrame:
    """The channel groups in use: the workbook's `Nhóm kênh` sheet, or the defaults when the sheet is
    absent or holds no group. Columns group_code, group_name, keywords (`;`-joined normalised words);
    catalogue order, `Khác` (OTHER_GROUP_CODE) last."""
    groups = None if wb is None else wb.channel_groups
    if groups is None or groups.empty:
        return default_catalogue()
    return catalogue_frame(groups[CHANNEL_GROUP_COLUMNS])


class _Matcher:
    """Maps one normalised channel text to a group code (None when nothing matches)."""

    def __init__(self, catalogue: pd.DataFrame) -> None:
        self.exact: dict[str, str] = {}
        self.keywords: list[tuple[str, list[str]]] = []
        for code, name, words in catalogue[CHANNEL_GROUP_COLUMNS].itertuples(index=False, name=None):
            self.exact.setdefault(loose_key(code), code)
            self.exact.setdefault(loose_key(name), code)
            self.keywords.append((code, [f" {k} " for k in keyword_keys(words)]))

    def group_of(self, key: str) -> str | None:
        if not key:
            return None
        if key in self.exact:
            return self.exact[key]
        padded = f" {key} "
        for code, words in self.keywords:
            if any(w in padded for w in words):
                return code
        return None


def _match(values: pd.Series, catalogue: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """(group code per value: "" blank, OTHER_GROUP_CODE unmatched; True where nothing matched)."""
    matcher = _Matcher(catalogue)
    text = values.astype("object")
    found: dict[object, str | None] = {}
    for value in pd.unique(text.dropna()):
        found[value] = matcher.group_of(loose_key(value)) if clean_text(value) else ""
    codes = text.map(lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v)) else found[v])
    unmatched = codes.isna()
    return codes.fillna(OTHER_GROUP_CODE).astype("object"), unmatched


def map_channels(values: pd.Series, catalogue: pd.DataFrame) -> pd.Series:
    """The group code of each channel text (same index): "" for a blank value, OTHER_GROUP_CODE for
    one that matches no group (see the module docstring for the rule)."""
    return _match(values, catalogue)[0]


def unmatched_mask(values: pd.Series, catalogue: pd.DataFrame) -> np.ndarray:
    """Boolean array: True where a non-blank channel text matches no group of `catalogue`."""
    return _match(values, catalogue)[1].to_numpy(dtype=bool)


def _quantities(activities: pd.DataFrame) -> pd.Series:
    if "quantity" not in activities:
        return pd.Series(1, index=activities.index, dtype="int64")
    return pd.to_numeric(activities["quantity"], errors="coerce").fillna(1).astype("int64")


def channel_group_breakdown(activities: pd.DataFrame, catalogue: pd.DataFrame) -> pd.DataFrame:
    """Quantity per channel group. Activities (columns channel, quantity; missing quantity = 1) in;
    one row per catalogue group in catalogue order (zero rows included), then a `(không ghi)` row
    (group_code "") only when some activity has no channel. Columns group_code, group_name,
    quantity (int64), share_pct (float64: share of the total quantity x 100; 0.0 when it is 0)."""
    channel = activities["channel"] if "channel" in activities else pd.Series(None, index=activities.index)
    codes = map_channels(channel, catalogue)
    sums = _quantities(activities).groupby(codes.to_numpy()).sum()
    rows = [
        (c, n, int(sums.get(c, 0)))
        for c, n in zip(catalogue["group_code"], catalogue["group_name"], strict=True)
    ]
    if "" in sums.index:
        rows.append(("", BLANK_LABEL, int(sums[""])))
    frame = pd.DataFrame(rows, columns=["group_code", "group_name", "quantity"])
    frame["group_code"] = frame["group_code"].astype("str")
    frame["group_name"] = frame["group_name"].astype("str")
    frame["quantity"] = frame["quantity"].astype("int64")
    total = int(frame["quantity"].sum())
    frame["share_pct"] = (frame["quantity"] / total * 100.0 if total else frame["quantity"] * 0.0).astype(
        "float64"
    )
    return frame


def unmapped_channels(activities: pd.DataFrame, catalogue: pd.DataFrame) -> pd.DataFrame:
    """The channel texts that matched no group (and so count as `Khác`), with their total quantity.
    Spellings that normalise alike (`Email`, `EMAIL`) are one value, named as first written; first
    appearance order. Columns value (str), quantity (int64)."""
    if "channel" not in activities or activities.empty:
        return pd.DataFrame({"value": pd.Series([], dtype="str"), "quantity": pd.Series([], dtype="int64")})
    part = activities.loc[unmatched_mask(activities["channel"], catalogue)]
    keys = part["channel"].map(loose_key).to_numpy()
    sums = _quantities(part).groupby(keys, sort=False).sum()
    names = part["channel"].astype("str").groupby(keys, sort=False).first()
    return pd.DataFrame(
        {
            "value": pd.Series(names.loc[sums.index].to_numpy(), dtype="str"),
            "quantity": pd.Series(sums.to_numpy(), dtype="int64"),
        }
    )
