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
-- The canonical lines of an order comment (core.services.comments.order_key), so the repeat policy compares short keys
-- instead of re-reading JSON. No shop database predates this migration, so there is nothing to backfill.
ALTER TABLE comments ADD COLUMN order_key VARCHAR;
""",
    ),
    (
        3,
        "facebook sources",
        """
-- Per livestream: its own Page access token (a secret; NULL = the CHOTDON_FACEBOOK_PAGE_TOKEN setting) and
-- the newest comment time that a complete poll of the Graph API has covered, where the poller resumes.
CREATE TABLE facebook_sources (
    livestream_id BIGINT PRIMARY KEY,
    page_token VARCHAR,
    polled_through TIMESTAMP,
    updated_at TIMESTAMP NOT NULL
);
""",
    ),
    (
        4,
        "carriers, shipments and outbox delivery",
        """
-- The carriers the owner keeps in Setup; Ship picks one. tracking_url has {tracking} where the number goes.
-- Names are unique without case (core.services.shipping checks): a UNIQUE index would refuse renaming two in one go.
CREATE SEQUENCE carrier_ids START 1;
CREATE TABLE carriers (
    id BIGINT PRIMARY KEY DEFAULT nextval('carrier_ids'),
    name VARCHAR NOT NULL,
    default_fee BIGINT NOT NULL DEFAULT 0 CHECK (default_fee >= 0),
    tracking_url VARCHAR,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    position INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL
);

-- One row per Ship, written in the Ship's transaction. fee: what the carrier charges the shop;
-- cod_amount: what the carrier collects from the receiver (0 when paid by transfer).
CREATE SEQUENCE shipment_ids START 1;
CREATE TABLE shipments (
    id BIGINT PRIMARY KEY DEFAULT nextval('shipment_ids'),
    order_id BIGINT NOT NULL,
    carrier_id BIGINT,
    carrier VARCHAR,
    tracking_number VARCHAR,
    fee BIGINT NOT NULL DEFAULT 0 CHECK (fee >= 0),
    cod_amount BIGINT NOT NULL DEFAULT 0,
    shipped_at TIMESTAMP NOT NULL,
    shipped_by VARCHAR NOT NULL
);

-- Delivery bookkeeping (core.services.outbox). in_doubt: a try may have reached the target without its answer reaching
-- us, so the next try asks the target first. claim_token/lease_until: the try under way. problem: why a push
-- waits, failed or died, in words. tries_at_last_retry: Retry gives a dead push a new budget of tries.
ALTER TABLE outbox ADD COLUMN caused_by VARCHAR;
ALTER TABLE outbox ADD COLUMN in_doubt BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE outbox ADD COLUMN claim_token VARCHAR;
ALTER TABLE outbox ADD COLUMN lease_until TIMESTAMP;
ALTER TABLE outbox ADD COLUMN tries_at_last_retry INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN problem VARCHAR;
ALTER TABLE outbox ADD COLUMN remote_ref VARCHAR;
ALTER TABLE outbox ADD COLUMN updated_at TIMESTAMP;
ALTER TABLE outbox ADD COLUMN delivered_at TIMESTAMP;
-- request: what this exchange was (login, lookup, create, POST); outcome: what Chotdon made of the answer.
ALTER TABLE outbox_attempts ADD COLUMN request VARCHAR;
ALTER TABLE outbox_attempts ADD COLUMN outcome VARCHAR;
""",
    ),
    (
        5,
        "saved queries",
        """
