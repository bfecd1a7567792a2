"""The project lead's decisions on quarantined ops, as the phones learn them.

Every decision (server/office/admin/triage.py) gets the next `decision_seq`, under the push
lock of the lead's municipality, so within a municipality the numbers grow in commit order
(two municipalities may share a number: a phone only ever reads its own user's
decisions, all of one municipality). A pull names the last number the phone has seen
(`resolved_after`) and gets the decisions on its user's quarantined ops after it: the phone
takes those ops off its "Kræver handling" list (a re-applied op's effect arrives as records
like any other change). Nothing here depends on the record cursor, so a decision with no
op behind it (a dismissal) still reaches a phone that is otherwise up to date.
"""
from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from schemas.accounts import User
from schemas.oplog import QuarantinedOp

MAX_PER_PULL = 500
Q = QuarantinedOp


def next_decision_seq(db: Session) -> int:
    """The number of the next decision. Call under the municipality's `server.sync.push.push_lock`."""
    return (db.exec(select(func.coalesce(func.max(Q.decision_seq), 0))).one() or 0) + 1


def decided_since(db: Session, user: User, after: int | None) -> dict:
    """`{"resolved": [{op_id, decision}], "resolved_cursor": n}` for this user's ops."""
    after = max(after or 0, 0)
    rows = db.exec(
        select(Q.op_id, Q.decision, Q.decision_seq)
        .where(Q.user_id == user.id, Q.decision_seq > after)
        .order_by(Q.decision_seq)
        .limit(MAX_PER_PULL)
    ).all()
    cursor = rows[-1].decision_seq if rows else after
    return {"resolved": [{"op_id": r.op_id, "decision": r.decision} for r in rows if r.op_id], "resolved_cursor": cursor}
