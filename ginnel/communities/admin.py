from django.contrib import admin

from ginnel.communities.models import (
    Community,
    CommunityEvent,
    Invitation,
    Membership,
    Neighbourhood,
    RoleGrant,
)


class NeighbourhoodInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Neighbourhood
    extra = 0


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "slug", "kind", "signup_mode", "created_at")
    search_fields = ("name", "slug")
    inlines = (NeighbourhoodInline,)


class RoleGrantInline(admin.TabularInline):  # type: ignore[type-arg]
    model = RoleGrant
    fk_name = "membership"
    extra = 0
    fields = ("role", "granted_at")
    readonly_fields = ("granted_at",)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("__str__", "community", "status", "created_at")
    list_filter = ("community", "status")
    search_fields = ("user__email", "person__display_name")
    raw_id_fields = ("user", "decided_by")
    inlines = (RoleGrantInline,)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("email", "community", "created_at", "accepted_at")
    list_filter = ("community",)
    exclude = ("token",)


@admin.register(CommunityEvent)
class CommunityEventAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("at", "community", "action", "actor", "subject")
    list_filter = ("community", "action")

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
