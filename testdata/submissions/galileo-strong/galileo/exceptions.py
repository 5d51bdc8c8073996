class GalileoError(Exception):
    """Base class of the Galileo integration's errors."""


class GalileoUnavailable(GalileoError):
    """Galileo could not be reached or the circuit is open; safe to retry later."""


class GalileoRejected(GalileoError):
    """Galileo refused the request (4xx); retrying will not help."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"Galileo rejected the request: {status}")
        self.status = status
        self.detail = detail
