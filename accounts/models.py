"""Which user a person from the identity provider is: the provider's issuer and subject."""

from django.conf import settings
from django.db import models


class SsoIdentity(models.Model):
    """The provider's stable id for a person (`sub`), never the e-mail or user name, which
    the region may reassign."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sso_identity"
    )
    issuer = models.CharField("utfärdare", max_length=300)
    subject = models.CharField("id hos utfärdaren (sub)", max_length=255)
    last_login_at = models.DateTimeField("senaste inloggning", auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="unique_sso_subject")
        ]
        verbose_name = "inloggning via identitetsleverantör"
        verbose_name_plural = "inloggningar via identitetsleverantör"

    def __str__(self):
        return f"{self.user} ({self.subject})"
