"""Which user a person from the identity provider is: the provider's issuer and subject."""

from django.conf import settings
from django.db import models


class SsoIdentity(models.Model):
    """The provider's stable id for a person (`sub`, or Entra ID's `oid` in tenant `tid`),
    never the e-mail or user name, which the region may reassign."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sso_identity"
    )
    issuer = models.CharField("utfärdare", max_length=300)
    subject = models.CharField("id hos utfärdaren (sub)", max_length=255)
    # Entra ID: the person's object id in the tenant (`oid`, `tid`), the same for every app
    # registration, while `sub` differs per registration. Matched on these when present.
    tenant = models.CharField("organisation (tid)", max_length=100, blank=True)
    object_id = models.CharField("objekt-id (oid)", max_length=100, blank=True)
    last_login_at = models.DateTimeField("senaste inloggning", auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="unique_sso_subject"),
            models.UniqueConstraint(
                fields=["tenant", "object_id"],
                condition=~models.Q(object_id=""),
                name="unique_sso_object_id",
            ),
        ]
        verbose_name = "inloggning via identitetsleverantör"
        verbose_name_plural = "inloggningar via identitetsleverantör"

    def __str__(self):
        return f"{self.user} ({self.subject})"
