"""REST API under /api/v1/dossiers/: create (counter intake or online submission), read by
code, list with filters, one endpoint per transition, and the public lookup. The same
permission rules as the pages: ``services.permitted`` (state table + role + unit scope)."""
from django.db import transaction
from django.http import Http404
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, Throttled, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle

from xaso.core.models import Unit, User
from xaso.core.parsers import JSONParser

from . import selectors, services, states
from .models import Channel, Component, Delivery, Dossier, Event, FeePayment, PaymentMethod
from .services import Applicant, ComponentIn, DossierError
from .states import Action, Status


class DossierComponentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Component
        fields = ["id", "name", "document_code", "mandatory", "submitted", "digitised", "reused", "content_type", "size"]


class DossierEventSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit.name", default="")

    class Meta:
        model = Event
        fields = ["at", "action", "from_status", "to_status", "actor_name", "unit", "note"]


class FeePaymentSerializer(serializers.ModelSerializer):
    recorded_by = serializers.CharField(source="recorded_by.display_name", default="")

    class Meta:
        model = FeePayment
        fields = ["amount", "method", "reference", "paid_at", "recorded_by"]


FEE_KINDS = ["fixed", "per_unit", "council", "free", "unknown"]


class FeeLineSerializer(serializers.Serializer):
    """A fee line of the procedure as priced at receipt."""

    line = serializers.IntegerField(help_text="Position of the line in the procedure's fees (from 1), as in GET /api/v1/procedures/{code}/.")
    kind = serializers.ChoiceField(choices=FEE_KINDS, help_text="As in the catalogue: fixed, per_unit, council (set by the provincial People's Council), free, unknown.")
    name = serializers.CharField(allow_blank=True, help_text="The line's description in the catalogue (may be empty).")
    unit_price = serializers.IntegerField(allow_null=True, help_text="VND: the amount of a fixed line, the price of one unit of a per-unit line, for the dossier's channel (the online price for an online dossier when the catalogue gives one); null when the catalogue does not give it.")
    counter_unit_price = serializers.IntegerField(allow_null=True, default=None, help_text="VND: the counter (and postal) price of a line that has a different online price; null when the line has one price.")
    online_unit_price = serializers.IntegerField(allow_null=True, default=None, help_text="VND: the online price of the line when it differs from the counter price; null otherwise.")
    unit = serializers.CharField(allow_blank=True, help_text="Per-unit lines: the unit (trang, bản sao, giao dịch…).")
    quantity = serializers.IntegerField(allow_null=True, help_text="Per-unit lines: the number of units; null for the other lines.")
    amount = serializers.IntegerField(allow_null=True, help_text="VND; null when not determined (not counted in fee_amount).")


class FeeQuantitySerializer(serializers.Serializer):
    line = serializers.IntegerField(min_value=1, help_text="Position of a per-unit fee line in the procedure's fees (from 1).")
    quantity = serializers.IntegerField(
        min_value=0,
        max_value=services.MAX_FEE_QUANTITY,
        help_text="Number of units (pages, copies, cases…): a whole number from 0.",
        error_messages={
            "invalid": gettext_lazy("The quantity must be a whole number."),
            "min_value": gettext_lazy("The quantity cannot be negative."),
            "max_value": gettext_lazy("The quantity is too large (at most {max_value})."),
        },
    )


@extend_schema_field({"type": "string", "pattern": r"^\d{2}:\d{2}:\d{2}$", "example": "15:00:00"})
class LocalTimeField(serializers.TimeField):
    """A local time of day (HH:MM:SS, Vietnam time, no offset). drf-spectacular would say
    ``format: time``, which JSON Schema reads as RFC 3339 with an offset."""


