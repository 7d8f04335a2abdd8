"""REST API of the citizen portal under /api/v1/portal/ (for a mobile app): drafts and
their steps, submission, the account's dossiers, supplement response, stop request, issued
documents and the result. The same services and selectors as the pages, so the same rules;
another account's draft or dossier is a 404."""
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse, HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from xaso.catalog.models import Procedure
from xaso.dossiers import documents as dossier_documents
from xaso.dossiers import selectors as dossier_selectors
from xaso.dossiers.models import Delivery
from xaso.vault.api import BinaryField, IsCitizen, django_errors

from . import selectors, services
from .models import Draft


def extend_schema_field_list(serializer):
    """A method field documented as a list of ``serializer``."""
    return extend_schema_field(serializer(many=True))


class DraftFileSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="original_name")
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    is_photo = serializers.BooleanField(help_text="A photo (downscaled, without metadata): consecutive photos become one PDF for the officer.")


class ReusableSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    number = serializers.CharField()
    valid_until = serializers.DateField(allow_null=True)


class RequiredDocSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="Position among the documents to submit (use it in the document endpoints).")
    name = serializers.CharField(help_text="As the catalogue names it.")
    title = serializers.CharField(help_text="Without the condition.")
    condition = serializers.CharField(help_text="When it is needed, in plain words (conditional documents).")
    mandatory = serializers.BooleanField()
    doc_type = serializers.CharField(source="doc_type.code", default=None, allow_null=True, help_text="Vault document type it maps to.")
    mode = serializers.SerializerMethodField(help_text="upload, vault, counter, or empty (not given yet).")
    vault = serializers.IntegerField(source="vault_document.pk", default=None, allow_null=True, help_text="The vault document reused.")
    files = DraftFileSerializer(many=True)
    reusable = ReusableSerializer(many=True, help_text="Your valid vault documents of its type.")

    def get_mode(self, doc) -> str:
        return doc.choice.get("mode", "")


class FeeLinePreviewSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    kind = serializers.CharField()
    name = serializers.CharField(allow_blank=True)
    unit_price = serializers.IntegerField(allow_null=True)
    unit = serializers.CharField(allow_blank=True)
    quantity = serializers.IntegerField(allow_null=True)
    amount = serializers.IntegerField(allow_null=True)


class DraftSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    procedure_code = serializers.CharField(source="procedure.code")
    procedure_name = serializers.CharField(source="version.name")
    online_level = serializers.CharField(source="version.online_level")
    step = serializers.CharField()
    applicant = serializers.SerializerMethodField()
    documents = serializers.SerializerMethodField()
    delivery = serializers.SerializerMethodField()
    fees = serializers.SerializerMethodField()
    problems = serializers.SerializerMethodField(help_text="What still stops the submission, by step (empty: ready).")
    dossier = serializers.CharField(source="dossier.code", default=None, allow_null=True)
    updated_at = serializers.DateTimeField()

    def get_applicant(self, d) -> dict:
        return d.data.get("applicant") or {}

    def get_delivery(self, d) -> dict:
        return d.data.get("delivery") or {}

    @extend_schema_field_list(RequiredDocSerializer)
    def get_documents(self, d):
        return RequiredDocSerializer(selectors.documents_of_draft(d), many=True).data

    def get_fees(self, d) -> dict:
        lines, total, undetermined = selectors.fee_preview(d.version, (d.data.get("delivery") or {}).get("quantities"))
        return {"lines": FeeLinePreviewSerializer(lines, many=True).data, "total": total, "undetermined": undetermined}

    def get_problems(self, d) -> dict:
        return services.problems(d)


class DraftCreateSerializer(serializers.Serializer):
    procedure_code = serializers.CharField()
    new = serializers.BooleanField(default=False, help_text="Start a new draft even if one for this procedure is open.")


class ApplicantInSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=services.ROLES, default="self", help_text="self, agent (for someone else, with an authorisation) or business.")
    name = serializers.CharField(required=False, allow_blank=True, default="")
    id_number = serializers.CharField(required=False, allow_blank=True, default="", help_text="12-digit personal identification number, or the tax code for a business.")
    address = serializers.CharField(required=False, allow_blank=True, default="")
    phone = serializers.CharField(required=False, allow_blank=True, default="")
    email = serializers.CharField(required=False, allow_blank=True, default="")
    agent_name = serializers.CharField(required=False, allow_blank=True, default="")
    agent_id_number = serializers.CharField(required=False, allow_blank=True, default="")
    agent_address = serializers.CharField(required=False, allow_blank=True, default="")
    agent_phone = serializers.CharField(required=False, allow_blank=True, default="")
    agent_email = serializers.CharField(required=False, allow_blank=True, default="")
    authorisation_document = serializers.CharField(required=False, allow_blank=True, default="")


class FilesInSerializer(serializers.Serializer):
    files = serializers.ListField(child=BinaryField(), help_text="One or more files (several parts named files), kept in this order.")


class ChoiceInSerializer(serializers.Serializer):
    mode = serializers.ChoiceField(choices=services.MODES)
    vault = serializers.IntegerField(required=False, allow_null=True, help_text="mode=vault: id of your vault document.")


class DeliveryInSerializer(serializers.Serializer):
    commune = serializers.IntegerField(help_text="Id of the commune that handles the dossier (GET /api/v1/portal/desks/).")
    delivery = serializers.ChoiceField(choices=Delivery.choices)
    pickup = serializers.IntegerField(required=False, allow_null=True, help_text="delivery=counter: id of the commune where the result is collected.")
    post_address = serializers.CharField(required=False, allow_blank=True, default="")
    request_summary = serializers.CharField(required=False, allow_blank=True, default="")
    quantities = serializers.DictField(child=serializers.IntegerField(min_value=0), required=False, default=dict, help_text="{fee line number: quantity} for per-unit fee lines.")


class DeskSerializer(serializers.Serializer):
    commune = serializers.IntegerField(source="commune.pk")
    commune_name = serializers.CharField(source="commune.name")
    centre = serializers.CharField(source="centre.name")


class ExpectedSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="supplement, pay, collect, download…")
    text = serializers.CharField()
    url = serializers.CharField(allow_blank=True, help_text="The page where to do it (empty: done elsewhere).")


class HistorySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    action = serializers.CharField()
    label = serializers.CharField()
    unit = serializers.CharField()


class MyDossierSerializer(serializers.Serializer):
    code = serializers.CharField()
    procedure_code = serializers.CharField()
    procedure_name = serializers.CharField()
    status = serializers.CharField()
    status_text = serializers.SerializerMethodField(help_text="The status in plain words.")
    submitted_at = serializers.DateTimeField(allow_null=True)
    received_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    delivery = serializers.CharField()
    fee_amount = serializers.IntegerField()
    expected = serializers.SerializerMethodField()

    def get_status_text(self, d) -> str:
        return selectors.plain_status(d)

    @extend_schema_field_list(ExpectedSerializer)
    def get_expected(self, d):
        return ExpectedSerializer(selectors.expected_now(d), many=True).data


class IssuedDocSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    label = serializers.CharField(source="get_kind_display")
    reference = serializers.CharField()
    issued_at = serializers.DateTimeField()


class ComponentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    has_file = serializers.SerializerMethodField()
    reused = serializers.BooleanField()
    supplement_round = serializers.IntegerField()

    def get_has_file(self, c) -> bool:
        return bool(c.file)


