from django.db import models


class Course(models.Model):
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name", "code"]


def long_path(qs):
    # A long lookup path split on purpose at a `__`.
    return qs.select_related("enrollment__course__department__" "faculty", "enrollment" "__owner")


def message(course):
    # Not a field list: an ordinary sentence split over two literals.
    help_text = "Choose a name " "for the course"
    return course.filter(name="a" "b"), help_text


def built(prefix):
    return Course.objects.only(f"{prefix}" "name")
