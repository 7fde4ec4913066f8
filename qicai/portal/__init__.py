"""The portal at ``/``: where staff, leaders and the public see the programme.

The admin stays the workbench for doing things; the portal shows: the dashboard of a round
(``dashboard``), the project directory and dossiers (``directory``, ``dossier``), the public
disclosure (``public``) and the sign-in pages (``accounts``). Every figure comes from the read
functions (``projects.selectors``, ``qicai.summaries``), every chart from ``qicai.charts``, every
amount and date through ``projects.formatting``.
"""
