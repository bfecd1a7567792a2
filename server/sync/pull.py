"""The server side of `GET /api/sync/pull`: snapshots in the caller's scope since a cursor,
and the ids that left the caller's scope in the same range."""
from __future__ import annotations

from sqlalchemy import and_, exists, false, func, or_, true
from sqlmodel import Session, select

from schemas.accounts import User
from schemas.entities import ENTITIES
from schemas.fields import Ref
from schemas.oplog import Attendance, RecordSnapshot, ScopeChange, Share
from server.auth.sessions import viewer_of
from server.core import audit
from server.sync import derived, heads
from server.sync.places import load_places, with_shares
from sync import scope
from sync.scope import Place

R = RecordSnapshot
USER_FIELDS = {
    name: [field for field, spec in entity.fields.items() if spec.ref == Ref.USER]
    for name, entity in ENTITIES.items() if any(spec.ref == Ref.USER for spec in entity.fields.values())
}
COLUMNS = (R.id, R.entity, R.municipality_id, R.team_id, R.org_id, R.citizen_id, R.last_seq, R.state, R.derived)


def scope_filter(viewer: scope.Viewer, table=R, entity: str | None = None):
    """SQL pre-filter equal to `sync.scope.visible_fields(...) is not None` (tested), over
    the `records` snapshots — or, with `entity`, over that entity's register table
    (`Citizen`, `Lead`: the same scope columns), so a list can walk the register's own
    indexes (server/api/lists.py). One SQL condition per read rule of the scope table
    (`sync.scope.read_rules`), for the entities that rule covers."""
    rules = scope.read_rules(viewer.role)
    if entity is not None:
        rules = {entity: rules[entity]} if entity in rules else {}
    by_rule: dict[str, list[str]] = {}
    for name, rule in sorted(rules.items()):
        by_rule.setdefault(rule, []).append(name)
    branches = []
    for rule, entities in by_rule.items():
        if rule == "partner":  # its condition depends on the entity
            branches += [_of_entity(table, entity, name, _partner_sql(viewer, table, name)) for name in entities]
        elif rule != "nothing":
            every = entity is not None or set(entities) == set(ENTITIES)
            condition = RULE_SQL[rule](viewer, table)
            branches.append(condition if every else and_(table.entity.in_(entities), condition))
    if not branches:
        return false()
    return and_(table.municipality_id == viewer.municipality_id, or_(*branches))


def _of_entity(table, known: str | None, name: str, condition):
    return condition if known is not None else and_(table.entity == name, condition)


RULE_SQL = {
    "municipality": lambda viewer, table: true(),
    "own_team": lambda viewer, table: table.team_id == viewer.org_id,
    "own_lead": lambda viewer, table: table.org_id == viewer.org_id,
}


def _partner_sql(viewer: scope.Viewer, table, entity: str):
    """`sync.scope._partner`: a live consent naming the viewer's organisation for a purpose
    that reveals this entity (PARTNER_VIEWS) — and, for a meeting, one it attended under."""
    purposes = sorted(scope.purposes_revealing(entity))
    citizen = table.id if ENTITIES[entity].is_citizen else table.citizen_id
    if ENTITIES[entity].attendance:
        return exists().where(
            Attendance.record_id == table.id, Attendance.org_id == viewer.org_id, Attendance.purpose.in_(purposes),
            Share.citizen_id == citizen, Share.org_id == viewer.org_id, Share.purpose == Attendance.purpose,
        )
    shared = select(Share.citizen_id).where(Share.org_id == viewer.org_id, Share.purpose.in_(purposes))
    return citizen.in_(shared)


def pull(db: Session, *, user: User, device_id: str | None, cursor: int, limit: int, epoch: int | None,
         known_remaining: int | None = None) -> dict:
    """One page. `known_remaining` is the `remaining` of the previous page: given, this
    page's `remaining` is worked out from it instead of counted (a count on every page
    made a first pull quadratic in the records still to come)."""
    viewer = viewer_of(user)
    reset = epoch is not None and epoch != user.scope_epoch
    if reset:
        cursor = 0
    head = heads.head_of(db, user.municipality_id)
    if cursor >= head:  # nothing new in the municipality: the common case for a phone that is up to date
        return _page(user, reset, next_cursor=head)
    rows = db.exec(
        select(*COLUMNS)
        .where(R.last_seq > cursor, R.last_seq <= head, stream_filter(viewer))
        .order_by(R.last_seq, R.id)
        .limit(limit + 1)
    ).all()
    has_more = len(rows) > limit
    rows = rows[:limit]
    if has_more:
        # Never split one sequence number across pages: a page ends at a whole seq.
        last = rows[-1].last_seq
        whole = [row for row in rows if row.last_seq < last]
        rows = whole or _whole_seq(db, viewer, last)
    next_cursor = rows[-1].last_seq if has_more else head
    places = with_shares(db, {row.id: Place.from_columns(row) for row in rows})
    records = []
    for row in rows:
        fields = scope.visible_fields(viewer, places[row.id])
        if fields is None:  # the SQL filter and the rules disagree: trust the rules
            continue
        records.append(derived.attach({**scope.project(row.state, fields), "seq": row.last_seq}, row))
    evict = _evictions(db, viewer, cursor, next_cursor)
    _audit_page(db, user, device_id, [(r["entity"], r["id"], places[r["id"]].citizen_id) for r in records])
    remaining = 0
    if has_more:  # lets a phone show real progress on its first sync
        if known_remaining is not None and cursor > 0 and not reset:
            remaining = max(0, known_remaining - len(rows))
        else:
            remaining = db.exec(
                select(func.count()).select_from(R).where(R.last_seq > next_cursor, R.last_seq <= head, stream_filter(viewer))
            ).one()
    sets = {} if has_more else delivered_sets(db, viewer)
    for items in sets.values():
        _audit_page(db, user, device_id, [(item["entity"], item["id"], None) for item in items])
    return {**_page(
        user, reset, next_cursor=next_cursor, records=records, evict=evict, has_more=has_more,
        remaining=remaining, users=_user_names(db, user, records),
    ), **sets}


