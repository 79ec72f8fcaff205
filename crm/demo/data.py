"""Fictional networks, companies and places for the demo. No real person's data.

E-mail addresses use the reserved `.example` domain; phone numbers are in the ranges ARCEP keeps
for fiction (01 99 00 xx xx in Île-de-France, 02 61 91 xx xx in the west).
"""

from crm.contacts.models import StructureType as T

PASSWORD = "vitrine-demo"  # noqa: S105 - the documented password of the demo accounts

NETWORKS = [
    {
        "slug": "plateaux-franciliens",
        "barometer": True,  # shares its figures with the federation
        "name": "Plateaux Franciliens",
        "region": "IDF",
        "phone": "01 99 00",
        "style": "pitch",
        "meetings": True,  # its current edition has a speed-meeting session
        "companies": [
            "Compagnie Les Ailes de Papier", "Théâtre du Fil Tendu", "Collectif Bruit Blanc",
            "Compagnie La Lune Rousse", "Ensemble Quatre Saisons", "Compagnie Pas de Côté",
            "Le Cirque Minuscule", "Compagnie Entre Deux Rives", "Collectif Nuit Claire",
            "Compagnie À Petits Pas",
        ],
        "towns": [
            ("Paris", "75011"), ("Montreuil", "93100"), ("Saint-Denis", "93200"),
            ("Ivry-sur-Seine", "94200"), ("Nanterre", "92000"), ("Cergy", "95000"),
            ("Évry-Courcouronnes", "91000"), ("Melun", "77000"), ("Versailles", "78000"),
            ("Créteil", "94000"),
        ],
        "editions": ["Plateaux Franciliens {year} – {n}e session de présentations"],
    },
    {
        "slug": "jeudis-croises",
        "barometer": True,
        "shared_budget": True,  # a société en participation carried by its first company
        "name": "Jeudis Croisés",
        "region": "CVL",
        "phone": "02 61 91",
        "style": "rotation",
        "companies": [
            "Compagnie La Loire en Tête", "Théâtre de l'Escargot", "Compagnie Vent Debout",
            "Les Marionnettes du Chêne", "Compagnie du Grand Chemin", "Collectif Ricochet",
            "Compagnie Les Mains Nues", "Compagnie Arbre à Sons", "Théâtre des Sept Lieues",
            "Compagnie Fil d'Ariane",
        ],
        "towns": [
            ("Bourges", "18000"), ("Chartres", "28000"), ("Châteauroux", "36000"),
            ("Tours", "37000"), ("Blois", "41000"), ("Orléans", "45000"), ("Vierzon", "18100"),
            ("Amboise", "37400"), ("Vendôme", "41100"), ("Montargis", "45200"),
        ],
        "editions": ["Jeudis Croisés {year} – {n}e édition"],
    },
    {
        "slug": "ca-mijote",
        "box_office": True,  # the pooled ticketing of its showcases (billetterie mutualisée)
        "name": "Ça Mijote !",
        "region": "PDL",
        "phone": "02 61 91",
        "style": "festival",
        "companies": [
            "Compagnie Ça Déborde", "Théâtre de la Mouette", "Compagnie Plume et Goudron",
            "Les Voix Mêlées", "Compagnie Hors Champ", "Compagnie L'Île aux Mots",
            "Collectif Ardoise", "Compagnie Tête en l'Air", "Compagnie Pied de Nez",
            "Ensemble Marée Haute",
        ],
        "towns": [
            ("Angers", "49000"), ("Les Ponts-de-Cé", "49130"), ("Saumur", "49400"),
            ("Cholet", "49300"), ("Nantes", "44000"), ("Saint-Nazaire", "44600"),
            ("Laval", "53000"), ("Le Mans", "72000"), ("La Roche-sur-Yon", "85000"),
            ("Trélazé", "49800"),
        ],
        "editions": ["Festival Ça Mijote {year} – {n}e édition"],
    },
]  # fmt: skip

# {of_town} is "de Blois", "d'Angers", "du Mans"; {person} a dedication, {place} a venue's own name.
STRUCTURE_NAMES = [
    (T.MUNICIPAL_THEATRE, "Théâtre municipal {of_town}"),
    (T.LIBRARY, "Médiathèque {person}"),
    (T.SOCIAL_CENTRE, "Centre social {person}"),
    (T.CULTURAL_CENTRE, "MJC {person}"),
    (T.SCENE_CONVENTIONNEE, "{place}, scène conventionnée"),
    (T.CULTURAL_SERVICE, "Service culturel {of_town}"),
    (T.FESTIVAL, "Festival {place}"),
    (T.SCHOOL, "Collège {person}"),
]
PERSONS = [
    "Jules-Verne", "Colette", "Louise-Michel", "Aimé-Césaire", "George-Sand", "Victor-Hugo",
    "Jean-Moulin", "Olympe-de-Gouges", "Marie-Curie", "Jacques-Prévert", "Boris-Vian",
]  # fmt: skip
PLACES = [
    "La Passerelle", "Le Grand Large", "Les Quatre Vents", "L'Alouette", "La Source", "Le Moulin",
    "La Fabrique", "Le Préau", "Les Coquelicots", "Le Quai", "La Grange", "L'Escale",
]  # fmt: skip
STREETS = [
    "rue des Tilleuls", "avenue de la République", "place du Marché", "rue Jean-Jaurès",
    "boulevard Victor-Hugo", "rue de la Gare", "allée des Platanes", "quai des Mariniers",
]  # fmt: skip
FIRST_NAMES = [
    "Camille", "Claire", "Julien", "Sophie", "Nicolas", "Élodie", "Thomas", "Amandine", "Karim",
    "Nadia", "Mathieu", "Léa", "Hugo", "Inès", "Antoine", "Pauline", "Yann", "Mélanie", "Samir",
    "Chloé", "Benoît", "Aurélie", "Romain", "Fatou", "Gaëlle", "Olivier", "Maëlle", "Rémi",
]  # fmt: skip
LAST_NAMES = [
    "Martin", "Bernard", "Dubois", "Lefèvre", "Moreau", "Laurent", "Girard", "Roux", "Fournier",
    "Lambert", "Bonnet", "François", "Mercier", "Blanc", "Guérin", "Boyer", "Garnier", "Chevalier",
    "Benali", "Traoré", "Le Gall", "Nguyen", "Perrin", "Morel", "Rousseau", "Faure", "Caron",
]  # fmt: skip
JOBS = [
    "Programmatrice", "Programmateur", "Directrice", "Directeur", "Chargée de programmation",
    "Responsable jeune public", "Médiatrice culturelle", "Adjoint à la culture",
]  # fmt: skip
SHOW_WORDS = [
    "Le Voyage de", "La Nuit de", "Les Secrets de", "Petit Traité de", "L'Île de", "La Ballade de",
    "Sous le ciel de", "Les Jours de",
]  # fmt: skip
SHOW_NOUNS = [
    "Zélie", "la baleine", "Monsieur Pif", "l'ours brun", "la marée", "Suzanne", "l'horloger",
    "la forêt", "Capucine", "l'hiver", "Lou", "la lune",
]  # fmt: skip
