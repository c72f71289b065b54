# ruff: noqa: E501
"""Source of the shipped Bactrian-X-format sample: 40 short parallel rows in EN, DE, FR, IT, ES.

The texts are written for this project (not taken from Bactrian-X or LIMA). Run this file to
regenerate ``data/<lang>.json.gz`` (a JSON array of ``instruction``, ``input``, ``output``,
``id`` per language, Bactrian-X's file format).
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

LANGS = ("en", "de", "fr", "it", "es")

# id, then per language: (instruction, input, output)
ROWS: list[tuple[str, dict[str, tuple[str, str, str]]]] = [
    (
        "demo-001",
        {
            "en": (
                "Name three primary colours.",
                "",
                "The three primary colours of paint are red, yellow and blue.",
            ),
            "de": (
                "Nenne drei Grundfarben.",
                "",
                "Die drei Grundfarben beim Malen sind Rot, Gelb und Blau.",
            ),
            "fr": (
                "Nomme trois couleurs primaires.",
                "",
                "Les trois couleurs primaires en peinture sont le rouge, le jaune et le bleu.",
            ),
            "it": (
                "Elenca tre colori primari.",
                "",
                "I tre colori primari della pittura sono il rosso, il giallo e il blu.",
            ),
            "es": (
                "Nombra tres colores primarios.",
                "",
                "Los tres colores primarios de la pintura son el rojo, el amarillo y el azul.",
            ),
        },
    ),
    (
        "demo-002",
        {
            "en": (
                "Translate the word into French.",
                "apple",
                'The French word for apple is "pomme".',
            ),
            "de": (
                "Übersetze das Wort ins Französische.",
                "Apfel",
                'Das französische Wort für Apfel ist "pomme".',
            ),
            "fr": (
                "Traduis le mot en français.",
                "apple",
                "Le mot français pour apple est « pomme ».",
            ),
            "it": (
                "Traduci la parola in francese.",
                "mela",
                'La parola francese per mela è "pomme".',
            ),
            "es": (
                "Traduce la palabra al francés.",
                "manzana",
                'La palabra francesa para manzana es "pomme".',
            ),
        },
    ),
    (
        "demo-003",
        {
            "en": (
                "Give one tip for sleeping better.",
                "",
                "Go to bed at the same time every day and keep screens out of the bedroom.",
            ),
            "de": (
                "Gib einen Tipp für besseren Schlaf.",
                "",
                "Geh jeden Tag zur gleichen Zeit ins Bett und lass Bildschirme aus dem Schlafzimmer.",
            ),
            "fr": (
                "Donne un conseil pour mieux dormir.",
                "",
                "Couche-toi tous les jours à la même heure et garde les écrans hors de la chambre.",
            ),
            "it": (
                "Dai un consiglio per dormire meglio.",
                "",
                "Vai a letto ogni giorno alla stessa ora e tieni gli schermi fuori dalla camera.",
            ),
            "es": (
                "Da un consejo para dormir mejor.",
                "",
                "Acuéstate todos los días a la misma hora y deja las pantallas fuera del dormitorio.",
            ),
        },
    ),
    (
        "demo-004",
        {
            "en": ("What is the capital of Italy?", "", "The capital of Italy is Rome."),
            "de": (
                "Was ist die Hauptstadt von Italien?",
                "",
                "Die Hauptstadt von Italien ist Rom.",
            ),
            "fr": ("Quelle est la capitale de l'Italie ?", "", "La capitale de l'Italie est Rome."),
            "it": ("Qual è la capitale dell'Italia?", "", "La capitale dell'Italia è Roma."),
            "es": ("¿Cuál es la capital de Italia?", "", "La capital de Italia es Roma."),
        },
    ),
    (
        "demo-005",
        {
            "en": (
                "Summarise the sentence in a few words.",
                "The train was late because a tree had fallen on the tracks during the storm.",
                "A storm-felled tree delayed the train.",
            ),
            "de": (
                "Fasse den Satz in wenigen Worten zusammen.",
                "Der Zug hatte Verspätung, weil während des Sturms ein Baum auf die Gleise gefallen war.",
                "Ein umgestürzter Baum verspätete den Zug.",
            ),
            "fr": (
                "Résume la phrase en quelques mots.",
                "Le train était en retard parce qu'un arbre était tombé sur les voies pendant la tempête.",
                "Un arbre tombé a retardé le train.",
            ),
            "it": (
                "Riassumi la frase in poche parole.",
                "Il treno era in ritardo perché durante la tempesta un albero era caduto sui binari.",
                "Un albero caduto ha ritardato il treno.",
            ),
            "es": (
                "Resume la frase en pocas palabras.",
                "El tren llegó tarde porque durante la tormenta un árbol había caído sobre las vías.",
                "Un árbol caído retrasó el tren.",
            ),
        },
    ),
    (
        "demo-006",
        {
            "en": ("How many days does a leap year have?", "", "A leap year has 366 days."),
            "de": ("Wie viele Tage hat ein Schaltjahr?", "", "Ein Schaltjahr hat 366 Tage."),
            "fr": (
                "Combien de jours compte une année bissextile ?",
                "",
                "Une année bissextile compte 366 jours.",
            ),
            "it": ("Quanti giorni ha un anno bisestile?", "", "Un anno bisestile ha 366 giorni."),
            "es": ("¿Cuántos días tiene un año bisiesto?", "", "Un año bisiesto tiene 366 días."),
        },
    ),
    (
        "demo-007",
        {
            "en": (
                "Write a Python function that returns the square of a number.",
                "",
                "```python\ndef square(x):\n    # multiply the number by itself\n    return x * x\n```",
            ),
            "de": (
                "Schreibe eine Python-Funktion, die das Quadrat einer Zahl zurückgibt.",
                "",
                "```python\ndef square(x):\n    # die Zahl mit sich selbst multiplizieren\n    return x * x\n```",
            ),
            "fr": (
                "Écris une fonction Python qui renvoie le carré d'un nombre.",
                "",
                "```python\ndef square(x):\n    # multiplier le nombre par lui-même\n    return x * x\n```",
            ),
            "it": (
                "Scrivi una funzione Python che restituisce il quadrato di un numero.",
                "",
                "```python\ndef square(x):\n    # moltiplicare il numero per sé stesso\n    return x * x\n```",
            ),
            "es": (
                "Escribe una función de Python que devuelva el cuadrado de un número.",
                "",
                "```python\ndef square(x):\n    # multiplicar el número por sí mismo\n    return x * x\n```",
            ),
        },
    ),
    (
        "demo-008",
        {
            "en": ("Suggest a name for a small bakery.", "", 'How about "The Morning Loaf"?'),
            "de": (
                "Schlage einen Namen für eine kleine Bäckerei vor.",
                "",
                'Wie wäre es mit "Das Morgenbrot"?',
            ),
            "fr": (
                "Propose un nom pour une petite boulangerie.",
                "",
                "Que dirais-tu de « Le Pain du Matin » ?",
            ),
            "it": (
                "Suggerisci un nome per un piccolo forno.",
                "",
                'Che ne dici di "Il Pane del Mattino"?',
            ),
            "es": (
                "Sugiere un nombre para una pequeña panadería.",
                "",
                '¿Qué tal "El Pan de la Mañana"?',
            ),
        },
    ),
    (
        "demo-009",
        {
            "en": (
                "Explain what photosynthesis is in one sentence.",
                "",
                "Photosynthesis is the process by which plants use sunlight, water and carbon dioxide to make sugar and oxygen.",
            ),
            "de": (
                "Erkläre in einem Satz, was Photosynthese ist.",
                "",
                "Photosynthese ist der Vorgang, bei dem Pflanzen mit Sonnenlicht, Wasser und Kohlendioxid Zucker und Sauerstoff herstellen.",
            ),
            "fr": (
                "Explique en une phrase ce qu'est la photosynthèse.",
                "",
                "La photosynthèse est le processus par lequel les plantes utilisent la lumière, l'eau et le dioxyde de carbone pour produire du sucre et de l'oxygène.",
            ),
            "it": (
                "Spiega in una frase che cos'è la fotosintesi.",
                "",
                "La fotosintesi è il processo con cui le piante usano la luce del sole, l'acqua e l'anidride carbonica per produrre zucchero e ossigeno.",
            ),
            "es": (
                "Explica en una frase qué es la fotosíntesis.",
                "",
                "La fotosíntesis es el proceso por el que las plantas usan la luz del sol, el agua y el dióxido de carbono para producir azúcar y oxígeno.",
            ),
        },
    ),
    (
        "demo-010",
        {
            "en": (
                "Classify the animal as a mammal, bird or fish.",
                "dolphin",
                "A dolphin is a mammal.",
            ),
            "de": (
                "Ordne das Tier als Säugetier, Vogel oder Fisch ein.",
                "Delfin",
                "Ein Delfin ist ein Säugetier.",
            ),
            "fr": (
                "Classe l'animal comme mammifère, oiseau ou poisson.",
                "dauphin",
                "Le dauphin est un mammifère.",
            ),
            "it": (
                "Classifica l'animale come mammifero, uccello o pesce.",
                "delfino",
                "Il delfino è un mammifero.",
            ),
            "es": (
                "Clasifica el animal como mamífero, ave o pez.",
                "delfín",
                "El delfín es un mamífero.",
            ),
        },
    ),
    (
        "demo-011",
        {
            "en": (
                "Write a short poem about the sea.",
                "",
                "The sea is wide, the sea is grey,\nit sings to shore by night and day,\nit takes the sand and gives it back,\nand leaves the gulls a silver track.",
            ),
            "de": (
                "Schreibe ein kurzes Gedicht über das Meer.",
                "",
                "Das Meer ist weit, das Meer ist grau,\nes singt zum Strand im Morgentau,\nes nimmt den Sand und gibt ihn her,\ndie Möwen fliegen übers Meer.",
            ),
            "fr": (
                "Écris un court poème sur la mer.",
                "",
                "La mer est grande, la mer est grise,\nelle chante au rivage avec la brise,\nelle prend le sable et le rend,\net laisse aux mouettes un chemin d'argent.",
            ),
            "it": (
                "Scrivi una breve poesia sul mare.",
                "",
                "Il mare è vasto, il mare è grigio,\ncanta alla riva con un sospiro,\nprende la sabbia e la ridà,\nai gabbiani una scia lascerà.",
            ),
            "es": (
                "Escribe un poema corto sobre el mar.",
                "",
                "El mar es ancho, el mar es gris,\ncanta a la orilla con su matiz,\ntoma la arena y la devuelve,\ny a las gaviotas plata les vuelve.",
            ),
        },
    ),
    (
        "demo-012",
        {
            "en": ("Convert 5 kilometres to metres.", "", "5 kilometres are 5,000 metres."),
            "de": ("Rechne 5 Kilometer in Meter um.", "", "5 Kilometer sind 5.000 Meter."),
            "fr": ("Convertis 5 kilomètres en mètres.", "", "5 kilomètres font 5 000 mètres."),
            "it": ("Converti 5 chilometri in metri.", "", "5 chilometri sono 5.000 metri."),
            "es": ("Convierte 5 kilómetros a metros.", "", "5 kilómetros son 5.000 metros."),
        },
    ),
    (
        "demo-013",
        {
            "en": (
                "List two benefits of walking.",
                "",
                "Walking strengthens the heart and it lifts your mood.",
            ),
            "de": (
                "Nenne zwei Vorteile des Gehens.",
                "",
                "Gehen stärkt das Herz und es hebt die Stimmung.",
            ),
            "fr": (
                "Cite deux avantages de la marche.",
                "",
                "La marche renforce le cœur et elle améliore l'humeur.",
            ),
            "it": (
                "Elenca due benefici del camminare.",
                "",
                "Camminare rafforza il cuore e migliora l'umore.",
            ),
            "es": (
                "Enumera dos beneficios de caminar.",
                "",
                "Caminar fortalece el corazón y mejora el ánimo.",
            ),
        },
    ),
    (
        "demo-014",
        {
            "en": (
                "Rewrite the sentence in the past tense.",
                "I eat an apple.",
                "I ate an apple.",
            ),
            "de": (
                "Schreibe den Satz in der Vergangenheit.",
                "Ich lese ein Buch.",
                "Ich las ein Buch.",
            ),
            "fr": ("Réécris la phrase au passé.", "Je lis un livre.", "J'ai lu un livre."),
            "it": ("Riscrivi la frase al passato.", "Leggo un libro.", "Ho letto un libro."),
            "es": ("Reescribe la frase en pasado.", "Leo un libro.", "Leí un libro."),
        },
    ),
    (
        "demo-015",
        {
            "en": ("What does a thermometer measure?", "", "A thermometer measures temperature."),
            "de": ("Was misst ein Thermometer?", "", "Ein Thermometer misst die Temperatur."),
            "fr": ("Que mesure un thermomètre ?", "", "Un thermomètre mesure la température."),
            "it": ("Che cosa misura un termometro?", "", "Un termometro misura la temperatura."),
            "es": ("¿Qué mide un termómetro?", "", "Un termómetro mide la temperatura."),
        },
    ),
    (
        "demo-016",
        {
            "en": ('Give a synonym for "happy".', "", 'A synonym for happy is "cheerful".'),
            "de": (
                'Nenne ein Synonym für "glücklich".',
                "",
                'Ein Synonym für glücklich ist "fröhlich".',
            ),
            "fr": (
                "Donne un synonyme de « heureux ».",
                "",
                "Un synonyme de heureux est « joyeux ».",
            ),
            "it": ('Dai un sinonimo di "felice".', "", 'Un sinonimo di felice è "contento".'),
            "es": ('Da un sinónimo de "feliz".', "", 'Un sinónimo de feliz es "alegre".'),
        },
    ),
    (
        "demo-017",
        {
            "en": (
                "Plan a simple breakfast for a busy morning.",
                "",
                "Have oat porridge with a sliced banana and a glass of water; it takes five minutes.",
            ),
            "de": (
                "Plane ein einfaches Frühstück für einen vollen Morgen.",
                "",
                "Iss Haferbrei mit einer geschnittenen Banane und trink ein Glas Wasser; das dauert fünf Minuten.",
            ),
            "fr": (
                "Prévois un petit-déjeuner simple pour un matin chargé.",
                "",
                "Prends un porridge d'avoine avec une banane en rondelles et un verre d'eau ; cela prend cinq minutes.",
            ),
            "it": (
                "Pianifica una colazione semplice per una mattina piena.",
                "",
                "Prendi un porridge d'avena con una banana a fette e un bicchiere d'acqua; ci vogliono cinque minuti.",
            ),
            "es": (
                "Planea un desayuno sencillo para una mañana ocupada.",
                "",
                "Toma gachas de avena con un plátano en rodajas y un vaso de agua; se tarda cinco minutos.",
            ),
        },
    ),
    (
        "demo-018",
        {
            "en": (
                "Is the statement true or false?",
                "The sun rises in the west.",
                "False: the sun rises in the east.",
            ),
            "de": (
                "Ist die Aussage wahr oder falsch?",
                "Die Sonne geht im Westen auf.",
                "Falsch: Die Sonne geht im Osten auf.",
            ),
            "fr": (
                "L'affirmation est-elle vraie ou fausse ?",
                "Le soleil se lève à l'ouest.",
                "Faux : le soleil se lève à l'est.",
            ),
            "it": (
                "L'affermazione è vera o falsa?",
                "Il sole sorge a ovest.",
                "Falsa: il sole sorge a est.",
            ),
            "es": (
                "¿La afirmación es verdadera o falsa?",
                "El sol sale por el oeste.",
                "Falsa: el sol sale por el este.",
            ),
        },
    ),
    (
        "demo-019",
        {
            "en": (
                "Describe autumn in two sentences.",
                "",
                "In autumn the leaves turn yellow and red and fall from the trees. The days get shorter and the air smells of rain.",
            ),
            "de": (
                "Beschreibe den Herbst in zwei Sätzen.",
                "",
                "Im Herbst werden die Blätter gelb und rot und fallen von den Bäumen. Die Tage werden kürzer und die Luft riecht nach Regen.",
            ),
            "fr": (
                "Décris l'automne en deux phrases.",
                "",
                "En automne, les feuilles deviennent jaunes et rouges et tombent des arbres. Les jours raccourcissent et l'air sent la pluie.",
            ),
            "it": (
                "Descrivi l'autunno in due frasi.",
                "",
                "In autunno le foglie diventano gialle e rosse e cadono dagli alberi. Le giornate si accorciano e l'aria profuma di pioggia.",
            ),
            "es": (
                "Describe el otoño en dos frases.",
                "",
                "En otoño las hojas se vuelven amarillas y rojas y caen de los árboles. Los días se acortan y el aire huele a lluvia.",
            ),
        },
    ),
    (
        "demo-020",
        {
            "en": ("Calculate 12 times 8.", "", "12 times 8 is 96."),
            "de": ("Berechne 12 mal 8.", "", "12 mal 8 ist 96."),
            "fr": ("Calcule 12 fois 8.", "", "12 fois 8 font 96."),
            "it": ("Calcola 12 per 8.", "", "12 per 8 fa 96."),
            "es": ("Calcula 12 por 8.", "", "12 por 8 son 96."),
        },
    ),
    (
        "demo-021",
        {
            "en": (
                "Why do we see lightning before we hear thunder?",
                "",
                "Light travels much faster than sound, so the flash reaches us before the noise.",
            ),
            "de": (
                "Warum sehen wir den Blitz, bevor wir den Donner hören?",
                "",
                "Licht ist viel schneller als Schall, deshalb erreicht uns der Blitz vor dem Donner.",
            ),
            "fr": (
                "Pourquoi voit-on l'éclair avant d'entendre le tonnerre ?",
                "",
                "La lumière va beaucoup plus vite que le son, donc l'éclair nous parvient avant le bruit.",
            ),
            "it": (
                "Perché vediamo il lampo prima di sentire il tuono?",
                "",
                "La luce viaggia molto più veloce del suono, quindi il lampo ci arriva prima del rumore.",
            ),
            "es": (
                "¿Por qué vemos el relámpago antes de oír el trueno?",
                "",
                "La luz viaja mucho más rápido que el sonido, así que el destello nos llega antes que el ruido.",
            ),
        },
    ),
    (
        "demo-022",
        {
            "en": (
                "Write a polite email subject asking for a meeting.",
                "",
                "Request for a short meeting next week",
            ),
            "de": (
                "Schreibe einen höflichen E-Mail-Betreff mit der Bitte um ein Treffen.",
                "",
                "Bitte um ein kurzes Treffen nächste Woche",
            ),
            "fr": (
                "Écris un objet d'e-mail poli pour demander un rendez-vous.",
                "",
                "Demande de courte réunion la semaine prochaine",
            ),
            "it": (
                "Scrivi un oggetto di e-mail cortese per chiedere un incontro.",
                "",
                "Richiesta di un breve incontro la prossima settimana",
            ),
            "es": (
                "Escribe un asunto de correo cortés para pedir una reunión.",
                "",
                "Solicitud de una breve reunión la próxima semana",
            ),
        },
    ),
    (
        "demo-023",
        {
            "en": ("Sort the numbers from smallest to largest.", "7, 2, 9, 4", "2, 4, 7, 9"),
            "de": (
                "Sortiere die Zahlen von der kleinsten zur größten.",
                "7, 2, 9, 4",
                "2, 4, 7, 9",
            ),
            "fr": ("Trie les nombres du plus petit au plus grand.", "7, 2, 9, 4", "2, 4, 7, 9"),
            "it": ("Ordina i numeri dal più piccolo al più grande.", "7, 2, 9, 4", "2, 4, 7, 9"),
            "es": ("Ordena los números de menor a mayor.", "7, 2, 9, 4", "2, 4, 7, 9"),
        },
    ),
    (
        "demo-024",
        {
            "en": (
                "Tell me a joke about a cat.",
                "",
                "Why did the cat sit on the computer? To keep an eye on the mouse.",
            ),
            "de": (
                "Erzähl mir einen Witz über eine Katze.",
                "",
                "Warum saß die Katze auf dem Computer? Um die Maus im Auge zu behalten.",
            ),
            "fr": (
                "Raconte-moi une blague sur un chat.",
                "",
                "Pourquoi le chat s'est-il assis sur l'ordinateur ? Pour surveiller la souris.",
            ),
            "it": (
                "Raccontami una barzelletta su un gatto.",
                "",
                "Perché il gatto si è seduto sul computer? Per tenere d'occhio il mouse.",
            ),
            "es": (
                "Cuéntame un chiste sobre un gato.",
                "",
                "¿Por qué se sentó el gato sobre el ordenador? Para vigilar al ratón.",
            ),
        },
    ),
    (
        "demo-025",
        {
            "en": (
                "Name the largest planet in our solar system.",
                "",
                "Jupiter is the largest planet in our solar system.",
            ),
            "de": (
                "Nenne den größten Planeten unseres Sonnensystems.",
                "",
                "Jupiter ist der größte Planet unseres Sonnensystems.",
            ),
            "fr": (
                "Nomme la plus grande planète de notre système solaire.",
                "",
                "Jupiter est la plus grande planète de notre système solaire.",
            ),
            "it": (
                "Indica il pianeta più grande del nostro sistema solare.",
                "",
                "Giove è il pianeta più grande del nostro sistema solare.",
            ),
            "es": (
                "Nombra el planeta más grande de nuestro sistema solar.",
                "",
                "Júpiter es el planeta más grande de nuestro sistema solar.",
            ),
        },
    ),
    (
        "demo-026",
        {
            "en": (
                "Give advice to someone learning to cook.",
                "",
                "Start with a few simple dishes, taste while you cook, and keep your knives sharp.",
            ),
            "de": (
                "Gib jemandem, der kochen lernt, einen Rat.",
                "",
                "Fang mit ein paar einfachen Gerichten an, probiere beim Kochen und halte deine Messer scharf.",
            ),
            "fr": (
                "Donne un conseil à quelqu'un qui apprend à cuisiner.",
                "",
                "Commence par quelques plats simples, goûte pendant la cuisson et garde tes couteaux bien aiguisés.",
            ),
            "it": (
                "Dai un consiglio a chi sta imparando a cucinare.",
                "",
                "Comincia con pochi piatti semplici, assaggia mentre cucini e tieni i coltelli affilati.",
            ),
            "es": (
                "Da un consejo a alguien que aprende a cocinar.",
                "",
                "Empieza con unos pocos platos sencillos, prueba mientras cocinas y mantén los cuchillos afilados.",
            ),
        },
    ),
    (
        "demo-027",
        {
            "en": (
                "Find the odd one out.",
                "apple, banana, carrot, cherry",
                "Carrot, because it is a vegetable and the others are fruits.",
            ),
            "de": (
                "Finde das Wort, das nicht passt.",
                "Apfel, Banane, Karotte, Kirsche",
                "Karotte, weil sie ein Gemüse ist und die anderen Obst sind.",
            ),
            "fr": (
                "Trouve l'intrus.",
                "pomme, banane, carotte, cerise",
                "La carotte, car c'est un légume et les autres sont des fruits.",
            ),
            "it": (
                "Trova l'intruso.",
                "mela, banana, carota, ciliegia",
                "La carota, perché è una verdura e gli altri sono frutti.",
            ),
            "es": (
                "Encuentra el intruso.",
                "manzana, plátano, zanahoria, cereza",
                "La zanahoria, porque es una verdura y los demás son frutas.",
            ),
        },
    ),
    (
        "demo-028",
        {
            "en": (
                "What is the boiling point of water at sea level?",
                "",
                "At sea level water boils at 100 degrees Celsius.",
            ),
            "de": (
                "Wo liegt der Siedepunkt von Wasser auf Meereshöhe?",
                "",
                "Auf Meereshöhe siedet Wasser bei 100 Grad Celsius.",
            ),
            "fr": (
                "Quel est le point d'ébullition de l'eau au niveau de la mer ?",
                "",
                "Au niveau de la mer, l'eau bout à 100 degrés Celsius.",
            ),
            "it": (
                "Qual è il punto di ebollizione dell'acqua al livello del mare?",
                "",
                "Al livello del mare l'acqua bolle a 100 gradi Celsius.",
            ),
            "es": (
                "¿Cuál es el punto de ebullición del agua al nivel del mar?",
                "",
                "Al nivel del mar el agua hierve a 100 grados Celsius.",
            ),
        },
    ),
    (
        "demo-029",
        {
            "en": (
                "Create a to-do list for moving house.",
                "",
                "1. Book a van.\n2. Pack boxes room by room.\n3. Change your address.\n4. Clean the old flat.",
            ),
            "de": (
                "Erstelle eine Aufgabenliste für einen Umzug.",
                "",
                "1. Einen Transporter buchen.\n2. Kisten Raum für Raum packen.\n3. Die Adresse ändern.\n4. Die alte Wohnung putzen.",
            ),
            "fr": (
                "Crée une liste de tâches pour un déménagement.",
                "",
                "1. Réserver une camionnette.\n2. Faire les cartons pièce par pièce.\n3. Changer d'adresse.\n4. Nettoyer l'ancien appartement.",
            ),
            "it": (
                "Crea una lista di cose da fare per un trasloco.",
                "",
                "1. Prenotare un furgone.\n2. Imballare gli scatoloni stanza per stanza.\n3. Cambiare indirizzo.\n4. Pulire il vecchio appartamento.",
            ),
            "es": (
                "Crea una lista de tareas para una mudanza.",
                "",
                "1. Reservar una furgoneta.\n2. Empaquetar las cajas habitación por habitación.\n3. Cambiar la dirección.\n4. Limpiar el piso antiguo.",
            ),
        },
    ),
    (
        "demo-030",
        {
            "en": (
                "Explain the difference between weather and climate.",
                "",
                "Weather is what happens in the air on a given day; climate is the average weather of a place over many years.",
            ),
            "de": (
                "Erkläre den Unterschied zwischen Wetter und Klima.",
                "",
                "Wetter ist das, was an einem bestimmten Tag in der Luft passiert; Klima ist das durchschnittliche Wetter eines Ortes über viele Jahre.",
            ),
            "fr": (
                "Explique la différence entre la météo et le climat.",
                "",
                "La météo décrit ce qui se passe dans l'air un jour donné ; le climat est la météo moyenne d'un lieu sur de nombreuses années.",
            ),
            "it": (
                "Spiega la differenza tra tempo atmosferico e clima.",
                "",
                "Il tempo è ciò che accade nell'aria in un certo giorno; il clima è il tempo medio di un luogo su molti anni.",
            ),
            "es": (
                "Explica la diferencia entre el tiempo y el clima.",
                "",
                "El tiempo es lo que ocurre en el aire un día concreto; el clima es el tiempo medio de un lugar durante muchos años.",
            ),
        },
    ),
    (
        "demo-031",
        {
            "en": (
                "Correct the spelling mistake.",
                "I recieved your letter.",
                "I received your letter.",
            ),
            "de": (
                "Korrigiere den Rechtschreibfehler.",
                "Ich habe deinen Brif erhalten.",
                "Ich habe deinen Brief erhalten.",
            ),
            "fr": (
                "Corrige la faute d'orthographe.",
                "J'ai reçu ta letre.",
                "J'ai reçu ta lettre.",
            ),
            "it": (
                "Correggi l'errore di ortografia.",
                "Ho ricevuto la tua letera.",
                "Ho ricevuto la tua lettera.",
            ),
            "es": (
                "Corrige la falta de ortografía.",
                "He recibido tu carta.",
                'La frase ya está bien escrita: "He recibido tu carta."',
            ),
        },
    ),
    (
        "demo-032",
        {
            "en": (
                "Recommend a hobby for a rainy weekend.",
                "",
                "Try a jigsaw puzzle: it is calm, social and needs nothing but a table.",
            ),
            "de": (
                "Empfiehl ein Hobby für ein verregnetes Wochenende.",
                "",
                "Probier ein Puzzle: Es ist ruhig, gesellig und braucht nur einen Tisch.",
            ),
            "fr": (
                "Recommande un loisir pour un week-end pluvieux.",
                "",
                "Essaie un puzzle : c'est calme, convivial et il ne faut qu'une table.",
            ),
            "it": (
                "Consiglia un hobby per un fine settimana piovoso.",
                "",
                "Prova un puzzle: è rilassante, si fa in compagnia e serve solo un tavolo.",
            ),
            "es": (
                "Recomienda un pasatiempo para un fin de semana lluvioso.",
                "",
                "Prueba un rompecabezas: es tranquilo, sociable y solo necesita una mesa.",
            ),
        },
    ),
    (
        "demo-033",
        {
            "en": ("How many continents are there?", "", "There are seven continents."),
            "de": ("Wie viele Kontinente gibt es?", "", "Es gibt sieben Kontinente."),
            "fr": ("Combien y a-t-il de continents ?", "", "Il y a sept continents."),
            "it": ("Quanti continenti ci sono?", "", "Ci sono sette continenti."),
            "es": ("¿Cuántos continentes hay?", "", "Hay siete continentes."),
        },
    ),
    (
        "demo-034",
        {
            "en": (
                "Turn the statement into a question.",
                "The shop opens at nine.",
                "Does the shop open at nine?",
            ),
            "de": (
                "Mach aus der Aussage eine Frage.",
                "Der Laden öffnet um neun.",
                "Öffnet der Laden um neun?",
            ),
            "fr": (
                "Transforme l'affirmation en question.",
                "Le magasin ouvre à neuf heures.",
                "Le magasin ouvre-t-il à neuf heures ?",
            ),
            "it": (
                "Trasforma l'affermazione in una domanda.",
                "Il negozio apre alle nove.",
                "Il negozio apre alle nove?",
            ),
            "es": (
                "Convierte la afirmación en una pregunta.",
                "La tienda abre a las nueve.",
                "¿La tienda abre a las nueve?",
            ),
        },
    ),
    (
        "demo-035",
        {
            "en": (
                "Give two reasons to learn a second language.",
                "",
                "It lets you talk with more people, and it trains your memory.",
            ),
            "de": (
                "Nenne zwei Gründe, eine zweite Sprache zu lernen.",
                "",
                "Man kann mit mehr Menschen sprechen, und es trainiert das Gedächtnis.",
            ),
            "fr": (
                "Donne deux raisons d'apprendre une deuxième langue.",
                "",
                "On peut parler avec plus de gens, et cela entraîne la mémoire.",
            ),
            "it": (
                "Dai due motivi per imparare una seconda lingua.",
                "",
                "Si può parlare con più persone e si allena la memoria.",
            ),
            "es": (
                "Da dos razones para aprender un segundo idioma.",
                "",
                "Puedes hablar con más personas y entrenas la memoria.",
            ),
        },
    ),
    (
        "demo-036",
        {
            "en": (
                "What colour do you get by mixing blue and yellow?",
                "",
                "Mixing blue and yellow gives green.",
            ),
            "de": (
                "Welche Farbe entsteht, wenn man Blau und Gelb mischt?",
                "",
                "Blau und Gelb gemischt ergeben Grün.",
            ),
            "fr": (
                "Quelle couleur obtient-on en mélangeant le bleu et le jaune ?",
                "",
                "En mélangeant le bleu et le jaune, on obtient du vert.",
            ),
            "it": (
                "Che colore si ottiene mescolando blu e giallo?",
                "",
                "Mescolando blu e giallo si ottiene il verde.",
            ),
            "es": (
                "¿Qué color se obtiene al mezclar azul y amarillo?",
                "",
                "Al mezclar azul y amarillo se obtiene verde.",
            ),
        },
    ),
    (
        "demo-037",
        {
            "en": (
                "Write one sentence to welcome new neighbours.",
                "",
                "Welcome to the street, we are glad to have you here and happy to help if you need anything.",
            ),
            "de": (
                "Schreibe einen Satz, um neue Nachbarn willkommen zu heißen.",
                "",
                "Willkommen in unserer Straße, wir freuen uns, dass ihr da seid, und helfen gern, wenn ihr etwas braucht.",
            ),
            "fr": (
                "Écris une phrase pour accueillir de nouveaux voisins.",
                "",
                "Bienvenue dans la rue, nous sommes ravis de vous avoir ici et prêts à vous aider si besoin.",
            ),
            "it": (
                "Scrivi una frase per dare il benvenuto ai nuovi vicini.",
                "",
                "Benvenuti nella via, siamo felici di avervi qui e pronti ad aiutarvi se avete bisogno.",
            ),
            "es": (
                "Escribe una frase para dar la bienvenida a los nuevos vecinos.",
                "",
                "Bienvenidos a la calle, nos alegra teneros aquí y os ayudaremos si necesitáis algo.",
            ),
        },
    ),
    (
        "demo-038",
        {
            "en": (
                "Show how to print a greeting in JavaScript.",
                "",
                'Use `console.log`:\n\n```javascript\n// print a greeting\nconsole.log("Hello!");\n```',
            ),
            "de": (
                "Zeige, wie man in JavaScript eine Begrüßung ausgibt.",
                "",
                'Verwende `console.log`:\n\n```javascript\n// eine Begrüßung ausgeben\nconsole.log("Hallo!");\n```',
            ),
            "fr": (
                "Montre comment afficher un salut en JavaScript.",
                "",
                'Utilise `console.log` :\n\n```javascript\n// afficher un salut\nconsole.log("Bonjour !");\n```',
            ),
            "it": (
                "Mostra come stampare un saluto in JavaScript.",
                "",
                'Usa `console.log`:\n\n```javascript\n// stampare un saluto\nconsole.log("Ciao!");\n```',
            ),
            "es": (
                "Muestra cómo imprimir un saludo en JavaScript.",
                "",
                'Usa `console.log`:\n\n```javascript\n// imprimir un saludo\nconsole.log("¡Hola!");\n```',
            ),
        },
    ),
    (
        "demo-039",
        {
            "en": (
                "Which is heavier, a kilogram of feathers or a kilogram of stones?",
                "",
                "Neither: both weigh one kilogram.",
            ),
            "de": (
                "Was ist schwerer, ein Kilo Federn oder ein Kilo Steine?",
                "",
                "Keines von beiden: Beide wiegen ein Kilogramm.",
            ),
            "fr": (
                "Qu'est-ce qui est le plus lourd, un kilo de plumes ou un kilo de pierres ?",
                "",
                "Aucun des deux : ils pèsent tous les deux un kilogramme.",
            ),
            "it": (
                "Che cosa pesa di più, un chilo di piume o un chilo di sassi?",
                "",
                "Nessuno dei due: entrambi pesano un chilogrammo.",
            ),
            "es": (
                "¿Qué pesa más, un kilo de plumas o un kilo de piedras?",
                "",
                "Ninguno: los dos pesan un kilogramo.",
            ),
        },
    ),
    (
        "demo-040",
        {
            "en": (
                "Say goodbye in a friendly way.",
                "",
                "It was lovely talking to you, take care and see you soon!",
            ),
            "de": (
                "Verabschiede dich auf freundliche Art.",
                "",
                "Es war schön, mit dir zu sprechen, pass auf dich auf und bis bald!",
            ),
            "fr": (
                "Dis au revoir de façon amicale.",
                "",
                "C'était un plaisir de parler avec toi, prends soin de toi et à bientôt !",
            ),
            "it": (
                "Saluta in modo amichevole.",
                "",
                "È stato bello parlare con te, abbi cura di te e a presto!",
            ),
            "es": (
                "Despídete de forma amistosa.",
                "",
                "Ha sido un placer hablar contigo, cuídate y ¡hasta pronto!",
            ),
        },
    ),
]


def write(out_dir: Path) -> None:
    """Write ``out_dir/data/<lang>.json.gz`` for every language (byte-stable: mtime 0)."""
    (out_dir / "data").mkdir(parents=True, exist_ok=True)
    for lang in LANGS:
        records = [
            {
                "instruction": texts[lang][0],
                "input": texts[lang][1],
                "id": row_id,
                "output": texts[lang][2],
            }
            for row_id, texts in ROWS
        ]
        payload = json.dumps(records, ensure_ascii=False, indent=1).encode("utf-8")
        with (
            (out_dir / "data" / f"{lang}.json.gz").open("wb") as raw,
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as handle,
        ):
            handle.write(payload)


if __name__ == "__main__":
    write(Path(__file__).resolve().parent)
