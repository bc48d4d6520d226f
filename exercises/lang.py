"""The student's language and French typography (provision/language.py, provision/french.py: standard library only,
so that `make doctor` runs them before `make venv`)."""

from provision.french import french  # noqa: F401 - the exercises' French typography
from provision.language import language  # noqa: F401 - the exercises' language
