"""/api/v1/: every app's endpoints under one version prefix."""
from django.urls import include, path
from django.utils.translation import gettext as _
from rest_framework import serializers, status
from rest_framework.authtoken import views as token_views
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from disclosure import api as disclosure_api
from dispatch import api as dispatch_api
from evaluation.api import MetricsView
from org.login_guard import login_refused
from org.views import DeadlineView
from petitions import api as petitions_api

class BoundedAuthTokenSerializer(AuthTokenSerializer):
    # Bounded like the user model's fields, so an absurd username is a 400, not a database error.
    username = serializers.CharField(label="Username", max_length=150, write_only=True)
    password = serializers.CharField(label="Password", max_length=128, style={"input_type": "password"},
                                     trim_whitespace=False, write_only=True)


class TokenView(token_views.ObtainAuthToken):
    serializer_class = BoundedAuthTokenSerializer

    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            # A locked login is not a bad request: say so, as the login page does (429).
            username = request.data.get("username", "") if hasattr(request.data, "get") else ""
            # A username the serializer refused for a NUL byte never reaches axes' lockout query (PostgreSQL refuses
            # NUL in text: a 500); the field error below says what is wrong with it.
            if "\x00" not in str(username) and login_refused(request, str(username)[:150]):
                return Response({"detail": _("Too many failed logins from your connection or for this account. "
                                             "Try again later, or ask the platform administrator."),
                                 "code": "login_locked"},
                                status=status.HTTP_429_TOO_MANY_REQUESTS)
            raise ValidationError(serializer.errors)
        token, _created = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})


router = DefaultRouter()
router.register("assignments", dispatch_api.AssignmentViewSet, basename="assignment")
router.register("dispatch/petitions", dispatch_api.DispatchViewSet, basename="dispatch-petition")
router.register("dispatch/decisions", dispatch_api.DecisionViewSet, basename="dispatch-decision")
router.register("supervision/cases", dispatch_api.SupervisionCaseViewSet, basename="supervision-case")
router.register("disclosure/policies", disclosure_api.PolicyViewSet, basename="policy")
router.register("disclosure/questions", disclosure_api.QuestionViewSet, basename="question")

urlpatterns = [
    path("calendar/deadline", DeadlineView.as_view(), name="api-calendar-deadline"),
    path("metrics/", MetricsView.as_view(), name="api-metrics"),
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("petitions/", petitions_api.PetitionFileView.as_view(), name="api-petition-file"),
    path("petitions/track/", petitions_api.PetitionTrackView.as_view(), name="api-petition-track"),
    path("petitions/<str:number>/rating/", petitions_api.PetitionRateView.as_view(), name="api-petition-rate"),
    path("", include(router.urls)),
]
