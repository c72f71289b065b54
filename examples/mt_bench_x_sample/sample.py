# ruff: noqa: E501
"""Source of the shipped MT-Bench-X-format sample: 8 two-turn questions in EN, DE, FR, IT, ES.

One question per MT-Bench category, reference answers for math, reasoning and coding, and the
eight judge prompts FastChat's judge uses (``single-v1``, ``pair-v2``, their ``-math-v1`` and
``-multi-turn`` forms) per language. Every text is written for this project (none is taken
from MT-Bench, MT-Bench-X or FastChat); only the file formats and prompt names are FastChat's.
The sample is small enough to read in a minute and is what ``make demo`` uses offline.

Run this file to regenerate ``mt_bench_<LANG>/question.jsonl``,
``mt_bench_<LANG>/reference_answer/sample.jsonl`` and ``mt_bench_<LANG>/judge_prompts.jsonl``.
"""

from __future__ import annotations

import json
from pathlib import Path

LANGS = ("EN", "DE", "FR", "IT", "ES")
REFERENCE_SET = "sample"

# number, category, then per language: (turn 1, turn 2)
QUESTIONS: list[tuple[int, str, dict[str, tuple[str, str]]]] = [
    (
        1,
        "writing",
        {
            "EN": (
                "Write a short note to your neighbours inviting them to a courtyard clean-up on Saturday morning.",
                "Now rewrite the note as a four-line rhyming poem.",
            ),
            "DE": (
                "Schreiben Sie eine kurze Nachricht an Ihre Nachbarn, in der Sie sie zu einem Aufräumtag im Hof am Samstagmorgen einladen.",
                "Schreiben Sie die Nachricht nun als gereimtes Gedicht mit vier Zeilen.",
            ),
            "FR": (
                "Rédigez un court mot à vos voisins pour les inviter à un nettoyage de la cour samedi matin.",
                "Réécrivez maintenant ce mot sous la forme d'un poème rimé de quatre vers.",
            ),
            "IT": (
                "Scriva un breve biglietto ai vicini per invitarli a pulire insieme il cortile sabato mattina.",
                "Ora riscriva il biglietto come una poesia in rima di quattro versi.",
            ),
            "ES": (
                "Escriba una nota breve a sus vecinos para invitarlos a limpiar el patio el sábado por la mañana.",
                "Ahora reescriba la nota como un poema rimado de cuatro versos.",
            ),
        },
    ),
    (
        2,
        "roleplay",
        {
            "EN": (
                "Pretend you are a lighthouse keeper on a remote island. Describe your morning routine.",
                "A storm is coming tonight. What do you tell the fishing boats over the radio?",
            ),
            "DE": (
                "Stellen Sie sich vor, Sie sind Leuchtturmwärter auf einer abgelegenen Insel. Beschreiben Sie Ihre Morgenroutine.",
                "Heute Nacht zieht ein Sturm auf. Was sagen Sie den Fischerbooten über Funk?",
            ),
            "FR": (
                "Imaginez que vous êtes gardien de phare sur une île isolée. Décrivez votre routine du matin.",
                "Une tempête arrive cette nuit. Que dites-vous aux bateaux de pêche à la radio ?",
            ),
            "IT": (
                "Immagini di essere il guardiano di un faro su un'isola remota. Descriva la Sua routine mattutina.",
                "Stanotte arriva una tempesta. Che cosa dice ai pescherecci alla radio?",
            ),
            "ES": (
                "Imagine que es el farero de una isla remota. Describa su rutina de la mañana.",
                "Esta noche se acerca una tormenta. ¿Qué les dice a los barcos pesqueros por radio?",
            ),
        },
    ),
    (
        3,
        "reasoning",
        {
            "EN": (
                "Anna is older than Ben, and Ben is older than Clara. Who is the youngest of the three?",
                "Dan is younger than Clara. Who is now the oldest and who is the youngest of the four?",
            ),
            "DE": (
                "Anna ist älter als Ben, und Ben ist älter als Clara. Wer ist die Jüngste der drei?",
                "Dan ist jünger als Clara. Wer ist nun der Älteste und wer der Jüngste der vier?",
            ),
            "FR": (
                "Anna est plus âgée que Ben, et Ben est plus âgé que Clara. Qui est la plus jeune des trois ?",
                "Dan est plus jeune que Clara. Qui est maintenant le plus âgé et qui est le plus jeune des quatre ?",
            ),
            "IT": (
                "Anna è più grande di Ben, e Ben è più grande di Clara. Chi è la più giovane dei tre?",
                "Dan è più giovane di Clara. Chi è ora il più grande e chi il più giovane dei quattro?",
            ),
            "ES": (
                "Anna es mayor que Ben, y Ben es mayor que Clara. ¿Quién es la más joven de los tres?",
                "Dan es más joven que Clara. ¿Quién es ahora el mayor y quién el más joven de los cuatro?",
            ),
        },
    ),
    (
        4,
        "math",
        {
            "EN": (
                "A bakery sells rolls at 40 cents each. How much do 15 rolls cost?",
                "With a 10% discount on the whole order, how much do the 15 rolls cost?",
            ),
            "DE": (
                "Eine Bäckerei verkauft Brötchen zu je 40 Cent. Wie viel kosten 15 Brötchen?",
                "Mit 10 % Rabatt auf die gesamte Bestellung: Wie viel kosten die 15 Brötchen?",
            ),
            "FR": (
                "Une boulangerie vend des petits pains à 40 centimes pièce. Combien coûtent 15 petits pains ?",
                "Avec une remise de 10 % sur toute la commande, combien coûtent les 15 petits pains ?",
            ),
            "IT": (
                "Un forno vende panini a 40 centesimi l'uno. Quanto costano 15 panini?",
                "Con uno sconto del 10% sull'intero ordine, quanto costano i 15 panini?",
            ),
            "ES": (
                "Una panadería vende panecillos a 40 céntimos cada uno. ¿Cuánto cuestan 15 panecillos?",
                "Con un descuento del 10 % en todo el pedido, ¿cuánto cuestan los 15 panecillos?",
            ),
        },
    ),
    (
        5,
        "coding",
        {
            "EN": (
                "Write a Python function that returns the number of vowels in a string.",
                "Change the function so that it also counts upper-case vowels.",
            ),
            "DE": (
                "Schreiben Sie eine Python-Funktion, die die Anzahl der Vokale in einer Zeichenkette zurückgibt.",
                "Ändern Sie die Funktion so, dass sie auch Großbuchstaben-Vokale zählt.",
            ),
            "FR": (
                "Écrivez une fonction Python qui renvoie le nombre de voyelles d'une chaîne.",
                "Modifiez la fonction pour qu'elle compte aussi les voyelles majuscules.",
            ),
            "IT": (
                "Scriva una funzione Python che restituisca il numero di vocali in una stringa.",
                "Modifichi la funzione in modo che conti anche le vocali maiuscole.",
            ),
            "ES": (
                "Escriba una función de Python que devuelva el número de vocales de una cadena.",
                "Modifique la función para que también cuente las vocales en mayúscula.",
            ),
        },
    ),
    (
        6,
        "extraction",
        {
            "EN": (
                "From this sentence, list every city and its country: 'The tour starts in Lyon, France, stops in Turin, Italy, and ends in Graz, Austria.'",
                "Return the same list as JSON, one object per city with the keys city and country.",
            ),
            "DE": (
                "Nennen Sie aus diesem Satz jede Stadt mit ihrem Land: „Die Tour beginnt in Lyon, Frankreich, hält in Turin, Italien, und endet in Graz, Österreich.“",
                "Geben Sie dieselbe Liste als JSON zurück, ein Objekt pro Stadt mit den Schlüsseln city und country.",
            ),
            "FR": (
                "À partir de cette phrase, listez chaque ville et son pays : « La tournée commence à Lyon, en France, s'arrête à Turin, en Italie, et se termine à Graz, en Autriche. »",
                "Renvoyez la même liste en JSON, un objet par ville avec les clés city et country.",
            ),
            "IT": (
                "Da questa frase, elenchi ogni città con il suo paese: «Il tour parte da Lione, in Francia, fa tappa a Torino, in Italia, e termina a Graz, in Austria.»",
                "Restituisca lo stesso elenco in JSON, un oggetto per città con le chiavi city e country.",
            ),
            "ES": (
                "De esta frase, enumere cada ciudad y su país: «La gira empieza en Lyon, Francia, para en Turín, Italia, y termina en Graz, Austria».",
                "Devuelva la misma lista en JSON, un objeto por ciudad con las claves city y country.",
            ),
        },
    ),
    (
        7,
        "stem",
        {
            "EN": (
                "Explain in two or three sentences why the sky looks blue on a clear day.",
                "Why does the sky turn red and orange at sunset?",
            ),
            "DE": (
                "Erklären Sie in zwei oder drei Sätzen, warum der Himmel an einem klaren Tag blau aussieht.",
                "Warum färbt sich der Himmel bei Sonnenuntergang rot und orange?",
            ),
            "FR": (
                "Expliquez en deux ou trois phrases pourquoi le ciel paraît bleu par temps clair.",
                "Pourquoi le ciel devient-il rouge et orange au coucher du soleil ?",
            ),
            "IT": (
                "Spieghi in due o tre frasi perché il cielo appare blu in una giornata limpida.",
                "Perché al tramonto il cielo diventa rosso e arancione?",
            ),
            "ES": (
                "Explique en dos o tres frases por qué el cielo se ve azul en un día despejado.",
                "¿Por qué el cielo se vuelve rojo y naranja al atardecer?",
            ),
        },
    ),
    (
        8,
        "humanities",
        {
            "EN": (
                "What is the difference between a museum and an archive? Give one example of each.",
                "Which of the two would you visit to read a town's council minutes from 1900, and why?",
            ),
            "DE": (
                "Was ist der Unterschied zwischen einem Museum und einem Archiv? Nennen Sie je ein Beispiel.",
                "Welches der beiden würden Sie besuchen, um die Ratsprotokolle einer Stadt von 1900 zu lesen, und warum?",
            ),
            "FR": (
                "Quelle est la différence entre un musée et des archives ? Donnez un exemple de chacun.",
                "Lequel des deux visiteriez-vous pour lire les procès-verbaux du conseil municipal d'une ville de 1900, et pourquoi ?",
            ),
            "IT": (
                "Qual è la differenza tra un museo e un archivio? Faccia un esempio per ciascuno.",
                "Quale dei due visiterebbe per leggere i verbali del consiglio comunale di una città del 1900, e perché?",
            ),
            "ES": (
                "¿Cuál es la diferencia entre un museo y un archivo? Dé un ejemplo de cada uno.",
                "¿Cuál de los dos visitaría para leer las actas del ayuntamiento de una ciudad de 1900, y por qué?",
            ),
        },
    ),
]