class MyDossierDetailSerializer(MyDossierSerializer):
    fee_paid = serializers.SerializerMethodField(help_text="Total of the payments recorded (VND).")
    fee_undetermined = serializers.BooleanField()
    receiving_unit = serializers.CharField(source="receiving_unit.name")
    reasons = serializers.CharField()
    history = serializers.SerializerMethodField()
    documents = serializers.SerializerMethodField()
    components = ComponentSerializer(many=True, source="components.all")
    supplement = serializers.SerializerMethodField(help_text="The open supplement request: items and reason (null when none).")
    can_stop = serializers.SerializerMethodField()
    result_available = serializers.SerializerMethodField()

    def get_fee_paid(self, d) -> int:
        return selectors.fees(d).paid

    @extend_schema_field_list(HistorySerializer)
    def get_history(self, d):
        return HistorySerializer(dossier_selectors.public_history(d), many=True).data

    @extend_schema_field_list(IssuedDocSerializer)
    def get_documents(self, d):
        return IssuedDocSerializer(selectors.issued_documents(d), many=True).data

    def get_supplement(self, d) -> dict | None:
        s = selectors.supplement_request(d)
        return {"items": s["items"], "reason": s["reason"]} if s else None

    def get_can_stop(self, d) -> bool:
        return selectors.can_stop(d)

    def get_result_available(self, d) -> bool:
        return bool(d.result_file)


class StopInSerializer(serializers.Serializer):
    reasons = serializers.CharField(allow_blank=True)


class SupplementInSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")
    item_0_files = serializers.ListField(child=BinaryField(), required=False, help_text="Files for the first item asked (item_1_files for the second…).")
    item_0_vault = serializers.IntegerField(required=False, help_text="Or a document of your vault for the first item (item_1_vault…).")


NOT_FOUND = OpenApiResponse(description="No draft or dossier of yours with this id or code")
REFUSED = OpenApiResponse(description="Refused input: {field: [messages]} or {detail}")


def _refused(exc):
    return Response(django_errors(exc), status=status.HTTP_400_BAD_REQUEST)


class DeskViewSet(viewsets.ViewSet):
    permission_classes = [IsCitizen]

    @extend_schema(responses={200: DeskSerializer(many=True)}, operation_id="portal_desks")
    def list(self, request):
        """The communes whose one-stop desk receives online dossiers (any of them can also
        hand out the result)."""
        return Response(DeskSerializer(selectors.desks(), many=True).data)


