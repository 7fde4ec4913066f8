"""Password validators of our own (AUTH_PASSWORD_VALIDATORS)."""

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's minimum length, with a message whose translation exists.

    Django 5.2 changed the message's msgid ("… at least %d character." instead of
    "… %(min_length)d character.") and its zh_Hans catalogue still holds only the old one,
    so the message came out in English whatever the language.
    """

    def get_error_message(self):
        return (
            ngettext(
                "密码太短，至少需要 %d 个字符。",
                "密码太短，至少需要 %d 个字符。",
                self.min_length,
            )
            % self.min_length
        )


class OwnNameValidator:
    """Refuse a password made of the user's own name or user name.

    ``first_name`` holds the whole Chinese name (张三), which Django's similarity check
    misses when repeated (张三张三张三张三 is only 40 % similar to 张三). Every occurrence of
    the user name and of the names is removed, ignoring case; what remains must have at
    least ``min_remaining`` characters and a letter or Chinese character.
    """

    def __init__(self, min_remaining: int = 4):
        self.min_remaining = min_remaining

    def validate(self, password: str, user=None) -> None:
        if user is None:
            return
        rest = password.casefold()
        for name in own_names(user):
            rest = rest.replace(name, "")
        if rest == password.casefold():
            return
        if len(rest) < self.min_remaining or not any(character.isalpha() for character in rest):
            raise ValidationError(
                gettext(
                    "密码主要由您的姓名或用户名组成：去掉姓名和用户名后，须至少剩下 %(min_remaining)d 个字符，"
                    "且含有字母或汉字。"
                ),
                code="password_own_name",
                params={"min_remaining": self.min_remaining},
            )

    def get_help_text(self) -> str:
        return gettext("密码不能主要由您的姓名或用户名组成。")


def own_names(user) -> list[str]:
    """The user name and the person's names in the forms a password might repeat, longest first."""
    first = (getattr(user, "first_name", "") or "").strip()
    last = (getattr(user, "last_name", "") or "").strip()
    candidates = {user.get_username(), first, last, last + first, first + last, f"{first} {last}".strip()}
    # One character (a surname alone) would remove too much of an unrelated password.
    return sorted({name.casefold() for name in candidates if len(name) >= 2}, key=len, reverse=True)
