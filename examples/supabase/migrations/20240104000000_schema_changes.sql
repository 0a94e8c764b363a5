-- Schema changes on tables that already hold rows (migration-safety rules).

-- near miss: fk-without-index — this index settles orders.user_id from the first migration
create index concurrently if not exists orders_user_id_idx on public.orders (user_id);

-- finding: index-not-concurrent — a plain CREATE INDEX blocks writes to orders while it builds
create index orders_total_idx on public.orders (total_cents);

-- finding: add-required-column — fails when orders has rows (no DEFAULT)
alter table public.orders add column currency text not null;

-- near miss: a DEFAULT fills the existing rows
alter table public.orders add column status text not null default 'open';

-- finding: timestamp-without-tz — a wall-clock time with no zone
alter table public.orders add column shipped_at timestamp;

-- finding: no-primary-key — page views cannot be told apart
-- finding: fk-without-index — page_views.order_id has no index
create table public.page_views (
  order_id bigint references public.orders (id),
  viewed_at timestamptz not null default now()
);
alter table public.page_views enable row level security;

-- near miss: a table created in this file is empty, so a plain index is fine
create index page_views_viewed_at_idx on public.page_views (viewed_at);