class DraftViewSet(viewsets.ViewSet):
    """Drafts of online submissions, saved at every step."""

    permission_classes = [IsCitizen]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    lookup_field = "public_id"
    queryset = Draft.objects.none()  # for the schema: the lookup is the draft's public id (UUID)

    def _draft(self, request, public_id) -> Draft:
        draft = selectors.draft_of(request.user, public_id)
        if draft is None:
            raise NotFound(_("No draft of yours with this id."))
        return draft

    def _out(self, draft, code=status.HTTP_200_OK):
        draft.refresh_from_db()
        return Response(DraftSerializer(draft).data, status=code)

    @extend_schema(responses={200: DraftSerializer(many=True)}, operation_id="portal_drafts_list")
    def list(self, request):
        return Response(DraftSerializer(selectors.drafts_of(request.user), many=True).data)

    @extend_schema(request=DraftCreateSerializer, responses={201: DraftSerializer, 400: REFUSED}, operation_id="portal_drafts_create")
    def create(self, request):
        s = DraftCreateSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        procedure = Procedure.objects.filter(code=s.validated_data["procedure_code"]).first()
        if procedure is None:
            return Response({"procedure_code": [_("No procedure with this code.")]}, status=status.HTTP_400_BAD_REQUEST)
        try:
            draft = services.start_draft(request.user, procedure, new=s.validated_data["new"])
        except DjangoValidationError as exc:
            return _refused(exc)
        return self._out(draft, status.HTTP_201_CREATED)

    @extend_schema(responses={200: DraftSerializer, 404: NOT_FOUND}, operation_id="portal_drafts_retrieve")
    def retrieve(self, request, public_id=None):
        return Response(DraftSerializer(self._draft(request, public_id)).data)

    @extend_schema(responses={204: OpenApiResponse(description="Deleted"), 400: REFUSED, 404: NOT_FOUND}, operation_id="portal_drafts_destroy")
    def destroy(self, request, public_id=None):
        try:
            services.delete_draft(self._draft(request, public_id))
        except DjangoValidationError as exc:
            return _refused(exc)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=ApplicantInSerializer, responses={200: DraftSerializer, 400: REFUSED, 404: NOT_FOUND}, operation_id="portal_drafts_applicant")
    @action(detail=True, methods=["post"], url_path="applicant")
    def applicant(self, request, public_id=None):
        """Step 1: who submits, and their details (prefilled values: GET the draft)."""
        draft = self._draft(request, public_id)
        s = ApplicantInSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        try:
            services.save_applicant(draft, s.validated_data)
        except DjangoValidationError as exc:
            return _refused(exc)
        return self._out(draft)

    @extend_schema(
        request={"multipart/form-data": FilesInSerializer}, responses={201: DraftSerializer, 400: REFUSED, 404: NOT_FOUND},
        parameters=[OpenApiParameter("index", OpenApiTypes.INT, OpenApiParameter.PATH)], operation_id="portal_drafts_add_files",
    )
    @action(detail=True, methods=["post"], url_path=r"documents/(?P<index>\d+)/files", parser_classes=[MultiPartParser])
    def add_files(self, request, public_id=None, index=None):
        """Step 2: add files for one required document (all checked before any is kept)."""
        draft = self._draft(request, public_id)
        try:
            services.add_files(draft, index, request.FILES.getlist("files"))
        except DjangoValidationError as exc:
            return _refused(exc)
        return self._out(draft, status.HTTP_201_CREATED)

    @extend_schema(
        request=ChoiceInSerializer, responses={200: DraftSerializer, 400: REFUSED, 404: NOT_FOUND},
        parameters=[OpenApiParameter("index", OpenApiTypes.INT, OpenApiParameter.PATH)], operation_id="portal_drafts_choose",
    )
    @action(detail=True, methods=["post"], url_path=r"documents/(?P<index>\d+)/choice")
    def choose(self, request, public_id=None, index=None):
        """Step 2: give a document as uploaded files, a vault document (reused), or on paper at the counter."""
        draft = self._draft(request, public_id)
        s = ChoiceInSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        try:
            services.choose(draft, index, s.validated_data["mode"], s.validated_data.get("vault"))
        except DjangoValidationError as exc:
            return _refused(exc)
        return self._out(draft)

    @extend_schema(
        request=None, responses={200: DraftSerializer, 400: REFUSED, 404: NOT_FOUND},
        parameters=[OpenApiParameter("file_id", OpenApiTypes.INT, OpenApiParameter.PATH)], operation_id="portal_drafts_remove_file",
    )
    @action(detail=True, methods=["delete"], url_path=r"files/(?P<file_id>\d+)")
    def remove_file(self, request, public_id=None, file_id=None):
        draft = self._draft(request, public_id)
        try:
            services.remove_file(draft, file_id)
        except DjangoValidationError as exc:
            return _refused(exc)
        return self._out(draft)

    @extend_schema(request=DeliveryInSerializer, responses={200: DraftSerializer, 400: REFUSED, 404: NOT_FOUND}, operation_id="portal_drafts_delivery")
    @action(detail=True, methods=["post"], url_path="delivery")
    def delivery(self, request, public_id=None):
        """Step 3: the commune that handles it, how the result is received, fee quantities."""
        draft = self._draft(request, public_id)
        s = DeliveryInSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        values = {k: v for k, v in s.validated_data.items() if k != "quantities"}
        values.update({f"qty_{k}": v for k, v in s.validated_data["quantities"].items()})
        try:
            services.save_delivery(draft, values)
        except DjangoValidationError as exc:
            return _refused(exc)
        return self._out(draft)

    @extend_schema(
        request=None,
        responses={201: MyDossierDetailSerializer, 200: OpenApiResponse(MyDossierDetailSerializer, description="Submitted before: the same dossier, nothing sent twice"), 400: REFUSED, 404: NOT_FOUND},
        operation_id="portal_drafts_submit",
    )
    @action(detail=True, methods=["post"], url_path="submit")
    def submit(self, request, public_id=None):
        """Step 4: submit. Once per draft: a retry returns the same dossier (200)."""
        draft = self._draft(request, public_id)
        try:
            d = services.submit(draft, request.user)
        except DjangoValidationError as exc:
            return _refused(exc)
        return Response(MyDossierDetailSerializer(d).data, status=status.HTTP_200_OK if d.replayed else status.HTTP_201_CREATED)


