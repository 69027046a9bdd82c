"""Who password guessing may lock, and which attempts django-axes does not count.

Locks are per user name and address together (AXES_LOCKOUT_PARAMETERS): five refused
passwords behind a region's NAT or Citrix address lock that name there, not everyone else at
the address, and not the name everywhere. A break-glass account may use its password only
from BREAK_GLASS_NETWORKS (when set): an attempt from anywhere else is refused without being
counted, so nobody outside can lock it. Single sign-on refusals are the provider's business
and are never counted as failed passwords.
"""

import ipaddress

from django.conf import settings

from common.net import client_ip

from .roles import may_use_password


def parse_networks(networks) -> list:
    """BREAK_GLASS_NETWORKS as ip_network objects (ValueError for a malformed one)."""
    return [ipaddress.ip_network(str(network).strip(), strict=False) for network in networks]


def address_in(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in parse_networks(networks))


def break_glass_refused_here(request, username: str) -> bool:
    """A break-glass name tried from outside BREAK_GLASS_NETWORKS (when they are set)."""
    networks = settings.BREAK_GLASS_NETWORKS
    if not networks or username not in set(settings.BREAK_GLASS_USERS) or request is None:
        return False
    return not address_in(client_ip(request), networks)


def password_allowed(request, username: str) -> bool:
    """May this name sign in with a password, from this request's address?"""
    return may_use_password(
        username, local_login=settings.LOCAL_LOGIN, break_glass=settings.BREAK_GLASS_USERS
    ) and not break_glass_refused_here(request, username)


def not_counted(request, credentials) -> bool:
    """django-axes' AXES_WHITELIST_CALLABLE: attempts that neither count nor are locked.

    Only password attempts count. A break-glass name from outside its networks is refused by
    the password check itself (accounts.backends), so it needs no lock there.
    """
    credentials = credentials or {}
    if "password" not in credentials:
        return True
    return break_glass_refused_here(request, str(credentials.get("username") or ""))
