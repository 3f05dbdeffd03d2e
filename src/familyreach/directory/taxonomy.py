"""Our early-years taxonomy, the delivery-method vocabulary, and how our categories map onto the
service categories of the DfE Family Hubs service directory.

Identifiers are UUID5 of a fixed namespace and the code, so every installation publishes the
same ids for the same terms and other directories can map them once. Our own taxonomies and
terms also get URIs under `settings.TAXONOMY_URI_BASE` (the deployment's ORUK API by default):
see `own_taxonomy_uri` and `own_term_uri`. Why and how we map to DfE's categories:
docs/decisions/0006-taxonomy-mapping-to-dfe.md.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

NAMESPACE = uuid.UUID("6f1c7c1e-3f0b-4d55-9f5e-2b7a0f0c9a11")

CATEGORY_TAXONOMY = "early-years"
DELIVERY_TAXONOMY = "delivery-method"
DFE_TAXONOMY = "dfe-family-hubs"
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


def own_taxonomy_uri(base: str, taxonomy_id: uuid.UUID) -> str:
    """A URI for one of our taxonomies: its own ORUK record when `base` is our API's root."""
    return f"{base.rstrip('/')}/taxonomies/{taxonomy_id}"


def own_term_uri(base: str, term_id: uuid.UUID) -> str:
    return f"{base.rstrip('/')}/taxonomy_terms/{term_id}"


# --- The DfE Family Hubs service directory's categories -------------------------------------
#
# Public data (names and ids only, no code) from DFE-Digital/fh-services, MIT licence,
# Copyright (c) 2023 Crown Copyright (Department for Education):
#   src/service/service-directory-api/src/FamilyHubs.ServiceDirectory.Data/Migrations/
#   20241111100056_SeedData.cs, `SeedTaxonomies` (unchanged since commit 32f20cb3, read at
#   9e1ca2ac, 2026-12).
# `dfe_id` is the row's id in their `Taxonomies` table: an identity column filled in the order
# the seed inserts the rows (their own e2e seed data relies on it: "ID 18, which is 'Money,
# benefits and housing'"). Names are what their "Find support for your family" and "Connect
# families to support" show; a consumer should match on the name and may use the id.
# `line` is the row's line in that file, so each term's URI opens the line that defines it.
DFE_SEED_COMMIT = "32f20cb35b01e75e8f6fa8c81338fc5b8399046d"
DFE_SEED_PATH = (
    "src/service/service-directory-api/src/FamilyHubs.ServiceDirectory.Data/Migrations/"
    "20241111100056_SeedData.cs"
)
DFE_TAXONOMY_URI = (
    f"https://github.com/DFE-Digital/fh-services/blob/{DFE_SEED_COMMIT}/{DFE_SEED_PATH}"
)
DFE_TAXONOMY_NAME = "DfE Family Hubs service directory"
DFE_TAXONOMY_DESCRIPTION = (
    "The service categories of the Department for Education's Family Hubs service directory "
    "(Find support for your family; Connect families to support), as seeded in "
    "DFE-Digital/fh-services. Every service is also filed under these, mapped from our own "
    "early-years categories, so a consumer that uses DfE's categories can file it."
)
DFE_TAXONOMY_VERSION = "fh-services 20241111100056_SeedData"


@dataclass(frozen=True)
class DfeCategory:
    dfe_id: int
    name: str
    parent_id: int | None
    line: int


_ACTIVITIES, _FAMILY, _HEALTH, _PREGNANCY, _SEND, _TRANSPORT = 1, 2, 3, 4, 5, 6

