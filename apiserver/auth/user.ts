// The identity a request authenticates as, shaped like kube's user.Info.
export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
}

export const ALL_AUTHENTICATED = 'system:authenticated';
export const ALL_UNAUTHENTICATED = 'system:unauthenticated';
export const ANONYMOUS = 'system:anonymous';

/**
 * Adds system:authenticated the way kube-apiserver's AuthenticatedGroupAdder does: to every authenticated user
 * except the anonymous one, unless it already carries one of the two "all" groups.
 */
export function withAuthenticatedGroup(user: UserInfo): UserInfo {
  if (user.username === ANONYMOUS) return user;
  if (user.groups.some((g) => g === ALL_AUTHENTICATED || g === ALL_UNAUTHENTICATED)) return user;
  return { ...user, groups: [...user.groups, ALL_AUTHENTICATED] };
}
