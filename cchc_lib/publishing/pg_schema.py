"""The PostgreSQL store's schema: numbered migrations, `migrate` (idempotent) and the check a server runs."""

from __future__ import annotations

from typing import Any

from cchc_lib.publishing.store_base import StoreError

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "check_schema", "migrate", "schema_version"]

# One advisory lock key for every schema change (the publish lock is another key, see store_pg).
MIGRATE_LOCK_KEY = 0x43434843_0001

# (number, statements). Never edit a released migration: add the next one.
MIGRATIONS: tuple[tuple[int, str], ...] = (
    (
        1,
        """
        CREATE TABLE cchc_versions (
            number integer PRIMARY KEY CHECK (number > 0),
            sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
            size integer NOT NULL CHECK (size >= 0),
            data bytea NOT NULL,
            meta json NOT NULL,
            published_at timestamptz NOT NULL DEFAULT now(),
            CHECK (octet_length(data) = size)
        );
        CREATE FUNCTION cchc_versions_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'cchc_versions rows are immutable';
        END $$;
        CREATE TRIGGER cchc_versions_immutable BEFORE UPDATE OR DELETE ON cchc_versions
            FOR EACH ROW EXECUTE FUNCTION cchc_versions_immutable();
        CREATE TABLE cchc_pointer (
            id boolean PRIMARY KEY DEFAULT true CHECK (id),
            number integer NOT NULL REFERENCES cchc_versions (number),
            sha256 text NOT NULL
        );
        CREATE TABLE cchc_audit (
            id bigserial PRIMARY KEY,
            entry json NOT NULL
        );
        CREATE TABLE cchc_documents (
            path text PRIMARY KEY,
            content text NOT NULL,
            updated_at timestamptz NOT NULL DEFAULT now()
        );
        """,
    ),
    (
        2,
        """
        CREATE TABLE cchc_session_items (
            path text PRIMARY KEY,
            data json NOT NULL,
            updated_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE TABLE cchc_session_audit (
            id bigserial PRIMARY KEY,
            entry json NOT NULL
        );
        """,
    ),
    (
        3,
        """
        CREATE TABLE cchc_accounts (
            name text PRIMARY KEY,
            role text NOT NULL,
            unit text NOT NULL DEFAULT '',
            hash text NOT NULL,
            updated_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE TABLE cchc_oidc (
            email text PRIMARY KEY,
            mapping text NOT NULL,
            updated_at timestamptz NOT NULL DEFAULT now()
        );
        """,
    ),
)
SCHEMA_VERSION = MIGRATIONS[-1][0]

_CREATE_META = """
CREATE TABLE IF NOT EXISTS cchc_schema (
    version integer PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now()
)
"""


def schema_version(conn: Any) -> int | None:
    """The highest migration applied in the database of `conn`, or None when it has no store schema."""
    row = conn.execute("SELECT to_regclass('cchc_schema') IS NOT NULL").fetchone()
    if not row or not row[0]:
        return None
    found = conn.execute("SELECT max(version) FROM cchc_schema").fetchone()
    return None if found is None or found[0] is None else int(found[0])


def _too_new(found: int) -> StoreError:
    return StoreError(
        "schema_unknown",
        f"Cơ sở dữ liệu PostgreSQL của kho dữ liệu có lược đồ phiên bản {found}, mới hơn phiên bản mà "
        f"chương trình này biết ({SCHEMA_VERSION}). Máy chủ không khởi động để tránh ghi sai dữ liệu: "
        "hãy cập nhật chương trình trên máy chủ này lên cùng phiên bản với các máy chủ khác.",
    )


def check_schema(conn: Any) -> None:
    """StoreError unless the database of `conn` holds exactly the schema this program knows: "schema_missing"
    (never migrated), "schema_old" (an older one) or "schema_unknown" (a newer one); each says what to run."""
    found = schema_version(conn)
    if found is None:
        raise StoreError(
            "schema_missing",
            "Cơ sở dữ liệu PostgreSQL của kho dữ liệu chưa được khởi tạo. Quản trị viên hãy chạy lệnh "
            "`python -m cchc_lib store migrate` rồi khởi động lại máy chủ.",
        )
    if found < SCHEMA_VERSION:
        raise StoreError(
            "schema_old",
            f"Cơ sở dữ liệu PostgreSQL của kho dữ liệu có lược đồ phiên bản {found}, cũ hơn phiên bản "
            f"{SCHEMA_VERSION} mà chương trình cần. Quản trị viên hãy chạy lệnh "
            "`python -m cchc_lib store migrate` rồi khởi động lại máy chủ.",
        )
    if found > SCHEMA_VERSION:
        raise _too_new(found)


def migrate(conn: Any) -> tuple[int | None, int]:
    """Create or upgrade the schema in one transaction under an advisory lock (two servers migrating at
    once apply each migration once): (version before, version after). Idempotent: on a current schema it
    changes nothing. StoreError "schema_unknown" on a schema newer than this program's."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATE_LOCK_KEY,))
        before = schema_version(conn)
        if before is not None and before > SCHEMA_VERSION:
            raise _too_new(before)
        conn.execute(_CREATE_META)
        for number, statements in MIGRATIONS:
            if before is None or number > before:
                conn.execute(statements)
                conn.execute("INSERT INTO cchc_schema (version) VALUES (%s)", (number,))
    return before, SCHEMA_VERSION
