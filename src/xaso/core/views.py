from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from .selectors import active_memberships


@login_required
def workspace(request):
    """The staff workspace home: what this official can reach."""
    if not request.user.is_official:
        raise PermissionDenied
    return render(request, "core/workspace.html", {"memberships": active_memberships(request.user)})
