"""Public reference facts used by the report: the 23 objectives, the round-table clusters, the
Migration MPTF's thematic areas. Public UN facts (from the UN texts the project's shared reference
cites), not our data."""

# (official title, short label)
OBJECTIVES = {
    1: ("Collect and utilize accurate and disaggregated data as a basis for evidence-based policies", "Data"),
    2: (
        "Minimize the adverse drivers and structural factors that compel people to leave their country of origin",
        "Minimize adverse drivers",
    ),
    3: ("Provide accurate and timely information at all stages of migration", "Information provision"),
    4: (
        "Ensure that all migrants have proof of legal identity and adequate documentation",
        "Legal identity and documentation",
    ),
    5: ("Enhance availability and flexibility of pathways for regular migration", "Regular pathways"),
    6: (
        "Facilitate fair and ethical recruitment and safeguard conditions that ensure decent work",
        "Recruitment and decent work",
    ),
    7: ("Address and reduce vulnerabilities in migration", "Reduce vulnerabilities"),
    8: ("Save lives and establish coordinated international efforts on missing migrants", "Save lives"),
    9: ("Strengthen the transnational response to smuggling of migrants", "Counter smuggling"),
    10: (
        "Prevent, combat and eradicate trafficking in persons in the context of international migration",
        "Eradicate trafficking",
    ),
    11: ("Manage borders in an integrated, secure and coordinated manner", "Manage borders"),
    12: (
        "Strengthen certainty and predictability in migration procedures for appropriate screening, assessment "
        "and referral",
        "Screening and referral",
    ),
    13: (
        "Use migration detention only as a measure of last resort and work towards alternatives",
        "Alternatives to detention",
    ),
    14: (
        "Enhance consular protection, assistance and cooperation throughout the migration cycle",
        "Consular protection",
    ),
    15: ("Provide access to basic services for migrants", "Access to basic services"),
    16: (
        "Empower migrants and societies to realize full inclusion and social cohesion",
        "Inclusion and social cohesion",
    ),
    17: (
        "Eliminate all forms of discrimination and promote evidence-based public discourse to shape perceptions "
        "of migration",
        "Eliminate discrimination",
    ),
    18: (
        "Invest in skills development and facilitate mutual recognition of skills, qualifications and competences",
        "Skills development and recognition",
    ),
    19: (
        "Create conditions for migrants and diasporas to fully contribute to sustainable development in all countries",
        "Migrant and diaspora contributions",
    ),
    20: (
        "Promote faster, safer and cheaper transfer of remittances and foster financial inclusion of migrants",
        "Remittances",
    ),
    21: (
        "Cooperate in facilitating safe and dignified return and readmission, as well as sustainable reintegration",
        "Dignified return and reintegration",
    ),
    22: (
        "Establish mechanisms for the portability of social security entitlements and earned benefits",
        "Social protection",
    ),
    23: (
        "Strengthen international cooperation and global partnerships for safe, orderly and regular migration",
        "International cooperation",
    ),
}

# The four clusters of objectives used by the reviews and the Forum's round tables.
CLUSTERS = {
    "RT1": ("Voluntary, orderly and regular migration", (2, 5, 6, 12, 18)),
    "RT2": ("Rights-based border governance", (4, 8, 9, 10, 11, 13, 21)),
    "RT3": ("Integration and contribution to development", (14, 15, 16, 19, 20, 22)),
    "RT4": ("Data, evidence-based policy and international cooperation", (1, 3, 7, 17, 23)),
}
CLUSTER_OF = {objective: cluster for cluster, (_title, objectives) in CLUSTERS.items() for objective in objectives}
assert sorted(CLUSTER_OF) == sorted(OBJECTIVES), "every objective belongs to exactly one cluster"

THEMATIC_AREAS = {
    1: "Fact-based and data-driven migration discourse, policy and planning",
    2: "Protecting the human rights, safety and well-being of migrants",
    3: "Addressing irregular migration, including through managing borders",
    4: "Facilitating regular migration, decent work and development effects of mobility",
    5: "Improving the social inclusion and integration of migrants",
}
# The reference marks the names unverified: wherever they are shown, this note goes with them.
THEMATIC_AREAS_NOTE = "The names of the thematic areas are unverified and must be checked before publication."
