"""argparse that speaks Russian, like every other message the operator reads.

argparse's own words («usage:», «options», «error: the following arguments are required») go through gettext,
and Python ships no Russian catalogue for them; a catalogue of ours would only be used under a Russian locale,
while the operator's server usually runs under C or en_US. So the few words argparse prints are set here: the
usage prefix (a HelpFormatter hook), the section titles, the -h help, and the error line with the handful of
messages argparse can produce for our commands translated (anything unforeseen is printed as argparse wrote it).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Iterable
from typing import Any, NoReturn

from happykids.config import Settings

Handler = Callable[[argparse.Namespace, Settings], int]  # what a subcommand does; returns the exit code
Registrar = Callable[[Any], None]  # adds one subcommand to the subparsers (argparse._SubParsersAction)

_ERRORS = [
    (r"the following arguments are required: (.+)", r"не указано: \1"),
    (r"unrecognized arguments: (.+)", r"лишнее или неизвестное: \1"),
    (r"argument (\S+): invalid choice: (.+) \(choose from (.+)\)", r"\1: неизвестное значение \2 (можно: \3)"),
    (r"argument (\S+): expected one argument", r"\1: нужно значение"),
    (r"argument (\S+): invalid (\S+) value: (.+)", r"\1: неверное значение \3"),
    (r"ambiguous option: (\S+) could match (.+)", r"\1 — неоднозначно, подходит: \2"),
    (r"argument (\S+): not allowed with argument (\S+)", r"\1 нельзя вместе с \2"),
    (r"argument (\S+): ignored explicit argument (.+)", r"\1 не принимает значения (\2)"),
]


def russian(message: str) -> str:
    for pattern, replacement in _ERRORS:
        if re.fullmatch(pattern, message):
            return re.sub(pattern, replacement, message)
    return message


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Keeps our line breaks in descriptions and epilogs; «Использование:» instead of «usage:»."""

    def add_usage(self, usage: str | None, actions: Iterable[argparse.Action],
                  groups: Iterable[argparse._MutuallyExclusiveGroup], prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, "Использование: " if prefix is None else prefix)


class Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "аргументы"
        self._optionals.title = "параметры"
        self.add_argument("-h", "--help", action="help", help="показать эту справку и выйти")

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: ошибка: {russian(message)}\n")
