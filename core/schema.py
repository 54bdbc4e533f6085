"""Numbered migrations; each is SQL text applied in its own transaction and recorded in schema_migrations.

Times are naive UTC TIMESTAMPs (converted to the shop's zone only when shown). Money is integer VND (BIGINT).
Foreign keys are not declared: DuckDB checks them over-eagerly on updates; the core functions keep references.
"""

MIGRATIONS: list[tuple[int, str, str]] = [
    (
        1,
        "initial schema",
        """
CREATE SEQUENCE livestream_ids START 1;
CREATE TABLE livestreams (
    id BIGINT PRIMARY KEY DEFAULT nextval('livestream_ids'),
    title VARCHAR NOT NULL,
    platform VARCHAR NOT NULL DEFAULT 'other' CHECK (platform IN ('facebook', 'tiktok', 'other')),
    source_ref VARCHAR,
    status VARCHAR NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'live', 'ended')),
    started_at TIMESTAMP,
    ended_at TIMESTAMP,
    syntax_settings VARCHAR NOT NULL DEFAULT '{}',
    catalog_version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL
);

CREATE SEQUENCE live_item_ids START 1;
CREATE TABLE live_items (
    id BIGINT PRIMARY KEY DEFAULT nextval('live_item_ids'),
    livestream_id BIGINT NOT NULL,
    code VARCHAR NOT NULL,
    code_key VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    sku VARCHAR,
    price BIGINT NOT NULL DEFAULT 0 CHECK (price >= 0),
    stock INTEGER CHECK (stock IS NULL OR stock >= 0),
    sizes VARCHAR[] NOT NULL DEFAULT [],
    colors VARCHAR[] NOT NULL DEFAULT [],
    position INTEGER NOT NULL DEFAULT 0,
    UNIQUE (livestream_id, code_key)
);

-- A short code that was unknown, and the item staff picked for it (remembered per livestream).
CREATE TABLE code_aliases (
    livestream_id BIGINT NOT NULL,
    code_key VARCHAR NOT NULL,
    code VARCHAR NOT NULL,
    item_id BIGINT NOT NULL,
    created_by VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (livestream_id, code_key)
);

CREATE SEQUENCE user_ids START 1;
CREATE TABLE users (
    id BIGINT PRIMARY KEY DEFAULT nextval('user_ids'),
    username VARCHAR NOT NULL UNIQUE,
    display_name VARCHAR NOT NULL,
    role VARCHAR NOT NULL CHECK (role IN ('owner', 'staff')),
    password_hash VARCHAR,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL
);

CREATE SEQUENCE customer_ids START 1;
CREATE TABLE customers (
    id BIGINT PRIMARY KEY DEFAULT nextval('customer_ids'),
    platform VARCHAR NOT NULL,
    platform_user_id VARCHAR NOT NULL,
    display_name VARCHAR NOT NULL,
    phone VARCHAR,
    province_code VARCHAR,
    ward_code VARCHAR,
    street VARCHAR,
    address VARCHAR,
    tags VARCHAR[] NOT NULL DEFAULT [],
    blacklisted BOOLEAN NOT NULL DEFAULT FALSE,
    blacklist_reason VARCHAR,
    staff_id BIGINT,
    notes VARCHAR,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (platform, platform_user_id)
);

CREATE SEQUENCE comment_ids START 1;
CREATE TABLE comments (
    id BIGINT PRIMARY KEY DEFAULT nextval('comment_ids'),
    livestream_id BIGINT NOT NULL,
    platform VARCHAR NOT NULL,
    platform_comment_id VARCHAR NOT NULL,
    customer_id BIGINT NOT NULL,
    message VARCHAR NOT NULL,
    commented_at TIMESTAMP NOT NULL,
    received_at TIMESTAMP NOT NULL,
    source VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    parse_result VARCHAR NOT NULL,
    order_id BIGINT,
    effect VARCHAR NOT NULL DEFAULT 'none',
    UNIQUE (platform, platform_comment_id)
);
CREATE INDEX comments_by_livestream ON comments (livestream_id, commented_at);

CREATE SEQUENCE order_ids START 1;
CREATE TABLE orders (
    id BIGINT PRIMARY KEY DEFAULT nextval('order_ids'),
    code VARCHAR NOT NULL UNIQUE,
    livestream_id BIGINT NOT NULL,
    number INTEGER NOT NULL,
    customer_id BIGINT NOT NULL,
    status VARCHAR NOT NULL CHECK (status IN ('draft', 'awaiting_confirmation', 'awaiting_shipment',
                                              'sent_to_shop', 'shipped', 'cancelled')),
    staff_id BIGINT,
    first_comment_at TIMESTAMP NOT NULL,
    receiver_name VARCHAR,
    receiver_phone VARCHAR,
    receiver_address VARCHAR,
    note VARCHAR,
    shipping_fee BIGINT NOT NULL DEFAULT 0,
    discount BIGINT NOT NULL DEFAULT 0,
    payment VARCHAR NOT NULL DEFAULT 'cod' CHECK (payment IN ('cod', 'transfer')),
    carrier VARCHAR,
    tracking_number VARCHAR,
    shipped_at TIMESTAMP,
    handled_at TIMESTAMP,
    handled_by VARCHAR,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE SEQUENCE order_line_ids START 1;
CREATE TABLE order_lines (
    id BIGINT PRIMARY KEY DEFAULT nextval('order_line_ids'),
    order_id BIGINT NOT NULL,
    code_typed VARCHAR NOT NULL,
    item_id BIGINT,
    size VARCHAR,
    color VARCHAR,
    qty INTEGER NOT NULL CHECK (qty >= 1),
    unit_price BIGINT NOT NULL DEFAULT 0 CHECK (unit_price >= 0),
    source_comment_id BIGINT,
    claimed_at TIMESTAMP NOT NULL,
    waitlisted_qty INTEGER NOT NULL DEFAULT 0,
    edited_by_staff BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX order_lines_by_order ON order_lines (order_id);

CREATE SEQUENCE order_event_ids START 1;
CREATE TABLE order_events (
    id BIGINT PRIMARY KEY DEFAULT nextval('order_event_ids'),
    order_id BIGINT NOT NULL,
    happened_at TIMESTAMP NOT NULL,
    actor VARCHAR NOT NULL,
    action VARCHAR NOT NULL,
    from_status VARCHAR,
    to_status VARCHAR,
    details VARCHAR NOT NULL DEFAULT '{}'
);
CREATE INDEX order_events_by_order ON order_events (order_id);

CREATE SEQUENCE outbox_ids START 1;
CREATE TABLE outbox (
    id BIGINT PRIMARY KEY DEFAULT nextval('outbox_ids'),
    order_id BIGINT NOT NULL,
    target VARCHAR NOT NULL,
    action VARCHAR NOT NULL,
    idempotency_key VARCHAR NOT NULL UNIQUE,
    payload VARCHAR NOT NULL,
    state VARCHAR NOT NULL DEFAULT 'pending',
    tries INTEGER NOT NULL DEFAULT 0,
    next_try_at TIMESTAMP,
    last_answer VARCHAR,
    created_at TIMESTAMP NOT NULL
);
CREATE SEQUENCE outbox_attempt_ids START 1;
CREATE TABLE outbox_attempts (
    id BIGINT PRIMARY KEY DEFAULT nextval('outbox_attempt_ids'),
    outbox_id BIGINT NOT NULL,
    happened_at TIMESTAMP NOT NULL,
    status_code INTEGER,
    duration_ms INTEGER,
    answer VARCHAR
);
""",
    ),
    (
        2,
        "order key of order comments",
        """
-- The canonical lines of an order comment (core.ingest.order_key), so the repeat policy compares short keys
-- instead of re-reading JSON. No shop database predates this migration, so there is nothing to backfill.
ALTER TABLE comments ADD COLUMN order_key VARCHAR;
""",
    ),
]
