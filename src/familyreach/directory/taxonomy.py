"""Our early-years taxonomy and the delivery-method vocabulary.

Identifiers are UUID5 of a fixed namespace and the code, so every installation publishes the
same ids for the same terms and other directories can map them once.
"""

import uuid
from dataclasses import dataclass

NAMESPACE = uuid.UUID("6f1c7c1e-3f0b-4d55-9f5e-2b7a0f0c9a11")

CATEGORY_TAXONOMY = "early-years"
DELIVERY_TAXONOMY = "delivery-method"
# Who runs a service: one term so far, the peer-led mark community publishing attaches to an
# approved group's listing (/find shows it as a tag and filters on it). Its ids come from
# PROVIDER_NAMESPACE (set when community publishing first made it), not NAMESPACE.
PROVIDER_TAXONOMY = "provider-type"
PROVIDER_NAMESPACE = uuid.UUID("0b6a3f8e-5d27-4c1e-9a51-6c0e2f4d7b19")
RUN_BY_LOCAL_PARENTS_CODE = "run-by-local-parents"
RUN_BY_LOCAL_PARENTS = "Run by local parents"


@dataclass(frozen=True)
class TermSpec:
    code: str
    name: str
    description: str


TAXONOMIES: dict[str, tuple[str, str, tuple[TermSpec, ...]]] = {
    CATEGORY_TAXONOMY: (
        "Early years and family support",
        "familyreach's categories of support for families with children under five.",
        (
            TermSpec(
                "stay-and-play",
                "Stay and play",
                "Drop-in play sessions for babies, toddlers and their carers.",
            ),
            TermSpec(
                "baby-groups", "Baby groups", "Groups for parents and carers with babies under one."
            ),
            TermSpec(
                "infant-feeding",
                "Infant feeding",
                "Help with breastfeeding, bottle feeding and starting solid food.",
            ),
            TermSpec(
                "parenting",
                "Parenting",
                "Parenting courses and support with behaviour, sleep and routines.",
            ),
            TermSpec(
                "early-language",
                "Early language",
                "Talking, listening, books and rhymes to help children's speech and language.",
            ),
            TermSpec(
                "perinatal-mental-health",
                "Perinatal mental health",
                "Support for parents' emotional wellbeing during pregnancy and after birth.",
            ),
            TermSpec(
                "send",
                "Special educational needs and disabilities (SEND)",
                "Support for children with additional needs or disabilities and their families.",
            ),
            TermSpec(
                "money-and-housing",
                "Money and housing",
                "Advice on benefits, debt, work and housing.",
            ),
            TermSpec(
                "health-visiting",
                "Health visiting",
                "Health reviews and clinics run by health visitors.",
            ),
            TermSpec(
                "peer-support",
                "Peer support",
                "Groups and one-to-one support from parents who have been through it.",
            ),
            TermSpec(
                "family-support", "Family support", "One-to-one help from a family support worker."
            ),
            TermSpec(
                "pregnancy",
                "Pregnancy and birth",
                "Antenatal groups and support before the baby arrives.",
            ),
        ),
    ),
    DELIVERY_TAXONOMY: (
        "How it is delivered",
        "Whether a service is delivered in person, online, by phone or in the family's home.",
        (
            TermSpec(
                "in-person", "In person", "At a venue: a family base, library, school or hall."
            ),
            TermSpec("online", "Online", "By video call or online."),
            TermSpec("phone", "By phone", "By telephone."),
            TermSpec("home-visit", "Home visit", "In the family's home."),
        ),
    ),
}


def taxonomy_uuid(code: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"taxonomy:{code}")


def term_uuid(taxonomy_code: str, term_code: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"term:{taxonomy_code}:{term_code}")
