"""What happens in `make demo`: the card, the cast, and what the simulated people type.

The people are French-speaking social workers and their trainer, so their lines
are in French; the card is one of the guide's (decks/guide.fr.yaml).
"""

from __future__ import annotations

CARD = "dp-03"

# The cast: (localpart, display name). The first one is the trainer.
TRAINER = ("helene", "Hélène (formatrice)")
PLAYERS = [("camille", "Camille"), ("karim", "Karim"), ("lucie", "Lucie")]

# What the players say (they are French-speaking social workers). An empty turn is a pass.
GREETING = "Bonjour à toutes et à tous ! Aujourd'hui, une situation sur la protection des données."
TURNS = {
    "camille": [
        "Ce qui me frappe, c'est qu'Anne se retrouve seule à décider, la veille des vacances, "
        "sans procédure de service pour l'aider.",
        "Je me demande si les personnes accompagnées ont été informées, au début, de la durée "
        "de conservation de leurs données.",
    ],
    "karim": [
        "Jeter des dossiers papier dans la corbeille, c'est prendre le risque que n'importe qui les lise : "
        "il faut au minimum les détruire.",
        "Mais qui fixe la durée d'archivage ? La loi, l'institution, ou chaque professionnelle ?",
    ],
    "lucie": [],
}
ACTIONS = [
    ("camille", "individuel", "Trier mes dossiers au fil de l'eau, à chaque fin d'accompagnement"),
    ("karim", "equipe", "Rédiger ensemble une procédure d'archivage et de destruction des dossiers clos"),
    ("lucie", "organisme", "Demander un broyeur et un·e référent·e RGPD pour le service"),
]
SUMMARY = ("Nous retenons que la fin d'un accompagnement ne doit pas laisser la professionnelle seule "
           "face aux données : une procédure d'équipe, des durées de conservation connues des usagers "
           "et des moyens de destruction sûrs.")
