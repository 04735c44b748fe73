"""Synthetic text for benchmarks: Zipf-distributed words with Spanish names and places, as
in real translated news. Used by ``fill_synthetic`` (rows straight into the database) and by
the import benchmarks (text files and a WordPress export to import). Not for a real archive.
"""

import itertools
import random

COMMON = """the of and to in a is that for on was with as by at from it his her their said
which government president this has have be are were not but an who had its they or been
would also more after over about against people year new than one two first last other
could when into between during under while since before all some most many such""".split()
WORDS = """election elections vote voters congress senate reform court ruling judge union
strike workers farmers teachers students protest march mining lithium gold water drought
rain harvest corn prices inflation economy wages pension migrants border asylum embassy
treaty minister ministry foreign relations sovereignty interference police army military
guard violence security cartel disappeared families justice investigation prosecutor
corruption allegations trial sentence prison rebellion coup legislature decree budget
health hospital vaccine school university science culture music festival organ grinders
railway train airport highway energy electricity oil pemex refinery gas solar wind forest
indigenous communities land territory autonomy zapatista assembly cooperative market
housing rent city state municipal governor mayor senator deputy party left right opposition
morena conservative liberal press journalist newspaper conference morning statement report
agreement negotiation tariff trade exports imports dollar peso bank debt loan investment
company companies canadian mining concessions environmental damage river contamination
""".split()
NAMES = """Sheinbaum Obrador López Andrés Manuel Claudia Ebrard Marcelo Chávez Betssy Castillo
Pedro Boluarte Dina Jerí José Zela Hugo Vidarte Óscar Mañanera Perú México Oaxaca Chiapas
Guerrero Michoacán Zacatecas Sonora Chihuahua Coahuila Yucatán Tabasco Veracruz Puebla Jalisco
Acapulco Lima Bogotá Quito Caracas Havana Tegucigalpa Managua Petro Lula Boric Arce Maduro
Zócalo Tlatelolco Ayotzinapa Gertz Harfuch Nahle Rocío Ramírez García Hernández Martínez
""".split()
SOURCES = [
    ("La Jornada", "Mexico’s premier left wing daily newspaper"),
    ("Desinformémonos", "an independent Mexican news site"),
    ("Proceso", "a Mexican weekly news magazine"),
    ("Página/12", "an Argentine daily newspaper"),
    ("Brasil de Fato", "a Brazilian weekly newspaper"),
]
TOPICS = """Mining; Migration; Elections; Indigenous rights; Labor; Peru; Cuba; Water; Energy;
Security; Justice; Press freedom; Economy; Agriculture; Environment; Health; Education;
Foreign relations; Corruption; Protests; Women; Housing; Culture; Transport; Disappeared;
Military; Trade; Land; Courts; Mañanera""".split(";")


SYLLABLES = """ba be bi bo da de di do fa fe fi ga go ka ke ki la le li lo ma me mi mo na ne ni
no pa pe pi po ra re ri ro sa se si so ta te ti to va ve vi za zo""".split()


def vocabulary(rng, size=30_000):
    """A Zipf-like vocabulary: function words very often, topical words and names rarely,
    and a long tail of invented words, as in real text."""
    invented = sorted({"".join(rng.choices(SYLLABLES, k=rng.randint(2, 4))) for _ in range(size)})
    rng.shuffle(invented)
    words = COMMON + invented
    weights = itertools.accumulate(1 / (rank + 1) for rank in range(len(words)))
    return words, list(weights)  # cumulative, for random.choices