-- The owner's named queries of the SQL console (core.services.sql_console); the SQL is checked to be one SELECT on save.
CREATE SEQUENCE saved_query_ids START 1;
CREATE TABLE saved_queries (
    id BIGINT PRIMARY KEY DEFAULT nextval('saved_query_ids'),
    name VARCHAR NOT NULL UNIQUE,
    sql VARCHAR NOT NULL,
    created_by VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_by VARCHAR NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
""",
    ),
    (
        6,
        "access, staff in charge, customers",
        """
-- core.services.auth. app_secrets: keys made on first start (the session cookie's HMAC key), kept with the shop's data.
CREATE TABLE app_secrets (
    name VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL
);
-- One row per login. The cookie holds the random id and its signature; only the id's SHA-256 is stored, so the
-- file alone does not let anyone in. ended_at: logged out, or ended by a password reset or deactivation.
CREATE TABLE sessions (
    id_hash VARCHAR PRIMARY KEY,
    user_id BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    ended_at TIMESTAMP
);
-- Wrong passwords per account: the next try waits longer after each; enough of them lock the account a while.
CREATE TABLE login_throttle (
    user_id BIGINT PRIMARY KEY,
    failures INTEGER NOT NULL DEFAULT 0,
    next_try_at TIMESTAMP,
    locked_until TIMESTAMP,
    updated_at TIMESTAMP NOT NULL
);

-- core.services.assignment. The staff on duty in a livestream (none marked: every active staff member), and the one who
-- got the last new customer, so the next one goes to the next in turn.
CREATE TABLE livestream_on_duty (
    livestream_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    PRIMARY KEY (livestream_id, user_id)
);
CREATE TABLE staff_rotation (
    livestream_id BIGINT PRIMARY KEY,
    last_staff_id BIGINT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- core.services.customers. Blacklist ("bom hàng"): who marked the customer and when. blacklisted_order_comments: what an
-- order comment of a blacklisted customer does in this livestream ('review': the order is made but held until
-- staff accept it; 'orders': an order like anyone's, still marked).
ALTER TABLE customers ADD COLUMN blacklisted_by VARCHAR;
ALTER TABLE customers ADD COLUMN blacklisted_at TIMESTAMP;
ALTER TABLE livestreams ADD COLUMN blacklisted_order_comments VARCHAR NOT NULL DEFAULT 'review';
-- hold_reason: why an order may not be completed yet ('blacklisted'); its claims wait behind everyone else's.
-- returned_at: a shipped order the receiver refused or sent back.
ALTER TABLE orders ADD COLUMN hold_reason VARCHAR;
ALTER TABLE orders ADD COLUMN returned_at TIMESTAMP;
""",
    ),
    (
        7,
        "user language",
        """
-- The language each user reads the app in (core.base.i18n.LANGUAGES); English until they switch.
ALTER TABLE users ADD COLUMN language VARCHAR NOT NULL DEFAULT 'en';
""",
    ),
    (
        8,
        "no comments-by-livestream index",
        """
-- DuckDB reads one livestream's comments by the row groups' min/max (comments arrive in time order); it uses an
-- ART index only for lookups of a handful of rows, which no query of a live's comments is. The index cost every
-- commit of comments its upkeep (a tenth of a large file's insert).
DROP INDEX IF EXISTS comments_by_livestream;
""",
    ),
    (
        9,
        "login limits by name and by address; the owner set up once",
        """
-- Wrong passwords counted per key: 'user:<username as typed>' (known or not, so a name cannot be guessed from the
-- answers) and 'addr:<client address>'. A try is counted before its password is checked, so parallel tries wait
-- and lock like tries in a row. core.services.auth.
DROP TABLE login_throttle;
CREATE TABLE login_limits (
    key VARCHAR PRIMARY KEY,
    failures INTEGER NOT NULL DEFAULT 0,
    next_try_at TIMESTAMP,
    locked_until TIMESTAMP,
    updated_at TIMESTAMP NOT NULL
);
-- 'owner_set_up': an owner has had a password; the first-start set-up page is never offered again.
INSERT INTO app_secrets SELECT 'owner_set_up', 'yes', now()::TIMESTAMP
    WHERE EXISTS (SELECT 1 FROM users WHERE role = 'owner' AND password_hash IS NOT NULL);
""",
    ),
    (
        10,
        "comment length as written",
        """
-- A comment's text is stored up to core.integrations.comment_files.MESSAGE_LIMIT characters (Facebook's own
-- limit); message_length is the length it was written with when it was cut, NULL when it is stored whole.
ALTER TABLE comments ADD COLUMN message_length BIGINT;
""",
    ),
    (
        11,
        "answers on facebook",
        """
-- core.services.answers. Per livestream: which automatic answers go to Facebook and their templates (checked when
-- saved). No row: every answer off, the Vietnamese default templates.
CREATE TABLE answer_settings (
    livestream_id BIGINT PRIMARY KEY,
    reply_publicly BOOLEAN NOT NULL DEFAULT FALSE,
    reply_template VARCHAR NOT NULL,
    message_privately BOOLEAN NOT NULL DEFAULT FALSE,
    message_template VARCHAR NOT NULL,
    hide_phone_comments BOOLEAN NOT NULL DEFAULT FALSE,
    language VARCHAR NOT NULL DEFAULT 'vi',
    updated_by VARCHAR NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- Shop-wide settings by name (answers_per_minute: answers per minute per Facebook page).
CREATE TABLE shop_settings (
    name VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL,
    updated_by VARCHAR NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- Answers travel through the outbox (target 'facebook'): comment_id is the comment answered (comments.id). A
-- one-off reply or a hide may concern no order, so order_id may be NULL.
ALTER TABLE outbox ADD COLUMN comment_id BIGINT;
ALTER TABLE outbox ALTER COLUMN order_id DROP NOT NULL;
""",
    ),
]
