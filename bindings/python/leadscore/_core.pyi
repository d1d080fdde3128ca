"""Type stubs for the C++ extension leadscore._core."""

import numpy as np
import numpy.typing as npt

__version__: str

class Error(Exception): ...
class InvalidInput(Error, ValueError): ...
class ParseError(Error, ValueError): ...
class JsonError(Error, ValueError): ...
class NotConverged(Error): ...
class SerializationError(Error): ...

def summarize(
    customer: npt.NDArray[np.int64],
    n_customers: int,
    time: npt.NDArray[np.int64],
    ticks_per_day: int,
    amount: npt.NDArray[np.float64],
    time_unit: str = "days",
    calibration_end: int | None = None,
    observation_end: int | None = None,
) -> dict: ...
def read_transactions(
    path: str,
    delimiter: str = ",",
    header: bool = True,
    id_col: str = "customer_id",
    date_col: str = "date",
    amount_col: str = "amount",
    date_format: str = "iso",
) -> dict: ...
def _buffer_address(a: npt.NDArray[np.float64]) -> int: ...
def _buffer_address_int64(a: npt.NDArray[np.int64]) -> int: ...
