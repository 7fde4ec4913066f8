import json

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_default_language_is_simplified_chinese(client, settings):
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    response = client.get(reverse("admin:login"))
    assert response["Content-Language"] == "zh-hans"
    assert '<html lang="zh-hans"' in response.content.decode()
    assert "七彩工程" in response.content.decode()
    assert "用户名" in response.content.decode()


def test_an_english_browser_still_gets_chinese(client):
    response = client.get(reverse("admin:login"), headers={"accept-language": "en-US,en;q=0.9"})
    assert response["Content-Language"] == "zh-hans"


def test_english_is_available_by_choice(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/admin/"})
    response = client.get(reverse("admin:login"))
    assert response["Content-Language"] == "en"
    assert "Username" in response.content.decode()
    assert "Qicai" in response.content.decode()


def test_admin_javascript_is_chinese_too(admin_client):
    body = admin_client.get("/admin/jsi18n/").content.decode()

    def escaped(text):  # the catalogue is JSON with non-ASCII escaped
        return json.dumps(text)[1:-1]

    # Filled in where Django's zh_Hans catalogue lacks them, and Django's own still come through.
    assert escaped("全部选择%s") in body and escaped("选中要加入的") in body
    assert escaped("今天") in body


def test_the_admins_stock_phrases_read_as_natural_chinese(admin_client):
    """Django's own zh_Hans phrases that read as machine translation are replaced (locale/zh_Hans)."""
    html = admin_client.get("/admin/projects/project/").content.decode()
    assert "项目列表" in html and "选择 项目 来修改" not in html
    assert "以 " not in html
    catalogue = admin_client.get("/admin/jsi18n/").content.decode("unicode_escape")
    assert "已选 %(sel)s / %(cnt)s" in catalogue and "选中了" not in catalogue
