from .site import commune_info, public_base_url


def site(request):
    """In every template: the site's public address and the commune it speaks for
    (``site_commune``: name, committee, province, centre, address, hotline, e-mail; see
    ``xaso.core.site``). Other pages use the same values (``site_commune`` does not clash with
    a view's own ``commune``)."""
    return {"XASO_PUBLIC_BASE_URL": public_base_url(), "site_commune": commune_info()}