def _audit_page(db: Session, user: User, device_id: str | None, sent: list[tuple[str, str, str | None]]) -> None:
    """One `read` row per citizen whose records the page holds (entity and record left
    empty: "this citizen's records went to this device"), one per record that belongs to
    no citizen (a lead). Who received which citizen stays queryable; a first pull of a
    citizen with twenty contacts writes one row, not twenty-one."""
    citizens = sorted({citizen for _, _, citizen in sent if citizen})
    others = [(entity, record_id, None) for entity, record_id, citizen in sent if not citizen]
    audit.record_many(db, "read", user_id=user.id, device_id=device_id,
                      records=[(None, None, citizen) for citizen in citizens] + others)


def stream_filter(viewer: scope.Viewer):
    """The records that travel in the cursor stream: those in scope, except the entities
    this role receives as a whole set (sync.scope.DELIVERED_AS_SET)."""
    as_set = sorted(entity for role, entity in scope.DELIVERED_AS_SET if role == viewer.role)
    return and_(scope_filter(viewer), R.entity.notin_(as_set)) if as_set else scope_filter(viewer)


def delivered_sets(db: Session, viewer: scope.Viewer) -> dict[str, list[dict]]:
    """The entities this role receives as a whole set, without sequence numbers: the
    volunteer's own leads ("leads"), as they stand now."""
    out: dict[str, list[dict]] = {}
    for role, entity in sorted(scope.DELIVERED_AS_SET):
        if role != viewer.role:
            continue
        rows = db.exec(select(*COLUMNS).where(R.entity == entity, scope_filter(viewer)).order_by(R.id)).all()
        places = with_shares(db, {row.id: Place.from_columns(row) for row in rows})
        items = []
        for row in rows:
            fields = scope.visible_fields(viewer, places[row.id])
            if fields is not None:
                items.append(derived.attach(scope.project(row.state, fields), row))
        out[f"{entity}s"] = items
    return out


def _page(user: User, reset: bool, *, next_cursor: int, records=(), evict=(), has_more=False, remaining=0, users=None) -> dict:
    return {
        "records": list(records),
        "evict": list(evict),
        "next_cursor": next_cursor,
        "has_more": has_more,
        "remaining": remaining,
        "epoch": user.scope_epoch,
        "reset": reset,
        "users": users or {},
    }


def _whole_seq(db: Session, viewer: scope.Viewer, seq: int):
    """All rows of one sequence number (a batch larger than the page limit)."""
    return db.exec(
        select(*COLUMNS)
        .where(R.last_seq == seq, stream_filter(viewer))
        .order_by(R.id)
    ).all()


def _evictions(db: Session, viewer: scope.Viewer, cursor: int, next_cursor: int) -> list[str]:
    """Records the viewer could see before a scope change in (cursor, next_cursor] and cannot now."""
    changes = db.exec(
        select(ScopeChange.record_id, ScopeChange.old_place)
        .where(ScopeChange.seq > cursor, ScopeChange.seq <= next_cursor)
        .order_by(ScopeChange.seq)
    ).all()
    if not changes:
        return []
    was_visible = {
        record_id
        for record_id, old in changes
        if scope.visible_fields(viewer, Place.from_json(old)) is not None
    }
    if not was_visible:
        return []
    current = with_shares(db, load_places(db, was_visible))
    return sorted(rid for rid in was_visible if rid not in current or scope.visible_fields(viewer, current[rid]) is None)


def _user_names(db: Session, user: User, records: list[dict]) -> dict[str, str]:
    """Display names of the workers named in these records (who wrote what)."""
    ids: set[str] = set()
    for record in records:
        ids.add(record.get("created_by"))
        for conflict in record["conflicts"]:
            ids.update(value.get("user_id") for value in conflict["values"])  # a partial view has none
        for writes in record["history"].values():
            ids.update(write.get("user_id") for write in writes)
        ids.update(edit.get("user_id") for edit in record["also_edited"])  # a partial view has none
        for name in USER_FIELDS.get(record["entity"], ()):  # who claimed a lead
            ids.add(record["fields"].get(name))
            for conflict in record["conflicts"]:
                if conflict["field"] == name:
                    ids.update(value.get("value") for value in conflict["values"])
    ids.discard(None)
    if not ids:
        return {}
    return dict(
        db.exec(select(User.id, User.display_name).where(User.id.in_(ids), User.municipality_id == user.municipality_id)).all()
    )