# number, then per language: (reference for turn 1, reference for turn 2)
REFERENCES: list[tuple[int, dict[str, tuple[str, str]]]] = [
    (
        3,
        {
            "EN": (
                "Clara is the youngest: Anna > Ben > Clara.",
                "Anna is the oldest and Dan the youngest: Anna > Ben > Clara > Dan.",
            ),
            "DE": (
                "Clara ist die Jüngste: Anna > Ben > Clara.",
                "Anna ist die Älteste und Dan der Jüngste: Anna > Ben > Clara > Dan.",
            ),
            "FR": (
                "Clara est la plus jeune : Anna > Ben > Clara.",
                "Anna est la plus âgée et Dan le plus jeune : Anna > Ben > Clara > Dan.",
            ),
            "IT": (
                "Clara è la più giovane: Anna > Ben > Clara.",
                "Anna è la più grande e Dan il più giovane: Anna > Ben > Clara > Dan.",
            ),
            "ES": (
                "Clara es la más joven: Anna > Ben > Clara.",
                "Anna es la mayor y Dan el más joven: Anna > Ben > Clara > Dan.",
            ),
        },
    ),
    (
        4,
        {
            "EN": ("15 × 0.40 € = 6.00 €.", "6.00 € minus 10% (0.60 €) = 5.40 €."),
            "DE": ("15 × 0,40 € = 6,00 €.", "6,00 € minus 10 % (0,60 €) = 5,40 €."),
            "FR": ("15 × 0,40 € = 6,00 €.", "6,00 € moins 10 % (0,60 €) = 5,40 €."),
            "IT": ("15 × 0,40 € = 6,00 €.", "6,00 € meno il 10% (0,60 €) = 5,40 €."),
            "ES": ("15 × 0,40 € = 6,00 €.", "6,00 € menos el 10 % (0,60 €) = 5,40 €."),
        },
    ),
    (
        5,
        {
            lang: (
                f"```python\ndef count_vowels(text):\n    # {comment[0]}\n    return sum(1 for char in text if char in 'aeiou')\n```",
                f"```python\ndef count_vowels(text):\n    # {comment[1]}\n    return sum(1 for char in text.lower() if char in 'aeiou')\n```",
            )
            for lang, comment in {
                "EN": ("count the lower-case vowels", "lower-case first, so 'A' counts as 'a'"),
                "DE": (
                    "zählt die kleingeschriebenen Vokale",
                    "zuerst in Kleinbuchstaben, damit 'A' als 'a' zählt",
                ),
                "FR": (
                    "compte les voyelles minuscules",
                    "d'abord en minuscules, pour que 'A' compte comme 'a'",
                ),
                "IT": ("conta le vocali minuscole", "prima in minuscolo, così 'A' conta come 'a'"),
                "ES": (
                    "cuenta las vocales en minúscula",
                    "primero en minúsculas, para que 'A' cuente como 'a'",
                ),
            }.items()
        },
    ),
]

