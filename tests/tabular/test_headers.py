import pytest

from projects.tabular.headers import Column, match_header, normalise_header, split_unit

APPROVED = Column("approved_amount", "审定金额（元）", ("审定金额(元)", "审定金额", "审定资金"), summed=True)
CODE = Column("code", "项目编号", ("编号",), required=True)
HOURS = Column("hours", "服务时长（小时）")
COLUMNS = [CODE, APPROVED, HOURS]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("审定金额（元）", "审定金额(元)"),
        ("审定金额\n（元）", "审定金额(元)"),
        (" 项目　编号 ", "项目编号"),
        ("审定金额【万元】", "审定金额(万元)"),
        ("审定金额[元]", "审定金额(元)"),
        ("ＩＤ号", "id号"),
        ("*项目编号", "项目编号"),
        ("项目编号＊", "项目编号"),
        (None, ""),
        (2013, "2013"),
    ],
)
def test_normalise_header(text, expected):
    assert normalise_header(text) == expected


def test_split_unit():
    assert split_unit("审定金额(万元)") == ("审定金额", "万元")
    assert split_unit("审定金额(单位:元)") == ("审定金额", "元")
    assert split_unit("审定金额") == ("审定金额", None)
    assert split_unit("服务时长(小时)") == ("服务时长(小时)", None)


@pytest.mark.parametrize(
    ("text", "key", "unit"),
    [
        ("审定金额（元）", "approved_amount", "元"),
        ("审定金额(元)", "approved_amount", "元"),
        ("审定金额", "approved_amount", None),
        ("审定资金", "approved_amount", None),
        ("审定金额（万元）", "approved_amount", "万元"),  # the unit is reported, never dropped
        ("审定资金(单位：万元)", "approved_amount", "万元"),
        (" 项目 编号", "code", None),
        ("服务时长（小时）", "hours", None),
    ],
)
def test_match_header(text, key, unit):
    column, found_unit = match_header(text, COLUMNS)
    assert (column.key, found_unit) == (key, unit)


@pytest.mark.parametrize("text", ["审定", "金额", "项目编号(元)", "服务时长(万元)", "", None, "Code"])
def test_headers_that_name_no_column(text):
    assert match_header(text, COLUMNS) is None
