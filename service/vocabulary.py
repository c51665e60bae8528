"""The names the service's tables and code share: a referral's status and urgency.

Topics, roles and kinds of place are content's names (content.schema); these are the
service's own. Each is a Literal, for the type checker, and the tuple of its values.
"""

from __future__ import annotations

from typing import Literal, get_args

# new: waiting for an advocate; claimed: an advocate has it; waiting: the advocate replied
# and waits for the child; closed: done.
Status = Literal["new", "claimed", "waiting", "closed"]
STATUSES: tuple[Status, ...] = get_args(Status)
OpenStatus = Literal["new", "claimed", "waiting"]
OPEN: tuple[OpenStatus, ...] = get_args(OpenStatus)
# Held by an advocate: their turn ("claimed") or the child's ("waiting").
HELD: tuple[Status, ...] = ("claimed", "waiting")

Urgency = Literal["urgent", "normal"]
URGENCIES: tuple[Urgency, ...] = get_args(Urgency)

# Who wrote a relay message: the child, their advocate, or Rightsline itself (telling the
# child their advocate has finished). The last two are for the child to read.
Sender = Literal["child", "advocate", "rightsline"]
SENDERS: tuple[Sender, ...] = get_args(Sender)
TO_CHILD: tuple[Sender, ...] = ("advocate", "rightsline")
