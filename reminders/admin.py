from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import SentReminder


@admin.register(SentReminder)
class SentReminderAdmin(SimpleHistoryAdmin):
    """Read only; delete a row to have that reminder sent again on the next run."""

    list_display = ["deadline", "agreement", "step", "sent_at", "skipped", "recipients"]
    list_filter = ["step", "skipped", "deadline__agreement"]
    search_fields = ["deadline__agreement__short_name", "recipients"]
    list_select_related = ["deadline__agreement"]
    date_hierarchy = "sent_at"

    @admin.display(description="överenskommelse", ordering="deadline__agreement__short_name")
    def agreement(self, obj):
        return obj.deadline.agreement

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
