from django.contrib import admin

from ginnel.matching.models import Block, Dismissal, Introduction


@admin.register(Block)
class BlockAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("person", "blocked", "at")


@admin.register(Dismissal)
class DismissalAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("person", "kind", "candidate", "label", "at")


@admin.register(Introduction)
class IntroductionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("person", "other", "kind", "state", "at", "decided_by", "decided_at")
    list_filter = ("state",)
