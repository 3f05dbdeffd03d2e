"""How long the consultation analysis, report counts and CSV export take for a large response.

Norfolk's real consultation had thousands of responses. This builds SIMULATED responses
(bulk-inserted, seeded) in an in-memory SQLite database and times the reads staff wait for.
Prints figures; asserts nothing about speed.
"""

import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "familyreach.config.settings.test")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

RESPONSE_COUNTS = tuple(int(n) for n in os.environ.get("BENCH_COUNTS", "1000,5000").split(","))


def main() -> None:
    call_command("migrate", verbosity=0)
    from familyreach.consult import selectors, services
    from familyreach.consult.exports import export_csv
    from familyreach.consult.models import AGREE_SCALE, Answer, QuestionKind, Response

    for count in RESPONSE_COUNTS:
        now = timezone.now()
        consultation = services.consultation_create(
            title=f"Benchmark {count}",
            slug=f"benchmark-{count}",
            summary="Simulated",
            proposal="Simulated",
            opens_at=now - timedelta(days=30),
            closes_at=now + timedelta(days=30),
        )
        kinds = (
            (QuestionKind.SINGLE_CHOICE, ["A", "B", "C", "D"]),
            (QuestionKind.AGREE_SCALE, []),
            (QuestionKind.AGREE_SCALE, []),
            (QuestionKind.MULTIPLE_CHOICE, ["W", "X", "Y", "Z"]),
            (QuestionKind.FREE_TEXT, []),
            (QuestionKind.FREE_TEXT, []),
        )
        questions = [
            services.question_create(
                consultation=consultation,
                kind=kind,
                text=f"Question {index}",
                section="S",
                position=index,
                choices=choices,
            )
            for index, (kind, choices) in enumerate(kinds)
        ]
        generator = random.Random(count)
        responses = Response.objects.bulk_create(
            Response(
                consultation=consultation,
                reference=f"BM-{count}-{index}",
                state="submitted",
                channel=generator.choice(["online", "paper"]),
                submitted_at=now,
                respondent_type=generator.choice(["parent", "professional", "organisation"]),
                imd_decile=generator.randint(1, 10),
                is_simulated=True,
            )
            for index in range(count)
        )
        scale = [value for value, _label in AGREE_SCALE]
        answers = []
        for response in responses:
            for question in questions:
                answer = Answer(response=response, question=question)
                if question.kind == QuestionKind.SINGLE_CHOICE:
                    answer.choice = generator.choice(question.choices)
                elif question.kind == QuestionKind.AGREE_SCALE:
                    answer.choice = generator.choice(scale)
                elif question.kind == QuestionKind.MULTIPLE_CHOICE:
                    answer.choices = generator.sample(question.choices, 2)
                else:
                    answer.text = "Simulated free text about buses and bases. " * 3
                answers.append(answer)
        Answer.objects.bulk_create(answers, batch_size=5_000)

        started = time.perf_counter()
        loaded = selectors.responses_for_analysis(consultation=consultation)
        analysis = selectors.analysis_build(consultation=consultation, responses=loaded)
        cross = [
            selectors.question_cross_table(question, loaded, "imd_decile")
            for question, _table in analysis.question_tables
        ]
        analysed = time.perf_counter() - started
        started = time.perf_counter()
        csv_text = export_csv(consultation)
        exported = time.perf_counter() - started
        print(
            f"{count:>6,} responses ({len(answers):,} answers): analysis page counts "
            f"{analysed:.2f} s ({len(cross)} cross-tables), CSV export {exported:.2f} s "
            f"({len(csv_text) / 1e6:.1f} MB)"
        )


if __name__ == "__main__":
    main()
