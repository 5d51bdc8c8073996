from django.db.models import Q

from .models import Booking, Room


def free_rooms(day):
    # The covering test, the right way round.
    return Room.objects.exclude(bookings__checkin_date__lte=day, bookings__checkout_date__gt=day)


def overlapping(room, start, end):
    return Booking.objects.filter(room=room, start_time__lt=end, end_time__gt=start).exists()


def inside_window(day_start, day_end):
    # Different values: bookings inside the window.
    return Booking.objects.filter(start_time__gte=day_start, end_time__lte=day_end)


def different_paths(day):
    return Room.objects.filter(bookings__start_date__gte=day, offers__end_date__lt=day)


def not_a_pair(day):
    return Booking.objects.filter(created_at__gte=day, paid_at__lt=day)


def with_enclosing(start, end):
    # The third alternative covers the booking that encloses the window.
    return Booking.objects.filter(
        Q(start_time__range=[start, end])
        | Q(end_time__range=[start, end])
        | Q(start_time__lte=start, end_time__gte=end)
    ).exists()


def two_windows(a, b, c, d):
    return Booking.objects.filter(Q(start_time__range=[a, b]) | Q(end_time__range=[c, d]))


def same_field(a, b, c, d):
    return Booking.objects.filter(Q(start_time__range=[a, b]) | Q(start_time__range=[c, d]))


def open_overnight(shops, now):
    # Opening hours may wrap past midnight (22:00 to 02:00): not an interval test.
    return shops.filter(open_time__gt=now, close_time__lt=now)
