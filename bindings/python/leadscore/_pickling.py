"""Pickling of the estimators through the bytes of their C++ object: the
same bytes that save/load write, so a pickle is as exact as a model file."""

from __future__ import annotations


class PicklesThroughBytes:
    """Mixin: pickles the C++ object in attribute ``_pickled_attr`` as its
    ``to_bytes()``; on unpickling, ``_restore(data)`` rebuilds it."""

    _pickled_attr = "model_"

    def __getstate__(self):
        state = dict(self.__dict__)
        if self._pickled_attr in state:
            state[self._pickled_attr] = state[self._pickled_attr].to_bytes()
        return state

    def __setstate__(self, state):
        data = state.pop(self._pickled_attr, None)
        self.__dict__.update(state)
        if data is not None:
            self._restore(data)
