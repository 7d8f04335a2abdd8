"""API: the plan's tasks with their units, deadline, milestones and latest status."""
import re

import django_filters
from django import forms
from django.db.models import OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, permissions, serializers

from . import selectors
from .models import Milestone, ProgressReport, Task


class MilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["label", "kind", "source_text", "due_date", "start_date", "month", "needs_date"]


class UnitRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class TaskSerializer(serializers.ModelSerializer):
    area = serializers.CharField(source="area.number")
    area_title = serializers.CharField(source="area.title")
    lead_units = UnitRefSerializer(many=True)
    coordinating_units = UnitRefSerializer(many=True)
    milestones = MilestoneSerializer(many=True)
    status = serializers.CharField(allow_null=True, help_text="Status in the most recent report (not_started, in_progress, done, late), null if never reported.")
    progress = serializers.IntegerField(allow_null=True)

    class Meta:
        model = Task
        fields = [
            "id", "number", "area", "area_title", "text", "lead_text", "coordinating_text", "deadline_text",
            "lead_units", "coordinating_units", "unmapped_units", "weight", "milestones", "status", "progress",
        ]


MAX_ID = 2**63 - 1  # the largest primary key the databases store (bigint)
AREA_ID = re.compile(r"[0-9]{1,18}")


ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": MAX_ID}


class IdFilter(django_filters.NumberFilter):
    """A record id: a whole number from 1 (a decimal, a huge number or a word is refused
    with a 400, never a server error)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        message = kwargs.pop("message")
        kwargs["error_messages"] = {"invalid": message, "min_value": message, "max_value": message}
        super().__init__(*args, **kwargs)


class TaskFilter(django_filters.FilterSet):
    area = django_filters.CharFilter(method="filter_area", help_text="Area number (I … VI) or id.")
    unit = IdFilter(method="filter_unit", message=_("'unit' must be a unit id: a whole number from 1."), help_text="Unit id: tasks it leads or coordinates.")
    status = django_filters.ChoiceFilter(field_name="status", choices=ProgressReport.Status.choices)
    plan = IdFilter(field_name="plan_id", message=_("'plan' must be a plan id: a whole number from 1."), help_text="Plan id.")

    class Meta:
        model = Task
        fields = ["area", "unit", "status", "plan"]

    def filter_area(self, queryset, name, value):
        if AREA_ID.fullmatch(value):  # ASCII digits only ("²".isdigit() is true), within bigint
            return queryset.filter(area_id=int(value))
        return queryset.filter(area__number=value.upper())

    def filter_unit(self, queryset, name, value):
        return queryset.filter(Q(lead_units=value) | Q(coordinating_units=value)).distinct()


@extend_schema_view(
    get=extend_schema(
        summary="Tasks of the reform plan",
        tags=["plan"],
        parameters=[
            OpenApiParameter("unit", ID_SCHEMA, description="Unit id: tasks it leads or coordinates."),
            OpenApiParameter("plan", ID_SCHEMA, description="Plan id."),
        ],
        responses={200: TaskSerializer(many=True), 400: OpenApiResponse(description="A filter with a wrong value: an object mapping it to its messages (in Vietnamese)")},
    )
)
class TaskList(generics.ListAPIView):
    serializer_class = TaskSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_class = TaskFilter

    def get_queryset(self):
        latest = ProgressReport.objects.filter(task=OuterRef("pk")).order_by("-period__end", "-updated_at")
        plan_ids = selectors.plans_for(self.request.user).values_list("pk", flat=True)
        return (
            Task.objects.filter(plan_id__in=plan_ids)
            .select_related("area")
            .prefetch_related("lead_units", "coordinating_units", "milestones")
            .annotate(status=Subquery(latest.values("status")[:1]), progress=Subquery(latest.values("progress")[:1]))
            .order_by("plan_id", "number")
        )