class Writer:
    """Sentences and headlines about a theme (a few topical words and names)."""

    def __init__(self, rng):
        self.rng = rng
        self.words, self.weights = vocabulary(rng)

    def theme(self):
        return self.rng.sample(WORDS, 3) + self.rng.sample(NAMES, 2)

    def sentence(self, n, theme):
        chosen = self.rng.choices(self.words, cum_weights=self.weights, k=n)
        for _ in range(max(1, n // 15)):
            chosen[self.rng.randrange(n)] = self.rng.choice(theme)
        text = " ".join(chosen)
        return text[0].upper() + text[1:]

    def headline(self, theme, number):
        words = self.sentence(self.rng.randint(5, 10), theme).split()
        return " ".join(word.capitalize() for word in words) + f" {number}"

    def paragraphs(self, theme, low=8, high=14):
        return [
            f"{self.sentence(self.rng.randint(40, 90), theme)}."
            for _ in range(self.rng.randint(low, high))
        ]


ATTRIBUTIONS = [
    "This article originally appeared in the {date:%B} {date.day}, {date.year} edition of "
    "{source}, {description}.",
    "This article by {author} appeared in the {date:%B} {date.day}, {date.year} edition of "
    "{source}.",
    "This article first appeared in the newspaper {source} on {date:%A} {date.day} "
    "{date:%B} {date.year}.",
    "{source} published this investigation on {date.day} {date:%B} {date.year}.",
    "This piece was originally published on {source} on {date:%B} {date.day}, {date.year}",
]


def text_article(writer, rng, number: int, total: int, when, length=(14, 22)) -> str:
    """One synthetic article in the archive's text format (about 8 KB with the default
    ``length`` in paragraphs), with a credit in one of the shapes the importer reads and zero
    to three related stories."""
    theme = writer.theme()
    source, description = rng.choice(SOURCES)
    author = f"{rng.choice(['Ana', 'Luis', 'Sofía', 'Raúl'])} {rng.choice(['Ruiz', 'Soto'])}"
    paragraphs = writer.paragraphs(theme, *length)
    credit = rng.choice(ATTRIBUTIONS).format(
        date=when, source=source, description=description, author=author
    )
    lines = [headline_for(number), ""]
    if rng.random() < 0.3:
        lines += [f"By {author}", ""]
    lines += [credit, ""]
    for index, paragraph in enumerate(paragraphs):
        if index == len(paragraphs) // 2:
            lines += [writer.headline(theme, "").strip(), ""]
        lines += [paragraph, ""]
    if rng.random() < 0.3:
        lines += ["Translated by: Solidarity Translation Collective", ""]
    for _ in range(rng.randint(0, 3)):
        other = rng.randrange(total)
        lines += [f"  • {headline_for(other)}", "", f"    {writer.sentence(20, theme)}.", ""]
    return "\n".join(lines)


def headline_for(number: int) -> str:
    """Article ``number``'s headline, which any other article can name as a related story."""
    rng = random.Random(number)
    words = rng.sample(WORDS, 4) + rng.sample(NAMES, 1)
    return " ".join(word.capitalize() for word in words) + f" ({number})"


# Originals: the same text in a Spanish-like language, word for word, so that translations
# of similar originals are similar (what the translation memory finds). Function words and
# topical words have Spanish forms; invented words get a Spanish ending.
SPANISH = {
    "the": "el", "of": "de", "and": "y", "to": "a", "in": "en", "a": "un", "is": "es",
    "that": "que", "for": "para", "on": "sobre", "was": "fue", "with": "con", "as": "como",
    "by": "por", "at": "en", "from": "desde", "it": "lo", "his": "su", "her": "su",
    "their": "sus", "said": "dijo", "which": "cual", "government": "gobierno",
    "president": "presidente", "this": "este", "has": "ha", "have": "han", "be": "ser",
    "are": "son", "were": "fueron", "not": "no", "but": "pero", "an": "una", "who": "quien",
    "had": "había", "its": "su", "they": "ellos", "or": "o", "been": "sido", "would": "sería",
    "also": "también", "more": "más", "after": "después", "over": "sobre", "about": "acerca",
    "against": "contra", "people": "pueblo", "year": "año", "new": "nuevo", "than": "que",
    "one": "uno", "two": "dos", "first": "primero", "last": "último", "other": "otro",
    "could": "podría", "when": "cuando", "into": "dentro", "between": "entre",
    "during": "durante", "under": "bajo", "while": "mientras", "since": "desde",
    "before": "antes", "all": "todos", "some": "algunos", "most": "mayoría", "many": "muchos",
    "such": "tal", "election": "elección", "elections": "elecciones", "vote": "voto",
    "congress": "congreso", "reform": "reforma", "court": "corte", "workers": "trabajadores",
    "teachers": "maestros", "students": "estudiantes", "march": "marcha", "water": "agua",
    "drought": "sequía", "harvest": "cosecha", "corn": "maíz", "prices": "precios",
    "wages": "salarios", "migrants": "migrantes", "border": "frontera", "police": "policía",
    "army": "ejército", "violence": "violencia", "families": "familias",
    "justice": "justicia", "health": "salud", "school": "escuela", "land": "tierra",
    "mining": "minería", "lithium": "litio", "strike": "huelga", "city": "ciudad",
    "state": "estado", "governor": "gobernador", "press": "prensa", "company": "empresa",
    "river": "río", "damage": "daño", "communities": "comunidades", "morning": "mañanera",
}  # fmt: skip


def spanish_word(word: str) -> str:
    lower = word.lower()
    found = SPANISH.get(lower)
    if found is None:
        found = (
            lower if lower[:1].isupper() or word[:1].isupper() else f"{lower}{'oa'[len(lower) % 2]}"
        )
    return found.capitalize() if word[:1].isupper() else found


def spanish(paragraph: str) -> str:
    """The paragraph's Spanish-like original, word for word."""
    ending = paragraph[-1] if paragraph[-1:] in ".!?" else ""
    words = paragraph.rstrip(".!?").split()
    return " ".join(spanish_word(word) for word in words) + ending
