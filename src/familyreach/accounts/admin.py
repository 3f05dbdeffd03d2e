from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from familyreach.accounts.models import User


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    list_display = (
        "username",
        "display_name",
        "email",
        "district_code",
        "all_districts",
        "is_demo_account",
        "is_active",
    )
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        (
            "familyreach",
            {"fields": ("display_name", "district_code", "all_districts", "is_demo_account")},
        ),
    )
