-- finding: mysql-inline-index — a MySQL idiom that fails in PostgreSQL
create table public.audit_log (
  id bigint generated always as identity primary key,
  actor uuid,
  action text not null,
  index audit_log_actor_idx (actor)
);
alter table public.audit_log enable row level security;
