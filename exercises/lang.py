"""The student's language and French typography (labclient/language.py, provision/french.py: standard library only,
so that `make doctor` runs them before `make venv`)."""

from labclient.language import language  # noqa: F401 - the exercises' language
from provision.french import french  # noqa: F401 - the exercises' French typography
