from django.contrib import admin
from django.db import models


class Course(models.Model):
    name = models.CharField(max_length=100)
    code = models.CharField(max_length=20)

    class Meta:
        ordering = ["-name" "code"]  # want: BUG056 "`-name` `code` in `ordering` has no comma between the names: Python joins them into one name, `-namecode`"


class CourseAdmin(admin.ModelAdmin):
    list_display = ("name", "code" "created")  # want: BUG056 "in `list_display`"
    search_fields = ["name"]


def with_progress(user):
    return user.enrollments.prefetch_related("passed_modules" "passed_categories")  # want: BUG056 "in `prefetch_related\(\.\.\.\)`"


def rename(course):
    course.save(update_fields=["name" "code"])  # want: BUG056 "in `update_fields`"


def rows(qs):
    return qs.values_list("id", "owner__email" "owner__name")  # want: BUG056 "`owner__email` `owner__name`"
