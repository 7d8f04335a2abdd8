"""The live OpenAPI schema (``/api/v1/schema/``), generated once per process and language.

drf-spectacular builds the schema on every request: about a second of CPU for this API, on
an endpoint anyone may call. The schema depends only on the code (it is the public one, the
same for every caller), so it is kept in memory per language; a ``lang`` that is not one of
``LANGUAGES`` is ignored (it cannot make a new entry per request)."""
from django.conf import settings
from django.utils import translation
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework.response import Response


class SchemaView(SpectacularAPIView):
    _generated: dict = {}

    @extend_schema(exclude=True)  # as drf-spectacular's own view (SERVE_INCLUDE_SCHEMA off)
    def get(self, request, *args, **kwargs):
        lang = request.GET.get("lang")
        if lang not in dict(settings.LANGUAGES):
            lang = None
        with translation.override(lang or translation.get_language() or settings.LANGUAGE_CODE):
            return self._get_schema_response(request)

    def _get_schema_response(self, request):
        key = (translation.get_language(), self.api_version, self.serve_public)
        data = self._generated.get(key)
        if data is None:
            generator = self.generator_class(urlconf=self.urlconf, api_version=self.api_version, patterns=self.patterns)
            data = self._generated[key] = generator.get_schema(request=request, public=self.serve_public)
        return Response(data=data, headers={"Content-Disposition": f'inline; filename="{self._get_filename(request, self.api_version)}"'})
