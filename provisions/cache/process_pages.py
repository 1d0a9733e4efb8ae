"""Each process's own copies of the pages it served lately, so that a hit needs from the shared
cache only the few bytes of the generations, not the page."""

import threading
from collections import OrderedDict


class ProcessPages:
    """The pages this process served lately. Bounded in bytes; least recently used go first.
    An entry here is only ever served after its generations were checked against the cache."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.entries: OrderedDict[str, dict] = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()

    def get(self, key: str) -> dict | None:
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None:
                self.entries.move_to_end(key)
            return entry

    def put(self, key: str, entry: dict) -> None:
        if entry["bytes"] > self.max_bytes // 4:
            return
        with self.lock:
            if (old := self.entries.pop(key, None)) is not None:
                self.size -= old["bytes"]
            self.entries[key] = entry
            self.size += entry["bytes"]
            while self.size > self.max_bytes:
                _, dropped = self.entries.popitem(last=False)
                self.size -= dropped["bytes"]

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.size = 0


process_pages = ProcessPages(max_bytes=24 * 1024 * 1024)
