// Parses a resource URL the way kube's RequestInfoFactory does:
//   /api/v1[/watch][/namespaces/NS]/RESOURCE[/NAME[/SUBRESOURCE]]
//   /apis/GROUP/VERSION[/watch][/namespaces/NS]/RESOURCE[/NAME[/SUBRESOURCE]]
export interface RequestInfo {
  group: string;
  version: string;
  namespace?: string;
  resource?: string;
  name?: string;
  subresource?: string;
  /** True for the legacy /watch/ path prefix. */
  watchPath: boolean;
}

export function parseResourcePath(path: string): RequestInfo | undefined {
  const parts = path.split('/').filter((p) => p !== '').map(decodeURIComponent);
  let rest: string[];
  let group: string;
  let version: string;
  if (parts[0] === 'api') {
    if (parts.length < 2) return undefined;
    group = '';
    version = parts[1];
    rest = parts.slice(2);
  } else if (parts[0] === 'apis') {
    if (parts.length < 3) return undefined;
    group = parts[1];
    version = parts[2];
    rest = parts.slice(3);
  } else return undefined;
  const info: RequestInfo = { group, version, watchPath: false };
  if (rest[0] === 'watch') {
    info.watchPath = true;
    rest = rest.slice(1);
  }
  if (rest[0] === 'namespaces' && rest.length >= 2) {
    // /namespaces/NS is the namespace object itself; /namespaces/NS/status|finalize its subresources.
    if (rest.length === 2 || (rest.length === 3 && (rest[2] === 'status' || rest[2] === 'finalize'))) {
      info.resource = 'namespaces';
      info.name = rest[1];
      info.subresource = rest[2];
      return info;
    }
    info.namespace = rest[1];
    rest = rest.slice(2);
  }
  if (rest.length > 3) return undefined;
  [info.resource, info.name, info.subresource] = rest;
  return info;
}
