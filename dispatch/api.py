"""/api/v1/ for the units, the dispatchers and the supervisors.

Object-level access is enforced by the querysets: a unit handler's
assignments are only their unit's (dispatch.selectors.unit_assignments), so
another unit's assignment is a 404 in lists and details alike. Each state
change has its own endpoint calling its service; no serializer writes a status.
"""
from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from dispatch import handling, review, selectors, services
from dispatch.models import (
    Assignment,
    AssignmentStatus,
    ExtensionRequest,
    PauseReason,
    Reply,
    ReturnRequest,
    Role,
)
from lib.drf import offset_in_range
from org.models import Classification, HandlingUnit
from org.permissions import STAFF_ROLES, HasRole, allow, is_unit_member
from petitions import privacy
from petitions.api_support import idempotent
from petitions.models import Petition, Satisfaction, Status
from supervision.models import CaseKind, CaseStatus, Level, SupervisionCase

# --- permissions --------------------------------------------------------------------------------------------

IsUnitHandler = allow(is_unit_member, "IsUnitHandler")


class IsDispatcher(permissions.BasePermission):
    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated
                    and request.user.has_perm("dispatch.dispatch_petitions"))


IsSupervisor = HasRole(*STAFF_ROLES)


# --- the units ----------------------------------------------------------------------------------------------

class PetitionForUnit(serializers.ModelSerializer):
    """The petition as a unit sees it: a confidential complainant is hidden."""

    area = serializers.CharField(source="area.name")
    classification = serializers.CharField(source="classification.name", default=None)
    complainant_name = serializers.SerializerMethodField()
    complainant_phone = serializers.SerializerMethodField()
    title = serializers.SerializerMethodField()
    content = serializers.SerializerMethodField()
    address = serializers.SerializerMethodField()

    class Meta:
        model = Petition
        fields = ["number", "status", "kind", "channel", "title", "content", "area", "address", "classification",
                  "received_at", "repeat_count", "complainant_name", "complainant_phone", "confidential"]

    def _shown(self, petition, text: str) -> str:
        # A confidential complainant's words reach the unit through the redactor (petitions.privacy).
        return privacy.shown_text(getattr(self.context.get("request"), "user", None), petition, text)

    def get_title(self, petition) -> str:
        return self._shown(petition, petition.title)

    def get_content(self, petition) -> str:
        return self._shown(petition, petition.content)

    def get_address(self, petition) -> str:
        return self._shown(petition, petition.address)

    def get_complainant_name(self, petition) -> str | None:
        return None if petition.confidential else petition.complainant_name

    def get_complainant_phone(self, petition) -> str | None:
        return None if petition.confidential else petition.complainant_phone


class AssignmentOutput(serializers.ModelSerializer):
    petition = PetitionForUnit()
    unit = serializers.CharField(source="unit.name")

    class Meta:
        model = Assignment
        fields = ["id", "petition", "unit", "role", "status", "round", "dispatched_at", "signed_at", "answered_at",
                  "sign_due_at", "handle_due_at", "warning", "extended_days", "paused_at", "answer"]
        read_only_fields = fields


class AssignmentFilter(django_filters.FilterSet):
    queue = django_filters.ChoiceFilter(choices=[(q, q) for q in selectors.QUEUES], method="filter_queue")
    status = django_filters.ChoiceFilter(choices=AssignmentStatus.choices)
    role = django_filters.ChoiceFilter(choices=Role.choices)
    warning = django_filters.CharFilter()

    class Meta:
        model = Assignment
        fields = ["queue", "status", "role", "warning"]

    def filter_queue(self, queryset, name, value):
        return queryset & selectors.unit_queue(self.request.user, value)


class NoteInput(serializers.Serializer):
    note = serializers.CharField(max_length=2000)


class AnswerInput(serializers.Serializer):
    content = serializers.CharField(max_length=5000)
    solved = serializers.BooleanField(default=True)


class ReturnInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)
    suggested_unit = serializers.SlugRelatedField(slug_field="code", queryset=HandlingUnit.objects.filter(is_active=True),
                                                  required=False, allow_null=True)


