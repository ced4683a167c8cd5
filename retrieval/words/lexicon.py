"""Small word lists shipped in code, because NLTK's downloadable data is never fetched."""

from __future__ import annotations

# The last row: prefixes that a hyphen cuts off ("re-raise", "non-zero"); alone they are noise.
STOPWORDS = frozenset(
    """
    a about above after again against all almost also although always am among an and
    another any anyone anything are aren't around as at be became because been before
    being below between both but by can cannot can't could couldn't did didn't do does
    doesn't doing done don't down during each either else even ever every few for from
    further had hadn't has hasn't have haven't having he he'd he'll her here here's hers
    herself he's him himself his how how's however i i'd if i'll i'm in into is isn't it
    its it's itself i've just let's many may me might more most much must mustn't my myself
    neither no nor not of off often on once one only onto or other others otherwise ought
    our ours ourselves out over own per perhaps quite rather really same shall shan't she
    she'd she'll she's should shouldn't since so some such than that that's the their
    theirs them themselves then there therefore there's these they they'd they'll they're
    they've this those though through thus to too toward towards under until up upon us
    very via was wasn't we we'd we'll were we're weren't we've what whatever what's when
    whenever when's where whereas where's wherever whether which while who whoever whom
    whose who's why why's will with within without won't would wouldn't yet you you'd
    you'll your you're yours yourself yourselves you've
    re non pre un semi anti multi mid
    """.split()
)

# Stopwords that still read as stopwords after "the": "the most", "the other".
DETERMINER_STOPWORDS = frozenset(
    "most more other others same only few very such own all both each any some".split()
)

# Written with dots they are not acronyms to keep: "e.g.", "i.e.".
LATIN_ABBREVIATIONS = frozenset({"eg", "ie", "cf", "viz", "etc", "al", "ca"})

# Past forms Porter's suffix rules cannot reach ("said" would never meet "say").
IRREGULAR_FORMS = {
    form: lemma
    for lemma, forms in {
        "arise": "arose arisen", "bear": "bore borne", "beat": "beaten", "become": "became",
        "begin": "began begun", "bend": "bent", "bid": "bade", "bite": "bit bitten",
        "bleed": "bled", "blow": "blew blown", "break": "broke broken", "breed": "bred",
        "bring": "brought", "build": "built", "burn": "burnt", "buy": "bought",
        "catch": "caught", "choose": "chose chosen", "come": "came", "creep": "crept",
        "deal": "dealt", "dig": "dug", "do": "did done", "draw": "drew drawn",
        "drink": "drank drunk", "drive": "drove driven", "eat": "ate eaten",
        "fall": "fell fallen", "feed": "fed", "feel": "felt", "fight": "fought",
        "find": "found", "flee": "fled", "fly": "flew flown", "forbid": "forbade forbidden",
        "forget": "forgot forgotten", "forgive": "forgave forgiven", "freeze": "froze frozen",
        "get": "got gotten", "give": "gave given", "go": "went gone", "grow": "grew grown",
        "hang": "hung", "hear": "heard", "hide": "hid hidden", "hold": "held",
        "keep": "kept", "know": "knew known", "lay": "laid", "lead": "led",
        "lend": "lent", "lose": "lost", "make": "made", "mean": "meant", "meet": "met",
        "oversee": "oversaw overseen", "overtake": "overtook overtaken", "pay": "paid",
        "ride": "rode ridden", "ring": "rang rung", "rise": "rose risen", "run": "ran",
        "say": "said says", "see": "saw seen", "seek": "sought", "sell": "sold",
        "send": "sent", "shake": "shook shaken", "shoot": "shot", "sing": "sang sung",
        "sink": "sank sunk", "sit": "sat", "sleep": "slept", "speak": "spoke spoken",
        "spend": "spent", "spin": "spun", "stand": "stood", "steal": "stole stolen",
        "stick": "stuck", "strike": "struck", "swim": "swam swum", "swear": "swore sworn",
        "take": "took taken", "teach": "taught", "tear": "tore torn", "tell": "told",
        "think": "thought", "throw": "threw thrown", "understand": "understood",
        "undertake": "undertook undertaken", "uphold": "upheld", "wake": "woke woken",
        "wear": "wore worn", "weep": "wept", "win": "won", "withdraw": "withdrew withdrawn",
        "write": "wrote written", "child": "children", "man": "men", "woman": "women",
        "foot": "feet", "tooth": "teeth", "mouse": "mice",
    }.items()
    for form in forms.split()
}

