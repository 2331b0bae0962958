// Current-user context: undefined while loading, null when logged out, else {id, email, name}.
import { createContext, useContext } from "react";

export const AuthContext = createContext({ user: undefined, setUser: () => {} });

export function useAuth() {
  return useContext(AuthContext);
}
