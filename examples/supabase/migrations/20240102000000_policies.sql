alter table public.orders enable row level security;

-- finding: policy-always-true — any signed-in user may change any order
create policy "orders are editable" on public.orders
  for update to authenticated
  using (true);

-- near miss: scoped to the owner
create policy "own orders" on public.orders
  for select to authenticated
  using ((select auth.uid()) = user_id);