class DossierSerializer(serializers.ModelSerializer):
    receiving_unit = serializers.CharField(source="receiving_unit.code")
    competent_unit = serializers.CharField(source="competent_unit.code")
    current_unit = serializers.CharField(source="current_unit.code")
    assignee = serializers.CharField(source="assignee.username", default=None, allow_null=True, help_text="Username of the assigned specialist; null when none.")
    cutoff = LocalTimeField(read_only=True, allow_null=True, help_text="Cut-off hour of the procedure (received after it, the clock starts the next working day); null when none.")
    status_label = serializers.CharField(source="get_status_display")
    components = DossierComponentSerializer(many=True, read_only=True)
    fee_lines = FeeLineSerializer(many=True, read_only=True)
    fee_undetermined = serializers.BooleanField(read_only=True, help_text="A fee line has no known amount: fee_amount does not include it.")
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = Dossier
        fields = [
            "code", "status", "status_label", "channel", "procedure_code", "procedure_name", "field_name",
            "legal_days", "legal_hours", "legal_calendar_days", "cutoff", "fee_amount", "fee_lines", "fee_undetermined", "green_lane",
            "applicant_kind", "applicant_name", "applicant_id_number", "applicant_address", "applicant_phone", "applicant_email",
            "agent_name", "agent_id_number", "agent_address", "agent_phone", "agent_email", "authorisation_document", "vneid_verified",
            "receiving_unit", "competent_unit", "current_unit", "assignee",
            "submitted_at", "received_at", "legal_due_at", "due_at", "finished_at", "returned_at",
            "supplement_count", "max_supplements", "delivery", "result_number", "result_code", "reasons",
            "fee_paid", "paid_online", "book_volume", "book_seq", "components", "allowed_actions",
        ]

    def get_allowed_actions(self, d) -> list[str]:
        request = self.context.get("request")
        return services.allowed_actions(d, request.user) if request else []


class DossierDetailSerializer(DossierSerializer):
    events = DossierEventSerializer(many=True, read_only=True)
    fee_payments = FeePaymentSerializer(many=True, read_only=True)

    class Meta(DossierSerializer.Meta):
        fields = DossierSerializer.Meta.fields + ["events", "fee_payments"]


LIST_FIELDS = ["code", "status", "channel", "procedure_code", "procedure_name", "green_lane", "received_at", "due_at"]


class DossierListItemSerializer(serializers.ModelSerializer):
    current_unit = serializers.CharField(source="current_unit.code")

    class Meta:
        model = Dossier
        fields = LIST_FIELDS + ["current_unit"]


def list_items(rows) -> list[dict]:
    """``DossierListItemSerializer``'s output for ``values(*LIST_FIELDS, "current_unit__code")`` rows."""
    when = serializers.DateTimeField().to_representation
    out = []
    for r in rows:
        item = {f: r[f] for f in LIST_FIELDS}
        item["received_at"] = when(r["received_at"]) if r["received_at"] is not None else None
        item["due_at"] = when(r["due_at"]) if r["due_at"] is not None else None
        item["current_unit"] = r["current_unit__code"]
        out.append(item)
    return out


class DossierApplicantSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["citizen", "organisation"], default="citizen")
    name = serializers.CharField(max_length=255)
    id_number = serializers.CharField(max_length=20, required=False, default="", allow_blank=True)
    address = serializers.CharField(max_length=255, required=False, default="", allow_blank=True)
    phone = serializers.CharField(max_length=15, required=False, default="", allow_blank=True)
    email = serializers.EmailField(required=False, default="", allow_blank=True)
    agent_name = serializers.CharField(max_length=255, required=False, default="", allow_blank=True)
    agent_id_number = serializers.CharField(max_length=20, required=False, default="", allow_blank=True)
    agent_phone = serializers.CharField(max_length=15, required=False, default="", allow_blank=True)
    agent_address = serializers.CharField(max_length=255, required=False, default="", allow_blank=True)
    agent_email = serializers.EmailField(required=False, default="", allow_blank=True)
    authorisation_document = serializers.CharField(max_length=255, required=False, default="", allow_blank=True)


class DossierComponentInSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=500)
    reused = serializers.BooleanField(default=False)
    digitised = serializers.BooleanField(default=False)


class FeePaymentInSerializer(serializers.Serializer):
    amount = serializers.IntegerField(
        min_value=1,
        help_text="VND, more than 0 and at most what is still due.",
        error_messages={
            "invalid": gettext_lazy("The amount must be a whole number of đồng."),
            "min_value": gettext_lazy("The amount must be more than 0 đ."),
            "max_string_length": gettext_lazy("The amount is too large."),
        },
    )
    method = serializers.ChoiceField(
        choices=PaymentMethod.choices,
        help_text="cash or transfer (recorded by a reception officer of the receiving unit); the online methods are recorded only by the payment platform and are refused here.",
    )
    reference = serializers.CharField(
        max_length=64, required=False, default="", allow_blank=True,
        help_text="Receipt number or bank transaction reference: a payment with the same reference is recorded once (replays return it again).",
    )


