EXCELLENT_PROJECT = "excellent-project"
