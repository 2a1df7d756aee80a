"""The catalog service: datasets, resources, organizations, groups, users, tokens, activity.

Plain Python with no HTTP inside. Every function takes a ``Context`` (session, caller, settings)
and CKAN-shaped dicts, and returns CKAN-shaped dicts, so the Action API is a thin shell over it.
"""