# Per language: the texts the judge prompts are assembled from.
PROMPT_TEXTS: dict[str, dict[str, str]] = {
    "EN": {
        "single": "You are a fair judge. Rate how well the assistant's answer to the user's question below helps the user: is it correct, useful, relevant, detailed and clear?",
        "pair": "You are a fair judge. Compare the answers of two assistants to the user's question below and decide which one helps the user more: which is more correct, useful, relevant, detailed and clear? Neither the order of the answers nor their length nor the assistants' names may sway you.",
        "reference": "A reference answer is given; compare with it and count every mistake.",
        "second": "Judge only the answer to the second question; the first exchange is context.",
        "single_format": 'First explain your rating briefly, then give it as a number from 1 to 10 in exactly this format: "[[rating]]", for example "Rating: [[6]]".',
        "pair_format": 'First explain briefly, then give your verdict in exactly this format: "[[A]]" if assistant A is better, "[[B]]" if assistant B is better, "[[C]]" for a tie.',
        "question": "Question",
        "answer": "Answer",
        "reference_answer": "Reference answer",
        "assistant": "Assistant",
        "user": "User",
        "conversation": "Conversation with assistant",
    },
    "DE": {
        "single": "Sie sind ein fairer Richter. Bewerten Sie, wie gut die Antwort des Assistenten auf die folgende Frage des Nutzers hilft: Ist sie richtig, nützlich, relevant, ausführlich und klar?",
        "pair": "Sie sind ein fairer Richter. Vergleichen Sie die Antworten zweier Assistenten auf die folgende Frage des Nutzers und entscheiden Sie, welche dem Nutzer mehr hilft: Welche ist richtiger, nützlicher, relevanter, ausführlicher und klarer? Weder die Reihenfolge der Antworten noch ihre Länge noch die Namen der Assistenten dürfen Sie beeinflussen.",
        "reference": "Eine Referenzantwort ist angegeben; vergleichen Sie mit ihr und zählen Sie jeden Fehler.",
        "second": "Bewerten Sie nur die Antwort auf die zweite Frage; der erste Austausch ist Kontext.",
        "single_format": 'Begründen Sie Ihre Bewertung zuerst kurz und geben Sie sie dann als Zahl von 1 bis 10 genau in diesem Format an: "[[rating]]", zum Beispiel "Bewertung: [[6]]".',
        "pair_format": 'Begründen Sie zuerst kurz und geben Sie dann Ihr Urteil genau in diesem Format an: "[[A]]", wenn Assistent A besser ist, "[[B]]", wenn Assistent B besser ist, "[[C]]" bei Gleichstand.',
        "question": "Frage",
        "answer": "Antwort",
        "reference_answer": "Referenzantwort",
        "assistant": "Assistent",
        "user": "Nutzer",
        "conversation": "Gespräch mit Assistent",
    },
    "FR": {
        "single": "Vous êtes un juge impartial. Évaluez dans quelle mesure la réponse de l'assistant à la question de l'utilisateur ci-dessous aide l'utilisateur : est-elle correcte, utile, pertinente, détaillée et claire ?",
        "pair": "Vous êtes un juge impartial. Comparez les réponses de deux assistants à la question de l'utilisateur ci-dessous et décidez laquelle aide le plus l'utilisateur : laquelle est la plus correcte, utile, pertinente, détaillée et claire ? Ni l'ordre des réponses, ni leur longueur, ni le nom des assistants ne doivent vous influencer.",
        "reference": "Une réponse de référence est fournie ; comparez avec elle et relevez chaque erreur.",
        "second": "Jugez uniquement la réponse à la seconde question ; le premier échange sert de contexte.",
        "single_format": 'Expliquez d\'abord brièvement votre note, puis donnez-la sous forme de nombre de 1 à 10 exactement dans ce format : "[[rating]]", par exemple "Note : [[6]]".',
        "pair_format": 'Expliquez d\'abord brièvement, puis donnez votre verdict exactement dans ce format : "[[A]]" si l\'assistant A est meilleur, "[[B]]" si l\'assistant B est meilleur, "[[C]]" en cas d\'égalité.',
        "question": "Question",
        "answer": "Réponse",
        "reference_answer": "Réponse de référence",
        "assistant": "Assistant",
        "user": "Utilisateur",
        "conversation": "Conversation avec l'assistant",
    },
    "IT": {
        "single": "Lei è un giudice imparziale. Valuti quanto la risposta dell'assistente alla domanda dell'utente qui sotto aiuta l'utente: è corretta, utile, pertinente, dettagliata e chiara?",
        "pair": "Lei è un giudice imparziale. Confronti le risposte di due assistenti alla domanda dell'utente qui sotto e decida quale aiuta di più l'utente: quale è più corretta, utile, pertinente, dettagliata e chiara? Né l'ordine delle risposte, né la loro lunghezza, né i nomi degli assistenti devono influenzarla.",
        "reference": "È fornita una risposta di riferimento; confronti con essa e conti ogni errore.",
        "second": "Valuti solo la risposta alla seconda domanda; il primo scambio è contesto.",
        "single_format": 'Prima spieghi brevemente la Sua valutazione, poi la indichi come numero da 1 a 10 esattamente in questo formato: "[[rating]]", per esempio "Valutazione: [[6]]".',
        "pair_format": 'Prima spieghi brevemente, poi dia il Suo verdetto esattamente in questo formato: "[[A]]" se l\'assistente A è migliore, "[[B]]" se l\'assistente B è migliore, "[[C]]" in caso di parità.',
        "question": "Domanda",
        "answer": "Risposta",
        "reference_answer": "Risposta di riferimento",
        "assistant": "Assistente",
        "user": "Utente",
        "conversation": "Conversazione con l'assistente",
    },
    "ES": {
        "single": "Usted es un juez imparcial. Valore en qué medida la respuesta del asistente a la pregunta del usuario que sigue ayuda al usuario: ¿es correcta, útil, pertinente, detallada y clara?",
        "pair": "Usted es un juez imparcial. Compare las respuestas de dos asistentes a la pregunta del usuario que sigue y decida cuál ayuda más al usuario: ¿cuál es más correcta, útil, pertinente, detallada y clara? Ni el orden de las respuestas, ni su longitud, ni los nombres de los asistentes deben influirle.",
        "reference": "Se da una respuesta de referencia; compare con ella y cuente cada error.",
        "second": "Valore solo la respuesta a la segunda pregunta; el primer intercambio es contexto.",
        "single_format": 'Primero explique brevemente su valoración y después dela como un número del 1 al 10 exactamente en este formato: "[[rating]]", por ejemplo "Valoración: [[6]]".',
        "pair_format": 'Primero explique brevemente y después dé su veredicto exactamente en este formato: "[[A]]" si el asistente A es mejor, "[[B]]" si el asistente B es mejor, "[[C]]" en caso de empate.',
        "question": "Pregunta",
        "answer": "Respuesta",
        "reference_answer": "Respuesta de referencia",
        "assistant": "Asistente",
        "user": "Usuario",
        "conversation": "Conversación con el asistente",
    },
}


