"""Pure rules: which roles a provider's groups give, and who may use a password."""

from collections.abc import Iterable, Mapping


def roles_from_groups(groups, role_groups: Mapping[str, Iterable[str]]) -> set[str]:
    """The role names whose configured provider groups the user is a member of.

    `groups` is the claim as the provider sent it: a list, a single string, or missing.
    Group names are compared exactly (Entra ID object ids and SITHS group names alike).
    """
    if groups is None:
        return set()
    if isinstance(groups, str):
        groups = [groups]
    member_of = {str(group) for group in groups}
    return {role for role, names in role_groups.items() if member_of & set(names)}


def may_use_password(username: str, *, local_login: bool, break_glass: Iterable[str]) -> bool:
    """Local passwords are for everyone while LOCAL_LOGIN is on, else only break-glass users."""
    return local_login or username in set(break_glass)