class ExtensionInput(serializers.Serializer):
    days = serializers.IntegerField(min_value=1, max_value=handling.MAX_EXTENSION_DAYS)
    reason = serializers.CharField(max_length=2000)


class WaitInput(serializers.Serializer):
    # Why the clock stops, from a fixed list (docs/supervision.md); "other" needs the reason in words.
    code = serializers.ChoiceField(choices=PauseReason.choices, default=PauseReason.OTHER)
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class Empty(serializers.Serializer):
    pass


class AssignmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A unit's own assignments, and what it does with them."""

    lookup_value_regex = r"\d+"  # ids are numbers: anything else is a 404 at the URL

    serializer_class = AssignmentOutput
    permission_classes = [IsUnitHandler]
    filterset_class = AssignmentFilter

    def get_queryset(self):
        return selectors.unit_assignments(self.request.user).order_by("-dispatched_at")

    def _act(self, request, perform, input_class=None):
        assignment = self.get_object()
        data = {}
        if input_class is not None:
            serializer = input_class(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
        perform(assignment, request.user, data)
        return Response(AssignmentOutput(self.get_queryset().get(pk=assignment.pk), context={"request": request}).data)

    @extend_schema(request=Empty, responses=AssignmentOutput)
    @action(detail=True, methods=["post"])
    @idempotent
    def sign(self, request, pk=None):
        return self._act(request, lambda a, u, d: handling.assignment_sign(assignment=a, actor=u))

    @extend_schema(request=NoteInput, responses=AssignmentOutput)
    @action(detail=True, methods=["post"])
    @idempotent
    def contact(self, request, pk=None):
        return self._act(request, lambda a, u, d: handling.assignment_record_contact(assignment=a, actor=u, note=d["note"]),
                         NoteInput)

    @extend_schema(request=AnswerInput, responses=AssignmentOutput)
    @action(detail=True, methods=["post"])
    @idempotent
    def answer(self, request, pk=None):
        return self._act(request, lambda a, u, d: handling.assignment_answer(assignment=a, actor=u, **d), AnswerInput)

    @extend_schema(request=ReturnInput, responses=AssignmentOutput)
    @action(detail=True, methods=["post"], url_path="return")
    @idempotent
    def request_return(self, request, pk=None):
        return self._act(request, lambda a, u, d: handling.assignment_request_return(assignment=a, actor=u, **d),
                         ReturnInput)

    @extend_schema(request=ExtensionInput, responses=AssignmentOutput)
    @action(detail=True, methods=["post"])
    @idempotent
    def extension(self, request, pk=None):
        return self._act(request, lambda a, u, d: handling.assignment_request_extension(assignment=a, actor=u, **d),
                         ExtensionInput)

    @extend_schema(request=WaitInput, responses=AssignmentOutput)
    @action(detail=True, methods=["post"])
    def wait(self, request, pk=None):
        return self._act(request, lambda a, u, d: handling.assignment_wait_for_citizen(assignment=a, actor=u, **d),
                         WaitInput)

    @extend_schema(request=Empty, responses=AssignmentOutput)
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        return self._act(request, lambda a, u, d: handling.assignment_resume(assignment=a, actor=u))


# --- the dispatchers -------------------------------------------------------------------------------------------

class QueueItemOutput(serializers.ModelSerializer):
    area = serializers.CharField(source="area.name")
    classification = serializers.CharField(source="classification.name", default=None)
    complainant_phone = serializers.CharField()

    class Meta:
        model = Petition
        fields = ["id", "number", "status", "channel", "kind", "title", "content", "area", "classification",
                  "received_at", "repeat_count", "complainant_phone", "confidential"]
        read_only_fields = fields

    def to_representation(self, petition):
        data = super().to_representation(petition)
        request = self.context.get("request")
        if not privacy.sees_identity(getattr(request, "user", None), petition):
            # A dispatcher outside the hotline platform reads a confidential petition as the admin shows it to them.
            data["title"] = privacy.redact_petition(petition, petition.title)
            data["content"] = privacy.redact_petition(petition, petition.content)
            data["complainant_phone"] = ""
        return data


class SafeIsoDateTimeField(django_filters.fields.IsoDateTimeField):
    def to_python(self, value):
        moment = super().to_python(value)
        if not offset_in_range(moment):
            raise ValidationError(_("The time zone offset is out of range."))
        return moment


class SafeIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = SafeIsoDateTimeField


class PetitionFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Status.choices)
    received_after = SafeIsoDateTimeFilter(field_name="received_at", lookup_expr="gte")
    received_before = SafeIsoDateTimeFilter(field_name="received_at", lookup_expr="lt")

    class Meta:
        model = Petition
        fields = ["status", "channel", "kind"]