def _section(title: str, body: str) -> str:
    return f"### {title}\n{body}\n"


def _template(texts: dict[str, str], *, pair: bool, reference: bool, multi_turn: bool) -> str:
    """The user message: the question(s), the reference (if any) and the answer(s)."""
    parts: list[str] = []
    if not multi_turn:
        parts.append(_section(texts["question"], "{question}"))
        if reference:
            parts.append(_section(texts["reference_answer"], "{ref_answer_1}"))
        if pair:
            parts.append(_section(f"{texts['assistant']} A", "{answer_a}"))
            parts.append(_section(f"{texts['assistant']} B", "{answer_b}"))
        else:
            parts.append(_section(texts["answer"], "{answer}"))
        return "\n".join(parts)
    if reference:
        ref = (
            f"{texts['user']}: {{question_1}}\n{texts['reference_answer']}: {{ref_answer_1}}\n"
            f"{texts['user']}: {{question_2}}\n{texts['reference_answer']}: {{ref_answer_2}}"
        )
        parts.append(_section(texts["reference_answer"], ref))
    for slot in ("_a", "_b") if pair else ("",):
        name = f"{texts['assistant']} {slot[-1].upper()}" if pair else texts["assistant"]
        dialogue = (
            f"{texts['user']}: {{question_1}}\n{name}: {{answer{slot}_1}}\n"
            f"{texts['user']}: {{question_2}}\n{name}: {{answer{slot}_2}}"
        )
        parts.append(
            _section(
                f"{texts['conversation']} {slot[-1].upper()}" if pair else texts["conversation"],
                dialogue,
            )
        )
    return "\n".join(parts)


