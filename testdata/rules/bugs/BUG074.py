def validate_window(data):
    start = data.get("start_time")
    end = data.get("end_time")
    if start and not end or end and not start:
        raise ValueError("give both ends")
    if start >= end:  # want: BUG074 "`start >= end` runs when neither `start` nor `end` is sent"
        raise ValueError("ends before it starts")
    return data


def validate_range(params):
    low = params.get("min")
    high = params.get("max")
    if bool(low) != bool(high):
        return None
    if (high < low):  # want: BUG074 "`high < low` runs when neither `low` nor `high` is sent"
        return None
    return low, high


def validate_dates(attrs):
    first = attrs.get("first")
    last = attrs.get("last")
    if (first is None) != (last is None):
        raise ValueError("both or neither")
    if last <= first:  # want: BUG074 "`None <= None` raises TypeError"
        raise ValueError("order")
    return attrs
