"""API: the plan's targets with the threshold for the year, the value and whether it is met."""
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from django.utils.translation import gettext as _
from rest_framework import generics, permissions, serializers
from rest_framework.exceptions import NotFound

from xaso.plan import selectors as plan_selectors

from . import selectors
from .models import Target


class TargetStatusSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="target.id")
    code = serializers.CharField(source="target.code")
    name = serializers.CharField(source="target.name")
    source = serializers.CharField(source="target.source", help_text="Where the target is stated in the plan.")
    method = serializers.ChoiceField(source="target.method", choices=Target.Method.choices)
    comparison = serializers.ChoiceField(source="target.comparison", choices=Target.Comparison.choices)
    unit_of_measure = serializers.CharField(source="target.unit_of_measure")
    year = serializers.IntegerField()
    period = serializers.SerializerMethodField()
    threshold = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)
    threshold_origin = serializers.CharField()
    value = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True, help_text="Measured or reported value; null = no data yet.")
    met = serializers.BooleanField(allow_null=True)
    value_source = serializers.CharField(source="source")

    def get_period(self, obj) -> str:
        return self.context["period"].code


class TargetList(generics.ListAPIView):
    serializer_class = TargetStatusSerializer
    permission_classes = [permissions.IsAuthenticated]

    def _period(self):
        plan = plan_selectors.plans_for(self.request.user).first()
        if plan is None:
            raise NotFound(_("No reform plan has been imported for your commune yet."))
        code = self.request.query_params.get("period") or self.request.query_params.get("year")
        period = plan_selectors.period_by_code(plan, code) if code else plan_selectors.current_period(plan, kind="year")
        if period is None:
            raise NotFound(_("No such reporting period."))
        return plan, period

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):
            context["period"] = self._period()[1]
        return context

    @extend_schema(
        summary="Targets of the reform plan",
        tags=["plan"],
        parameters=[
            OpenApiParameter("year", OpenApiTypes.INT, description="Year (the year's period); default: the current year."),
            OpenApiParameter("period", OpenApiTypes.STR, description="Period code: 2026-Q1, 2026-H1 or 2026."),
        ],
        responses={
            200: TargetStatusSerializer(many=True),
            404: OpenApiResponse(description="No reform plan imported for your commune, or no such period"),
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Target.objects.none()
        plan, period = self._period()
        return selectors.targets_for(plan, period)