NUMBER_WORDS = {
    word: str(value)
    for value, word in enumerate(
        "zero _ two three four five six seven eight nine ten eleven twelve thirteen "
        "fourteen fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
    if word != "_"
} | {"thirty": "30", "forty": "40", "fifty": "50", "sixty": "60", "seventy": "70",
     "eighty": "80", "ninety": "90", "dozen": "12"}

# Multipliers written after a number: "7.4 billion", "US$600bn", "5k".
SCALES = {
    "thousand": 1e3, "k": 1e3, "million": 1e6, "mn": 1e6, "mln": 1e6, "m": 1e6,
    "billion": 1e9, "bn": 1e9, "bln": 1e9, "b": 1e9, "trillion": 1e12, "tn": 1e12,
    "trn": 1e12,
}
# Endings a number keeps: "1st", "22nd", "3rd", "19th", "1990s".
ORDINAL_SUFFIXES = frozenset({"st", "nd", "rd", "th", "s"})
# Single letters count as a scale only when glued to the number ("600m", not "600 m").
GLUED_ONLY_SCALES = frozenset({"k", "m", "b"})

# ISO codes for money, so "US$500 billion", "$500bn" and "500 billion dollars" meet.
CURRENCY_SYMBOLS = {
    "$": "usd", "us$": "usd", "u.s.$": "usd", "hk$": "hkd", "nt$": "twd", "a$": "aud",
    "au$": "aud", "c$": "cad", "ca$": "cad", "s$": "sgd", "nz$": "nzd", "r$": "brl",
    "€": "eur", "£": "gbp", "¥": "jpy", "₹": "inr", "₩": "krw", "₽": "rub",
}
CURRENCY_WORDS = {
    "dollar": "usd", "dollars": "usd", "usd": "usd", "euro": "eur", "euros": "eur",
    "eur": "eur", "pound": "gbp", "pounds": "gbp", "sterling": "gbp", "gbp": "gbp",
    "yen": "jpy", "jpy": "jpy", "yuan": "cny", "renminbi": "cny", "rmb": "cny",
    "cny": "cny", "rupee": "inr", "rupees": "inr", "inr": "inr",
    "ruble": "rub", "rubles": "rub", "franc": "chf", "francs": "chf",
}
CURRENCY_CODES = frozenset(v for v in {**CURRENCY_SYMBOLS, **CURRENCY_WORDS}.values() if v)

# Verbs of saying, in every form a question or an attribution uses: what a quotation
# question asks about, and what attributes a quotation to its speaker.
SPEECH_VERBS = frozenset(
    """say says said saying tell tells told telling state states stated stating claim claims
    claimed claiming add adds added adding warn warns warned warning describe describes
    described describing call calls called calling urge urges urged urging announce
    announces announced announcing think thinks thought thinking argue argues argued arguing
    respond responds responded responding reply replies replied replying comment comments
    commented commenting write writes wrote written writing note notes noted noting report
    reports reported reporting predict predicts predicted predicting promise promises
    promised promising suggest suggests suggested suggesting explain explains explained
    explaining quote quotes quoted quoting""".split()
)


def words_pattern(words: frozenset[str] | set[str]) -> str:
    """A regular-expression alternation of ``words``, longest first."""
    import re

    return "(?:" + "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w))) + ")"

