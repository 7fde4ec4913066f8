"""The role groups. Their names are data (created by migration 0002) and never change."""

COMMITTEE = "社工委"
CIVIL_AFFAIRS = "民政/社工办"
ASSOCIATION = "协会管理员"
IMPLEMENTING_UNIT = "实施单位"
EVALUATOR = "评估专家"

ALL_ROLES = (COMMITTEE, CIVIL_AFFAIRS, ASSOCIATION, IMPLEMENTING_UNIT, EVALUATOR)
