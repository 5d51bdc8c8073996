from django.db.models import Q
from django.shortcuts import get_object_or_404

from .models import Booking, Room


def free_rooms(day):
    return Room.objects.prefetch_related("bookings").exclude(
        bookings__checkin_date__gte=day,  # want: BUG070 "`checkin_date >= day` and `checkout_date < day` together ask for an interval that ends no later than it starts: a row covering that moment never matches, so this `exclude\(\)` never selects"
        bookings__checkout_date__lt=day,
    )


def is_taken(room, when):
    return Booking.objects.filter(room=room, end_time__lte=when, start_time__gt=when).exists()  # want: BUG070 "`start_time > when` and `end_time <= when`"


def current_price(product, now):
    return product.prices.filter(Q(valid_from__gte=now, valid_to__lt=now))  # want: BUG070 "`Q\(\)`"


def active(request, pk, today):
    return get_object_or_404(Booking, pk=pk, check_in__gte=today, check_out__lte=today)  # want: BUG070 "`check_in >= today` and `check_out <= today`"


def room_taken(data):
    return Room.objects.filter(
        Q(bookings__checkin_date__range=[data["checkin_date"], data["checkout_date"]])  # want: BUG070 "the overlap test asks whether `checkin_date` or `checkout_date` falls inside \[`data\[\"checkin_date\"\]`, `data\[\"checkout_date\"\]`\]: an interval that starts before that window and ends after it passes neither"
        | Q(bookings__checkout_date__range=[data["checkin_date"], data["checkout_date"]]),
    ).exists()


def slot_taken(start, end):
    return Booking.objects.filter(Q(end_time__gte=start, end_time__lte=end) | Q(start_time__gte=start, start_time__lte=end)).exists()  # want: BUG070 "whether `start_time` or `end_time` falls inside"
