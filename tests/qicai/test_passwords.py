import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ENGLISH = re.compile(r"[A-Za-z]{3,}")


@pytest.fixture
def zhangsan(db):
    return UserFactory(username="zhangsan", first_name="张三")


def password_errors(client, url, data):
    response = client.post(url, data)
    assert response.status_code == 200, "the password was accepted"
    return [message for messages in response.context["form"].errors.values() for message in messages]


@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("qc7", "密码太短，至少需要 8 个字符。"),
        ("password1", "这个密码太常见了。"),
        ("48151623429", "密码只包含数字。"),
        ("zhangsan1", "密码跟 用户名 太相似了。"),
        ("张三张三张三张三", "密码主要由您的姓名或用户名组成"),
        ("张三张三张三123", "密码主要由您的姓名或用户名组成"),
    ],
)
def test_every_password_rule_answers_in_chinese_in_the_admin(admin_client, zhangsan, password, expected):
    url = reverse("admin:auth_user_password_change", args=[zhangsan.pk])
    errors = password_errors(
        admin_client, url, {"password1": password, "password2": password, "usable_password": "true"}
    )
    assert any(expected in error for error in errors), errors
    assert not [error for error in errors if ENGLISH.search(error)], errors


def test_a_user_cannot_make_a_password_of_their_own_name(zhangsan):
    client = Client()
    client.force_login(zhangsan)
    url = reverse("admin:password_change")
    page = client.get(url).content.decode()
    assert "密码不能主要由您的姓名或用户名组成。" in page and "Your password" not in page
    for password in ["张三张三张三张三", "张三张三张三123", "ZhangSan!2013zhangsan"]:
        errors = password_errors(
            client, url, {"old_password": "pw", "new_password1": password, "new_password2": password}
        )
        assert any("密码主要由您的姓名或用户名组成" in error for error in errors), (password, errors)
    # A name inside a longer password is fine.
    response = client.post(
        url, {"old_password": "pw", "new_password1": "张三的春天在江城区", "new_password2": "张三的春天在江城区"}
    )
    assert response.status_code == 302


def test_the_name_rule_leaves_passwords_without_the_name_to_the_other_rules(zhangsan):
    from qicai.passwords import OwnNameValidator

    OwnNameValidator().validate("1234", zhangsan)  # no name in it: length and digits are other rules' business
    OwnNameValidator().validate("江城区阳光社工2013", zhangsan)
