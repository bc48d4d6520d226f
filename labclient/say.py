"""What the student's commands say, in the student's language: LAB_LANG=fr|en, else French when LANG starts with fr
(labclient/language.py), else English."""

from labclient.language import language
from provision.french import french


def said(en, fr, theirs=False):
    """The sentence in the user's language. French typography goes to our words; a sentence that quotes theirs (an
    address, a name, a server's reply) has it written in already (`theirs`), so theirs are never touched."""
    if language() != "fr":
        return en
    return fr if theirs else french(fr)
