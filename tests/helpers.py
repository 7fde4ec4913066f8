# The management forms of every inline on the project page, for posting the project form by hand.
PROJECT_INLINES = ["audit_entries", "budget_lines", "social_funds", "instalments", "agreements", "evaluations", "awards"]
EMPTY_PROJECT_INLINES = {
    key: "0" for prefix in PROJECT_INLINES for key in (f"{prefix}-TOTAL_FORMS", f"{prefix}-INITIAL_FORMS")
}