class IntakeFeePaymentSerializer(FeePaymentInSerializer):
    method = serializers.ChoiceField(choices=PaymentMethod.choices, default=PaymentMethod.CASH.value, help_text="cash or transfer.")


@extend_schema_field(OpenApiTypes.BINARY)
class UploadField(serializers.FileField):
    """A file sent as a multipart part (binary in the schema)."""


class DossierFileSerializer(serializers.Serializer):
    component = serializers.IntegerField(required=False, help_text="Id of the submitted component (see the dossier's components); or give its name.")
    name = serializers.CharField(max_length=500, required=False, default="", allow_blank=True, help_text="Document name of the submitted component.")
    file = UploadField(help_text="PDF, JPEG, PNG, TIFF, Word, Excel or XML; at most XASO_DOSSIER_MAX_UPLOAD_MB; the content must match the type.")


class DossierCreateSerializer(serializers.Serializer):
    procedure_code = serializers.CharField(help_text="Catalogue code of the procedure (its version in force is used).")
    receiving_unit = serializers.CharField(help_text="Code of the receiving unit (one-stop centre).")
    channel = serializers.ChoiceField(choices=Channel.choices, help_text="1 counter, 2 online, 3 post. Officials: 1 or 3; citizens: 2.")
    delivery = serializers.ChoiceField(choices=Delivery.choices, default=Delivery.COUNTER)
    request_summary = serializers.CharField(required=False, default="", allow_blank=True)
    applicant = DossierApplicantSerializer()
    components = DossierComponentInSerializer(many=True)
    fee_quantities = FeeQuantitySerializer(
        many=True,
        required=False,
        help_text="Quantity of each fee line priced per unit (pages, copies…); a line not given counts 1. fee_amount = the known fixed amounts + unit price × quantity.",
    )
    fee_payment = IntakeFeePaymentSerializer(required=False, help_text="Counter intake only: the fees collected at the counter with the dossier (recorded in the same transaction).")


class DossierActionSerializer(serializers.Serializer):
    """Every field is optional here; each action uses the ones it needs and refuses
    missing ones with a clear message."""

    note = serializers.CharField(required=False, allow_blank=True, default="")
    reasons = serializers.CharField(required=False, allow_blank=True, default="", help_text="refuse_reception, refuse, stop")
    legal_basis = serializers.CharField(required=False, allow_blank=True, default="", help_text="refuse: the provisions the request does not meet (required)")
    reason = serializers.CharField(required=False, allow_blank=True, default="", help_text="supplement requests, apologise")
    items = serializers.ListField(child=serializers.CharField(), required=False, default=list, help_text="supplement requests")
    agency = serializers.CharField(required=False, allow_blank=True, default="", help_text="send_interagency")
    specialist = serializers.CharField(required=False, allow_blank=True, default="", help_text="assign: username")
    to_unit = serializers.CharField(required=False, allow_blank=True, default="", help_text="transfer: unit code (default: the competent unit)")
    delivery = serializers.ChoiceField(choices=Delivery.choices, required=False, help_text="return_result")
    result_number = serializers.CharField(required=False, allow_blank=True, default="", help_text="result_ready")
    result_file = UploadField(required=False, help_text="result_ready (multipart only)")
    summary = serializers.CharField(required=False, allow_blank=True, default="")
    new_due_at = serializers.DateTimeField(required=False, help_text="apologise")
    fee_quantities = FeeQuantitySerializer(many=True, required=False, help_text="receive: corrected quantities of the per-unit fee lines (the fees cannot fall below what is paid)")


class DossierActionJSONSerializer(DossierActionSerializer):
    """The action body as JSON: the same fields but the file, which only a multipart body
    carries (a JSON "result_file" is refused)."""

    result_file = None


class DossierLookupSerializer(serializers.Serializer):
    code = serializers.CharField()
    procedure_name = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    received_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    history = inline_serializer("DossierLookupStep", {"at": serializers.DateTimeField(), "action": serializers.CharField(), "label": serializers.CharField(), "unit": serializers.CharField()}, many=True)


def _error(exc: DossierError):
    return {"detail": " ".join(exc.messages)}


NOT_FOUND = OpenApiResponse(description="No dossier with this code that you can see")


