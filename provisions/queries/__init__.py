"""Reads that pages share, beside the models: functions over the models' QuerySets, one module
per concept (articles, coverage, review, workspace, history, versions, members, audit).

Views, the context processor, feeds and the API call these and only orchestrate; a query module
imports no view (tests/test_structure.py). Reads that belong to one model's QuerySet stay there
(`Annotation.objects.visible_to(user)`, `Article.objects.for_rendering()`).
"""
