"""The knowledge base (知识库): answers operators give on the phone and citizens read in the FAQ.

An article answers one question about one classification item or theme, in plain words, and names
the policy it rests on and the unit that owns it. It is valid between two dates: an expired article
is never offered to an operator nor shown to the public. When an operator closes a consultation on
the spot (直接办结) they cite the article they answered from (`Citation`), so the answer can be
checked and the article kept true.
"""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from disclosure.models import Policy, Theme


class Article(models.Model):
    title = models.CharField(_("question"), max_length=200)
    answer = models.TextField(_("answer"), help_text=_("The answer in plain words, as told to a caller."))
    policy_basis = models.TextField(_("policy basis"), blank=True,
                                    help_text=_("The law, regulation or policy the answer rests on."))
    classification = models.ForeignKey("org.Classification", verbose_name=_("classification item"),
                                       on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="articles")
    # The open-government themes (DOMAIN.md section 10), so the FAQ filters articles and policy Q&A alike.
    theme = models.CharField(_("theme"), max_length=50, blank=True, choices=Theme.choices)
    policy = models.ForeignKey(Policy, verbose_name=_("policy document"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="articles",
                               help_text=_("The published policy the answer rests on, if it is on this portal."))
    owner_unit = models.ForeignKey("org.HandlingUnit", verbose_name=_("owner unit"),
                                   on_delete=models.PROTECT, null=True, blank=True, related_name="articles")
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    is_public = models.BooleanField(_("public"), default=True,
                                    help_text=_("Public articles are the FAQ citizens search before filing."))
    # Counted once per visitor (lib/counting.py); "most asked" is selectors.articles_most_asked.
    views = models.PositiveIntegerField(_("views"), default=0, editable=False)
    helpful_votes = models.PositiveIntegerField(_("helpful votes"), default=0, editable=False)
    not_helpful_votes = models.PositiveIntegerField(_("not helpful votes"), default=0, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("knowledge-base article")
        verbose_name_plural = _("knowledge-base articles")
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(name="knowledge_article_valid_to_after_from",
                                   condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from"))),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("An article cannot expire before it is valid.")})
        if not self.classification_id and not self.theme:
            raise ValidationError({"classification": _("Attach the article to a classification item or a theme, "
                                                        "or both, so it can be found.")})

    def in_force(self, on) -> bool:
        return self.valid_from <= on and (self.valid_to is None or self.valid_to >= on)


class Citation(models.Model):
    """An operator answered a petition on the spot from this article."""
    petition = models.ForeignKey("petitions.Petition", verbose_name=_("petition"), on_delete=models.CASCADE,
                                 related_name="citations")
    article = models.ForeignKey(Article, verbose_name=_("article"), on_delete=models.PROTECT,
                                related_name="citations")
    cited_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("cited by"),
                                 on_delete=models.PROTECT, null=True, related_name="+")
    cited_at = models.DateTimeField(_("cited at"))

    class Meta:
        verbose_name = _("citation")
        verbose_name_plural = _("citations")
        constraints = [models.UniqueConstraint(fields=["petition", "article"], name="knowledge_citation_once")]

    def __str__(self):
        return f"{self.petition.number} · {self.article.title}"
