"""The pass rule of the fuzz suite, and a tally of what it tried.

Pass: a ``ValueError`` or ``TypeError`` whose message is one readable sentence naming what
was wrong. Fail: any other exception (it propagates and fails the test), an input accepted
where it must be refused, or a message that names nothing.
"""

from collections import Counter

import pytest

#: (area, outcome) -> count; printed at the end of a run by conftest.py.
TALLY = Counter()


def expect_clean_error(area, call, *names):
    """Run ``call()``; it must raise ValueError/TypeError mentioning one of ``names``.

    Returns the exception. ``names`` are case-insensitive substrings of which at least one
    must appear in the message (the parameter or argument at fault, or its value).
    """
    TALLY[area, "tried"] += 1
    with pytest.raises((ValueError, TypeError)) as info:
        call()
    message = str(info.value)
    assert message.strip(), f"{type(info.value).__name__} without a message"
    assert "Traceback" not in message
    if names:
        lowered = message.lower()
        assert any(str(name).lower() in lowered for name in names), (
            f"the message {message!r} names none of {names}"
        )
    TALLY[area, "clean error"] += 1
    return info.value


def accepted_or_clean(area, call, *names):
    """``call()`` may succeed (returning its result) or raise a clean error; nothing else.

    Returns ``(result, None)`` or ``(None, error)``.
    """
    TALLY[area, "tried"] += 1
    try:
        result = call()
    except (ValueError, TypeError) as error:
        message = str(error).lower()
        assert message.strip()
        if names:
            assert any(str(name).lower() in message for name in names), (
                f"the message {str(error)!r} names none of {names}"
            )
        TALLY[area, "clean error"] += 1
        return None, error
    TALLY[area, "accepted"] += 1
    return result, None


def count(area, outcome="tried"):
    TALLY[area, outcome] += 1
