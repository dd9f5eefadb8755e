"""Strings of the libraries we use whose Chinese catalog is missing or incomplete, so that makemessages keeps
them in the root catalog (locale/), which takes precedence over every app's (LOCALE_PATHS).

- django-axes 8.3 (login lockout, its admin pages) ships no zh_Hans catalog: its msgids, as in axes/models.py,
  axes/admin.py and axes/conf.py.
- Django 5.2's admin gained headings for screen readers in the model list ("Model name", "Add link", ...) that
  its zh_Hans catalog does not translate yet.
- django-import-export 4.4's export page ("Select all").

Never imported: the strings are only marked (gettext_noop) for makemessages. The axes app's own name is in
config/axes_app.py."""
from django.utils.translation import gettext_noop

AXES = [
    gettext_noop("Form Data"), gettext_noop("Meta Data"), gettext_noop("User Agent"), gettext_noop("IP Address"),
    gettext_noop("Username"), gettext_noop("HTTP Accept"), gettext_noop("Path"), gettext_noop("Attempt Time"),
    gettext_noop("Access lock out"), gettext_noop("access failure"), gettext_noop("access failures"),
    gettext_noop("GET Data"), gettext_noop("POST Data"), gettext_noop("Failed Logins"),
    gettext_noop("access attempt"), gettext_noop("access attempts"), gettext_noop("Logout Time"),
    gettext_noop("access log"), gettext_noop("access logs"), gettext_noop("Locked Out"),
    gettext_noop("Clean up expired attempts"), gettext_noop("Not set"), gettext_noop("Attempt Remaining"),
    gettext_noop("Access Attempt"), gettext_noop("Expires At"),
    gettext_noop("The time when access attempt expires and is no longer valid."),
    gettext_noop("access attempt expiration"), gettext_noop("access attempt expirations"),
    gettext_noop("Session key hash (sha256)"),
    gettext_noop("Account locked: too many login attempts. Please try again later."),
    gettext_noop("Account locked: too many login attempts. Contact an admin to unlock your account."),
]

DJANGO_ADMIN = [
    gettext_noop("Model name"), gettext_noop("Add link"), gettext_noop("Change or view list link"),
]

# django-import-export 4.4's zh_Hans catalog leaves its export page's "Select all" untranslated.
IMPORT_EXPORT = [gettext_noop("Select all")]