def judge_prompts(lang: str) -> list[dict[str, str]]:
    """The eight prompts of one language, in FastChat's record format and names."""
    texts = PROMPT_TEXTS[lang]
    records = []
    for pair in (True, False):
        for reference in (False, True):
            for multi_turn in (False, True):
                if pair:
                    name = "pair-math-v1" if reference else "pair-v2"
                else:
                    name = "single-math-v1" if reference else "single-v1"
                name += "-multi-turn" if multi_turn else ""
                system = [texts["pair" if pair else "single"]]
                if reference:
                    system.append(texts["reference"])
                if multi_turn:
                    system.append(texts["second"])
                system.append(texts["pair_format" if pair else "single_format"])
                records.append(
                    {
                        "name": name,
                        "type": "pairwise" if pair else "single",
                        "system_prompt": " ".join(system),
                        "prompt_template": _template(
                            texts, pair=pair, reference=reference, multi_turn=multi_turn
                        ),
                        "description": f"{'Pairwise comparison' if pair else 'Single-answer grading'}"
                        f"{' with a reference answer' if reference else ''}"
                        f"{', second turn' if multi_turn else ''} (project sample, {lang})",
                        "category": "math" if reference else "general",
                        "output_format": "[[A]]" if pair else "[[rating]]",
                    }
                )
    return records


def _write(path: Path, records: list[dict[str, object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records)
    path.write_text(text, encoding="utf-8")


def write_sample(out: Path) -> None:
    """Write the sample folder (``mt_bench_<LANG>/...`` per language) under ``out``."""
    references = dict(REFERENCES)
    for lang in LANGS:
        root = out / f"mt_bench_{lang}"
        questions: list[dict[str, object]] = [
            {"question_id": f"{number}_{lang}", "category": category, "turns": list(turns[lang])}
            for number, category, turns in QUESTIONS
        ]
        _write(root / "question.jsonl", questions)
        answers: list[dict[str, object]] = [
            {
                "question_id": f"{number}_{lang}",
                "answer_id": f"sample-{number}-{lang}",
                "model_id": REFERENCE_SET,
                "choices": [{"index": 0, "turns": list(by_lang[lang])}],
                "tstamp": 0.0,
            }
            for number, by_lang in sorted(references.items())
        ]
        _write(root / "reference_answer" / f"{REFERENCE_SET}.jsonl", answers)
        _write(root / "judge_prompts.jsonl", list(judge_prompts(lang)))


if __name__ == "__main__":
    write_sample(Path(__file__).resolve().parent)
