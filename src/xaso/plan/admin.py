from django.contrib import admin

from .models import Area, Milestone, Plan, ProgressReport, ReportingPeriod, ReportTemplate, Task


class AreaInline(admin.TabularInline):
    model = Area
    fields = ["number", "title", "order", "weight"]
    extra = 0


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["title", "commune", "period_start", "period_end"]
    inlines = [AreaInline]


class MilestoneInline(admin.TabularInline):
    model = Milestone
    fields = ["order", "label", "kind", "source_text", "due_date", "start_date", "month", "needs_date"]
    readonly_fields = ["source_text"]
    extra = 0


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["number", "area", "lead_text", "deadline_text", "weight"]
    list_filter = ["plan", "area"]
    search_fields = ["text", "lead_text"]
    filter_horizontal = ["lead_units", "coordinating_units"]
    inlines = [MilestoneInline]


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(admin.ModelAdmin):
    list_display = ["__str__", "plan", "start", "end", "due_date", "closed"]
    list_filter = ["plan", "kind", "year", "closed"]
    list_editable = ["start", "end", "due_date", "closed"]


@admin.register(ProgressReport)
class ProgressReportAdmin(admin.ModelAdmin):
    list_display = ["period", "task", "unit", "status", "progress", "state"]
    list_filter = ["period__plan", "state", "status"]
    readonly_fields = [f.name for f in ProgressReport._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(ReportTemplate)
class ReportTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active", "uploaded_at"]
