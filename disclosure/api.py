"""/api/v1/disclosure/: the public open-government resources, read-only."""
import django_filters
from rest_framework import permissions, serializers, viewsets

from disclosure import selectors
from disclosure.models import Policy, Question, Theme


class PolicyOutput(serializers.ModelSerializer):
    issuer = serializers.CharField(source="issuer.name")

    class Meta:
        model = Policy
        fields = ["id", "number", "title", "issuer", "issued_on", "effective_on", "expires_on", "theme", "text",
                  "interpretation_title", "interpretation"]
        read_only_fields = fields


class QuestionOutput(serializers.ModelSerializer):
    policy = serializers.SerializerMethodField(help_text="The document number of the published policy it rests on.")

    class Meta:
        model = Question
        fields = ["id", "question", "answer", "theme", "policy", "views", "helpful"]
        read_only_fields = fields

    def get_policy(self, question) -> str | None:
        # An unpublished policy (a draft, one withdrawn) is not named: its number is not public yet.
        return question.policy.number if question.policy is not None and question.policy.published else None


class ThemeFilter(django_filters.FilterSet):
    theme = django_filters.ChoiceFilter(choices=Theme.choices)
    q = django_filters.CharFilter(method="search")

    def search(self, queryset, name, value):
        fields = ["title", "number", "text", "interpretation"] if queryset.model is Policy else ["question", "answer"]
        return selectors.search(queryset, value[:100], fields)


class PolicyFilter(ThemeFilter):
    class Meta:
        model = Policy
        fields = ["theme", "q"]


class QuestionFilter(ThemeFilter):
    class Meta:
        model = Question
        fields = ["theme", "q"]


class PolicyViewSet(viewsets.ReadOnlyModelViewSet):
    """Published policy documents with their interpretations."""

    permission_classes = [permissions.AllowAny]
    serializer_class = PolicyOutput
    filterset_class = PolicyFilter
    lookup_value_regex = r"\d+"
    queryset = Policy.objects.filter(published=True).select_related("issuer").order_by("-issued_on", "id")


class QuestionViewSet(viewsets.ReadOnlyModelViewSet):
    """Policy Q&A, most asked first."""

    permission_classes = [permissions.AllowAny]
    serializer_class = QuestionOutput
    filterset_class = QuestionFilter
    lookup_value_regex = r"\d+"
    queryset = selectors.questions_most_asked(Question.objects.select_related("policy"))
