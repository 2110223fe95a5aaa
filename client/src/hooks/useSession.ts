import { useEffect, useState } from 'react';
import { auth, type Session } from '../lib/auth.ts';

export function useSession(): Session | null {
  const [session, setSession] = useState(auth.session);
  useEffect(() => auth.on('change', setSession), []);
  return session;
}
