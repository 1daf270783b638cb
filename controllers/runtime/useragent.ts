// The User-Agent the components' API requests carry. kube-apiserver records the fields a write sets under a manager
// named by the request's fieldManager, or else by its User-Agent up to the first "/": without one of our own, every
// object the controllers wrote showed its fields managed by "unknown" (our raw requests) or "node-fetch" (client-node's),
// where Karmada's show "karmada-controller-manager" and "karmada-scheduler".
import { readFileSync } from 'node:fs';

const VERSION: string = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')).version;

/** client-go's default form, "<command>/<version> (<os>/<arch>)", for one of our commands (e.g. flotilla-scheduler). */
export function userAgentOf(command: string): string {
  return `${command}/v${VERSION} (${process.platform}/${process.arch})`;
}
