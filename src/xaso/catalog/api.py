"""Read-only public API of the catalogue (/api/v1/procedures/)."""
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from . import selectors
from .models import Fee, Field, Procedure, ProcedureVersion, ProcessStep, RequiredDocument


class FieldSerializer(serializers.ModelSerializer):
    class Meta:
        model = Field
        fields = ["name", "slug"]


class FeeSerializer(serializers.ModelSerializer):
    amount_not_set = serializers.BooleanField(read_only=True, help_text="Council-decided fee whose amount is not yet known.")

    class Meta:
        model = Fee
        fields = ["kind", "amount", "online_amount", "unit", "description", "amount_not_set"]
        extra_kwargs = {
            "amount": {"help_text": "VND: the amount of a fixed line, the price of one unit of a per-unit line (at the counter or by post)."},
            "online_amount": {"help_text": "VND: the amount (or unit price) for an online dossier when it differs; null = the same as amount."},
        }


class DocumentSerializer(serializers.ModelSerializer):
    blank_form_url = serializers.SerializerMethodField()

    class Meta:
        model = RequiredDocument
        fields = ["name", "requirement", "submission", "originals", "copies", "blank_form_url"]

    def get_blank_form_url(self, doc) -> str | None:
        if not doc.blank_form:
            return None
        from django.urls import reverse

        url = reverse("catalog:blank_form", args=[doc.version.procedure.code, doc.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class StepSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProcessStep
        fields = ["order", "name", "role", "share", "inter_agency", "agency_name"]


@extend_schema_field({"type": "string", "pattern": r"^\d{2}:\d{2}$", "example": "15:00"})
class HourMinuteField(serializers.TimeField):
    """A local hour HH:MM (Vietnam time, no offset). drf-spectacular would say ``format:
    time``, which JSON Schema reads as RFC 3339 HH:MM:SS with an offset."""

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class ProcessingSerializer(serializers.Serializer):
    amount = serializers.IntegerField(allow_null=True, source="processing_amount")
    unit = serializers.ChoiceField(choices=ProcedureVersion.ProcessingUnit.choices, source="processing_unit")
    note = serializers.CharField(source="processing_note")
    cutoff = HourMinuteField(allow_null=True, help_text="Cut-off hour (received after it, the clock starts the next working day); null when none.")


class ChannelsSerializer(serializers.Serializer):
    known = serializers.BooleanField(source="channels_known")
    online = serializers.BooleanField(source="channel_online")
    post = serializers.BooleanField(source="channel_post")
    counter = serializers.BooleanField(source="channel_counter")


class SupplementSerializer(serializers.Serializer):
    mode = serializers.ChoiceField(choices=ProcedureVersion.SupplementMode.choices, source="supplement_mode")
    max_requests = serializers.IntegerField(source="supplement_max")


class VersionSerializer(serializers.ModelSerializer):
    field = FieldSerializer()
    competent_department = serializers.SerializerMethodField()
    processing = ProcessingSerializer(source="*")
    channels = ChannelsSerializer(source="*")
    supplement = SupplementSerializer(source="*")
    legal_basis = serializers.ListField(child=serializers.CharField(), source="legal_basis_items")
    documents = DocumentSerializer(many=True)
    fees = FeeSerializer(many=True)
    steps = StepSerializer(many=True)

    class Meta:
        model = ProcedureVersion
        fields = [
            "number", "valid_from", "valid_to", "name", "field", "level", "authority", "competent_department",
            "legal_basis", "processing", "fees", "fee_note", "online_level", "channels", "documents", "result",
            "green_lane", "supplement", "steps", "process_is_default", "needs_verification", "source_url",
        ]

    def get_competent_department(self, version) -> str | None:
        department = version.department()
        return department.name if department else None


class ProcedureListSerializer(serializers.ModelSerializer):
    field = FieldSerializer()
    url = serializers.HyperlinkedIdentityField(view_name="procedure-detail", lookup_field="code")

    class Meta:
        model = Procedure
        fields = ["code", "code_is_local", "name", "field", "is_frequent", "url"]


class ProcedureDetailSerializer(serializers.ModelSerializer):
    current_version = serializers.SerializerMethodField()

    class Meta:
        model = Procedure
        fields = ["code", "code_is_local", "is_frequent", "current_version"]

    @extend_schema_field(VersionSerializer)
    def get_current_version(self, procedure):
        return VersionSerializer(self.context["version"], context=self.context).data


@extend_schema_view(
    list=extend_schema(
        summary="Search procedures",
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, description="Words to find in the code, name or field; accents and case ignored."),
            OpenApiParameter("field", OpenApiTypes.STR, description="Slug of a field, e.g. ho-tich."),
        ],
    ),
    retrieve=extend_schema(
        summary="A procedure with its version in force",
        responses={200: ProcedureDetailSerializer, 404: OpenApiResponse(description="No procedure with this code, or none in force.")},
    ),
)
class ProcedureViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [AllowAny]
    lookup_field = "code"
    lookup_value_regex = r"[^/]+"
    filter_backends: list = []

    def get_queryset(self):
        if self.action == "list":
            return selectors.search_procedures(self.request.query_params.get("q", ""), self.request.query_params.get("field") or None)
        return Procedure.objects.all()

    def get_serializer_class(self):
        return ProcedureListSerializer if self.action == "list" else ProcedureDetailSerializer

    def get_object(self):
        try:
            return super().get_object()
        except Http404:
            # Django's message is English and names the model.
            raise NotFound(_("No procedure with this code.")) from None

    def retrieve(self, request, *args, **kwargs):
        procedure = self.get_object()
        version = selectors.version_for_display(procedure)
        if version is None:
            raise Http404(_("No version of this procedure is in force."))
        serializer = ProcedureDetailSerializer(procedure, context={**self.get_serializer_context(), "version": version})
        return Response(serializer.data)
