// Karmada's group selection (spreadconstraint.selectGroups): among topology groups (regions, zones, ...), choose
// between minGroups and maxGroups of them that together hold at least `target` clusters, preferring the combination
// with the highest total score, then the most clusters, then the first found.

export interface Group {
  name: string;
  /** How many clusters the group holds. */
  value: number;
  /** The group's score. */
  weight: number;
}

interface Path {
  id: number;
  groups: Group[];
  weight: number;
  value: number;
}

/** The best feasible combination of groups, highest weight first; empty when no combination is feasible. */
export function selectGroups(groups: readonly Group[], minGroups: number, maxGroups: number, target: number): Group[] {
  const paths = feasiblePaths(groups, minGroups, maxGroups, target);
  return paths.length === 0 ? [] : prioritize(paths).groups;
}

/**
 * Every combination found by a depth-first search over the groups (fewest clusters first) that reaches target with
 * a length within [minGroups, maxGroups]. A combination stops growing as soon as it is feasible.
 */
function feasiblePaths(groups: readonly Group[], minGroups: number, maxGroups: number, target: number): Path[] {
  const sorted = [...groups].sort((a, b) => a.value - b.value || b.weight - a.weight || compare(a.name, b.name));
  const paths: Path[] = [];
  const current: Group[] = [];
  const dfs = (sum: number, begin: number): void => {
    if (sum >= target && current.length >= minGroups && current.length <= maxGroups) {
      const chosen = [...current].sort((a, b) => b.weight - a.weight || compare(a.name, b.name));
      paths.push({
        id: paths.length + 1,
        groups: chosen,
        weight: chosen.reduce((s, g) => s + g.weight, 0),
        value: chosen.reduce((s, g) => s + g.value, 0),
      });
      return;
    }
    if (current.length >= maxGroups) return;
    for (let i = begin; i < sorted.length; i++) {
      current.push(sorted[i]);
      dfs(sum + sorted[i].value, i + 1);
      current.pop();
    }
  };
  dfs(0, 0);
  return paths;
}

/**
 * The heaviest path (then the one with most clusters, then the first found); a path that is a strict prefix of the
 * chosen one replaces it, since it reaches the target with fewer groups.
 */
function prioritize(paths: Path[]): Path {
  const sorted = [...paths].sort((a, b) => b.weight - a.weight || b.value - a.value || a.id - b.id);
  let best = sorted[0];
  for (const p of sorted.slice(1)) if (isStrictPrefix(p, best)) best = p;
  return best;
}

function isStrictPrefix(sub: Path, of: Path): boolean {
  return sub.groups.length < of.groups.length && sub.groups.every((g, i) => of.groups[i].name === g.name);
}

/** Go's string order (bytes), which is what Karmada's tie-breaks on names use. */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
