from django.contrib import admin

from common.admin import ReadOnlyAdminMixin

from .models import GeneratedDocument


@admin.register(GeneratedDocument)
class GeneratedDocumentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Documents as they were generated and sent: never changed or deleted."""

    list_display = ["created_at", "kind", "agreement", "year", "file_name", "created_by"]
    list_filter = ["kind", "year"]
    exclude = ["content"]
