from django.contrib import admin

from .models import Comment


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["created_at", "author", "content_type", "object_id", "text"]
    list_filter = ["content_type"]
    readonly_fields = ["content_type", "object_id", "author", "created_at", "text"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
