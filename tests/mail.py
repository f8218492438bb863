"""Read the messages the file mail backend wrote."""

import email
import os
import re
from email import policy


class Mailbox:
    def __init__(self, folder):
        self.folder = folder

    def clear(self):
        if os.path.isdir(self.folder):
            for name in os.listdir(self.folder):
                os.remove(os.path.join(self.folder, name))

    def messages(self):
        if not os.path.isdir(self.folder):
            return []
        out = []
        for name in sorted(os.listdir(self.folder)):
            with open(os.path.join(self.folder, name), "rb") as fh:
                out.append(email.message_from_binary_file(fh, policy=policy.default))
        return out

    def to(self, address):
        return [m for m in self.messages() if m["To"] == address]

    @staticmethod
    def body(message):
        return message.get_body(preferencelist=("plain",)).get_content()

    def link(self, message, path_fragment):
        for url in re.findall(r"https?://\S+", self.body(message)):
            if path_fragment in url:
                return url
        raise AssertionError(f"no link containing {path_fragment!r} in {self.body(message)!r}")
