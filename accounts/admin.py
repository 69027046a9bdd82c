import json

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import path

from .models import SsoIdentity
from .personal_data import KEPT, export, pseudonymise


@admin.register(SsoIdentity)
class SsoIdentityAdmin(admin.ModelAdmin):
    list_display = ["user", "subject", "issuer", "last_login_at"]
    search_fields = ["user__username", "subject"]
    readonly_fields = ["user", "issuer", "subject", "last_login_at"]

    def has_add_permission(self, request):
        # Made by a sign-on only: every field is the provider's (an empty form was a 500).
        return False


class PersonalDataUserAdmin(UserAdmin):
    """Django's user admin, with the personal-data page and actions (accounts.personal_data)."""

    actions = ["pseudonymise_selected", "export_selected"]
    change_list_template = "admin/auth/user/personal_data_change_list.html"

    def get_urls(self):
        own = [
            path(
                "personuppgifter/",
                self.admin_site.admin_view(self.personal_data_view),
                name="auth_user_personal_data",
            )
        ]
        return own + super().get_urls()

    def personal_data_view(self, request):
        context = {
            **self.admin_site.each_context(request),
            "title": "Personuppgifter som sparas",
            "kept": KEPT,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/auth/user/personal_data.html", context)

    @admin.action(description="Pseudonymisera och inaktivera markerade användare")
    def pseudonymise_selected(self, request, queryset):
        done = []
        for user in queryset:
            if user.pk == request.user.pk:
                self.message_user(
                    request, "Du kan inte pseudonymisera dig själv.", level=messages.ERROR
                )
                continue
            done.append(f"{user.get_username()} → {pseudonymise(user)}")
        if done:
            self.message_user(request, "Pseudonymiserade: " + ", ".join(done))

    @admin.action(description="Exportera personuppgifter (JSON) för markerade användare")
    def export_selected(self, request, queryset):
        data = {user.get_username(): export(user) for user in queryset}
        response = HttpResponse(
            json.dumps(data, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = 'attachment; filename="personuppgifter.json"'
        return response


admin.site.unregister(User)
admin.site.register(User, PersonalDataUserAdmin)
