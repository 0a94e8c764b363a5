-- Dashboard views and the team page.
create table public.projects (
  id bigint generated always as identity primary key,
  owner_id uuid not null references auth.users (id),
  name text not null
);
create index projects_owner_id_idx on public.projects (owner_id);
alter table public.projects enable row level security;

-- finding: rls-initplan — auth.uid() evaluated for every row (safe fix wraps it)
create policy "Owners read projects" on public.projects
  for select to authenticated
  using (auth.uid() = owner_id);

-- near miss: already wrapped, evaluated once per statement
create policy "Owners rename projects" on public.projects
  for update to authenticated
  using ((select auth.uid()) = owner_id);

-- finding: policy-user-metadata — users can set their own user_metadata
create policy "Admins delete projects" on public.projects
  for delete to authenticated
  using ((select auth.jwt() -> 'user_metadata' ->> 'role') = 'admin');

-- near miss: app_metadata is written by the server only
create policy "Admins read the audit log" on public.audit_log
  for select to authenticated
  using ((select auth.jwt() -> 'app_metadata' ->> 'role') = 'admin');

-- finding: view-security-invoker — the view bypasses RLS (safe fix adds the option)
create view public.project_counts as
  select owner_id, count(*) as n from public.projects group by owner_id;

-- near miss: runs with the caller's rights
create view public.my_projects with (security_invoker = on) as
  select * from public.projects where owner_id = (select auth.uid());

-- finding: auth-users-exposed — every user's email through the Data API
create view public.project_owners with (security_invoker = off) as
  select p.id, u.email from public.projects p join auth.users u on u.id = p.owner_id;

-- finding: grant-to-anon — anonymous visitors may write every project
grant all on table public.projects to anon;

-- near miss: reading is what anonymous visitors need
grant select on table public.projects to anon;

-- finding: rls-no-policy — deny-all: the Data API returns nothing
create table public.project_stats (project_id bigint primary key, views int not null default 0);
alter table public.project_stats enable row level security;

-- finding: unbounded-write — the WHERE was forgotten
update public.audit_log set action = 'redacted';

-- near miss: a policy in a later migration settles rls-no-policy for page_views
create policy "Signed-in users read page views" on public.page_views
  for select to authenticated
  using (true);
