"""The programme's own knowledge: its members, its events, the advisor's field notes.

The Gers chamber of commerce's programme has settled hundreds of professionals in
its villages; what it knows of them is its own and partly personal. This package
holds it as three sources of the store, imported by the advisor and never
published with the project:

- :mod:`~relocate.programme.members`: the members (commune, trade, year of
  arrival, household size, consent to be contacted, and contact details for
  those who consented); features ``members_within_<N>min`` and
  ``trade_members_within_<N>min``;
- :mod:`~relocate.programme.events`: the programme's events (breakfasts,
  workshops, after-works), from CSV or iCalendar; the upcoming ones near a
  village;
- :mod:`~relocate.programme.notes`: what the advisor learns on a visit, with who,
  when and until when; features ``note_<key>`` for the numeric and yes/no keys.

Their editions are readable by the user only (:mod:`~relocate.programme._private`).
What households see of the members goes through :mod:`~relocate.programme.privacy`
(counts of at least ``Settings.min_members_shown``, never a name, a year or a
household size); the advisor's own view lists the consenting members.
:mod:`~relocate.programme.learn` fits, on where the members settled, the profile
that best explains their choices.

The package sits with the sources (the registry lists its three sources);
``learn`` sits on scoring. Nothing is imported here, so that the registry loads
only the sources' modules.
"""