def _dossier_or_404(request, code):
    """The dossier through the caller's scope first (``selectors.visible_dossiers``): 404
    outside it, the same answer as for a code that does not exist; then the role (403),
    then the state (409)."""
    d = selectors.dossier_for(request.user, code)
    if d is None:
        raise NotFound(_("No dossier with this code.")) from None
    return d


class LookupThrottle(BaseThrottle):
    """The public lookup's per-address budget (``XASO_LOOKUP_RATE``, shared with the page),
    counted for every request whatever its method: HEAD and OPTIONS too."""

    def allow_request(self, request, view):
        from .views import lookup_rate_exceeded

        if lookup_rate_exceeded(request):
            self.message = _("Too many lookups. Please wait a minute and try again.")
            return False
        return True

    def wait(self):
        return 60


class UploadThrottle(BaseThrottle):
    """Files sent per account and per address (``views.upload_limits``, shared with the
    pages): every request to the files endpoint counts, whatever its method; an action
    counts when it carries a file."""

    def allow_request(self, request, view):
        from .views import uploads_limited

        files_endpoint = getattr(request.resolver_match, "url_name", "") == "dossier-attach-file"
        if not files_endpoint and not request.FILES:
            return True
        return not uploads_limited(request)

    def wait(self):
        return 3600


class DossierListQuerySerializer(serializers.Serializer):
    """The list's filters that have a fixed set of values: a wrong one is refused (400), not
    a server error (channel) nor silently an empty list (status)."""

    mine = serializers.BooleanField(required=False, error_messages={"invalid": gettext_lazy("'mine' must be true or false.")})
    status = serializers.ChoiceField(
        choices=[s.value for s in Status], required=False,
        error_messages={"invalid_choice": gettext_lazy("Unknown dossier status '{input}'.")},
    )
    channel = serializers.ChoiceField(
        choices=[c.value for c in Channel], required=False,
        error_messages={"invalid_choice": gettext_lazy("The channel must be 1 (counter), 2 (online) or 3 (post).")},
    )


class DossierViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    lookup_field = "code"
    lookup_value_regex = r"[^/]+"
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    throttle_classes = [UploadThrottle]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Dossier.objects.none()
        user = self.request.user
        qs = selectors.visible_dossiers(user)
        p = self.request.query_params
        # Filters given empty are not applied (as before); the others are checked first.
        given = {k: p[k] for k in ("mine", "status", "channel") if p.get(k)}
        query = DossierListQuerySerializer(data=given)
        query.is_valid(raise_exception=True)
        checked = query.validated_data
        if checked.get("mine"):
            qs = qs.filter(selectors.my_work_q(user))
        for key, field in (("status", "status"), ("channel", "channel")):
            if key in checked:
                qs = qs.filter(**{field: checked[key]})
        for key, field in (("procedure", "procedure_code"), ("field", "field_name")):
            if p.get(key):
                qs = qs.filter(**{field: p[key]})
        if p.get("unit"):
            qs = qs.filter(current_unit__code=p["unit"])
        qs = qs.order_by("-green_lane", "due_at", "id")
        if self.action == "list":
            # The list shows a few columns: read only those (and the current unit's code).
            return qs.select_related("current_unit").only(*LIST_FIELDS, "current_unit__code")
        return qs.select_related("receiving_unit", "competent_unit", "current_unit", "assignee")

    def get_object(self):
        try:
            return super().get_object()
        except Http404:
            # Django's message is English and names the model; unknown and out-of-scope
            # codes look alike (no disclosure).
            raise NotFound(_("No dossier with this code.")) from None

    def get_serializer_class(self):
        if self.action == "list":
            return DossierListItemSerializer
        if self.action == "retrieve":
            return DossierDetailSerializer
        return DossierSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("mine", OpenApiTypes.BOOL, description="Only what waits for me (my work)."),
            OpenApiParameter("status", OpenApiTypes.STR, enum=[s.value for s in Status]),
            OpenApiParameter("procedure", OpenApiTypes.STR),
            OpenApiParameter("channel", OpenApiTypes.INT, enum=[1, 2, 3]),
            OpenApiParameter("field", OpenApiTypes.STR),
            OpenApiParameter("unit", OpenApiTypes.STR, description="Code of the current unit."),
        ],
        responses={200: DossierListItemSerializer(many=True), 400: OpenApiResponse(description="A filter with a wrong value (status, channel, mine)")},
    )
    def list(self, request, *args, **kwargs):
        # The same JSON as ``DossierListItemSerializer`` (a test compares them), built from
        # plain rows: a ModelSerializer per row cost more than the query.
        page = self.paginate_queryset(self.get_queryset().values(*LIST_FIELDS, "current_unit__code"))
        return self.get_paginated_response(list_items(page))

    @extend_schema(responses={200: DossierDetailSerializer, 404: NOT_FOUND})
    def retrieve(self, request, *args, **kwargs):
        d = self.get_object()
        if getattr(request.user, "is_official", False):
            from xaso.core import audit

            audit.record_read(d, ["applicant_name", "applicant_id_number", "applicant_phone", "applicant_address"])
        return _with_etag(Response(self.get_serializer(d).data), selectors.last_event(d))

    @extend_schema(
        request={"application/json": DossierCreateSerializer},
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                OpenApiTypes.STR,
                location=OpenApiParameter.HEADER,
                required=False,
                description="A key the client makes for this submission (1–64 visible ASCII characters, e.g. a UUID). "
                "Sent again with a retried request, it returns the dossier the first request created (200) instead of creating another.",
            )
        ],
        responses={
            201: DossierSerializer,
            200: OpenApiResponse(DossierSerializer, description="Replay: a request with this Idempotency-Key created this dossier earlier; nothing was changed"),
            400: OpenApiResponse(description="Refused, with the reason"),
            422: OpenApiResponse(description="The Idempotency-Key was used before with a different request: nothing was received"),
        },
    )
    def create(self, request):
        s = DossierCreateSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        v = s.validated_data
        key = request.headers.get("Idempotency-Key")
        from xaso.catalog.models import Procedure

        procedure = Procedure.objects.filter(code=v["procedure_code"]).first()
        version = procedure.current_version() if procedure else None
        if version is None:
            raise ValidationError({"procedure_code": [_("No procedure in force with this code.")]})
        unit = Unit.objects.filter(code=v["receiving_unit"]).first()
        if unit is None:
            raise ValidationError({"receiving_unit": [_("Unknown unit.")]})
        try:
            terms = services.terms_from_version(version, unit.local_government or unit)
            applicant = Applicant(**{k: v["applicant"][k] for k in ("kind", "name", "id_number", "address", "phone", "email", "agent_name", "agent_id_number", "agent_address", "agent_phone", "agent_email", "authorisation_document")})
            comps = [ComponentIn(name=c["name"], reused=c["reused"], digitised=c["digitised"]) for c in v["components"]]
            quantities = services.fee_quantities_from_list(v.get("fee_quantities"))
            if getattr(request.user, "is_official", False):
                if v["channel"] == Channel.ONLINE:
                    raise DossierError(_("Officials receive counter or postal dossiers; online dossiers are submitted by the applicant."))
                with transaction.atomic():
                    d = services.intake(officer=request.user, terms=terms, applicant=applicant, components=comps, receiving_unit=unit, channel=v["channel"], delivery=v["delivery"], request_summary=v["request_summary"], fee_quantities=quantities, request_key=key)
                    if v.get("fee_payment") and not d.replayed:
                        services.record_fee_payment(d, request.user, **v["fee_payment"])
                        d.refresh_from_db(fields=["fee_paid", "paid_online"])
            else:
                if v.get("fee_payment"):
                    raise DossierError(_("Fees are recorded with the dossier only at counter intake."))
                if v["channel"] != Channel.ONLINE:
                    raise DossierError(_("Citizens and businesses submit online (channel 2)."))
                d = services.submit_online(user=request.user, terms=terms, applicant=applicant, components=comps, receiving_unit=unit, delivery=v["delivery"], request_summary=v["request_summary"], fee_quantities=quantities, request_key=key)
        except services.ReplayConflict as exc:
            # The key was used for another submission (as payment APIs answer it).
            return Response(_error(exc), status=status.HTTP_422_UNPROCESSABLE_ENTITY)
        except DossierError as exc:
            return Response(_error(exc), status=status.HTTP_400_BAD_REQUEST)
        return Response(DossierSerializer(d, context={"request": request}).data, status=status.HTTP_200_OK if d.replayed else status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[OpenApiParameter("code", OpenApiTypes.STR, required=True), OpenApiParameter("key", OpenApiTypes.STR, required=True, description="Last 4 digits of the phone or ID number, or the lookup secret.")],
        responses={200: DossierLookupSerializer, 404: OpenApiResponse(description="No match"), 429: OpenApiResponse(description="Too many lookups")},
        auth=[],
    )
    @action(detail=False, methods=["get"], permission_classes=[AllowAny], authentication_classes=[], throttle_classes=[LookupThrottle], url_path="lookup")
    def lookup(self, request):
        # The per-address budget (XASO_LOOKUP_RATE, one counter with the page) is counted by
        # LookupThrottle for every method; the code's budget here.
        from .views import CODE_LOCKED_MESSAGE, find_for_lookup

        d, locked = find_for_lookup(request, request.query_params.get("code", ""), request.query_params.get("key", ""))
        if locked:
            raise Throttled(detail=CODE_LOCKED_MESSAGE())
        if d is None:
            raise NotFound(_("No dossier matches this code and these digits."))
        # Through the serializer: times in Vietnam time (+07:00) like the rest of the API,
        # not the database's UTC.
        payload = {
            "code": d.code,
            "procedure_name": d.procedure_name,
            "status": d.status,
            "status_label": d.get_status_display(),
            "received_at": d.received_at,
            "due_at": d.due_at,
            "history": selectors.public_history(d),
        }
        response = Response(DossierLookupSerializer(payload).data)
        add_never_cache_headers(response)
        return response

    def _transition(self, request, code, act):
        d = _dossier_or_404(request, code)
        expected = request.headers.get("If-Match")
        if expected and expected.strip() != "*":
            last = selectors.last_event(d)
            if expected.strip() != etag(last):
                if last is not None and selectors.resent_action(last, act, request.user):
                    # A retry of a request that succeeded: its result, changed nothing more.
                    return _with_etag(Response(DossierSerializer(d, context={"request": request}).data), last)
                return Response({"detail": selectors.changed_since(last) if last else _("The dossier changed.")}, status=status.HTTP_412_PRECONDITION_FAILED)
        refusal = services.action_refusal(d, act, request.user)
        if refusal is not None:
            kind, why = refusal
            if kind == "state":
                return Response({"detail": why}, status=status.HTTP_409_CONFLICT)
            raise PermissionDenied(why)
        s = DossierActionSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        data = dict(s.validated_data)
        if data.get("specialist"):
            data["specialist"] = User.objects.filter(username=data["specialist"]).first()
        else:
            data.pop("specialist", None)
        if data.get("to_unit"):
            data["to_unit"] = Unit.objects.filter(code=data["to_unit"]).first()
            if data["to_unit"] is None:
                raise ValidationError({"to_unit": [_("Unknown unit.")]})
        else:
            data.pop("to_unit", None)
        try:
            if data.get("fee_quantities"):
                if act != Action.RECEIVE:
                    raise DossierError(_("Fee quantities are given at intake or at the reception check only."))
                data["fee_quantities"] = services.fee_quantities_from_list(data["fee_quantities"])
            services.perform(act, d, request.user, data)
        except DossierError as exc:
            return Response(_error(exc), status=status.HTTP_400_BAD_REQUEST)
        d.refresh_from_db()
        return _with_etag(Response(DossierSerializer(d, context={"request": request}).data), selectors.last_event(d))


    @extend_schema(
        request=FeePaymentInSerializer,
        responses={
            200: DossierDetailSerializer,
            400: OpenApiResponse(description="Refused input (amount, no fees, more than what is still due, reference reused)"),
            403: OpenApiResponse(description="Not a reception officer of the receiving unit, or an online method"),
            404: NOT_FOUND,
            409: OpenApiResponse(description="The dossier is refused or stopped"),
        },
        operation_id="dossiers_fee_payment",
    )
    @action(detail=True, methods=["post"], url_path="fee-payment")
    def fee_payment(self, request, code=None):
        """Record a payment of the dossier's fees and charges collected at the counter (cash or
        bank transfer). Idempotent for the same reference. Online payments are recorded by the
        payment platform, not through this endpoint."""
        d = _dossier_or_404(request, code)
        s = FeePaymentInSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        refusal = services.fee_payment_refusal(d, request.user, s.validated_data["method"])
        if refusal and refusal[0] == "role":
            raise PermissionDenied(refusal[1])
        try:
            services.record_fee_payment(d, request.user, **s.validated_data)
        except DossierError as exc:
            # (a replay of a payment recorded before the dossier closed is returned, not refused)
            conflict = refusal is not None and refusal[0] == "state"
            return Response(_error(exc), status=status.HTTP_409_CONFLICT if conflict else status.HTTP_400_BAD_REQUEST)
        d = Dossier.objects.select_related("receiving_unit", "competent_unit", "current_unit", "assignee").get(pk=d.pk)
        return Response(DossierDetailSerializer(d, context={"request": request}).data)


    @extend_schema(
        request={"multipart/form-data": DossierFileSerializer},
        responses={
            201: DossierComponentSerializer,
            400: OpenApiResponse(description="Refused file (type, content, size) or unknown component"),
            403: OpenApiResponse(description="Neither the receiving unit's reception desk nor the applicant of the online dossier"),
            404: NOT_FOUND,
            409: OpenApiResponse(description="Files cannot be attached in the current state"),
            429: OpenApiResponse(description="Too many files sent from this account or address (XASO_UPLOAD_RATE, XASO_UPLOAD_RATE_PER_IP)"),
        },
        operation_id="dossiers_attach_file",
    )
    @action(detail=True, methods=["post"], url_path="files", parser_classes=[MultiPartParser, FormParser])
    def attach_file(self, request, code=None):
        """Attach a file to a submitted component of the dossier (multipart: ``component`` id or
        ``name``, and ``file``); the component is marked digitised. Reception officers of the
        receiving unit: while the dossier is submitted, to be completed before reception,
        received (not yet transferred) or waiting for a supplement. The applicant of an online
        dossier: while it waits for the reception check or for a supplement."""
        d = _dossier_or_404(request, code)
        refusal = services.attach_refusal(d, request.user)
        if refusal and refusal[0] == "role":
            raise PermissionDenied(refusal[1])
        if refusal:
            return Response({"detail": refusal[1]}, status=status.HTTP_409_CONFLICT)
        s = DossierFileSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        v = s.validated_data
        try:
            comp = services.attach_file(d, request.user, file=v["file"], component_id=v.get("component"), name=v.get("name", ""))
        except DossierError as exc:
            return Response(_error(exc), status=status.HTTP_400_BAD_REQUEST)
        return Response(DossierComponentSerializer(comp).data, status=status.HTTP_201_CREATED)


