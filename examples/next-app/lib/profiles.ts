import { createClient } from '@supabase/supabase-js';

const supabase = createClient(process.env.NEXT_PUBLIC_SUPABASE_URL!, process.env.NEXT_PUBLIC_SUPABASE_ANON_KEY!);

// finding: select-star (every column of profiles, today's and tomorrow's)
export const getProfile = (id: string) => supabase.from('profiles').select('*').eq('id', id).single();

// near miss: the columns are named
export const getDisplayName = (id: string) =>
  supabase.from('profiles').select('id, display_name').eq('id', id).single();
