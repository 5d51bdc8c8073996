def load(path):
    try:
        return open(path).read()
    except FileNotFoundError:
        return None


def explicit():
    try:
        pass
    except BaseException:
        raise


def group():
    try:
        pass
    except* ValueError:
        pass


text = """
try:
    pass
except:  # want: ERR001  (inside a string: not code, not a want)
    pass
"""