def etag(last) -> str:
    """The dossier's version for optimistic concurrency: its last event (GET gives it in
    ``ETag``; an action sent with ``If-Match`` is refused with 412 if the dossier changed)."""
    return f'"e{last["id"]}"' if last else '"e0"'


def _with_etag(response, last):
    response["ETag"] = etag(last)
    return response


IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description="The ETag of the dossier as the client last read it (GET /dossiers/{code}/ or the previous action's response). "
    "If the dossier changed since, the action is not done (412) — unless the change is this very action by the same user "
    "(a retried request): then 200 with the dossier as it is.",
)


def _make_action(act: Action):
    def handler(self, request, code=None):
        return self._transition(request, code, act)

    handler.__name__ = f"do_{act.value}"
    handler.__doc__ = f"Transition “{act.value}”: allowed from {', '.join(sorted(states.TABLE[act].sources))}; roles: {', '.join(sorted(states.TABLE[act].roles))}."
    # extend_schema outside action(): action() replaces the function's kwargs, where
    # extend_schema keeps the schema it describes.
    handler = action(detail=True, methods=["post"], url_path=act.value.replace("_", "-"))(handler)
    return extend_schema(
        request={"application/json": DossierActionJSONSerializer, "multipart/form-data": DossierActionSerializer},
        parameters=[IF_MATCH],
        responses={
            200: DossierSerializer,
            400: OpenApiResponse(description="Refused input"),
            403: OpenApiResponse(description="Role or unit not allowed"),
            404: NOT_FOUND,
            409: OpenApiResponse(description="Not possible in the current state"),
            412: OpenApiResponse(description="The dossier changed since the ETag sent in If-Match"),
        },
        operation_id=f"dossiers_{act.value}",
    )(handler)


for _act in Action:
    setattr(DossierViewSet, f"do_{_act.value}", _make_action(_act))
