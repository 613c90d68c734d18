import { createContext, useContext } from 'react';
import type { User } from '../../src/contract/users.ts';

export const SessionContext = createContext<User | null>(null);

/** The signed-in user; every page below the shell has one. */
export function useUser(): User {
  const user = useContext(SessionContext);
  if (!user) throw new Error('useUser outside a session');
  return user;
}
