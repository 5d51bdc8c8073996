def guarded_both(data):
    start = data.get("start_time")
    end = data.get("end_time")
    if start and not end or end and not start:
        raise ValueError("give both ends")
    if start and end and start >= end:
        raise ValueError("ends before it starts")
    return data


def returns_when_unset(data):
    start = data.get("start_time")
    end = data.get("end_time")
    if start and not end or end and not start:
        raise ValueError("give both ends")
    if not start:
        return data
    if start >= end:
        raise ValueError("ends before it starts")
    return data


def checked_before(data):
    start = data.get("start_time")
    end = data.get("end_time")
    if start is None and end is None:
        return data
    if start and not end or end and not start:
        raise ValueError("give both ends")
    if start >= end:
        raise ValueError("ends before it starts")
    return data


def defaults(data):
    start = data.get("start_time", 0)
    end = data.get("end_time", 0)
    if start and not end or end and not start:
        raise ValueError("give both ends")
    if start >= end:
        raise ValueError("ends before it starts")
    return data


def rebound(data):
    start = data.get("start_time")
    end = data.get("end_time")
    if start and not end or end and not start:
        raise ValueError("give both ends")
    start, end = start or 0, end or 0
    if start >= end:
        raise ValueError("ends before it starts")
    return data


def not_exclusive(data):
    start = data.get("start_time")
    end = data.get("end_time")
    if not start or not end:
        raise ValueError("give both ends")
    if start >= end:
        raise ValueError("ends before it starts")
    return data
