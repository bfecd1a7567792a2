"""Each municipality's head: the top `seq` of its last committed push.

`seq` numbers come from one sequence (the op log) for every municipality; pushes of
different municipalities commit in any order (they run in parallel), so a low seq of one
municipality can commit after a higher seq of another. A municipality's pushes run one
at a time (server.sync.push.push_lock), so its own seqs commit in order: a pull that reads
up to its municipality's head never skips a change that commits later.
"""
from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from schemas.oplog import MunicipalityHead


def advance(db: Session, municipality_id: str, seq: int) -> None:
    """Record `seq` as the municipality's head (inside the push transaction)."""
    dialect = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(MunicipalityHead.__table__).values(municipality_id=municipality_id, seq=seq)
    db.execute(statement.on_conflict_do_update(index_elements=["municipality_id"], set_={"seq": statement.excluded.seq}))


def head_of(db: Session, municipality_id: str) -> int:
    return db.exec(select(MunicipalityHead.seq).where(MunicipalityHead.municipality_id == municipality_id)).first() or 0
