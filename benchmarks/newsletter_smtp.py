"""A local SMTP server (aiosmtpd) for benchmarks/newsletter.py, in its own process so that the client being
measured does not share a GIL with it. Commands on stdin, one per line: "stats" prints a JSON line
{"messages", "recipients", "distinct", "first", "last"}; "reset" forgets everything; "quit" stops.
"""

import json
import sys
import threading
import time

from aiosmtpd.controller import Controller


class CountingHandler:
    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.messages = 0
        self.recipients = 0
        self.distinct = set()
        self.first = None
        self.last = None

    async def handle_DATA(self, server, session, envelope):
        now = time.perf_counter()
        with self.lock:
            self.messages += 1
            self.recipients += len(envelope.rcpt_tos)
            self.distinct.update(envelope.rcpt_tos)
            self.first = self.first or now
            self.last = now
        return "250 OK"


def main():
    port = int(sys.argv[1])
    handler = CountingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    for line in sys.stdin:
        command = line.strip()
        if command == "stats":
            with handler.lock:
                stats = {
                    "messages": handler.messages,
                    "recipients": handler.recipients,
                    "distinct": len(handler.distinct),
                    "window": (handler.last - handler.first) if handler.first else 0.0,
                }
            print(json.dumps(stats), flush=True)
        elif command == "reset":
            with handler.lock:
                handler.reset()
            print("ok", flush=True)
        elif command == "quit":
            break
    controller.stop()


if __name__ == "__main__":
    main()
