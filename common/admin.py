"""The admin as a window, not a back door: tables whose changes must go through the app's
actions (money, imports, closed periods, documents) are shown read-only there."""

from django.contrib import admin


class ReadOnlyAdminMixin:
    """Lists and shows rows; adding, changing and deleting happen only in the app."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
