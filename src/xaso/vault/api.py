"""REST API of the personal document vault under /api/v1/vault/, for the account's owner
(citizens and businesses): the same rules as the pages (``services``, ``selectors``);
another person's document is a 404; files only through the download endpoint."""
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors, services
from .models import Document, DocumentType


class IsCitizen(BasePermission):
    """A citizen's or business's account (officials use the staff API)."""

    message = "Only citizens and businesses have a personal document vault and online dossiers."

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.kind in services.PUBLIC_KINDS)


def django_errors(exc: DjangoValidationError) -> dict:
    """A service's refusal as the API's 400 body: {"field": [messages]} or {"detail": "…"}."""
    if hasattr(exc, "error_dict"):
        return {k: [m for e in v for m in e.messages] for k, v in exc.error_dict.items()}
    return {"detail": " ".join(exc.messages)}


@extend_schema_field(OpenApiTypes.BINARY)
class BinaryField(serializers.FileField):
    """A file sent as a multipart part."""


class DocumentTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = DocumentType
        fields = ["code", "name", "reusable", "has_expiry"]


class AccessSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    who = serializers.CharField(help_text="The official who opened it.")
    unit = serializers.CharField(help_text="Their unit(s).")
    document = serializers.IntegerField(source="document.pk")
    what = serializers.ChoiceField(choices=["file", "details"], help_text="file: opened the file; details: saw its number, issuer and dates.")


class VaultDocumentSerializer(serializers.ModelSerializer):
    doc_type = serializers.CharField(source="doc_type.code")
    doc_type_name = serializers.CharField(source="doc_type.name", read_only=True)
    source_dossier = serializers.CharField(source="source_dossier.code", default=None, allow_null=True, read_only=True)
    valid = serializers.SerializerMethodField()
    deletable = serializers.BooleanField(read_only=True)
    used_in = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = ["id", "doc_type", "doc_type_name", "title", "number", "issuer", "issued_on", "valid_until", "valid", "source",
                  "source_dossier", "content_type", "size", "created_at", "deletable", "used_in"]

    def get_valid(self, doc) -> bool:
        return doc.is_valid()

    def get_used_in(self, doc) -> list[str]:
        """Codes of the dossiers that reuse this document."""
        return sorted({r.dossier.code for r in doc.reuses.select_related("dossier")})


class VaultDocumentDetailSerializer(VaultDocumentSerializer):
    access_log = serializers.SerializerMethodField()

    class Meta(VaultDocumentSerializer.Meta):
        fields = VaultDocumentSerializer.Meta.fields + ["access_log"]

    @extend_schema_field(AccessSerializer(many=True))
    def get_access_log(self, doc):
        return AccessSerializer(selectors.access_log(doc.owner, doc), many=True).data


class DocumentInSerializer(serializers.Serializer):
    doc_type = serializers.SlugRelatedField(slug_field="code", queryset=DocumentType.objects.filter(active=True), help_text="Code of the document type (GET /api/v1/vault/types/).")
    title = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)
    number = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
    issuer = serializers.CharField(max_length=255, required=False, default="", allow_blank=True)
    issued_on = serializers.DateField(required=False, allow_null=True, default=None)
    valid_until = serializers.DateField(required=False, allow_null=True, default=None, help_text="Empty: no expiry.")
    file = BinaryField(help_text="A photo (JPEG, PNG, TIFF), a PDF or a Word file; at most XASO_UPLOAD_MAX_FILE_MB. Photos are downscaled and their metadata removed.")


class DocumentUpdateSerializer(serializers.Serializer):
    doc_type = serializers.SlugRelatedField(slug_field="code", queryset=DocumentType.objects.filter(active=True), required=False)
    title = serializers.CharField(max_length=500, required=False)
    number = serializers.CharField(max_length=100, required=False, allow_blank=True)
    issuer = serializers.CharField(max_length=255, required=False, allow_blank=True)
    issued_on = serializers.DateField(required=False, allow_null=True)
    valid_until = serializers.DateField(required=False, allow_null=True)


NOT_FOUND = OpenApiResponse(description="No document of yours with this id")


class DocumentTypeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: DocumentTypeSerializer(many=True)}, operation_id="vault_types")
    def get(self, request):
        """The controlled list of document types."""
        return Response(DocumentTypeSerializer(selectors.types(), many=True).data)


class AccessLogView(APIView):
    permission_classes = [IsCitizen]

    @extend_schema(responses={200: AccessSerializer(many=True)}, operation_id="vault_access_log")
    def get(self, request):
        """Who in the administration opened your documents, newest first."""
        return Response(AccessSerializer(selectors.access_log(request.user), many=True).data)


class DocumentViewSet(viewsets.ViewSet):
    """Your documents. A document of another person is a 404."""

    permission_classes = [IsCitizen]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    lookup_value_regex = r"\d+"

    def _doc(self, request, pk):
        doc = selectors.document_of(request.user, pk)
        if doc is None:
            raise NotFound(_("No document of yours with this id."))
        return doc

    @extend_schema(responses={200: VaultDocumentSerializer(many=True)}, operation_id="vault_documents_list")
    def list(self, request):
        return Response(VaultDocumentSerializer(selectors.documents_of(request.user), many=True).data)

    @extend_schema(request={"multipart/form-data": DocumentInSerializer}, responses={201: VaultDocumentSerializer, 400: OpenApiResponse(description="Refused file or details")}, operation_id="vault_documents_create")
    def create(self, request):
        s = DocumentInSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        try:
            doc = services.upload(request.user, **s.validated_data)
        except DjangoValidationError as exc:
            return Response(django_errors(exc), status=status.HTTP_400_BAD_REQUEST)
        return Response(VaultDocumentSerializer(doc).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: VaultDocumentDetailSerializer, 404: NOT_FOUND}, operation_id="vault_documents_retrieve")
    def retrieve(self, request, pk=None):
        return Response(VaultDocumentDetailSerializer(self._doc(request, pk)).data)

    @extend_schema(request=DocumentUpdateSerializer, responses={200: VaultDocumentSerializer, 400: OpenApiResponse(description="Refused details"), 404: NOT_FOUND}, operation_id="vault_documents_update")
    def partial_update(self, request, pk=None):
        doc = self._doc(request, pk)
        s = DocumentUpdateSerializer(data=request.data, partial=True)
        s.is_valid(raise_exception=True)
        try:
            services.update(request.user, doc, **s.validated_data)
        except DjangoValidationError as exc:
            return Response(django_errors(exc), status=status.HTTP_400_BAD_REQUEST)
        return Response(VaultDocumentSerializer(doc).data)

    @extend_schema(responses={204: OpenApiResponse(description="Deleted (hidden if a dossier still uses it)"), 400: OpenApiResponse(description="Not yours to delete (issued to you or scanned at the counter)"), 404: NOT_FOUND}, operation_id="vault_documents_destroy")
    def destroy(self, request, pk=None):
        doc = self._doc(request, pk)
        try:
            services.delete(request.user, doc)
        except DjangoValidationError as exc:
            return Response(django_errors(exc), status=status.HTTP_400_BAD_REQUEST)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, 404: NOT_FOUND}, operation_id="vault_documents_file")
    @action(detail=True, methods=["get"], url_path="file")
    def file(self, request, pk=None):
        """The document's file, as an attachment."""
        doc = self._doc(request, pk)
        response = FileResponse(doc.file.open("rb"), as_attachment=True, filename=doc.filename)
        response["Content-Type"] = doc.content_type or "application/octet-stream"
        return response

