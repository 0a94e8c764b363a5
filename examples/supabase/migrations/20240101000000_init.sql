-- finding: rls-disabled — profiles is readable by anyone with the anon key
create table public.profiles (
  id uuid primary key references auth.users (id),
  email text not null,
  display_name text
);

-- near miss: RLS for orders is enabled in the next migration
create table public.orders (
  id bigint generated always as identity primary key,
  user_id uuid not null references auth.users (id),
  total_cents integer not null
);

-- finding: function-search-path (error: SECURITY DEFINER without a fixed search_path)
create or replace function public.handle_new_user()
returns trigger
language plpgsql
security definer
as $$
begin
  insert into public.profiles (id, email) values (new.id, new.email);
  return new;
end;
$$;

-- near miss: the search_path is fixed
create or replace function public.order_total(p_user uuid)
returns bigint
language sql
stable
set search_path = ''
as $$ select coalesce(sum(total_cents), 0) from public.orders where user_id = p_user $$;
