"""Ratings API: the applicant rates a closed dossier once (``POST /api/v1/ratings/``); the
applicant or an official in scope reads a dossier's rating state."""
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view, permission_classes
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from xaso.dossiers.models import Dossier

from . import scoring, selectors, services
from .models import Channel, Level


class RatingInSerializer(serializers.Serializer):
    dossier = serializers.CharField(help_text="Dossier code")
    level = serializers.ChoiceField(choices=Level.choices, help_text="3 Rất hài lòng, 2 Hài lòng, 1 Không hài lòng")
    criteria = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=scoring.MAX_POINTS), min_length=9, max_length=9, required=False,
        help_text="The province's evaluation table where the commune uses it: 9 criteria, 0–2 points each.",
    )
    comment = serializers.CharField(required=False, allow_blank=True, max_length=services.COMMENT_MAX)


class RatingOutSerializer(serializers.Serializer):
    dossier = serializers.CharField()
    ratable = serializers.BooleanField()
    rated = serializers.BooleanField()
    level = serializers.IntegerField(allow_null=True)
    level_text = serializers.CharField()
    why_not = serializers.CharField()


def _dossier(request, code, *, owner_only=False) -> Dossier:
    d = Dossier.objects.filter(code=code).first()
    user = request.user
    if d is not None and d.applicant_account_id == user.pk:
        return d
    if d is not None and not owner_only and getattr(user, "is_official", False):
        from xaso.dossiers import selectors as dossier_selectors

        if dossier_selectors.scope_dossiers(user).filter(pk=d.pk).exists():
            return d
    raise NotFound(_("No dossier with this code."))


def _out(d):
    s = selectors.rating_summary(d)
    return {"dossier": d.code, "ratable": s.ratable, "rated": s.rated, "level": s.level, "level_text": s.level_text, "why_not": s.why_not}


@extend_schema(request=RatingInSerializer, responses={201: RatingOutSerializer, 400: OpenApiResponse(description="Not ratable now, already rated, or bad input"),
                                                       404: OpenApiResponse(description="No dossier of yours with this code")}, operation_id="ratings_submit")
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def submit(request):
    """Rate the handling of one of your closed dossiers, once."""
    s = RatingInSerializer(data=request.data)
    s.is_valid(raise_exception=True)
    d = _dossier(request, s.validated_data["dossier"], owner_only=True)
    try:
        services.submit(d, level=Level(s.validated_data["level"]), comment=s.validated_data.get("comment", ""),
                        criteria=s.validated_data.get("criteria"), channel=Channel.ONLINE, user=request.user)
    except services.RatingError as exc:
        return Response({"detail": " ".join(exc.messages)}, status=status.HTTP_400_BAD_REQUEST)
    return Response(_out(d), status=status.HTTP_201_CREATED)


@extend_schema(responses={200: RatingOutSerializer, 404: OpenApiResponse(description="No dossier with this code that you can see")}, operation_id="ratings_status")
@api_view(["GET"])
@permission_classes([IsAuthenticated])
def rating_status(request, code):
    """Whether a dossier can be rated now, or how it was rated."""
    return Response(_out(_dossier(request, code)))
