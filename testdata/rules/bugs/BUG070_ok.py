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
