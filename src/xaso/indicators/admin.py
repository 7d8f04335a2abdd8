from django.contrib import admin

from .models import KpiWeights, ReportedValue, Target, Threshold


class ThresholdInline(admin.TabularInline):
    model = Threshold
    extra = 0


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["name", "method", "metric", "reporting_unit", "source"]
    list_filter = ["plan", "method"]
    inlines = [ThresholdInline]


@admin.register(ReportedValue)
class ReportedValueAdmin(admin.ModelAdmin):
    list_display = ["target", "period", "unit", "value", "reported_at"]


@admin.register(KpiWeights)
class KpiWeightsAdmin(admin.ModelAdmin):
    list_display = ["commune", "volume", "on_time", "rating", "tasks_on_time", "tasks_accepted", "volume_norm"]
