from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """A revocable API token. Only a SHA-256 of the token is stored, never the token itself.

    The token reads `ct_<prefix>.<secret>`. The prefix (8 hex digits) is kept in clear so that a
    token can be found without scanning every hash and named in the admin and in logs; the
    secret is 256 random bits, so a stolen database does not yield usable tokens.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text=_("What the token is for, e.g. 'dashboard'."))
    prefix = models.CharField(max_length=8, unique=True, editable=False)
    key_sha256 = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # Updated at most once a minute (see accounts.services), so a busy token does not write
    # on every request.
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(prefix__regex=r"^[0-9a-f]{8}$"), name="api_token_prefix_is_hex"
            ),
            models.CheckConstraint(
                condition=models.Q(key_sha256__regex=r"^[0-9a-f]{64}$"),
                name="api_token_key_sha256_is_hex",
            ),
        ]

    def __str__(self) -> str:
        state = " (revoked)" if self.revoked_at else ""
        return f"ct_{self.prefix}… {self.name} — {self.user}{state}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
