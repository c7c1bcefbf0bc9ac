"""Input people and programs may send that a page must show as text, never as markup: quotes, markup and script,
control characters, emoji, combining accents, right-to-left text."""

from web.rendering import CONTROL_CHARACTERS

SCRIPT = "<script>window.__pwned = 1</script>"
IMAGE = "<img src=x onerror=\"window.__pwned = 1\">"
QUOTES = "He said \"hi\" & 'bye' </dd></dl>"
CONTROL = "tab\there\u0001\u007f bell\u0007"
EMOJI = "Team lead 🎓👩🏽‍💻"
COMBINING = "café (cafe\u0301) Zoë"
RIGHT_TO_LEFT = "مرحبا \u202eevil\u202c שלום"
HOSTILE = (SCRIPT, IMAGE, QUOTES, CONTROL, EMOJI, COMBINING, RIGHT_TO_LEFT)
IN_ONE_LINE = " · ".join(HOSTILE)
PWNED = "() => window.__pwned !== undefined"
SHOWN = CONTROL_CHARACTERS.sub("\ufffd", IN_ONE_LINE)  # control characters show as a visible mark
