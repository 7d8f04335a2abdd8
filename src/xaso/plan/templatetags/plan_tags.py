"""``{% plan_menu request.user as menu %}``: which pages of the reform plan the user may open,
with the same checks the views make (a menu shows only what the user may open)."""
from django import template

register = template.Library()


@register.simple_tag
def plan_menu(user):
    from .. import selectors

    plan = selectors.plans_for(user).first() if getattr(user, "is_authenticated", False) else None
    if plan is None:
        return {}
    overview = selectors.can_see_overview(user, plan)
    mine = bool(selectors.own_units(user, plan)) or user.is_superuser
    return {
        # The overview page sends those who may not see it to their unit's reports.
        "overview": overview or mine,
        "mine": mine,
        "queue": selectors.is_standing_office(user, plan),
        "targets": selectors.can_view(user, plan),
        "kpi": selectors.can_view(user, plan),
    }
