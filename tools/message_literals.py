#!/usr/bin/env python3
"""Print every English message the C sources can send to a client, one per line.

A message is a string literal in the message argument of the reply and
validation functions, a literal a rule function returns (one with a space in
it: rules return sentences, not codes), or a #define named *_DETAIL, *_RULE or
*_MESSAGE. Messages built at run time are covered by the catalogue's patterns
and tested there. The unit test of the catalogue reads this list, so a message
added without its Indonesian text fails the build's tests.

usage: message_literals.py OUTPUT FILE.c...
"""
import re
import sys

# function name -> index of its message argument (from 0)
MESSAGE_ARG = {
    "reply_problem": 2,
    "reply_problem_type": 2,
    "reply_field": 3,
    "errors_add": 2,
    "outcome_set": 3,
    "outcome_set_type": 2,
    "row_failed": 3,
    "add_error": 3,
    "query_checked": 4,
}

LITERAL = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
CALL = re.compile(r"\b(" + "|".join(MESSAGE_ARG) + r")\s*\(")
RETURN = re.compile(r"\breturn\b([^;]*);")
DEFINE = re.compile(r'#define\s+\w+_(?:DETAIL|RULE|MESSAGE)\s+((?:"(?:[^"\\\n]|\\.)*"\s*)+)')


def unescape(s):
    return s.replace('\\"', '"').replace("\\\\", "\\")


TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)+\'|/\*.*?\*/|//[^\n]*', re.S)


def without_comments(text):
    """Comments and character literals (such as '"') blanked; string literals kept."""
    return TOKEN.sub(lambda m: m.group(0) if m.group(0).startswith('"') else " 0 ", text)


def arguments(text, start):
    """The top-level arguments of the call whose '(' is at start."""
    args, depth, i, begin = [], 0, start, start + 1
    while i < len(text):
        c = text[i]
        if c == '"':
            i = LITERAL.match(text, i).end()
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                args.append(text[begin:i])
                return args
        elif c == "," and depth == 1:
            args.append(text[begin:i])
            begin = i + 1
        i += 1
    return args


def literal_groups(arg):
    """Adjacent literals joined (C concatenation); groups apart stay apart (a ? "x" : "y")."""
    groups, current, last_end = [], None, None
    for m in LITERAL.finditer(arg):
        if current is not None and arg[last_end : m.start()].strip() == "":
            current += m.group(1)
        else:
            if current is not None:
                groups.append(current)
            current = m.group(1)
        last_end = m.end()
    if current is not None:
        groups.append(current)
    return [unescape(g) for g in groups]


def messages(text):
    found = []
    for m in CALL.finditer(text):
        args = arguments(text, m.end() - 1)
        index = MESSAGE_ARG[m.group(1)]
        if len(args) > index:
            found += literal_groups(args[index])
    for m in RETURN.finditer(text):
        found += [g for g in literal_groups(m.group(1)) if " " in g]
    for m in DEFINE.finditer(text):
        found += literal_groups(m.group(1))
    return found


def main():
    out, sources = sys.argv[1], sys.argv[2:]
    found = set()
    for path in sources:
        if path.endswith("messages.c"):
            continue
        with open(path, encoding="utf-8") as f:
            found.update(messages(without_comments(f.read())))
    with open(out, "w", encoding="utf-8") as f:
        # json_pack formats are not messages
        f.write("".join(m + "\n" for m in sorted(found) if m and not m.startswith("{s")))


if __name__ == "__main__":
    main()