class MyDossierViewSet(viewsets.ViewSet):
    """The account's dossiers ("Hồ sơ của tôi")."""

    permission_classes = [IsCitizen]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    lookup_field = "code"
    lookup_value_regex = r"[^/]+"

    def _dossier(self, request, code):
        d = selectors.dossier_of(request.user, code)
        if d is None:
            raise NotFound(_("No dossier of yours with this code."))
        return d

    @extend_schema(responses={200: MyDossierSerializer(many=True)}, operation_id="portal_my_dossiers_list")
    def list(self, request):
        return Response(MyDossierSerializer(selectors.my_dossiers(request.user)[:200], many=True).data)

    @extend_schema(responses={200: MyDossierDetailSerializer, 404: NOT_FOUND}, operation_id="portal_my_dossiers_retrieve")
    def retrieve(self, request, code=None):
        return Response(MyDossierDetailSerializer(self._dossier(request, code)).data)

    @extend_schema(request={"multipart/form-data": SupplementInSerializer}, responses={200: MyDossierDetailSerializer, 400: REFUSED, 404: NOT_FOUND}, operation_id="portal_my_dossiers_supplement")
    @action(detail=True, methods=["post"], url_path="supplement", parser_classes=[MultiPartParser, FormParser])
    def supplement(self, request, code=None):
        """Answer the open supplement request: for item i, files ``item_i_files`` and/or a
        vault document ``item_i_vault``."""
        d = self._dossier(request, code)
        req = selectors.supplement_request(d)
        items = (req["items"] or [_("Supplement")]) if req else [_("Supplement")]
        answers = [{"item": item, "files": request.FILES.getlist(f"item_{i}_files"), "vault": request.data.get(f"item_{i}_vault") or None} for i, item in enumerate(items)]
        try:
            d = services.answer_supplement(request.user, d, answers, note=request.data.get("note", ""))
        except DjangoValidationError as exc:
            return _refused(exc)
        return Response(MyDossierDetailSerializer(d).data)

    @extend_schema(request=StopInSerializer, responses={200: MyDossierDetailSerializer, 400: REFUSED, 404: NOT_FOUND}, operation_id="portal_my_dossiers_stop")
    @action(detail=True, methods=["post"], url_path="stop")
    def stop(self, request, code=None):
        """Ask to stop the handling (possible while no decision or result exists)."""
        d = self._dossier(request, code)
        s = StopInSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        try:
            d = services.ask_to_stop(request.user, d, s.validated_data["reasons"])
        except DjangoValidationError as exc:
            return _refused(exc)
        return Response(MyDossierDetailSerializer(d).data)

    @extend_schema(
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, 404: NOT_FOUND},
        parameters=[OpenApiParameter("doc_id", OpenApiTypes.INT, OpenApiParameter.PATH)], operation_id="portal_my_dossiers_document",
    )
    @action(detail=True, methods=["get"], url_path=r"documents/(?P<doc_id>\d+)")
    def document(self, request, code=None, doc_id=None):
        """An issued form (receipt, supplement request, apology, refusal, stop notice) as the signed PDF."""
        d = self._dossier(request, code)
        doc = selectors.issued_documents(d).filter(pk=doc_id).first()
        if doc is None:
            raise NotFound(_("No such document for this dossier."))
        response = HttpResponse(dossier_documents.render_pdf(doc), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{d.code}-{doc.kind}-{doc.number}.pdf"'
        return response

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, 404: NOT_FOUND}, operation_id="portal_my_dossiers_result")
    @action(detail=True, methods=["get"], url_path="result")
    def result(self, request, code=None):
        """The electronic result, as an attachment."""
        d = self._dossier(request, code)
        if not d.result_file:
            raise NotFound(_("This dossier has no electronic result."))
        return FileResponse(d.result_file.open("rb"), as_attachment=True, filename=f"{d.code}-ket-qua.{d.result_file.name.rsplit('.', 1)[-1]}")