def _unit_field(**kwargs):
    return serializers.SlugRelatedField(slug_field="code", queryset=HandlingUnit.objects.filter(is_active=True), **kwargs)


class RedispatchInput(serializers.Serializer):
    lead_unit = _unit_field()
    co_units = _unit_field(many=True, required=False)
    reason = serializers.CharField(max_length=1000)
    expected_status = serializers.ChoiceField(choices=Status.choices, required=False,
                                              help_text="The status you saw: refused with 409 if it changed.")


class StreetInput(serializers.Serializer):
    unit = _unit_field()
    reason = serializers.CharField(max_length=1000)
    expected_status = serializers.ChoiceField(choices=Status.choices, required=False)


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)


class MergeInput(serializers.Serializer):
    into = serializers.SlugRelatedField(slug_field="number", queryset=Petition.objects.all())
    duplicate = serializers.BooleanField(default=False)
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class ClassifyInput(serializers.Serializer):
    classification = serializers.SlugRelatedField(slug_field="code",
                                                  queryset=Classification.objects.filter(is_active=True, is_leaf=True))
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class CallbackInput(serializers.Serializer):
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices)
    solved = serializers.BooleanField()
    comment = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class DecisionInput(serializers.Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class ReturnDecisionInput(DecisionInput):
    new_lead = _unit_field(required=False, allow_null=True)


class ReviewInput(DecisionInput):
    public_answer = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class DispatchViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The dispatcher's queue and every dispatch decision."""

    lookup_value_regex = r"\d+"  # ids are numbers: anything else is a 404 at the URL

    serializer_class = QueueItemOutput
    permission_classes = [IsDispatcher]
    filterset_class = PetitionFilter

    def get_queryset(self):
        if self.action == "list":
            return selectors.dispatcher_queue().select_related("area", "classification").order_by("received_at")
        return Petition.objects.select_related("area", "classification")

    def _act(self, request, perform, input_class=None):
        petition = self.get_object()
        data = {}
        if input_class is not None:
            serializer = input_class(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
        perform(petition, request.user, data)
        petition.refresh_from_db()
        return Response(QueueItemOutput(petition, context={"request": request}).data)

    @extend_schema(request=Empty, responses=QueueItemOutput)
    @action(detail=True, methods=["post"], url_path="dispatch")
    @idempotent
    def dispatch_by_catalog(self, request, pk=None):
        return self._act(request, lambda p, u, d: services.dispatch_petition(petition=p, actor=u, mode="auto"))

    @extend_schema(request=Empty, responses=QueueItemOutput)
    @action(detail=True, methods=["post"])
    @idempotent
    def confirm(self, request, pk=None):
        return self._act(request, lambda p, u, d: services.dispatch_confirm(petition=p, actor=u))

    @extend_schema(request=RedispatchInput, responses=QueueItemOutput)
    @action(detail=True, methods=["post"])
    @idempotent
    def redispatch(self, request, pk=None):
        return self._act(request, lambda p, u, d: services.dispatch_redispatch(
            petition=p, lead_unit=d["lead_unit"], co_units=d.get("co_units", []), actor=u, reason=d["reason"],
            expected=[d["expected_status"]] if d.get("expected_status") else None), RedispatchInput)

    @extend_schema(request=StreetInput, responses=QueueItemOutput)
    @action(detail=True, methods=["post"])
    @idempotent
    def street(self, request, pk=None):
        return self._act(request, lambda p, u, d: services.dispatch_direct_to_street(
            petition=p, unit=d["unit"], actor=u, reason=d["reason"],
            expected=[d["expected_status"]] if d.get("expected_status") else None), StreetInput)

    @extend_schema(request=ReasonInput, responses=QueueItemOutput)
    @action(detail=True, methods=["post"])
    @idempotent
    def consultation(self, request, pk=None):
        return self._act(request, lambda p, u, d: services.dispatch_to_consultation(petition=p, actor=u, **d),
                         ReasonInput)

    @extend_schema(request=MergeInput, responses=QueueItemOutput)
    @action(detail=True, methods=["post"])
    @idempotent
    def merge(self, request, pk=None):
        return self._act(request, lambda p, u, d: services.dispatch_merge(petition=p, actor=u, **d), MergeInput)

    @extend_schema(request=ClassifyInput, responses=QueueItemOutput)
    @action(detail=True, methods=["post"])
    @idempotent
    def classify(self, request, pk=None):
        return self._act(request, lambda p, u, d: services.dispatch_classify(
            petition=p, classification=d["classification"], actor=u, reason=d["reason"]), ClassifyInput)

    @extend_schema(request=CallbackInput, responses=QueueItemOutput)
    @action(detail=True, methods=["post"])
    @idempotent
    def callback(self, request, pk=None):
        return self._act(request, lambda p, u, d: review.callback_record(petition=p, actor=u, **d), CallbackInput)


class DecisionViewSet(viewsets.GenericViewSet):
    """Units' return and extension requests, and lead answers under review."""

    lookup_value_regex = r"\d+"  # ids are numbers: anything else is a 404 at the URL

    permission_classes = [IsDispatcher]
    serializer_class = Empty
    queryset = Petition.objects.none()

    def _decide(self, request, model, input_class, perform, pk):
        serializer = input_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = perform(get_object_or_404(model, pk=pk), request.user, serializer.validated_data)
        return Response({"id": result.pk, "status": getattr(result, "status", None) or result.review})

    @extend_schema(request=ReturnDecisionInput, responses={200: Empty})
    @action(detail=True, methods=["post"], url_path="return")
    @idempotent
    def decide_return(self, request, pk=None):
        return self._decide(request, ReturnRequest, ReturnDecisionInput,
                            lambda item, u, d: review.return_decide(request=item, actor=u, **d), pk)

    @extend_schema(request=DecisionInput, responses={200: Empty})
    @action(detail=True, methods=["post"])
    @idempotent
    def extension(self, request, pk=None):
        return self._decide(request, ExtensionRequest, DecisionInput,
                            lambda item, u, d: review.extension_decide(request=item, actor=u, **d), pk)

    @extend_schema(request=ReviewInput, responses={200: Empty})
    @action(detail=True, methods=["post"])
    @idempotent
    def review(self, request, pk=None):
        return self._decide(request, Reply, ReviewInput,
                            lambda item, u, d: review.reply_review(reply=item, actor=u, **d), pk)


# --- the supervisors -------------------------------------------------------------------------------------------

class CaseOutput(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit.name", default=None)
    notices = serializers.SerializerMethodField()

    class Meta:
        model = SupervisionCase
        fields = ["id", "reference", "title", "kind", "level", "status", "unit", "opened_at", "escalate_at",
                  "closed_at", "notices"]
        read_only_fields = fields

    def get_notices(self, case) -> list[dict]:
        return [{"level": n.level, "sent_at": n.sent_at, "reply_due_at": n.reply_due_at,
                 "replied_at": n.replied_at, "reply_overdue": n.reply_overdue_at is not None}
                for n in case.notices.all()]


class CaseFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=Level.choices)
    kind = django_filters.ChoiceFilter(choices=CaseKind.choices)
    status = django_filters.ChoiceFilter(choices=CaseStatus.choices)
    unit = django_filters.CharFilter(field_name="unit__code")

    class Meta:
        model = SupervisionCase
        fields = ["level", "kind", "status", "unit"]


class SupervisionCaseViewSet(viewsets.ReadOnlyModelViewSet):
    """The supervision pool."""

    lookup_value_regex = r"\d+"  # ids are numbers: anything else is a 404 at the URL

    serializer_class = CaseOutput
    permission_classes = [IsSupervisor]
    filterset_class = CaseFilter

    def get_queryset(self):
        return SupervisionCase.objects.select_related("unit").prefetch_related("notices").order_by("-level", "opened_at")