DFE_CATEGORIES: tuple[DfeCategory, ...] = (
    DfeCategory(1, "Activities, clubs and groups", None, 35),
    DfeCategory(2, "Family support", None, 36),
    DfeCategory(3, "Health", None, 37),
    DfeCategory(4, "Pregnancy, birth and early years", None, 38),
    DfeCategory(5, "Special educational needs and disabilities (SEND)", None, 39),
    DfeCategory(6, "Transport", None, 40),
    DfeCategory(7, "Activities", _ACTIVITIES, 44),
    DfeCategory(8, "Before and after school clubs", _ACTIVITIES, 45),
    DfeCategory(9, "Holiday clubs and schemes", _ACTIVITIES, 46),
    DfeCategory(10, "Music, arts and dance", _ACTIVITIES, 47),
    DfeCategory(11, "Parent, baby and toddler groups", _ACTIVITIES, 48),
    DfeCategory(12, "Pre-school playgroup", _ACTIVITIES, 49),
    DfeCategory(13, "Sports and recreation", _ACTIVITIES, 50),
    DfeCategory(14, "Bullying and cyber bullying", _FAMILY, 54),
    DfeCategory(15, "Debt and welfare advice", _FAMILY, 55),
    DfeCategory(16, "Domestic abuse", _FAMILY, 56),
    DfeCategory(17, "Intensive targeted family support", _FAMILY, 57),
    DfeCategory(18, "Money, benefits and housing", _FAMILY, 58),
    DfeCategory(19, "Parenting support", _FAMILY, 59),
    DfeCategory(20, "Reducing parental conflict", _FAMILY, 60),
    DfeCategory(21, "Separating and separated parent support", _FAMILY, 61),
    DfeCategory(22, "Stopping smoking", _FAMILY, 62),
    DfeCategory(23, "Substance misuse (including alcohol and drug)", _FAMILY, 63),
    DfeCategory(24, "Targeted youth support", _FAMILY, 64),
    DfeCategory(25, "Youth justice services", _FAMILY, 65),
    DfeCategory(26, "Hearing and sight", _HEALTH, 69),
    DfeCategory(27, "Mental health, social and emotional support", _HEALTH, 70),
    DfeCategory(28, "Nutrition and weight management", _HEALTH, 71),
    DfeCategory(29, "Oral health", _HEALTH, 72),
    DfeCategory(30, "Public health services", _HEALTH, 73),
    DfeCategory(31, "Birth registration", _PREGNANCY, 77),
    DfeCategory(32, "Early years language and learning", _PREGNANCY, 78),
    DfeCategory(33, "Health visiting", _PREGNANCY, 79),
    DfeCategory(34, "Infant feeding support (including breastfeeding)", _PREGNANCY, 80),
    DfeCategory(35, "Midwife and maternity", _PREGNANCY, 81),
    DfeCategory(
        36, "Perinatal mental health support (pregnancy to one year post birth)", _PREGNANCY, 82
    ),
    DfeCategory(37, "Autistic Spectrum Disorder (ASD)", _SEND, 86),
    DfeCategory(38, "Breaks and respite", _SEND, 87),
    DfeCategory(39, "Early years support", _SEND, 88),
    DfeCategory(40, "Groups for parents and carers of children with SEND", _SEND, 89),
    DfeCategory(41, "Hearing impairment", _SEND, 90),
    DfeCategory(42, "Learning difficulties and disabilities", _SEND, 91),
    DfeCategory(43, "Multi-sensory impairment", _SEND, 92),
    DfeCategory(44, "Other difficulties or disabilities", _SEND, 93),
    DfeCategory(45, "Physical disabilities", _SEND, 94),
    DfeCategory(46, "Social, emotional and mental health support", _SEND, 95),
    DfeCategory(47, "Speech, language and communication needs", _SEND, 96),
    DfeCategory(48, "Visual impairment", _SEND, 97),
    DfeCategory(49, "Community transport", _TRANSPORT, 101),
)

# THE MAPPING: each of our early-years categories (codes above) to the DfE sub-categories a
# service of that kind is filed under there, by DfE's exact names. DfE files services under
# sub-categories only (the parent follows from `parent_id`), so only sub-categories appear.
# Where ours spans two of theirs, both are given. Reasons: docs/decisions/0006.
CATEGORY_TO_DFE: dict[str, tuple[str, ...]] = {
    "stay-and-play": ("Parent, baby and toddler groups",),
    "baby-groups": ("Parent, baby and toddler groups",),
    "infant-feeding": ("Infant feeding support (including breastfeeding)",),
    "parenting": ("Parenting support",),
    "early-language": ("Early years language and learning",),
    "perinatal-mental-health": (
        "Perinatal mental health support (pregnancy to one year post birth)",
        "Mental health, social and emotional support",
    ),
    "send": ("Early years support",),
    "money-and-housing": ("Money, benefits and housing", "Debt and welfare advice"),
    "health-visiting": ("Health visiting",),
    "peer-support": ("Parenting support",),
    "family-support": ("Parenting support", "Intensive targeted family support"),
    "pregnancy": ("Midwife and maternity",),
}

_DFE_BY_NAME = {category.name: category for category in DFE_CATEGORIES}
_DFE_BY_ID = {category.dfe_id: category for category in DFE_CATEGORIES}


def dfe_code(category: DfeCategory) -> str:
    """Our term code for a DfE category: its DfE id, so `term`/`code` carry what DfE's own
    API filters on (`taxonomyIds=`)."""
    return str(category.dfe_id)


def dfe_parent(category: DfeCategory) -> DfeCategory | None:
    return _DFE_BY_ID[category.parent_id] if category.parent_id is not None else None


def dfe_term_uri(category: DfeCategory) -> str:
    return f"{DFE_TAXONOMY_URI}#L{category.line}"


def dfe_term_description(category: DfeCategory) -> str:
    parent = dfe_parent(category)
    if parent is None:
        return "A top-level service category of the DfE Family Hubs service directory."
    return f"A sub-category of '{parent.name}' in the DfE Family Hubs service directory."


def dfe_codes_for(category_codes: Iterable[str]) -> list[str]:
    """The DfE term codes our categories map to, each once, in DfE's order."""
    ids = {
        _DFE_BY_NAME[name].dfe_id
        for code in category_codes
        for name in CATEGORY_TO_DFE.get(code, ())
    }
    return [str(dfe_id) for dfe_id in sorted(ids)]
